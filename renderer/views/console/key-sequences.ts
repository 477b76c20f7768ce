// Text and key combinations as sequences of key events. Pure (unit-tested under Node).
import { layoutKey, type LayoutId } from './keyboard-layouts.js';
import { functionKey, keys, unicodeKeysym, usChar, usShiftedChar, type Key, type KeyStroke } from './keysyms.js';

/** Longest text "Type text" accepts. */
export const TYPE_TEXT_MAX = 10_000;
/** Above this many characters "Type text" asks first. */
export const TYPE_TEXT_CONFIRM_ABOVE = 500;

/** One typed character: the key events for it, sent together, then a pause. */
export interface TypingStep {
  char: string;
  strokes: KeyStroke[];
  /** True when the character has no key on a US keyboard and goes as a Unicode keysym. */
  unicode: boolean;
}

function tap(key: Key): KeyStroke[] {
  return [
    { ...key, down: true },
    { ...key, down: false },
  ];
}

function withModifiers(modifiers: readonly Key[], key: Key): KeyStroke[] {
  return [
    ...modifiers.map((m) => ({ ...m, down: true })),
    ...tap(key),
    ...[...modifiers].reverse().map((m) => ({ ...m, down: false })),
  ];
}

/**
 * The key events that type one character on the guest's layout (US unless told): Shift_L or AltGr
 * around the key as the layout needs, and Space after a dead key.
 */
export function charToStrokes(ch: string, layout: LayoutId = 'us'): { strokes: KeyStroke[]; unicode: boolean } {
  if (ch === '\n' || ch === '\r') return { strokes: tap(keys.enter), unicode: false };
  if (ch === '\t') return { strokes: tap(keys.tab), unicode: false };
  if (layout !== 'us') {
    const found = layoutKey(layout, ch);
    if (found) {
      const key = { keysym: unicodeKeysym(ch.codePointAt(0) ?? 0), code: found.code };
      const modifiers = found.level === 'shift' ? [keys.shiftL] : found.level === 'altgr' ? [keys.altGr] : [];
      const strokes = withModifiers(modifiers, key);
      return { strokes: found.dead ? [...strokes, ...tap(keys.space)] : strokes, unicode: false };
    }
    return { strokes: tap({ keysym: unicodeKeysym(ch.codePointAt(0) ?? 0), code: null }), unicode: true };
  }
  const us = usChar(ch);
  if (us) {
    const key = { keysym: us.keysym, code: us.code };
    return { strokes: us.shift ? withModifiers([keys.shiftL], key) : tap(key), unicode: false };
  }
  const codePoint = ch.codePointAt(0) ?? 0;
  return { strokes: tap({ keysym: unicodeKeysym(codePoint), code: null }), unicode: true };
}

/** Normalises line ends (CRLF, CR → LF) and drops other control characters, which no key types. */
export function normaliseTypedText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** The steps that type `text` (normalised first), one per character (code point). */
export function textToSteps(text: string, layout: LayoutId = 'us'): TypingStep[] {
  return Array.from(normaliseTypedText(text), (char) => ({ char, ...charToStrokes(char, layout) }));
}

/** Outcome of checking a text before typing it. */
export type TypeTextCheck =
  | { ok: true; steps: TypingStep[]; needsConfirmation: boolean; unicodeCount: number }
  | { ok: false; reason: string };

export function checkTypeText(text: string, max = TYPE_TEXT_MAX, confirmAbove = TYPE_TEXT_CONFIRM_ABOVE, layout: LayoutId = 'us'): TypeTextCheck {
  const steps = textToSteps(text, layout);
  if (steps.length === 0) return { ok: false, reason: 'There is nothing to type.' };
  if (steps.length > max) return { ok: false, reason: `The text is ${steps.length.toLocaleString('en-US')} characters long; at most ${max.toLocaleString('en-US')} can be typed at once.` };
  return { ok: true, steps, needsConfirmation: steps.length > confirmAbove, unicodeCount: steps.filter((s) => s.unicode).length };
}

// ---- Key combinations ----------------------------------------------------------------------------

const modifierNames: Record<string, Key> = {
  ctrl: keys.controlL,
  control: keys.controlL,
  ctl: keys.controlL,
  lctrl: keys.controlL,
  rctrl: keys.controlR,
  alt: keys.altL,
  lalt: keys.altL,
  option: keys.altL,
  altgr: keys.altGr,
  ralt: keys.altGr,
  shift: keys.shiftL,
  lshift: keys.shiftL,
  rshift: keys.shiftR,
  super: keys.superL,
  win: keys.superL,
  windows: keys.superL,
  meta: keys.superL,
  cmd: keys.superL,
  command: keys.superL,
  rsuper: keys.superR,
  rwin: keys.superR,
};

const namedKeys: Record<string, Key> = {
  esc: keys.escape,
  escape: keys.escape,
  tab: keys.tab,
  enter: keys.enter,
  return: keys.enter,
  space: keys.space,
  spacebar: keys.space,
  backspace: keys.backspace,
  bksp: keys.backspace,
  delete: keys.delete,
  del: keys.delete,
  insert: keys.insert,
  ins: keys.insert,
  home: keys.home,
  end: keys.end,
  pageup: keys.pageUp,
  pgup: keys.pageUp,
  pagedown: keys.pageDown,
  pgdn: keys.pageDown,
  up: keys.up,
  down: keys.down,
  left: keys.left,
  right: keys.right,
  print: keys.print,
  printscreen: keys.print,
  prtsc: keys.print,
  sysrq: keys.sysReq,
  pause: keys.pause,
  break: keys.pause,
  scrolllock: keys.scrollLock,
  capslock: keys.capsLock,
  numlock: keys.numLock,
  menu: keys.menu,
  apps: keys.menu,
};

