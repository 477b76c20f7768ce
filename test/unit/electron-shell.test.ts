// The Electron shell, run against recording fakes of Electron and the core (no Electron binary).
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callNames, eventNames } from '../../app/contract.js';
import { exposeContract, type IpcRendererLike } from '../../main/electron/preload-api.js';
import { buildCsp } from '../../main/electron/csp.js';
import { startShell, type ShellHandle, type ShellLog } from '../../main/electron/shell.js';
import { WINDOW_STATE_FILE } from '../../main/electron/window-state.js';
import { createFakeElectron, FakeCore, FakeEvent, FakeFrame, FakeWebContents, type FakeElectron, type FakeWindow, type RecordedLog } from './electron-fakes.js';

const TOKEN = 'tok-SECRET-0123456789';
const PASSWORD = 'pw-SECRET-vv';

let dir: string;
let rendererDir: string;
let fx: FakeElectron;
let core: FakeCore;
let logs: RecordedLog[];
let shell: ShellHandle;

const recordingLog = (): ShellLog => ({
  info: (fields, message) => logs.push({ level: 'info', fields, message }),
  warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
  error: (fields, message) => logs.push({ level: 'error', fields, message }),
});

async function start(opts: { argv?: string[]; lock?: boolean; failCore?: boolean; packaged?: boolean; platform?: NodeJS.Platform } = {}): Promise<void> {
  fx = createFakeElectron({ userData: path.join(dir, 'userData'), appPath: dir, lock: opts.lock ?? true, packaged: opts.packaged ?? true });
  shell = startShell({
    electron: fx.api,
    startCore: async (options) => {
      if (opts.failCore) throw new Error('port in use');
      core.options = options;
      return core;
    },
    rendererDir,
    preloadPath: '/app/dist/electron/preload.cjs',
    platform: opts.platform ?? 'linux',
    argv: opts.argv ?? ['/opt/Porthole/porthole'],
    cwd: dir,
    log: recordingLog(),
  });
  fx.app.makeReady();
  await shell.ready;
}

function mainWindow(): FakeWindow {
  const win = fx.windows[0];
  if (win === undefined) throw new Error('no window was created');
  return win;
}

