// Recording fakes of the slice of Electron the shell uses (main/electron/electron-api.ts), and of the
// core, so the Electron shell runs in plain Node without the Electron binary.
import type { EventName, Outcome } from '../../app/contract.js';
import type { CallerContext, CoreOptions, EventListener, PortholeCore } from '../../main/core-types.js';
import type { LaunchLink } from '../../main/links/launch-links.js';
import { LinkRequests, type LinkOutcome } from '../../main/links/link-requests.js';
import type {
  AppLike,
  AppRequest,
  BrowserWindowConstructorOptions,
  BrowserWindowLike,
  CustomScheme,
  ElectronApi,
  FrameLike,
  IpcInvokeEventLike,
  MenuItemConstructorOptions,
  PermissionCheckHandler,
  PermissionRequestHandler,
  Rectangle,
  WindowOpenHandlerResponse,
} from '../../main/electron/electron-api.js';

type Listener = (...args: never[]) => void;

export class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = (...args: unknown[]): void => {
      this.off(event, wrapped);
      (listener as (...a: unknown[]) => void)(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }

  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** A preventable Electron event that records whether it was prevented. */
export class FakeEvent {
  prevented = false;
  constructor(readonly url?: string) {}
  preventDefault(): void {
    this.prevented = true;
  }
}

let nextRoutingId = 1;

export class FakeFrame implements FrameLike {
  parent: FakeFrame | null = null;
  readonly routingId = nextRoutingId++;
  constructor(
    public url: string,
    readonly processId = 1,
  ) {}
  get top(): FakeFrame {
    return this.parent === null ? this : this.parent.top;
  }
  child(url: string): FakeFrame {
    const frame = new FakeFrame(url, this.processId);
    frame.parent = this;
    return frame;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends FakeEmitter {
  readonly id: number;
  readonly mainFrame: FakeFrame;
  destroyed = false;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => WindowOpenHandlerResponse) | undefined;

  constructor(url = '', id = nextContentsId++) {
    super();
    this.id = id;
    this.mainFrame = new FakeFrame(url);
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }
  /** The events sent on 'porthole:event', as [name, payload]. */
  events(): Array<[string, unknown]> {
    return this.sent.filter((s) => s.channel === 'porthole:event').map((s) => [s.args[0] as string, s.args[1]]);
  }
}

let nextWindowId = 1;

export class FakeWindow extends FakeEmitter implements BrowserWindowLike {
  readonly id = nextWindowId++;
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  maximized = false;
  fullScreen = false;
  shown = 0;
  focused = 0;
  loadedUrls: string[] = [];
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.webContents.mainFrame.url = url;
    this.webContents.emit('did-navigate');
    this.webContents.emit('did-finish-load');
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFullScreen(): boolean {
    return this.fullScreen;
  }
  setFullScreen(flag: boolean): void {
    this.fullScreen = flag;
  }
  getNormalBounds(): Rectangle {
    return { x: 10, y: 20, width: 900, height: 700 };
  }
  /** What closing the window does in Electron: 'close', then 'closed', web contents destroyed. */
  close(): void {
    this.emit('close', new FakeEvent());
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeApp extends FakeEmitter implements AppLike {
  readonly isPackaged: boolean;
  readonly log: string[] = [];
  quitCalls = 0;
  exitCode: number | undefined;
  sandboxEnabled = false;
  #resolveReady: (() => void) | undefined;
  readonly #ready: Promise<void>;

  constructor(
    readonly userData: string,
    readonly appPath: string,
    readonly lock = true,
    packaged = true,
  ) {
    super();
    this.isPackaged = packaged;
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
  }
  /** Makes whenReady() resolve, as Electron does once it has initialised. */
  makeReady(): void {
    this.log.push('ready');
    this.#resolveReady?.();
  }
  whenReady(): Promise<void> {
    return this.#ready;
  }
  getPath(name: 'userData'): string {
    return name === 'userData' ? this.userData : '';
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '9.8.7';
  }
  setAsDefaultProtocolClient(protocol: string): boolean {
    this.log.push(`setAsDefaultProtocolClient:${protocol}`);
    return true;
  }
  requestSingleInstanceLock(): boolean {
    this.log.push('requestSingleInstanceLock');
    return this.lock;
  }
  enableSandbox(): void {
    this.log.push('enableSandbox');
    this.sandboxEnabled = true;
  }
  /** Like Electron: before-quit (preventable), then quitting. */
  quit(): void {
    this.quitCalls++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.prevented) this.log.push('quit');
  }
  exit(exitCode?: number): void {
    this.exitCode = exitCode ?? 0;
    this.log.push(`exit ${this.exitCode}`);
  }
}

export interface RecordedLog {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

export interface FakeElectron {
  api: ElectronApi;
  app: FakeApp;
  windows: FakeWindow[];
  focusedWindow: FakeWindow | null;
  schemes: CustomScheme[][];
  protocolHandlers: Map<string, (request: AppRequest) => Promise<Response>>;
  ipcHandlers: Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>;
  permissionRequestHandler: PermissionRequestHandler | null;
  permissionCheckHandler: PermissionCheckHandler | null;
  deviceHandler: (() => boolean) | null;
  openedExternally: string[];
  errorBoxes: Array<[string, string]>;
  menuTemplate: MenuItemConstructorOptions[] | undefined;
  /** Calls a registered IPC handler as ipcMain would. */
  invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown>;
}

export function createFakeElectron(options: { userData: string; appPath: string; lock?: boolean; packaged?: boolean }): FakeElectron {
  const app = new FakeApp(options.userData, options.appPath, options.lock ?? true, options.packaged ?? true);
  const fake: FakeElectron = {
    app,
    windows: [],
    focusedWindow: null,
    schemes: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    deviceHandler: null,
    openedExternally: [],
    errorBoxes: [],
    menuTemplate: undefined,
    invoke: async (channel, event, ...args) => {
      const handler = fake.ipcHandlers.get(channel);
      if (handler === undefined) throw new Error(`No handler for '${channel}'`);
      return handler(event, ...args);
    },
    api: {
      app,
      windows: {
        create: (windowOptions) => {
          const win = new FakeWindow(windowOptions);
          fake.windows.push(win);
          // Electron announces every new web contents on the app.
          app.emit('web-contents-created', new FakeEvent(), win.webContents);
          return win;
        },
        focused: () => fake.focusedWindow,
      },
      protocol: {
        registerSchemesAsPrivileged: (schemes) => {
          app.log.push('registerSchemesAsPrivileged');
          fake.schemes.push(schemes);
        },
        handle: (scheme, handler) => {
          fake.protocolHandlers.set(scheme, handler);
        },
      },
      defaultSession: {
        setPermissionRequestHandler: (h) => (fake.permissionRequestHandler = h),
        setPermissionCheckHandler: (h) => (fake.permissionCheckHandler = h),
        setDevicePermissionHandler: (h) => (fake.deviceHandler = h),
      },
      ipcMain: {
        handle: (channel, listener) => {
          if (fake.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
          fake.ipcHandlers.set(channel, listener);
        },
        removeHandler: (channel) => {
          fake.ipcHandlers.delete(channel);
        },
      },
      shell: {
        openExternal: async (url) => {
          fake.openedExternally.push(url);
        },
      },
      dialog: { showErrorBox: (title, content) => fake.errorBoxes.push([title, content]) },
      Menu: {
        buildFromTemplate: (template) => {
          fake.menuTemplate = template;
          return { items: template };
        },
        setApplicationMenu: () => undefined,
      },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    },
  };
  return fake;
}

/** A core that records what reaches it and lets tests emit events. */
export class FakeCore implements PortholeCore {
  readonly proxyPort = 45_678;
  readonly calls: Array<{ name: unknown; args: unknown; caller: CallerContext }> = [];
  readonly released: string[] = [];
  readonly listeners = new Map<string, Set<EventListener>>();
  closed = 0;
  options: CoreOptions | undefined;

  async handle(name: unknown, rawArgs: unknown, caller: CallerContext): Promise<Outcome<unknown>> {
    this.calls.push({ name, args: rawArgs, caller });
    return { ok: true, value: { handled: name } };
  }
  subscribe(caller: CallerContext, listener: EventListener): () => void {
    const set = this.listeners.get(caller.id) ?? new Set<EventListener>();
    set.add(listener);
    this.listeners.set(caller.id, set);
    return () => set.delete(listener);
  }
  /** The real pending-link registry, as the core keeps it (files are never deleted here). */
  readonly links = new LinkRequests({ removeFile: async () => undefined });
  async submitLink(link: LaunchLink): Promise<LinkOutcome> {
    const outcome = await this.links.add(link);
    if (outcome.ok) for (const set of this.listeners.values()) for (const l of set) l('link.request', outcome.view);
    return outcome;
  }
  releaseCaller(caller: CallerContext): void {
    this.released.push(caller.id);
  }
  async close(): Promise<void> {
    this.closed++;
  }
  emit(callerId: string, name: EventName, payload: unknown): void {
    for (const l of this.listeners.get(callerId) ?? []) l(name, payload);
  }
}
