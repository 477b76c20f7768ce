// `npm start`: builds if needed, then runs the Electron app; where the Electron binary is
// missing (it cannot be downloaded everywhere) it says so in one line and starts browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-needed'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

function electronBinary() {
  try {
    const pathFile = path.join(path.dirname(createRequire(import.meta.url).resolve('electron')), 'path.txt');
    if (!existsSync(pathFile)) return { reason: 'its binary is not installed (with internet access, run `npx install-electron` once)' };
    const binary = path.join(path.dirname(pathFile), 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? { binary } : { reason: `its binary is missing at ${binary}` };
  } catch {
    return { reason: 'the electron package is not installed' };
  }
}

const args = process.argv.slice(2);
// Never fetched from here: Electron 45 downloads its binary on first use, and an offline machine
// should not try. With internet access, `npx install-electron` fetches it once.
const found = electronBinary();
const child = found.binary
  ? spawn(found.binary, [root, ...args], { stdio: 'inherit' })
  : (console.log(`Electron is not available: ${found.reason}. Starting browser mode instead.`),
    spawn(process.execPath, [path.join(root, 'dist/main/serve.js'), ...args], { stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