export type ParsedCombination = { ok: true; strokes: KeyStroke[]; label: string } | { ok: false; reason: string };

const MAX_COMBINATION_KEYS = 8;

/**
 * Parses a key combination such as "ctrl+alt+shift+t", "ctrl+alt+f2", "win+r", "alt+sysrq+b" or
 * "0xffe3+c" (raw keysyms) into key events: every key pressed in order, then released in reverse.
 * Letters name the physical key: with Shift in the combination the shifted keysym is sent ("T"),
 * as a real keyboard would. A character that needs Shift on a US keyboard ("!") adds Shift itself.
 * "plus" names the + key.
 */
export function parseCombination(input: string): ParsedCombination {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'Enter a combination such as ctrl+alt+shift+t.' };
  // "ctrl++" means Ctrl and the + key.
  const parts = text.replace(/\+\+$/, '+plus').split('+').map((p) => p.trim());
  if (parts.some((p) => p === '')) return { ok: false, reason: `“${text}” has an empty key name; separate keys with a single +.` };
  if (parts.length > MAX_COMBINATION_KEYS) return { ok: false, reason: `At most ${MAX_COMBINATION_KEYS} keys can be pressed together.` };

  const modifiers: Key[] = [];
  const others: Array<{ key: Key; shiftedVariant?: number }> = [];
  const labels: string[] = [];
  let needsShift = false;
  for (const part of parts) {
    const lower = part.toLowerCase();
    const modifier = modifierNames[lower];
    if (modifier) {
      if (!modifiers.includes(modifier)) modifiers.push(modifier);
      labels.push(lower === 'win' || lower === 'windows' ? 'Win' : part[0]!.toUpperCase() + part.slice(1).toLowerCase());
      continue;
    }
    const named = namedKeys[lower];
    if (named) {
      others.push({ key: named });
      labels.push(part[0]!.toUpperCase() + part.slice(1).toLowerCase());
      continue;
    }
    const fn = /^f(\d{1,2})$/.exec(lower);
    if (fn) {
      const n = Number(fn[1]);
      if (n < 1 || n > 24) return { ok: false, reason: `There is no key F${n} (F1 to F24).` };
      others.push({ key: functionKey(n) });
      labels.push(`F${n}`);
      continue;
    }
    const hex = /^0x([0-9a-f]{1,8})$/.exec(lower);
    if (hex) {
      const keysym = parseInt(hex[1]!, 16);
      if (keysym === 0 || keysym > 0x1ffffff) return { ok: false, reason: `${part} is not a keysym.` };
      others.push({ key: { keysym, code: null } });
      labels.push(part);
      continue;
    }
    const ch = lower === 'plus' ? '+' : Array.from(part).length === 1 ? part : undefined;
    if (ch === undefined) return { ok: false, reason: `Unknown key “${part}”. Use names like ctrl, alt, shift, win, f1, del, tab, enter, or single characters.` };
    // Letters name the physical key, whatever their case.
    const base = /^[a-z]$/i.test(ch) ? ch.toLowerCase() : ch;
    const us = usChar(base);
    if (!us) {
      others.push({ key: { keysym: unicodeKeysym(ch.codePointAt(0)!), code: null } });
      labels.push(ch);
      continue;
    }
    if (us.shift) needsShift = true;
    const shifted = us.shift ? undefined : usShiftedChar(base);
    others.push({ key: { keysym: us.keysym, code: us.code }, ...(shifted ? { shiftedVariant: shifted.charCodeAt(0) } : {}) });
    labels.push(ch === '+' ? 'Plus' : ch.toUpperCase());
  }
  if (needsShift && !modifiers.some((m) => m.keysym === keys.shiftL.keysym || m.keysym === keys.shiftR.keysym)) modifiers.push(keys.shiftL);
  const shiftHeld = modifiers.some((m) => m.keysym === keys.shiftL.keysym || m.keysym === keys.shiftR.keysym);
  const pressed: Key[] = [...modifiers, ...others.map((o) => (shiftHeld && o.shiftedVariant !== undefined ? { keysym: o.shiftedVariant, code: o.key.code } : o.key))];
  const strokes: KeyStroke[] = [...pressed.map((k) => ({ ...k, down: true })), ...[...pressed].reverse().map((k) => ({ ...k, down: false }))];
  return { ok: true, strokes, label: labels.join('+') };
}

// ---- The Send keys menu ---------------------------------------------------------------------------

export interface KeyPreset {
  id: string;
  label: string;
  strokes: KeyStroke[];
}

function combo(text: string): KeyStroke[] {
  const parsed = parseCombination(text);
  if (!parsed.ok) throw new Error(`bad preset ${text}: ${parsed.reason}`);
  return parsed.strokes;
}

/** The fixed entries of the Send keys menu, in order. */
export const keyPresets: readonly KeyPreset[] = [
  { id: 'ctrl-alt-del', label: 'Ctrl+Alt+Del', strokes: combo('ctrl+alt+del') },
  ...Array.from({ length: 12 }, (_, i) => ({ id: `ctrl-alt-f${i + 1}`, label: `Ctrl+Alt+F${i + 1}`, strokes: combo(`ctrl+alt+f${i + 1}`) })),
  { id: 'alt-tab', label: 'Alt+Tab', strokes: combo('alt+tab') },
  { id: 'super', label: 'Windows key', strokes: combo('win') },
  { id: 'print', label: 'PrintScreen', strokes: combo('printscreen') },
  { id: 'ctrl-alt-backspace', label: 'Ctrl+Alt+Backspace', strokes: combo('ctrl+alt+backspace') },
  { id: 'escape', label: 'Escape', strokes: combo('esc') },
];
