// The Electron entry (bundled as CommonJS to dist/electron/main.cjs). It only hands the real Electron
// modules to the shell; all logic lives in shell.ts, which tests drive with fakes.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { startCore } from '../core.js';
import { createLogger } from '../log/logger.js';
import type { ElectronApi } from './electron-api.js';
import { startShell } from './shell.js';

const appPath = app.getAppPath();

// session.defaultSession and screen may only be touched after ready: read them lazily.
const electron: ElectronApi = {
  app,
  windows: {
    create: (options) => new BrowserWindow(options),
    focused: () => BrowserWindow.getFocusedWindow(),
  },
  protocol,
  get defaultSession() {
    return session.defaultSession;
  },
  ipcMain,
  shell,
  dialog,
  Menu,
  get screen() {
    return screen;
  },
};

startShell({
  electron,
  startCore,
  rendererDir: path.join(appPath, 'dist', 'renderer'),
  preloadPath: path.join(appPath, 'dist', 'electron', 'preload.cjs'),
  platform: process.platform,
  argv: process.argv,
  cwd: process.cwd(),
  log: createLogger(),
});
