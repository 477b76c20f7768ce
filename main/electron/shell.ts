// The Electron shell's logic, against the injected ElectronApi (main.ts passes the real modules).
// Order: before ready — privileged app:// scheme, sandbox for all, single-instance lock, link and
// guard listeners; after ready — core, app:// handler with CSP, permission handlers, IPC bridge, menu,
// main window. Quitting waits for core.close().
import type { Outcome } from '../../app/contract.js';
import type { CoreOptions, PortholeCore } from '../core-types.js';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, appSchemePrivileges, createAppProtocolHandler } from './app-protocol.js';
import { buildCsp } from './csp.js';
import { linksFromArgv, parseLaunchArgument, type LaunchLink } from '../links/launch-links.js';
import type { ElectronApi } from './electron-api.js';
import { attachWindow, installIpcBridge, sendEvent } from './ipc-bridge.js';
import { WindowRegistry, type WindowRecord } from './ipc-guard.js';
import { buildMenuTemplate, MENU_ACTION_EVENT, type MenuAction } from './menu.js';
import { guardSessionPermissions, guardWebContents } from './navigation-guard.js';
import { claimSingleInstance } from './single-instance.js';

/** The URL schemes Porthole handles (also declared in electron-builder.yml). */
export const URL_SCHEMES = ['porthole', 'vnc'] as const;
import { mainWindowOptions, restoreBounds } from './window-options.js';
import { loadWindowState, saveWindowState } from './window-state.js';

/** The logging the shell does (pino's Logger fits). Never given a link, URL or token. */
export interface ShellLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ShellOptions {
  electron: ElectronApi;
  startCore(options: CoreOptions): Promise<PortholeCore>;
  /** The packaged renderer (dist/renderer), the only thing app:// serves. */
  rendererDir: string;
  /** The bundled CommonJS preload. */
  preloadPath: string;
  iconPath?: string;
  platform: NodeJS.Platform;
  argv: readonly string[];
  cwd: string;
  log?: ShellLog;
  /** How long quitting waits for core.close(). */
  closeTimeoutMs?: number;
}

export interface ShellHandle {
  /** False when another instance already runs (this one has asked to quit). */
  readonly primary: boolean;
  /** Settles once the main window is loading (or startup failed and the app is exiting). */
  readonly ready: Promise<void>;
  readonly windows: WindowRegistry;
  core(): PortholeCore | undefined;
  mainWindow(): WindowRecord | undefined;
  /** Links arriving from any source, as parsed launch links, for the core's pending requests. Resolves when they are pending. */
  submitLinks(links: readonly LaunchLink[]): Promise<void>;
}

