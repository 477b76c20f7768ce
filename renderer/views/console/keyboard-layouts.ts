// Guest keyboard layouts for "Type text". A VNC server with the QEMU extended key event (QEMU,
// Xvnc) types what the *guest's* layout puts on the physical key we name, so to type "z" into a
// German guest we must press the key a US keyboard calls Y. Each layout lists, per physical key
// (KeyboardEvent.code), what it types plain, with Shift and with AltGr. Pure data and lookups:
// unit-tested under Node and end to end against Xvnc with `setxkbmap`.
//
// Dead keys (marked below) type their own character when followed by Space, on X and on Windows
// alike; accents that a dead key would only combine are left to the Unicode fallback.

import { usPrintableKeys } from './keysyms.js';

export type LayoutId = 'us' | 'gb' | 'de' | 'fr' | 'ch-de' | 'se' | 'no' | 'dk';

export const keyboardLayouts: ReadonlyArray<{ id: LayoutId; label: string }> = [
  { id: 'us', label: 'English (US)' },
  { id: 'gb', label: 'English (UK)' },
  { id: 'de', label: 'German' },
  { id: 'fr', label: 'French (AZERTY)' },
  { id: 'ch-de', label: 'Swiss German' },
  { id: 'se', label: 'Nordic: Swedish / Finnish' },
  { id: 'no', label: 'Nordic: Norwegian' },
  { id: 'dk', label: 'Nordic: Danish' },
];

export function isLayoutId(value: unknown): value is LayoutId {
  return keyboardLayouts.some((l) => l.id === value);
}

/** How to type one character: its key, the modifier level, and whether it is a dead key (then Space). */
export interface LayoutKey {
  code: string;
  level: 'plain' | 'shift' | 'altgr';
  dead: boolean;
}

/** [code, plain, shift, altgr]; '' where the level types nothing useful; a leading '†' marks a dead key. */
type Row = readonly [string, string, string, string?];

// The US layout is the one keysyms.ts already knows; the others are derived from it.
const usRows: readonly Row[] = usPrintableKeys;

/** A layout as US with some keys replaced (rows later in the list win). */
function derive(base: readonly Row[], changes: readonly Row[]): Row[] {
  const byCode = new Map(base.map((r) => [r[0], r] as const));
  for (const r of changes) byCode.set(r[0], r);
  return [...byCode.values()];
}

/** Letters of QWERTZ/AZERTY keyboards that sit on other keys than on QWERTY. */
const swapYZ: Row[] = [
  ['KeyY', 'z', 'Z'],
  ['KeyZ', 'y', 'Y'],
];

const gbRows = derive(usRows, [
  ['Backquote', '`', '¬', '¦'],
  ['Digit2', '2', '"'],
  ['Digit3', '3', '£'],
  ['Digit4', '4', '$', '€'],
  ['Quote', "'", '@'],
  ['Backslash', '#', '~'],
  ['IntlBackslash', '\\', '|'],
]);

const deRows = derive(usRows, [
  ...swapYZ,
  ['Backquote', '†^', '°'],
  ['Digit2', '2', '"', '²'],
  ['Digit3', '3', '§', '³'],
  ['Digit6', '6', '&'],
  ['Digit7', '7', '/', '{'],
  ['Digit8', '8', '(', '['],
  ['Digit9', '9', ')', ']'],
  ['Digit0', '0', '=', '}'],
  ['Minus', 'ß', '?', '\\'],
  ['Equal', '', '†`'],
  ['KeyQ', 'q', 'Q', '@'],
  ['KeyE', 'e', 'E', '€'],
  ['KeyM', 'm', 'M', 'µ'],
  ['BracketLeft', 'ü', 'Ü'],
  ['BracketRight', '+', '*', '~'],
  ['Semicolon', 'ö', 'Ö'],
  ['Quote', 'ä', 'Ä'],
  ['Backslash', '#', "'"],
  ['IntlBackslash', '<', '>', '|'],
  ['Comma', ',', ';'],
  ['Period', '.', ':'],
  ['Slash', '-', '_'],
]);

const frRows = derive(usRows, [
  ['KeyQ', 'a', 'A'],
  ['KeyA', 'q', 'Q'],
  ['KeyW', 'z', 'Z'],
  ['KeyZ', 'w', 'W'],
  ['KeyE', 'e', 'E', '€'],
  ['Semicolon', 'm', 'M'],
  ['KeyM', ',', '?'],
  ['Backquote', '²', ''],
  ['Digit1', '&', '1'],
  ['Digit2', 'é', '2', '~'],
  ['Digit3', '"', '3', '#'],
  ['Digit4', "'", '4', '{'],
  ['Digit5', '(', '5', '['],
  ['Digit6', '-', '6', '|'],
  ['Digit7', 'è', '7', '`'],
  ['Digit8', '_', '8', '\\'],
  ['Digit9', 'ç', '9', '^'],
  ['Digit0', 'à', '0', '@'],
  ['Minus', ')', '°', ']'],
  ['Equal', '=', '+', '}'],
  ['BracketLeft', '', ''],
  ['BracketRight', '$', '£', '¤'],
  ['Quote', 'ù', '%'],
  ['Backslash', '*', 'µ'],
  ['IntlBackslash', '<', '>'],
  ['Comma', ';', '.'],
  ['Period', ':', '/'],
  ['Slash', '!', '§'],
]);

