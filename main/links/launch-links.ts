// Launch links: what a porthole:// or vnc:// URL, or a .vv file, handed to the app asks for: by the
// OS to the desktop app (argv, macOS open-url / open-file, a second launch's argv) or on the command
// line of browser mode (`npm run serve -- vnc://host:5901`). Parsing only, with URL and an allow-list;
// anything else is dropped. A link never connects: link-requests.ts turns it into a request the user
// confirms. Link texts may carry tokens or passwords and are never logged.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LaunchLink =
  /** A console address (websockify/Nova URL, vnc://…) to open after confirmation. */
  | { kind: 'console-url'; url: string }
  /** A saved profile to open after confirmation. */
  | { kind: 'profile'; profileId: string }
  /** A virt-viewer connection file to read, then open after confirmation. */
  | { kind: 'vv-file'; path: string };

const MAX_LINK_LENGTH = 8192;
export const MAX_LINKS_PER_LAUNCH = 8;
/** Schemes a porthole://connect?url=… may carry (parseConsoleAddress decides the rest). */
const CONSOLE_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'vnc:', 'vncs:', 'vnc+tls:']);
const PROFILE_ID = /^[A-Za-z0-9_-]{1,128}$/;

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function onlyParams(url: URL, allowed: string): string | null {
  const keys = [...url.searchParams.keys()];
  if (keys.length !== 1 || keys[0] !== allowed) return null;
  return url.searchParams.get(allowed);
}

function consoleUrl(text: string | null): LaunchLink | null {
  if (text === null || text.length === 0 || text.length > MAX_LINK_LENGTH || hasControlChar(text)) return null;
  const inner = parseUrl(text);
  if (inner === null || !CONSOLE_SCHEMES.has(inner.protocol)) return null;
  return { kind: 'console-url', url: text };
}

function portholeLink(url: URL): LaunchLink | null {
  // porthole://connect?url=… and porthole://open?profile=…; a trailing "/" is tolerated (Windows adds one).
  if (url.username !== '' || url.password !== '' || url.port !== '' || url.hash !== '') return null;
  if (url.pathname !== '' && url.pathname !== '/') return null;
  switch (url.host) {
    case 'connect':
      return consoleUrl(onlyParams(url, 'url'));
    case 'open': {
      const id = onlyParams(url, 'profile');
      return id !== null && PROFILE_ID.test(id) ? { kind: 'profile', profileId: id } : null;
    }
    default:
      return null;
  }
}

function vvPath(candidate: string, cwd: string): LaunchLink | null {
  if (!candidate.toLowerCase().endsWith('.vv') || hasControlChar(candidate)) return null;
  const resolved = path.resolve(cwd, candidate);
  return { kind: 'vv-file', path: resolved };
}

/**
 * One launch argument or OS-delivered URL/path → a link, or null when it is not one we take.
 * `cwd` resolves relative .vv paths (a second instance's working directory).
 */
export function parseLaunchArgument(arg: string, cwd: string): LaunchLink | null {
  if (typeof arg !== 'string' || arg.length === 0 || arg.length > MAX_LINK_LENGTH || arg.startsWith('-')) return null;
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(arg) ? parseUrl(arg) : null;
  if (url !== null) {
    switch (url.protocol) {
      case 'porthole:':
        return portholeLink(url);
      case 'vnc:':
        return url.hostname !== '' ? consoleUrl(arg) : null;
      case 'file:': {
        // Desktop environments pass files as file:// URIs (%U in the .desktop entry).
        if (url.host !== '' && url.host !== 'localhost') return null;
        let file: string;
        try {
          file = fileURLToPath(url);
        } catch {
          return null;
        }
        return vvPath(file, cwd);
      }
      default:
        return null;
    }
  }
  return vvPath(arg, cwd);
}

/** The links in a process's argv (the executable, app path and switches are skipped by shape). */
export function linksFromArgv(argv: readonly string[], cwd: string): LaunchLink[] {
  const links: LaunchLink[] = [];
  for (const arg of argv) {
    const link = parseLaunchArgument(arg, cwd);
    if (link !== null) links.push(link);
    if (links.length >= MAX_LINKS_PER_LAUNCH) break;
  }
  return links;
}
