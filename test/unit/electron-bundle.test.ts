// Loads the BUILT Electron entry (dist/electron/main.cjs, CommonJS as Electron will load it) under
// Node with a stand-in `electron` module made from the recording fakes: the bundle must load,
// start the real core, serve the renderer over app:// with the CSP, open one secure window with
// the bundled preload, install one IPC channel per contract call, and quit cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CALL_NAMES } from '../../app/contract-names.js';
import { repoRoot } from '../fixtures/porthole-server.js';
import { createFakeElectron, type FakeElectron } from './electron-fakes.js';

const bundle = path.join(repoRoot, 'dist/electron/main.cjs');
let fx: FakeElectron;
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Load };
const originalLoad = moduleInternals._load;

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run "npm run build" first`);
  // app.getAppPath() is the repository root here, as for an unpackaged `electron .`.
  fx = createFakeElectron({ userData: mkdtempSync(path.join(os.tmpdir(), 'porthole-electron-user-')), appPath: repoRoot, packaged: false });
  const api = fx.api;
  const BrowserWindow = Object.assign(function BrowserWindow(options: Parameters<typeof api.windows.create>[0]) {
    return api.windows.create(options);
  }, { getFocusedWindow: () => api.windows.focused() });
  const electronModule = {
    app: api.app,
    BrowserWindow,
    protocol: api.protocol,
    session: {
      get defaultSession() {
        return api.defaultSession;
      },
    },
    ipcMain: api.ipcMain,
    shell: api.shell,
    dialog: api.dialog,
    Menu: api.Menu,
    screen: api.screen,
  };
  moduleInternals._load = (request, parent, isMain) => (request === 'electron' ? electronModule : originalLoad(request, parent, isMain));
  createRequire(import.meta.url)(bundle);
  fx.app.makeReady();
  const until = Date.now() + 10_000;
  while (fx.windows.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}, 20_000);

afterAll(async () => {
  moduleInternals._load = originalLoad;
  fx.app.quit();
  const until = Date.now() + 10_000;
  while (!fx.app.log.includes('quit') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
});

describe('the built Electron entry', () => {
  it('opens one sandboxed, isolated window with the bundled preload', () => {
    expect(fx.windows).toHaveLength(1);
    const prefs = fx.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs?.preload).toBe(path.join(repoRoot, 'dist/electron/preload.cjs'));
    expect(existsSync(prefs!.preload!)).toBe(true);
  });

  it('serves the built renderer over app:// with the CSP naming the running proxy', async () => {
    const handler = fx.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    const res = await handler!({ url: 'app://porthole/index.html', method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<input id="console-url"');
    expect(res.headers.get('content-security-policy')).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('installs exactly one IPC channel per contract call', () => {
    expect([...fx.ipcHandlers.keys()].sort()).toEqual(CALL_NAMES.map((n) => `porthole:${n}`).sort());
  });

  it('answers a call from its window through the real core', async () => {
    const contents = fx.windows[0]!.webContents;
    const result = await fx.invoke('porthole:app.info', { sender: contents, senderFrame: contents.mainFrame }, {});
    expect(result).toMatchObject({ ok: true, value: { name: 'Porthole', shell: 'electron' } });
  });
});
