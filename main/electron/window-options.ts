// The main window's options as data: the web preferences every Porthole window gets (the Electron
// security checklist, nothing left to defaults), and the remembered bounds made safe to reuse.
import type { BrowserWindowConstructorOptions, Rectangle } from './electron-api.js';

export const MIN_WIDTH = 640;
export const MIN_HEIGHT = 480;
export const DEFAULT_WIDTH = 1280;
export const DEFAULT_HEIGHT = 860;
const MAX_EDGE = 32_768;

/** Web preferences of every window. `devTools` is on only for unpackaged (development) runs. */
export function secureWebPreferences(preloadPath: string, devTools: boolean): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
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
    devTools,
  };
}

/** Where the window was and whether it was maximized, as saved between runs. */
export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const isFiniteInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_EDGE;

/** Reads a saved state defensively: anything malformed yields null (defaults are used). */
export function parseWindowState(raw: unknown): WindowState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { bounds, maximized } = raw as { bounds?: unknown; maximized?: unknown };
  if (typeof bounds !== 'object' || bounds === null) return null;
  const { x, y, width, height } = bounds as Record<string, unknown>;
  if (!isFiniteInt(x) || !isFiniteInt(y) || !isFiniteInt(width) || !isFiniteInt(height)) return null;
  if (width <= 0 || height <= 0) return null;
  return { bounds: { x, y, width, height }, maximized: maximized === true };
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Bounds to open the window with: the saved ones when they still lie mostly on a connected display
 * (clamped to that display's work area), otherwise a default size centred by Electron.
 */
export function restoreBounds(saved: WindowState | null, workAreas: readonly Rectangle[]): { bounds: Partial<Rectangle> & { width: number; height: number }; maximized: boolean } {
  const fallback = { bounds: { width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT }, maximized: saved?.maximized ?? false };
  if (saved === null) return fallback;
  const b = saved.bounds;
  let best: Rectangle | undefined;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlapArea(b, area);
    if (o > bestArea) {
      best = area;
      bestArea = o;
    }
  }
  // At least a quarter of the window must be visible on one display, or it could open off-screen.
  if (best === undefined || bestArea < (b.width * b.height) / 4) return fallback;
  const width = Math.max(MIN_WIDTH, Math.min(b.width, best.width));
  const height = Math.max(MIN_HEIGHT, Math.min(b.height, best.height));
  const x = Math.min(Math.max(b.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(b.y, best.y), best.y + best.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}

/** The full BrowserWindow options of the main window. */
export function mainWindowOptions(input: {
  preloadPath: string;
  devTools: boolean;
  bounds: Partial<Rectangle> & { width: number; height: number };
  iconPath?: string;
}): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Porthole',
    show: false,
    backgroundColor: '#15181d',
    ...(input.iconPath !== undefined ? { icon: input.iconPath } : {}),
    webPreferences: secureWebPreferences(input.preloadPath, input.devTools),
  };
}
