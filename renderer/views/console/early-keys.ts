// Keys typed between pressing Connect and the console being ready: kept (at most a line's worth)
// and sent in order once it connects, so "Connect, then type" loses nothing. Each key goes as the
// keysym of what it typed on the physical key it came from, with Shift/AltGr as they were held.
import { isEditable } from '../../ui/dom.js';
import { keys, unicodeKeysym, type Key, type KeyStroke } from './keysyms.js';

const MAX_KEYS = 256;

const named: Readonly<Record<string, Key>> = {
  Enter: keys.enter,
  Tab: keys.tab,
  Backspace: keys.backspace,
  Escape: keys.escape,
  Delete: keys.delete,
};

export class EarlyKeys {
  private strokes: KeyStroke[] = [];

  /** Collects keydowns on `element` while `collecting()` says so. */
  listen(element: HTMLElement, collecting: () => boolean): void {
    element.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLButtonElement || isEditable(e.target instanceof Element ? e.target : null)) return;
      if (!collecting() || e.ctrlKey || e.metaKey || (e.altKey && !e.getModifierState('AltGraph'))) return;
      const key = [...e.key].length === 1 ? { keysym: unicodeKeysym(e.key.codePointAt(0) ?? 0), code: e.code || null } : named[e.key];
      if (!key || this.strokes.length >= MAX_KEYS * 4) return;
      e.preventDefault();
      const modifiers: Key[] = [];
      if (e.shiftKey) modifiers.push(keys.shiftL);
      if (e.getModifierState('AltGraph')) modifiers.push(keys.altGr);
      this.strokes.push(...modifiers.map((m) => ({ ...m, down: true })), { ...key, down: true }, { ...key, down: false }, ...[...modifiers].reverse().map((m) => ({ ...m, down: false })));
    });
  }

  replay(send: (stroke: KeyStroke) => void): void {
    const strokes = this.strokes;
    this.strokes = [];
    for (const s of strokes) send(s);
  }

  clear(): void {
    this.strokes = [];
  }
}