async function fetchApp(url: string, method = 'GET'): Promise<Response> {
  const handler = fx.protocolHandlers.get('app');
  if (handler === undefined) throw new Error('app: protocol not handled');
  return handler({ url, method });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'porthole-electron-'));
  rendererDir = path.join(dir, 'dist', 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await mkdir(path.join(dir, 'userData'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Porthole</title>');
  await writeFile(path.join(rendererDir, 'main.js'), 'console.log(1)');
  await writeFile(path.join(rendererDir, 'style.css'), 'body{}');
  await writeFile(path.join(rendererDir, 'assets', 'logo.svg'), '<svg/>');
  await writeFile(path.join(rendererDir, '.secret.js'), 'hidden');
  await writeFile(path.join(rendererDir, 'notes.unknownext'), 'x');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the renderer');
  await symlink(path.join(dir, 'secret.txt'), path.join(rendererDir, 'link.txt'));
  core = new FakeCore();
  logs = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startup', () => {
  it('registers app:// as privileged (standard, secure, fetch; not bypassCSP) and enables the sandbox before ready', async () => {
    await start();
    expect(fx.schemes).toEqual([[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]]);
    const log = fx.app.log;
    expect(log.indexOf('registerSchemesAsPrivileged')).toBeLessThan(log.indexOf('ready'));
    expect(log.indexOf('enableSandbox')).toBeLessThan(log.indexOf('ready'));
  });

  it('starts the core with the app origin and userData, and loads app://porthole/index.html', async () => {
    await start();
    expect(core.options).toEqual({ dataDir: path.join(dir, 'userData'), appOrigin: 'app://porthole', shell: 'electron', version: '9.8.7' });
    expect(mainWindow().loadedUrls).toEqual(['app://porthole/index.html']);
  });

  it('creates the window with exactly the secure web preferences', async () => {
    await start();
    expect(mainWindow().options.webPreferences).toEqual({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
    expect(mainWindow().options.show).toBe(false);
  });

  it('restores remembered bounds and saves them on close', async () => {
    await writeFile(path.join(dir, 'userData', WINDOW_STATE_FILE), JSON.stringify({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true }));
    await start();
    expect(mainWindow().options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    mainWindow().emit('ready-to-show');
    expect(mainWindow().maximized).toBe(true);
    mainWindow().close();
    fx.app.emit('window-all-closed');
    await waitFor(() => fx.app.log.includes('quit'));
    const saved: unknown = JSON.parse(await readFile(path.join(dir, 'userData', WINDOW_STATE_FILE), 'utf8'));
    expect(saved).toEqual({ bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: true });
  });

  it('reports a core that cannot start and exits non-zero', async () => {
    await start({ failCore: true });
    expect(fx.errorBoxes).toEqual([['Porthole could not start', 'port in use']]);
    expect(fx.app.exitCode).toBe(1);
    expect(fx.windows).toHaveLength(0);
  });
});

describe('app:// protocol', () => {
  beforeEach(async () => {
    await start();
  });

  it('serves renderer files with their MIME type and the CSP', async () => {
    for (const [url, type] of [
      ['app://porthole/index.html', 'text/html; charset=utf-8'],
      ['app://porthole/', 'text/html; charset=utf-8'],
      ['app://porthole/main.js', 'text/javascript; charset=utf-8'],
      ['app://porthole/style.css', 'text/css; charset=utf-8'],
      ['app://porthole/assets/logo.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetchApp(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toBe(type);
      expect(res.headers.get('content-security-policy'), url).toBe(buildCsp(core.proxyPort));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await fetchApp('app://porthole/main.js')).text()).toBe('console.log(1)');
  });

  it('uses exactly the required CSP, with the proxy port', () => {
    expect(buildCsp(45678)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        "connect-src 'self' ws://127.0.0.1:45678; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
    );
    expect(() => buildCsp(0)).toThrow();
    expect(() => buildCsp(70000)).toThrow();
  });

  it.each([
    'app://porthole/../secret.txt',
    'app://porthole/%2e%2e/secret.txt',
    'app://porthole/%2E%2E/%2e%2e/secret.txt',
    'app://porthole/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://porthole/..%2fsecret.txt',
    'app://porthole/..%2Fsecret.txt',
    'app://porthole/assets%2f..%2f..%2fsecret.txt',
    'app://porthole/..\\secret.txt',
    'app://porthole/assets\\..\\..\\secret.txt',
    'app://porthole/%5c..%5csecret.txt',
    'app://porthole//etc/passwd',
    'app://porthole/%2fetc%2fpasswd',
    'app://porthole/C:/Windows/win.ini',
    'app://porthole/C%3A%5CWindows%5Cwin.ini',
    'ABSOLUTE_SECRET_PATH',
    'app://porthole/link.txt',
    'app://porthole/.secret.js',
    'app://porthole/notes.unknownext',
    'app://porthole/missing.js',
    'app://porthole/assets',
    'app://porthole/main.js%00.html',
    'app://evil/index.html',
    'app://porthole:8080/index.html',
    'app://user:pw@porthole/index.html',
    'file:///etc/passwd',
  ])('answers 404 with the CSP for %s', async (given) => {
    const url = given === 'ABSOLUTE_SECRET_PATH' ? `app://porthole/${encodeURIComponent(path.join(dir, 'secret.txt'))}` : given;
    const res = await fetchApp(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(buildCsp(core.proxyPort));
    expect(await res.text()).not.toContain('outside the renderer');
  });

  it('refuses methods other than GET and HEAD, with the CSP', async () => {
    const res = await fetchApp('app://porthole/index.html', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.get('content-security-policy')).toBe(buildCsp(core.proxyPort));
    const head = await fetchApp('app://porthole/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('navigation guard', () => {
  beforeEach(async () => {
    await start();
  });

  it('denies every navigation; an http(s) target goes to the system browser only', async () => {
    const contents = mainWindow().webContents;
    for (const url of ['https://example.com/docs', 'http://example.org/', 'javascript:alert(1)', 'file:///etc/passwd', 'app://porthole/other.html', 'https://user:pw@example.com/']) {
      const event = new FakeEvent();
      contents.emit('will-navigate', event, url);
      expect(event.prevented, url).toBe(true);
    }
    await Promise.resolve();
    expect(fx.openedExternally).toEqual(['https://example.com/docs', 'http://example.org/']);
  });

  it('denies window.open, opening only checked http(s) links externally', async () => {
    const handler = mainWindow().webContents.windowOpenHandler;
    if (handler === undefined) throw new Error('no window open handler');
    for (const url of ['https://example.com/a', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'vnc://host', 'app://porthole/index.html', '   ', 'https://']) {
      expect(handler({ url }), url).toEqual({ action: 'deny' });
    }
    await Promise.resolve();
    expect(fx.openedExternally).toEqual(['https://example.com/a']);
  });

  it('prevents <webview> attachment, redirects and foreign subframe navigation', () => {
    const contents = mainWindow().webContents;
    const webview = new FakeEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    const frameNav = new FakeEvent('https://evil.example/');
    contents.emit('will-frame-navigate', frameNav);
    expect(frameNav.prevented).toBe(true);
    const redirect = new FakeEvent();
    contents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.prevented).toBe(true);
  });

  it('guards every web contents the app creates, not just the main window', () => {
    const other = new FakeWebContents('about:blank');
    fx.app.emit('web-contents-created', new FakeEvent(), other);
    const event = new FakeEvent();
    other.emit('will-navigate', event, 'https://evil.example/');
    expect(event.prevented).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  beforeEach(async () => {
    await start();
  });

  const request = (contents: FakeWebContents, permission: string, requestingUrl?: string): boolean => {
    let granted: boolean | undefined;
    fx.permissionRequestHandler?.(contents, permission, (g) => (granted = g), requestingUrl === undefined ? {} : { requestingUrl });
    if (granted === undefined) throw new Error('permission callback not called');
    return granted;
  };

  it('grants only clipboard-read and clipboard-sanitized-write, only to the app origin', () => {
    const app = mainWindow().webContents;
    expect(request(app, 'clipboard-read', 'app://porthole/index.html')).toBe(true);
    expect(request(app, 'clipboard-sanitized-write', 'app://porthole/index.html')).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'pointerLock', 'keyboardLock', 'display-capture', 'unknown']) {
      expect(request(app, p, 'app://porthole/index.html'), p).toBe(false);
    }
    const evil = new FakeWebContents('https://evil.example/');
    expect(request(evil, 'clipboard-read', 'https://evil.example/')).toBe(false);
    expect(request(app, 'clipboard-read', 'https://evil.example/')).toBe(false);
  });

  it('answers permission checks the same way', () => {
    const check = fx.permissionCheckHandler;
    if (check === null) throw new Error('no check handler');
    const app = mainWindow().webContents;
    expect(check(app, 'clipboard-read', 'app://porthole', {})).toBe(true);
    expect(check(app, 'clipboard-sanitized-write', 'app://porthole', { requestingUrl: 'app://porthole/index.html' })).toBe(true);
    expect(check(app, 'media', 'app://porthole', {})).toBe(false);
    expect(check(app, 'clipboard-read', 'https://evil.example', {})).toBe(false);
    expect(check(null, 'clipboard-read', 'app://porthole', {})).toBe(false);
    expect(check(new FakeWebContents('https://evil.example/'), 'clipboard-read', 'app://porthole', {})).toBe(false);
    expect(fx.deviceHandler?.()).toBe(false);
  });
});

describe('IPC', () => {
  beforeEach(async () => {
    await start();
  });

  it('has exactly one channel per contract call', () => {
    expect([...fx.ipcHandlers.keys()].sort()).toEqual(callNames.map((n) => `porthole:${n}`).sort());
  });

  it('toggles the window fullscreen in main, without giving the page the permission', async () => {
    const contents = mainWindow().webContents;
    const from = { sender: contents, senderFrame: contents.mainFrame };
    expect(await fx.invoke('porthole:window.fullscreen', from, {})).toEqual({ ok: true, value: { fullscreen: true } });
    expect(mainWindow().isFullScreen()).toBe(true);
    expect(await fx.invoke('porthole:window.fullscreen', from, {})).toEqual({ ok: true, value: { fullscreen: false } });
    expect(core.calls).toEqual([]);
  });

  it('passes a valid call from the app window to the core with its arguments and caller', async () => {
    const contents = mainWindow().webContents;
    const args = { source: { type: 'demo' } };
    const result = await fx.invoke('porthole:session.open', { sender: contents, senderFrame: contents.mainFrame }, args);
    expect(result).toEqual({ ok: true, value: { handled: 'session.open' } });
    expect(core.calls).toEqual([{ name: 'session.open', args, caller: { id: expect.stringMatching(/^electron-window-/) } }]);
  });

  const rejectedCases: Array<[string, () => { sender: FakeWebContents; senderFrame: FakeFrame | null }]> = [
    ['a subframe', () => ({ sender: mainWindow().webContents, senderFrame: mainWindow().webContents.mainFrame.child('app://porthole/index.html') })],
    [
      'a foreign origin',
      () => {
        mainWindow().webContents.mainFrame.url = 'https://evil.example/';
        return { sender: mainWindow().webContents, senderFrame: mainWindow().webContents.mainFrame };
      },
    ],
    [
      'a web contents the app did not create',
      () => {
        const stranger = new FakeWebContents('app://porthole/index.html');
        return { sender: stranger, senderFrame: stranger.mainFrame };
      },
    ],
    [
      'an impostor with the id of the app window',
      () => {
        const impostor = new FakeWebContents('app://porthole/index.html', mainWindow().webContents.id);
        return { sender: impostor, senderFrame: impostor.mainFrame };
      },
    ],
    ['a frame that is gone', () => ({ sender: mainWindow().webContents, senderFrame: null })],
    ['another main frame claimed by the app window', () => ({ sender: mainWindow().webContents, senderFrame: new FakeFrame('app://porthole/index.html', 99) })],
  ];

  it.each(rejectedCases)('refuses a call from %s before the core sees it', async (_name, makeEvent) => {
    const result = await fx.invoke('porthole:profiles.list', makeEvent(), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'origin-rejected' } });
    expect(core.calls).toEqual([]);
  });

  it('sends core events to the owning window and releases its sessions on reload and close', () => {
    const win = mainWindow();
    const caller = [...core.listeners.keys()][0];
    if (caller === undefined) throw new Error('window not subscribed');
    const payload = { sessionId: 's1', state: 'connected', bytesIn: 1, bytesOut: 2 };
    core.emit(caller, 'session.state', payload);
    expect(win.webContents.events()).toContainEqual(['session.state', payload]);

    win.webContents.emit('did-navigate');
    expect(core.released).toEqual([caller]);

    win.close();
    expect(core.released).toEqual([caller, caller]);
    const sentBefore = win.webContents.sent.length;
    core.emit(caller, 'session.state', payload);
    expect(win.webContents.sent.length).toBe(sentBefore);
    expect(shell.windows.all()).toEqual([]);
  });
});

describe('links', () => {
  const connectLink = `porthole://connect?url=${encodeURIComponent(`wss://console.example:6080/websockify?token=${TOKEN}`)}`;

  it('turns a porthole://connect launch link into a confirmation request, never a connection', async () => {
    await start({ argv: ['/opt/Porthole/porthole', '--no-sandbox', connectLink] });
    const pending = core.links.list();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: 'console-url', displayAddress: 'wss://console.example:6080/websockify?token=…' });
    expect(core.calls).toEqual([]);
    expect(JSON.stringify(mainWindow().webContents.sent)).not.toContain(TOKEN);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('answers come from the page through the core (link.accept / link.dismiss), never from the shell', async () => {
    await start({ argv: [connectLink] });
    const view = core.links.list()[0];
    if (view === undefined) throw new Error('no pending link');
    const record = shell.mainWindow();
    if (record === undefined) throw new Error('no window');
    expect(core.calls).toEqual([]);
    // The page loaded after the link arrived: it asks for pending requests itself (link.pending).
    expect(mainWindow().webContents.events().filter(([name]) => name === 'link.request')).toEqual([]);
  });

  it('routes vnc:// links and .vv files (file path and file:// URI) to confirmation requests without secrets', async () => {
    const vv = path.join(dir, 'console.vv');
    await writeFile(vv, `[virt-viewer]\ntype=vnc\nhost=10.0.0.5\nport=5901\npassword=${PASSWORD}\ntitle=web-01\n`);
    await start({ argv: ['vnc://vm.example:5902', vv, `file://${vv}`] });
    const pending = core.links.list();
    expect(pending.map((p) => [p.kind, p.displayAddress])).toEqual([
      ['console-url', 'vnc://vm.example:5902'],
      ['vv-file', 'vnc://10.0.0.5:5901'],
      ['vv-file', 'vnc://10.0.0.5:5901'],
    ]);
    expect(pending[1]).toMatchObject({ title: 'web-01', warnings: ['unencrypted-upstream'] });
    expect(JSON.stringify(pending)).not.toContain(PASSWORD);
    expect(JSON.stringify(mainWindow().webContents.sent)).not.toContain(PASSWORD);
    expect(core.calls).toEqual([]);
  });

  it('drops anything that is not an allowed link', async () => {
    await start({
      argv: [
        'javascript:alert(1)',
        'https://evil.example/',
        'porthole://evil?url=x',
        `porthole://connect?url=${encodeURIComponent('javascript:alert(1)')}`,
        `porthole://connect?url=${encodeURIComponent('file:///etc/passwd')}`,
        'porthole://connect?url=wss%3A%2F%2Fh%2F&extra=1',
        'porthole://open?profile=../../x',
        'file:///etc/passwd',
        'vnc://',
        path.join(dir, 'missing.vv'),
      ],
    });
    expect(core.links.list()).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it('macOS open-url and open-file are routed the same way', async () => {
    await start();
    const event = new FakeEvent();
    fx.app.emit('open-url', event, 'porthole://open?profile=abc-123');
    expect(event.prevented).toBe(true);
    await waitFor(() => core.links.list().length === 1);
    expect(core.links.list()[0]).toMatchObject({ kind: 'profile', profileId: 'abc-123' });
    expect(mainWindow().webContents.events().some(([name]) => name === 'link.request')).toBe(true);
    expect(core.calls).toEqual([]);
  });
});

describe('single instance', () => {
  it('a second instance quits without starting anything', async () => {
    await start({ lock: false });
    expect(shell.primary).toBe(false);
    expect(fx.app.quitCalls).toBe(1);
    expect(core.options).toBeUndefined();
    expect(fx.windows).toEqual([]);
  });

  it('the running instance takes the second launch’s links and focuses its window', async () => {
    await start();
    const win = mainWindow();
    win.minimized = true;
    fx.app.emit('second-instance', new FakeEvent(), ['/opt/Porthole/porthole', 'vnc://other.example:5900'], dir);
    expect(win.minimized).toBe(false);
    expect(win.focused).toBeGreaterThan(0);
    await waitFor(() => core.links.list().length === 1);
    expect(core.links.list()[0]).toMatchObject({ kind: 'console-url', displayAddress: 'vnc://other.example:5900' });
    expect(win.webContents.events().filter(([n]) => n === 'link.request')).toHaveLength(1);
    expect(core.calls).toEqual([]);
  });
});

describe('menu and quitting', () => {
  it('menu actions go to the focused window as menu.action events; the page answers fullscreen with window.fullscreen', async () => {
    await start();
    const win = mainWindow();
    fx.focusedWindow = win;
    const consoleMenu = fx.menuTemplate?.find((m) => m.label === 'Console');
    const submenu = Array.isArray(consoleMenu?.submenu) ? consoleMenu.submenu : [];
    const click = (id: string): void => {
      const item = submenu.find((i) => i.id === id);
      if (item?.click === undefined) throw new Error(`no menu item ${id}`);
      (item.click as () => void)();
    };
    click('console.send-ctrl-alt-del');
    click('console.fullscreen');
    expect(win.webContents.events().filter(([n]) => n === 'menu.action')).toEqual([
      ['menu.action', { action: 'send-ctrl-alt-del' }],
      ['menu.action', { action: 'fullscreen' }],
    ]);
    // Not toggled behind the page's back: the page toggles it through window.fullscreen, so it knows the state.
    expect(win.fullScreen).toBe(false);
    expect(await fx.invoke('porthole:window.fullscreen', { sender: win.webContents, senderFrame: win.webContents.mainFrame }, {})).toEqual({ ok: true, value: { fullscreen: true } });
    expect(win.fullScreen).toBe(true);
  });

  it('closing the last window closes the core, then quits', async () => {
    await start();
    mainWindow().close();
    fx.app.emit('window-all-closed');
    await waitFor(() => fx.app.log.includes('quit'));
    expect(core.closed).toBe(1);
    expect(fx.app.quitCalls).toBe(2);
  });
});

describe('preload', () => {
  function load(): { exposed: Map<string, unknown>; invoked: Array<[string, unknown[]]>; emit: (...args: unknown[]) => void; ipc: IpcRendererLike } {
    const exposed = new Map<string, unknown>();
    const invoked: Array<[string, unknown[]]> = [];
    const eventListeners: Array<(event: unknown, ...args: unknown[]) => void> = [];
    const ipc: IpcRendererLike = {
      invoke: async (channel, ...args) => {
        invoked.push([channel, args]);
        return { ok: true, value: channel };
      },
      on: (channel, listener) => {
        if (channel === 'porthole:event') eventListeners.push(listener);
      },
    };
    exposeContract({ exposeInMainWorld: (key, api) => exposed.set(key, api) }, ipc);
    return { exposed, invoked, ipc, emit: (...args) => eventListeners.forEach((l) => l({ sender: 'ipc-event-object' }, ...args)) };
  }

  it('exposes window.porthole with exactly the contract calls plus on(), and nothing of ipcRenderer', () => {
    const { exposed, ipc } = load();
    expect([...exposed.keys()]).toEqual(['porthole']);
    const api = exposed.get('porthole') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...callNames, 'on'].sort());
    for (const value of Object.values(api)) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipc);
      expect(value).not.toBe(ipc.invoke);
      expect(value).not.toBe(ipc.on);
    }
  });

  it('each call function invokes its own channel with the arguments only', async () => {
    const { exposed, invoked } = load();
    const api = exposed.get('porthole') as Record<string, (args: unknown) => Promise<unknown>>;
    for (const name of callNames) {
      const fn = api[name];
      if (fn === undefined) throw new Error(`missing ${name}`);
      await expect(fn({ probe: name })).resolves.toEqual({ ok: true, value: `porthole:${name}` });
    }
    expect(invoked).toEqual(callNames.map((name) => [`porthole:${name}`, [{ probe: name }]]));
  });

  it('on() accepts only contract events and hands listeners the payload alone', () => {
    const { exposed, emit } = load();
    const api = exposed.get('porthole') as { on: (name: unknown, listener: unknown) => () => void };
    expect(() => api.on('not.an.event', () => undefined)).toThrow(TypeError);
    expect(() => api.on('session.state', 'not a function')).toThrow(TypeError);
    const event = eventNames[0];
    if (event === undefined) throw new Error('no events in the contract');
    const got: unknown[][] = [];
    const off = api.on(event, (...args: unknown[]) => got.push(args));
    emit(event, { n: 1 });
    emit('other.event', { n: 2 });
    off();
    emit(event, { n: 3 });
    expect(got).toEqual([[{ n: 1 }]]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('URL scheme registration', () => {
  it('registers porthole:// and vnc:// itself on Windows, where the installer does not', async () => {
    await start({ platform: 'win32' });
    expect(fx.app.log.filter((l) => l.startsWith('setAsDefaultProtocolClient'))).toEqual(['setAsDefaultProtocolClient:porthole', 'setAsDefaultProtocolClient:vnc']);
  });
  it('leaves it to the desktop entry on Linux', async () => {
    await start({ platform: 'linux' });
    expect(fx.app.log.filter((l) => l.startsWith('setAsDefaultProtocolClient'))).toEqual([]);
  });
});
