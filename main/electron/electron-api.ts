// The slice of Electron the shell uses, as narrow structural interfaces. main.ts passes the real
// modules (the compiler checks they fit); tests pass recording fakes, so no Electron binary is needed.
// Only type imports from 'electron' here: this file never loads Electron.
import type { BrowserWindowConstructorOptions, CustomScheme, MenuItemConstructorOptions, Rectangle, WindowOpenHandlerResponse } from 'electron';

export type { BrowserWindowConstructorOptions, CustomScheme, MenuItemConstructorOptions, Rectangle, WindowOpenHandlerResponse };

/** Any Electron event whose default can be prevented. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** A frame as main sees it (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly top: FrameLike | null;
  readonly processId: number;
  readonly routingId: number;
}

export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: FrameLike;
  getURL(): string;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'did-navigate', listener: () => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  on(event: 'render-process-gone', listener: () => void): unknown;
}

export interface BrowserWindowLike {
  readonly id: number;
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  isFullScreen(): boolean;
  setFullScreen(flag: boolean): void;
  getNormalBounds(): Rectangle;
}

export interface AppLike {
  readonly isPackaged: boolean;
  whenReady(): Promise<void>;
  getPath(name: 'userData'): string;
  /** The app's root (the directory holding package.json, inside app.asar when packaged). */
  getAppPath(): string;
  getVersion(): string;
  requestSingleInstanceLock(): boolean;
  /** Registers this app as the handler of a URL scheme (used on Windows, where installers do not). */
  setAsDefaultProtocolClient(protocol: string): boolean;
  /** Forces the sandbox on every renderer; must be called before ready. */
  enableSandbox(): void;
  quit(): void;
  exit(exitCode?: number): void;
  on(event: 'second-instance', listener: (event: PreventableEvent, argv: string[], workingDirectory: string) => void): unknown;
  on(event: 'open-url', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'open-file', listener: (event: PreventableEvent, path: string) => void): unknown;
  on(event: 'web-contents-created', listener: (event: PreventableEvent, contents: WebContentsLike) => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
}

/** Only url and method of a protocol request are read. */
export type AppRequest = Pick<Request, 'url' | 'method'>;

export interface ProtocolLike {
  registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void;
  handle(scheme: string, handler: (request: AppRequest) => Promise<Response>): void;
}

export interface PermissionDetails {
  requestingUrl?: string;
}

export type PermissionRequestHandler = (
  webContents: WebContentsLike,
  permission: string,
  callback: (permissionGranted: boolean) => void,
  details: PermissionDetails,
) => void;

export type PermissionCheckHandler = (webContents: WebContentsLike | null, permission: string, requestingOrigin: string, details: PermissionDetails) => boolean;

export interface SessionLike {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void;
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void;
  setDevicePermissionHandler(handler: (() => boolean) | null): void;
}

/** What ipcMain.handle gives a handler: who sent the message. */
export interface IpcInvokeEventLike {
  readonly sender: WebContentsLike;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface MenuHandle {
  readonly items: readonly unknown[];
}

export interface ElectronApi {
  app: AppLike;
  /** `new BrowserWindow(options)` and `BrowserWindow.getFocusedWindow()`. */
  windows: {
    create(options: BrowserWindowConstructorOptions): BrowserWindowLike;
    focused(): BrowserWindowLike | null;
  };
  protocol: ProtocolLike;
  defaultSession: SessionLike;
  ipcMain: IpcMainLike;
  shell: { openExternal(url: string): Promise<void> };
  dialog: { showErrorBox(title: string, content: string): void };
  Menu: {
    buildFromTemplate(template: MenuItemConstructorOptions[]): MenuHandle;
    setApplicationMenu(menu: MenuHandle | null): void;
  };
  screen: { getAllDisplays(): Array<{ workArea: Rectangle }> };
}
