// Opens the user's browser without putting the launch secret on any command line: the secret goes
// into an HTML file that only this user can read (0600, in a fresh 0700 directory), the browser is
// opened on that file's path, and the file sends it on to the launch link (as notebook servers do).
// The file is deleted once the link has expired, and at exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LaunchFile {
  readonly fileUrl: string;
  close(): Promise<void>;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function launchFileHtml(launchUrl: string): string {
  const url = escapeAttribute(launchUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=${url}">
<title>Opening Porthole…</title>
</head>
<body>
<p>Opening Porthole… If nothing happens, <a href="${url}">open Porthole</a>.</p>
</body>
</html>
`;
}

/** The opener: $BROWSER when set (its first entry, as Python's webbrowser reads it), else the platform's. */
function opener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const fromEnv = env.BROWSER?.split(path.delimiter)[0]?.trim();
  if (fromEnv) return fromEnv;
  return platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
}

export function openBrowserOnLaunchFile(launchUrl: string, ttlMs: number, env: NodeJS.ProcessEnv = process.env): LaunchFile {
  const dir = mkdtempSync(path.join(env.XDG_RUNTIME_DIR || os.tmpdir(), 'porthole-launch-'));
  const file = path.join(dir, 'open-porthole.html');
  writeFileSync(file, launchFileHtml(launchUrl), { mode: 0o600, flag: 'wx' });
  const remove = (): void => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for the OS to clean (it is in a private temp directory, and the link in it is dead)
    }
  };
  const timer = setTimeout(remove, ttlMs);
  timer.unref();
  process.once('exit', remove);
  const fileUrl = pathToFileURL(file).href;
  try {
    const child = spawn(opener(env, process.platform), [fileUrl], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no opener: the user presses Enter for a link instead
    child.unref();
  } catch {
    // as above
  }
  return {
    fileUrl,
    async close() {
      clearTimeout(timer);
      remove();
    },
  };
}
