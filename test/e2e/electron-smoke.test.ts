// The packaged-style Electron app, end to end: launch it with Playwright's _electron, connect the
// Demo console, read a console pixel. Needs the Electron binary (node_modules/electron/dist), which
// cannot be downloaded everywhere: without it this reports itself skipped, with the reason.
// Runs the unpackaged app (`electron <repo>`): a packaged build has the nodeCliInspect fuse off, and
// Playwright drives Electron through --inspect.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CORNER_RGB } from '../../main/demo/test-pattern.js';
import { saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { repoRoot } from '../fixtures/porthole-server.js';
import { startXvnc, type Xvnc } from '../fixtures/xvnc.js';

/**
 * Where the Electron binary is, the way the electron package finds it (path.txt under dist/, or
 * ELECTRON_OVERRIDE_DIST_PATH) — without require('electron'), which would try to download it.
 */
function findElectron(): { path: string } | { skip: string } {
  const pkg = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, relative ?? 'electron') : relative ? path.join(pkg, 'dist', relative) : undefined;
  if (binary === undefined) return { skip: 'the Electron binary is not installed (node_modules/electron/dist is missing: it could not be downloaded here)' };
  if (!existsSync(binary)) return { skip: `the Electron binary is not installed (${binary} is missing)` };
  return { path: binary };
}

const electron = findElectron();
const skipReason = 'skip' in electron ? electron.skip : '';
const builtApp = ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html'];

describe.skipIf('skip' in electron)(`Electron smoke test${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
  let app: ElectronApplication;
  let window: Page;
  let xvnc: Xvnc | undefined;
  let userData: string;

  beforeAll(async () => {
    const missing = builtApp.filter((f) => !existsSync(path.join(repoRoot, f)));
    if (missing.length > 0) throw new Error(`Build the app first (npm run build): missing ${missing.join(', ')}`);
    // Electron needs a display on Linux: use a private X server unless one is given.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    delete env.ELECTRON_RUN_AS_NODE;
    if (process.platform === 'linux' && !process.env.DISPLAY) {
      xvnc = await startXvnc({ geometry: '1280x900' });
      Object.assign(env, xvnc.env);
    }
    userData = mkdtempSync(path.join(tmpdir(), 'porthole-electron-e2e-'));
    app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : '',
      args: [repoRoot, `--user-data-dir=${userData}`, '--disable-gpu'],
      env,
      timeout: 60_000,
    });
    window = await app.firstWindow();
    await window.waitForSelector('body[data-ready="true"]');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await xvnc?.stop();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('loads the app from app://porthole with the preload bridge and nothing of Node', async () => {
    expect(window.url()).toBe('app://porthole/index.html');
    const exposed = (await window.evaluate('({ bridge: typeof window.porthole, require: typeof require, process: typeof process })')) as Record<string, string>;
    expect(exposed).toEqual({ bridge: 'object', require: 'undefined', process: 'undefined' });
  });

  it('connects the Demo console and shows its pixels', async () => {
    await window.getByRole('button', { name: 'Demo' }).click();
    await waitForConsoleColour(window, DEMO_CORNER_RGB, { timeoutMs: 30_000 });
    await saveScreenshot(window, 'electron-demo');
  });
});
