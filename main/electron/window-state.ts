// Persists the main window's bounds between runs (userData/window-state.json). Failures are ignored:
// a lost window position is never worth an error.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseWindowState, type WindowState } from './window-options.js';

export const WINDOW_STATE_FILE = 'window-state.json';

export async function loadWindowState(dataDir: string): Promise<WindowState | null> {
  try {
    const text = await readFile(path.join(dataDir, WINDOW_STATE_FILE), 'utf8');
    return text.length > 4096 ? null : parseWindowState(JSON.parse(text));
  } catch {
    return null;
  }
}

export async function saveWindowState(dataDir: string, state: WindowState): Promise<void> {
  const file = path.join(dataDir, WINDOW_STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch {
    // Best effort.
  }
}