const silent: ShellLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function startShell(options: ShellOptions): ShellHandle {
  const { electron, platform } = options;
  const { app } = electron;
  const log = options.log ?? silent;
  const windows = new WindowRegistry();
  /** Links that arrive before the core has started wait here. */
  const early: LaunchLink[] = [];
  let core: PortholeCore | undefined;
  let main: WindowRecord | undefined;
  let mainLoaded = false;
  let quitState: 'running' | 'closing' | 'closed' = 'running';
  let pendingSave: Promise<void> = Promise.resolve();
  let dataDir: string | undefined;

  const rememberBounds = (record: WindowRecord): void => {
    const win = record.window;
    if (dataDir === undefined || win.isDestroyed()) return;
    pendingSave = saveWindowState(dataDir, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  };

  // Before ready: these only work now.
  electron.protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
  app.enableSandbox();

  const focusMain = (): void => {
    const win = main?.window;
    if (win === undefined || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  // The core keeps each link as a pending request and tells every window (link.request); a page that
  // loads later asks for the pending ones (link.pending). The shell only brings its window forward.
  const submitLinks = async (incoming: readonly LaunchLink[]): Promise<void> => {
    for (const link of incoming) {
      if (core === undefined) {
        early.push(link);
        continue;
      }
      const outcome = await core.submitLink(link);
      if (outcome.ok) {
        log.info({ kind: link.kind }, 'launch link pending confirmation');
        if (mainLoaded) focusMain();
      } else {
        log.warn({ kind: link.kind, code: outcome.error.code }, 'launch link refused');
      }
    }
  };

  const primary = claimSingleInstance(app, {
    focus: focusMain,
    onSecondInstance: (argv, workingDirectory) => void submitLinks(linksFromArgv(argv, workingDirectory)),
  });
  const handle = {
    primary,
    windows,
    core: () => core,
    mainWindow: () => main,
    submitLinks,
  };
  if (!primary) return { ...handle, ready: Promise.resolve() };
  // macOS and Linux learn the schemes from the bundle / desktop entry; on Windows the app registers itself.
  if (platform === 'win32' && app.isPackaged) for (const scheme of URL_SCHEMES) app.setAsDefaultProtocolClient(scheme);

  const navigationDeps = {
    openExternal: (url: string) => electron.shell.openExternal(url),
    onBlocked: (what: string) => log.warn({ what }, 'blocked by the navigation guard'),
  };
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, navigationDeps));
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseLaunchArgument(url, options.cwd);
    if (link !== null) void submitLinks([link]);
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    const link = parseLaunchArgument(file, options.cwd);
    if (link !== null) void submitLinks([link]);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitState === 'closed') return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    // Quitting from the menu closes windows only after this: remember where the window was now.
    if (main !== undefined) rememberBounds(main);
    void (async () => {
      try {
        await pendingSave;
        if (core !== undefined) await withTimeout(core.close(), options.closeTimeoutMs ?? 5000);
      } catch (err) {
        log.error({ err }, 'core did not close cleanly');
      } finally {
        quitState = 'closed';
        app.quit();
      }
    })();
  });

  // Fullscreen is done by main: the page is denied every permission but the clipboard.
  const toggleFullScreen = async (_args: unknown, record: WindowRecord): Promise<Outcome<{ fullscreen: boolean }>> => {
    const next = !record.window.isFullScreen();
    record.window.setFullScreen(next);
    return { ok: true, value: { fullscreen: next } };
  };

  const dispatchMenu = (action: MenuAction): void => {
    const focused = electron.windows.focused();
    const record = windows.all().find((r) => r.window === focused) ?? main;
    if (record === undefined || record.window.isDestroyed()) return;
    sendEvent(record, MENU_ACTION_EVENT, { action });
  };

  const createMainWindow = async (readyCore: PortholeCore, userData: string): Promise<void> => {
    const saved = await loadWindowState(userData);
    const restored = restoreBounds(
      saved,
      electron.screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = electron.windows.create(
      mainWindowOptions({
        preloadPath: options.preloadPath,
        devTools: !app.isPackaged,
        bounds: restored.bounds,
        ...(options.iconPath !== undefined ? { iconPath: options.iconPath } : {}),
      }),
    );
    const record = windows.add(win);
    attachWindow(record, readyCore, windows);
    main = record;
    mainLoaded = false;
    win.once('ready-to-show', () => {
      if (restored.maximized) win.maximize();
      win.show();
    });
    win.on('close', () => rememberBounds(record));
    win.on('closed', () => {
      if (main === record) {
        main = undefined;
        mainLoaded = false;
      }
    });
    win.webContents.on('did-finish-load', () => {
      if (main !== record) return;
      mainLoaded = true;
    });
    try {
      await win.loadURL(APP_INDEX_URL);
    } catch (err) {
      log.error({ err }, 'the main window could not load the app');
    }
  };

  const start = async (): Promise<void> => {
    await app.whenReady();
    const userData = app.getPath('userData');
    dataDir = userData;
    const started = await options.startCore({ dataDir: userData, appOrigin: APP_ORIGIN, shell: 'electron', version: app.getVersion() });
    core = started;
    await submitLinks(early.splice(0));
    if (quitState !== 'running') {
      await started.close();
      return;
    }
    electron.protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: options.rendererDir, csp: buildCsp(started.proxyPort) }));
    guardSessionPermissions(electron.defaultSession);
    installIpcBridge({
      ipcMain: electron.ipcMain,
      core: started,
      windows,
      localCalls: new Map([['window.fullscreen', toggleFullScreen]]),
      onRejected: (callName, reason) => log.warn({ call: callName, reason }, 'IPC from an untrusted sender refused'),
    });
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(buildMenuTemplate({ platform, development: !app.isPackaged, dispatch: dispatchMenu })));
    app.on('activate', () => {
      if (main === undefined && quitState === 'running') void createMainWindow(started, userData);
    });
    await createMainWindow(started, userData);
  };

  const ready = (async () => {
    // Links on our own command line (e.g. the OS launched us for a porthole:// URL) wait as pending requests.
    const launchLinks = submitLinks(linksFromArgv(options.argv, options.cwd));
    try {
      await start();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'Porthole could not start');
      electron.dialog.showErrorBox('Porthole could not start', message);
      await core?.close().catch(() => undefined);
      app.exit(1);
    }
    await launchLinks;
  })();

  return { ...handle, ready };
}
