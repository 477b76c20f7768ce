// Keyboard shortcuts that never take keys from the guest. Pure (unit-tested under Node).
//
// - The host key (default Right Ctrl, configurable; "none" turns it off) belongs to Porthole and is
//   never sent to the guest. Tapped alone it releases the keyboard from the console (or, when the
//   console is not focused, gives it back). Held, it makes the next key a Porthole shortcut:
//     Host+K or Host+Delete  Send Ctrl+Alt+Del      Host+E  Send keys      Host+T  Type text
//     Host+B  Clipboard      Host+S  Screenshot      Host+F  Fullscreen     Host+V  View only
//     Host+M  Scaling        Host+D  Disconnect      Host+O  Options        Host+W  Close tab
//     Host+1…9  tab 1…9      Host+←/→ (or PageUp/PageDown)  previous / next tab
//   Every key pressed while the host key is held is kept from the guest.
// - When the console does NOT have the keyboard, Ctrl+Alt+Shift+<the same letter> works too (the
//   chords the Electron menu uses); with the console focused those go to the guest untouched.
// - In text fields a tap of the host key still takes the keyboard back to the console; held with
//   another key it is left to the field (Right Ctrl+C still copies).

export type ShortcutAction =
  | 'send-ctrl-alt-del'
  | 'send-keys'
  | 'type-text'
  | 'clipboard'
  | 'screenshot'
  | 'fullscreen'
  | 'view-only'
  | 'scaling'
  | 'disconnect'
  | 'options'
  | 'close-tab'
  | 'connect'
  | 'prev-tab'
  | 'next-tab'
  | 'toggle-capture'
  | `tab-${number}`;

export interface KeyInput {
  type: 'keydown' | 'keyup';
  code: string;
  repeat: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export interface KeyContext {
  /** The console canvas has keyboard focus (keys go to the guest). */
  consoleFocused: boolean;
  /** Focus is in a text field, text area or select. */
  editing: boolean;
}

export interface ShortcutDecision {
  /** Keep the event from the console and the page. */
  swallow: boolean;
  action?: ShortcutAction;
}

/** Keys the host key may be set to, with their names for the Options dialog. */
export const hostKeyChoices = [
  { code: 'ControlRight', label: 'Right Ctrl' },
  { code: 'AltRight', label: 'Right Alt' },
  { code: 'MetaRight', label: 'Right Windows / Command' },
  { code: 'ContextMenu', label: 'Menu' },
  { code: 'ScrollLock', label: 'Scroll Lock' },
  { code: 'Pause', label: 'Pause' },
  { code: 'none', label: 'None (no host key)' },
] as const;
export type HostKey = (typeof hostKeyChoices)[number]['code'];
export const DEFAULT_HOST_KEY: HostKey = 'ControlRight';

export function hostKeyLabel(code: HostKey): string {
  return hostKeyChoices.find((c) => c.code === code)?.label ?? code;
}

/** Letter (KeyboardEvent.code) → action, shared by host-key chords and Ctrl+Alt+Shift chords. */
export const shortcutKeys: Readonly<Record<string, ShortcutAction>> = {
  KeyK: 'send-ctrl-alt-del',
  KeyE: 'send-keys',
  KeyT: 'type-text',
  KeyB: 'clipboard',
  KeyS: 'screenshot',
  KeyF: 'fullscreen',
  KeyV: 'view-only',
  KeyM: 'scaling',
  KeyD: 'disconnect',
  KeyO: 'options',
  KeyW: 'close-tab',
};

const hostOnlyKeys: Readonly<Record<string, ShortcutAction>> = {
  Delete: 'send-ctrl-alt-del',
  ArrowLeft: 'prev-tab',
  ArrowRight: 'next-tab',
  PageUp: 'prev-tab',
  PageDown: 'next-tab',
};

/** Ctrl+Alt+Shift+C opens Connect (the Electron menu's chord); not a host chord (C is copy-ish). */
const chordOnlyKeys: Readonly<Record<string, ShortcutAction>> = { KeyC: 'connect' };

function digitAction(code: string): ShortcutAction | undefined {
  const m = /^Digit([1-9])$/.exec(code);
  return m ? `tab-${Number(m[1])}` : undefined;
}

/** The letter shown for an action in tooltips and aria-keyshortcuts. */
export function shortcutLetter(action: ShortcutAction): string | undefined {
  const code = Object.entries(shortcutKeys).find(([, a]) => a === action)?.[0];
  return code?.replace(/^Key/, '');
}

export class ShortcutTracker {
  private hostDown = false;
  private chorded = false;
  /** Keys whose keydown was swallowed: their keyup is swallowed too. */
  private readonly swallowed = new Set<string>();

  constructor(private hostKey: HostKey = DEFAULT_HOST_KEY) {}

  setHostKey(hostKey: HostKey): void {
    this.hostKey = hostKey;
    this.hostDown = false;
    this.swallowed.clear();
  }

  /** The page lost focus: nothing is held any more. */
  reset(): void {
    this.hostDown = false;
    this.chorded = false;
    this.swallowed.clear();
  }

  handle(e: KeyInput, ctx: KeyContext): ShortcutDecision {
    // In a text field the host key still works as a tap (back to the console), but its keys are
    // left to the field, so Right Ctrl+C still copies there and no chord fires.
    const inField = ctx.editing && !ctx.consoleFocused;
    if (this.hostKey !== 'none' && e.code === this.hostKey) {
      if (e.type === 'keydown') {
        if (!e.repeat && !this.hostDown) {
          this.hostDown = true;
          this.chorded = false;
        }
        return { swallow: !inField };
      }
      const tapped = this.hostDown && !this.chorded;
      this.hostDown = false;
      return tapped ? { swallow: !inField, action: 'toggle-capture' } : { swallow: !inField };
    }
    if (this.hostDown && inField) {
      if (e.type === 'keydown') this.chorded = true;
      return { swallow: false };
    }
    if (this.hostDown) {
      if (e.type === 'keydown') {
        this.chorded = true;
        this.swallowed.add(e.code);
        if (e.repeat) return { swallow: true };
        const action = shortcutKeys[e.code] ?? hostOnlyKeys[e.code] ?? digitAction(e.code);
        return action ? { swallow: true, action } : { swallow: true };
      }
      this.swallowed.delete(e.code);
      return { swallow: true };
    }
    if (e.type === 'keyup') {
      return this.swallowed.delete(e.code) ? { swallow: true } : { swallow: false };
    }
    if (!ctx.consoleFocused && e.ctrlKey && e.altKey && e.shiftKey && !e.metaKey && !e.repeat) {
      const action = shortcutKeys[e.code] ?? chordOnlyKeys[e.code];
      if (action) {
        this.swallowed.add(e.code);
        return { swallow: true, action };
      }
    }
    return { swallow: false };
  }
}
