// Browser mode: runs the main-process core under plain Node and serves the renderer on
// 127.0.0.1. `npm run serve`, and what `npm start` falls back to without an Electron binary.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { submitCommandLineLinks } from '../links/command-line-links.js';
import { createLogger } from '../log/logger.js';
import { DEFAULT_LAUNCH_TTL_MS } from './browser-auth.js';
import { FileIdentityStore } from './identity-store.js';
import { openBrowserOnLaunchFile } from './launch-file.js';
import { onEnterKey } from './launch-requests.js';
import { loadStaticFiles } from './static-files.js';
import { startWebServer } from './web-server.js';

const usage = `Usage: porthole-serve [--port N] [--data-dir DIR] [--no-open] [--launch-ttl S] [LINK…]
  --port N          port on 127.0.0.1 (default 0: any free port). With a fixed port, browsers
                    that were let in stay in across restarts.
  --data-dir DIR    where profiles are stored (default: ${defaultDataDir()})
  --no-open         do not open a browser; print the launch link instead
  --launch-ttl S    seconds a launch link stays valid (default ${DEFAULT_LAUNCH_TTL_MS / 1000}, at most 600)
  LINK…            vnc://… or porthole://… links or .vv files, opened after you confirm them in the browser
Press Enter in this terminal for a new launch link (one link lets in one browser).`;

async function main(): Promise<void> {
  // Installed first, so Ctrl+C during start-up also closes whatever has started.
  let running: { close(): Promise<void> }[] = [];
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void Promise.all(running.map((r) => r.close())).then(() => {
      console.log(`Porthole stopped (${signal}).`);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let positionals: string[] = [];
  let values: { port?: string; 'data-dir'?: string; 'no-open'?: boolean; 'launch-ttl'?: string; help?: boolean };
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-open': { type: 'boolean' }, 'launch-ttl': { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535\n${usage}`);
    process.exit(2);
  }
  const ttlSeconds = Number(values['launch-ttl'] ?? DEFAULT_LAUNCH_TTL_MS / 1000);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 600) {
    console.error(`--launch-ttl must be a whole number of seconds from 1 to 600\n${usage}`);
    process.exit(2);
  }
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const rendererDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  const logger = createLogger();
  // Only a fixed port is the same origin after a restart, so only then is remembering browsers useful.
  const identities = port === 0 ? undefined : new FileIdentityStore(dataDir, port);
  const web = await startWebServer({ port, files: loadStaticFiles(rendererDir), identities, launchTtlMs: ttlSeconds * 1000 });
  running = [web];
  const core = await startCore(
    { dataDir, appOrigin: web.auth.origin, shell: 'browser', version: process.env.PORTHOLE_VERSION ?? '0.0.0-dev' },
    { logger },
  );
  web.attachCore(core);
  running = [core, web];
  await submitCommandLineLinks(core, positionals, process.cwd(), (line) => console.log(line));

  // Launch links are printed on this terminal only, never logged and never put in another
  // process's arguments (where any local user could read them with ps).
  const printLaunchUrl = (lead: string): void =>
    console.log(`${lead} Open: ${web.auth.mintLaunchUrl()}\n  (lets in one browser, once, within ${ttlSeconds} s; press Enter here for another)`);
  if (values['no-open']) {
    printLaunchUrl('Porthole is running in browser mode.');
  } else {
    const opened = openBrowserOnLaunchFile(web.auth.mintLaunchUrl(), ttlSeconds * 1000);
    running = [core, web, opened];
    console.log(
      `Porthole is running in browser mode on ${web.auth.origin}/\n` +
        `  Your browser is opening ${opened.fileUrl} (readable only by you).\n` +
        `  For another browser, or if none opened, press Enter here for a launch link.`,
    );
  }
  onEnterKey(() => printLaunchUrl('New launch link.'));
}

main().catch((err: unknown) => {
  console.error(`Porthole could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