const chRows = derive(usRows, [
  ...swapYZ,
  ['Backquote', '§', '°'],
  ['Digit1', '1', '+'],
  ['Digit2', '2', '"', '@'],
  ['Digit3', '3', '*', '#'],
  ['Digit4', '4', 'ç'],
  ['Digit5', '5', '%'],
  ['Digit6', '6', '&', '¬'],
  ['Digit7', '7', '/', '|'],
  ['Digit8', '8', '(', '¢'],
  ['Digit9', '9', ')'],
  ['Digit0', '0', '='],
  ['Minus', "'", '?'],
  ['Equal', '†^', '†`', '†~'],
  ['KeyE', 'e', 'E', '€'],
  ['BracketLeft', 'ü', 'è', '['],
  ['BracketRight', '', '!', ']'],
  ['Semicolon', 'ö', 'é'],
  ['Quote', 'ä', 'à', '{'],
  ['Backslash', '$', '£', '}'],
  ['IntlBackslash', '<', '>', '\\'],
  ['Comma', ',', ';'],
  ['Period', '.', ':'],
  ['Slash', '-', '_'],
]);

const seRows = derive(usRows, [
  ['Backquote', '§', '½'],
  ['Digit2', '2', '"', '@'],
  ['Digit3', '3', '#', '£'],
  ['Digit4', '4', '¤', '$'],
  ['Digit6', '6', '&'],
  ['Digit7', '7', '/', '{'],
  ['Digit8', '8', '(', '['],
  ['Digit9', '9', ')', ']'],
  ['Digit0', '0', '=', '}'],
  ['Minus', '+', '?', '\\'],
  ['Equal', '', '†`'],
  ['KeyE', 'e', 'E', '€'],
  ['BracketLeft', 'å', 'Å'],
  ['BracketRight', '', '†^', '†~'],
  ['Semicolon', 'ö', 'Ö'],
  ['Quote', 'ä', 'Ä'],
  ['Backslash', "'", '*'],
  ['IntlBackslash', '<', '>', '|'],
  ['Comma', ',', ';'],
  ['Period', '.', ':'],
  ['Slash', '-', '_'],
]);

const noRows = derive(seRows, [
  ['Backquote', '|', '§'],
  ['Equal', '\\', '†`'],
  ['Minus', '+', '?'],
  ['Semicolon', 'ø', 'Ø'],
  ['Quote', 'æ', 'Æ'],
  ['IntlBackslash', '<', '>'],
]);

const dkRows = derive(seRows, [
  ['Backquote', '½', '§'],
  ['Equal', '', '†`', '|'],
  ['Minus', '+', '?'],
  ['Semicolon', 'æ', 'Æ'],
  ['Quote', 'ø', 'Ø'],
  ['IntlBackslash', '<', '>', '\\'],
]);

const rowsByLayout: Record<LayoutId, readonly Row[]> = { us: usRows, gb: gbRows, de: deRows, fr: frRows, 'ch-de': chRows, se: seRows, no: noRows, dk: dkRows };

const levels = ['plain', 'shift', 'altgr'] as const;

function buildTable(rows: readonly Row[]): Map<string, LayoutKey> {
  const table = new Map<string, LayoutKey>();
  table.set(' ', { code: 'Space', level: 'plain', dead: false });
  // A character reachable in several ways keeps the simplest (plain, then Shift, then AltGr; live before dead).
  for (const deadPass of [false, true]) {
    for (const [i, level] of levels.entries()) {
      for (const row of rows) {
        const entry = row[i + 1];
        if (!entry) continue;
        const dead = entry.startsWith('†');
        if (dead !== deadPass) continue;
        const ch = dead ? entry.slice(1) : entry;
        if (!table.has(ch)) table.set(ch, { code: row[0], level, dead });
      }
    }
  }
  return table;
}

const tables = new Map<LayoutId, Map<string, LayoutKey>>();

/** The key that types `ch` on the guest layout, or undefined when the layout has none. */
export function layoutKey(layout: LayoutId, ch: string): LayoutKey | undefined {
  let table = tables.get(layout);
  if (!table) {
    table = buildTable(rowsByLayout[layout]);
    tables.set(layout, table);
  }
  return table.get(ch);
}
