// This browser's key for the browser-mode server. The launch exchange hands it over once, in a
// meta tag; it is kept in localStorage, which belongs to this exact origin (port included), so
// every tab of this browser can use it and no other local port can read it.
import { KEY_META_NAME } from '../../app/browser-mode.js';

const STORAGE_NAME = 'porthole.browser-key';
let inMemory: string | null = null;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the key lives only as long as this page
  }
}

/** Moves a key handed over by the launch exchange into storage and drops the used link from the address bar. */
export function adoptLaunchKey(): void {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${KEY_META_NAME}"]`);
  if (meta) {
    inMemory = meta.content;
    try {
      storage()?.setItem(STORAGE_NAME, meta.content);
    } catch {
      // quota or policy: keep it in memory
    }
    meta.remove();
  }
  if (new URLSearchParams(location.search).has('launch')) history.replaceState(null, '', '/');
}

export function browserKey(): string | null {
  if (inMemory !== null) return inMemory;
  try {
    return storage()?.getItem(STORAGE_NAME) ?? null;
  } catch {
    return null;
  }
}
