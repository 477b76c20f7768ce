// Browser mode: runs the main-process core under plain Node and serves the renderer on
// 127.0.0.1. `npm run serve`, and what `npm start` falls back to without an Electron binary.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { createLogger } from '../log/logger.js';
import { loadStaticFiles } from './static-files.js';
import { startWebServer } from './web-server.js';

const usage = `Usage: porthole-serve [--port N] [--data-dir DIR] [--no-open]
  --port N        port on 127.0.0.1 (default 0: any free port)
  --data-dir DIR  where profiles are stored (default: ${defaultDataDir()})
  --no-open       do not open a browser`;

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no opener: the printed URL is enough
    child.unref();
  } catch {
    // ignore
  }
}

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

  let values: { port?: string; 'data-dir'?: string; 'no-open'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-open': { type: 'boolean' }, help: { type: 'boolean' } },
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
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const rendererDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  const logger = createLogger();
  const web = await startWebServer({ port, files: loadStaticFiles(rendererDir) });
  running = [web];
  const core = await startCore(
    { dataDir, appOrigin: web.auth.origin, shell: 'browser', version: process.env.PORTHOLE_VERSION ?? '0.0.0-dev' },
    { logger },
  );
  web.attachCore(core);
  running = [core, web];

  // The one line a user (or a test) needs: the launch URL with its secret. Printed, never logged.
  console.log(`Porthole is running in browser mode. Open: ${web.auth.launchUrl}`);
  if (!values['no-open']) openBrowser(web.auth.launchUrl);

}

main().catch((err: unknown) => {
  console.error(`Porthole could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
