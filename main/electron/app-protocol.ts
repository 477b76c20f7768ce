// The app:// scheme: Porthole's pages come from the packaged renderer directory and nowhere else.
// A request path is mapped to a file only when every segment is a plain file name (no dot segments,
// no encoded or literal slashes or backslashes, no drive letters, no hidden files), the resolved real
// path stays inside the renderer directory, and the file exists with a known type; everything else is
// a 404. Every response, errors included, carries the CSP.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppRequest, CustomScheme } from './electron-api.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'porthole';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Registered before the app is ready. Deliberately not bypassCSP, not corsEnabled. */
export const appSchemePrivileges: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

export function mimeTypeFor(file: string): string | undefined {
  return mimeTypes[path.extname(file).toLowerCase()];
}

/** Anything that smells of traversal or of another path syntax, checked on the raw URL text. */
const SUSPICIOUS = /\\|%5c|%2f|%00|%2e|\.\.|\/\//i;
/** One path segment: a plain file or directory name, not hidden. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._@+-]*$/;
const MAX_URL_LENGTH = 2048;

/**
 * The renderer-relative path ("index.html", "assets/x.js") an app:// URL names, or null when it
 * names nothing we serve. Pure: does not touch the file system.
 */
export function appUrlToRelativePath(rawUrl: string): string | null {
  if (rawUrl.length > MAX_URL_LENGTH) return null;
  const prefix = `${APP_ORIGIN}/`;
  if (!rawUrl.toLowerCase().startsWith(prefix)) return null;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username !== '' || url.password !== '') return null;
  const rawPath = rawUrl.slice(prefix.length - 1).split(/[?#]/, 1)[0] ?? '';
  if (SUSPICIOUS.test(rawPath) || SUSPICIOUS.test(url.pathname)) return null;
  const pathname = url.pathname === '/' ? '/index.html' : url.pathname;
  const segments = pathname.slice(1).split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (!SEGMENT.test(name)) return null;
    decoded.push(name);
  }
  const relative = decoded.join('/');
  return mimeTypeFor(relative) === undefined ? null : relative;
}

export interface AppProtocolOptions {
  /** The packaged renderer directory (dist/renderer). */
  rootDir: string;
  /** The CSP header value; see buildCsp. */
  csp: string;
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The handler for protocol.handle('app', …). Never throws; unknown paths are 404. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: AppRequest) => Promise<Response> {
  const headers = securityHeaders(options.csp);
  const plain = (status: number, text: string): Response =>
    new Response(text, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
  let realRoot: Promise<string> | undefined;

  return async (request) => {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed');
    const relative = appUrlToRelativePath(request.url);
    if (relative === null) return plain(404, 'Not found');
    try {
      realRoot ??= realpath(options.rootDir);
      const root = await realRoot;
      const candidate = path.resolve(root, ...relative.split('/'));
      if (!isInside(root, candidate)) return plain(404, 'Not found');
      // Symbolic links must not lead out of the renderer directory either.
      const real = await realpath(candidate);
      if (!isInside(root, real) || !(await stat(real)).isFile()) return plain(404, 'Not found');
      const type = mimeTypeFor(real) ?? mimeTypeFor(relative);
      if (type === undefined) return plain(404, 'Not found');
      const body = method === 'HEAD' ? null : new Uint8Array(await readFile(real));
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': type } });
    } catch {
      realRoot = undefined;
      return plain(404, 'Not found');
    }
  };
}
