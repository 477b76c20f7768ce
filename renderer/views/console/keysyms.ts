// X11 keysyms and the physical keys of a US keyboard, as data. Pure: no DOM, so it is unit-tested
// under Node. `code` is the KeyboardEvent.code of the physical key; noVNC turns it into a scancode
// for servers with the QEMU extended key event (QEMU, Xvnc), which is what makes BIOS screens and
// installers see the right key. Servers without it get the keysym alone.

export interface KeyStroke {
  keysym: number;
  /** KeyboardEvent.code of the physical key, or null when there is none (Unicode keysyms). */
  code: string | null;
  down: boolean;
}

/** A key without its direction: what to press. */
export interface Key {
  keysym: number;
  code: string | null;
}

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Pause: 0xff13,
  Scroll_Lock: 0xff14,
  Sys_Req: 0xff15,
  Escape: 0xff1b,
  Home: 0xff50,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Page_Up: 0xff55,
  Page_Down: 0xff56,
  End: 0xff57,
  Print: 0xff61,
  Insert: 0xff63,
  Menu: 0xff67,
  Num_Lock: 0xff7f,
  F1: 0xffbe,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Control_R: 0xffe4,
  Caps_Lock: 0xffe5,
  Alt_L: 0xffe9,
  Alt_R: 0xffea,
  Super_L: 0xffeb,
  Super_R: 0xffec,
  ISO_Level3_Shift: 0xfe03,
  Delete: 0xffff,
} as const;

export const keys = {
  shiftL: { keysym: XK.Shift_L, code: 'ShiftLeft' },
  shiftR: { keysym: XK.Shift_R, code: 'ShiftRight' },
  controlL: { keysym: XK.Control_L, code: 'ControlLeft' },
  controlR: { keysym: XK.Control_R, code: 'ControlRight' },
  altL: { keysym: XK.Alt_L, code: 'AltLeft' },
  altGr: { keysym: XK.ISO_Level3_Shift, code: 'AltRight' },
  superL: { keysym: XK.Super_L, code: 'MetaLeft' },
  superR: { keysym: XK.Super_R, code: 'MetaRight' },
  tab: { keysym: XK.Tab, code: 'Tab' },
  enter: { keysym: XK.Return, code: 'Enter' },
  escape: { keysym: XK.Escape, code: 'Escape' },
  backspace: { keysym: XK.BackSpace, code: 'Backspace' },
  delete: { keysym: XK.Delete, code: 'Delete' },
  insert: { keysym: XK.Insert, code: 'Insert' },
  home: { keysym: XK.Home, code: 'Home' },
  end: { keysym: XK.End, code: 'End' },
  pageUp: { keysym: XK.Page_Up, code: 'PageUp' },
  pageDown: { keysym: XK.Page_Down, code: 'PageDown' },
  left: { keysym: XK.Left, code: 'ArrowLeft' },
  right: { keysym: XK.Right, code: 'ArrowRight' },
  up: { keysym: XK.Up, code: 'ArrowUp' },
  down: { keysym: XK.Down, code: 'ArrowDown' },
  print: { keysym: XK.Print, code: 'PrintScreen' },
  sysReq: { keysym: XK.Sys_Req, code: 'PrintScreen' },
  pause: { keysym: XK.Pause, code: 'Pause' },
  scrollLock: { keysym: XK.Scroll_Lock, code: 'ScrollLock' },
  capsLock: { keysym: XK.Caps_Lock, code: 'CapsLock' },
  numLock: { keysym: XK.Num_Lock, code: 'NumLock' },
  menu: { keysym: XK.Menu, code: 'ContextMenu' },
  space: { keysym: 0x20, code: 'Space' },
} as const satisfies Record<string, Key>;

/** F1…F24 (the physical key codes exist up to F24). */
export function functionKey(n: number): Key {
  if (!Number.isInteger(n) || n < 1 || n > 24) throw new RangeError(`no function key F${n}`);
  return { keysym: XK.F1 + n - 1, code: `F${n}` };
}

/** A printable character on a US keyboard: its physical key and whether Shift is held for it. */
export interface UsChar {
  keysym: number;
  code: string;
  shift: boolean;
}

/** Each physical key of the US layout that types a visible character: [code, unshifted, shifted]. */
export const usPrintableKeys: ReadonlyArray<readonly [string, string, string]> = [
  ['Backquote', '`', '~'],
  ['Digit1', '1', '!'],
  ['Digit2', '2', '@'],
  ['Digit3', '3', '#'],
  ['Digit4', '4', '$'],
  ['Digit5', '5', '%'],
  ['Digit6', '6', '^'],
  ['Digit7', '7', '&'],
  ['Digit8', '8', '*'],
  ['Digit9', '9', '('],
  ['Digit0', '0', ')'],
  ['Minus', '-', '_'],
  ['Equal', '=', '+'],
  ['BracketLeft', '[', '{'],
  ['BracketRight', ']', '}'],
  ['Backslash', '\\', '|'],
  ['Semicolon', ';', ':'],
  ['Quote', "'", '"'],
  ['Comma', ',', '<'],
  ['Period', '.', '>'],
  ['Slash', '/', '?'],
  ...Array.from('abcdefghijklmnopqrstuvwxyz', (c) => [`Key${c.toUpperCase()}`, c, c.toUpperCase()] as const),
];
const usKeyRows = [...usPrintableKeys, ['Space', ' ', ' '] as const];

const usChars = new Map<string, UsChar>();
const usShifted = new Map<string, string>();
for (const [code, plain, shifted] of usKeyRows) {
  usChars.set(plain, { keysym: plain.charCodeAt(0), code, shift: false });
  if (shifted !== plain) {
    usChars.set(shifted, { keysym: shifted.charCodeAt(0), code, shift: true });
    usShifted.set(plain, shifted);
  }
}

/** The US key for a printable ASCII character, or undefined if it has none. */
export function usChar(ch: string): UsChar | undefined {
  return usChars.get(ch);
}

/** What the character's key types with Shift held on a US keyboard ('1' → '!', 'a' → 'A'). */
export function usShiftedChar(ch: string): string | undefined {
  return usShifted.get(ch);
}

/**
 * The keysym of a character with no key on a US keyboard: Latin-1 keysyms equal their code point,
 * everything else is a Unicode keysym (0x1000000 + code point), which X servers can map on demand.
 */
export function unicodeKeysym(codePoint: number): number {
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return 0x1000000 + codePoint;
}
