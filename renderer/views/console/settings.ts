// Console preferences kept in the renderer's localStorage (nothing secret). Pure parsing with
// defaults, so a damaged or old stored value never breaks the console (unit-tested under Node).
import { isLayoutId, type LayoutId } from './keyboard-layouts.js';
import { DEFAULT_HOST_KEY, hostKeyChoices, type HostKey } from './shortcuts.js';
import { DEFAULT_TYPE_DELAY_MS } from './typist.js';

export type ScalingMode = 'fit' | 'actual' | 'remote';

export const scalingModes: ReadonlyArray<{ mode: ScalingMode; label: string }> = [
  { mode: 'fit', label: 'Fit to window' },
  { mode: 'actual', label: 'Actual size (scroll)' },
  { mode: 'remote', label: 'Resize remote to window' },
];

export interface ConsoleSettings {
  hostKey: HostKey;
  /** Ask before sending Ctrl+Alt+Del. */
  confirmCtrlAltDel: boolean;
  /**
   * Copy text the remote machine puts on its clipboard to this computer's clipboard, for consoles
   * whose profile does not choose. Off by default (a new name, so the old default "on" is not carried over).
   */
  autoCopyClipboard: boolean;
  /** Pause between typed characters (Type text), ms. */
  typeDelayMs: number;
  /** noVNC JPEG quality, 0–9. */
  qualityLevel: number;
  /** noVNC compression level, 0–9. */
  compressionLevel: number;
  /** Scaling for new consoles. */
  scaling: ScalingMode;
  /** The remote machine's keyboard layout, for Type text. */
  typeLayout: LayoutId;
  /** The profiles sidebar is folded away. */
  sidebarCollapsed: boolean;
}

export const defaultSettings: ConsoleSettings = {
  hostKey: DEFAULT_HOST_KEY,
  confirmCtrlAltDel: false,
  autoCopyClipboard: false,
  typeDelayMs: DEFAULT_TYPE_DELAY_MS,
  qualityLevel: 6,
  compressionLevel: 2,
  scaling: 'fit',
  typeLayout: 'us',
  sidebarCollapsed: false,
};

export const SETTINGS_KEY = 'porthole.console.settings';

function intIn(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

export function parseSettings(raw: string | null | undefined): ConsoleSettings {
  let data: unknown;
  try {
    data = raw ? JSON.parse(raw) : {};
  } catch {
    data = {};
  }
  const o = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const d = defaultSettings;
  return {
    hostKey: hostKeyChoices.some((c) => c.code === o.hostKey) ? (o.hostKey as HostKey) : d.hostKey,
    confirmCtrlAltDel: typeof o.confirmCtrlAltDel === 'boolean' ? o.confirmCtrlAltDel : d.confirmCtrlAltDel,
    autoCopyClipboard: typeof o.autoCopyClipboard === 'boolean' ? o.autoCopyClipboard : d.autoCopyClipboard,
    typeDelayMs: intIn(o.typeDelayMs, 1, 1000, d.typeDelayMs),
    qualityLevel: intIn(o.qualityLevel, 0, 9, d.qualityLevel),
    compressionLevel: intIn(o.compressionLevel, 0, 9, d.compressionLevel),
    scaling: scalingModes.some((m) => m.mode === o.scaling) ? (o.scaling as ScalingMode) : d.scaling,
    typeLayout: isLayoutId(o.typeLayout) ? o.typeLayout : d.typeLayout,
    sidebarCollapsed: typeof o.sidebarCollapsed === 'boolean' ? o.sidebarCollapsed : d.sidebarCollapsed,
  };
}

export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadSettings(storage: SettingsStorage | undefined): ConsoleSettings {
  try {
    return parseSettings(storage?.getItem(SETTINGS_KEY));
  } catch {
    return { ...defaultSettings };
  }
}

export function saveSettings(storage: SettingsStorage | undefined, settings: ConsoleSettings): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the settings last for this window only.
  }
}

/** A file name for a screenshot: the console's title and the local time, safe on every OS. */
export function screenshotFileName(title: string, when: Date): string {
  const safe = title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'console';
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${p(when.getMonth() + 1)}${p(when.getDate())}-${p(when.getHours())}${p(when.getMinutes())}${p(when.getSeconds())}`;
  return `${safe}-${stamp}.png`;
}

/** "Title", "Title (2)", … so tabs to the same desktop can be told apart. */
export function uniqueTitle(title: string, taken: readonly string[]): string {
  if (!taken.includes(title)) return title;
  for (let n = 2; ; n++) {
    const candidate = `${title} (${n})`;
    if (!taken.includes(candidate)) return candidate;
  }
}
