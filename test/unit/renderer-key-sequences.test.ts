// Text and key combinations → key events (renderer/views/console/key-sequences.ts), under Node.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { charToStrokes, checkTypeText, keyPresets, normaliseTypedText, parseCombination, textToSteps } from '../../renderer/views/console/key-sequences.js';
import { XK, type KeyStroke } from '../../renderer/views/console/keysyms.js';

const down = (keysym: number, code: string | null): KeyStroke => ({ keysym, code, down: true });
const up = (keysym: number, code: string | null): KeyStroke => ({ keysym, code, down: false });

/** Every key pressed is released, in reverse order, and nothing is left held. */
function balanced(strokes: readonly KeyStroke[]): boolean {
  const held: number[] = [];
  for (const s of strokes) {
    if (s.down) held.push(s.keysym);
    else if (held.pop() !== s.keysym) return false;
  }
  return held.length === 0;
}

describe('typing text on a US layout', () => {
  it('types lower-case letters and digits as plain key taps with their physical keys', () => {
    expect(charToStrokes('a').strokes).toEqual([down(0x61, 'KeyA'), up(0x61, 'KeyA')]);
    expect(charToStrokes('7').strokes).toEqual([down(0x37, 'Digit7'), up(0x37, 'Digit7')]);
    expect(charToStrokes(' ').strokes).toEqual([down(0x20, 'Space'), up(0x20, 'Space')]);
  });

  it('holds Shift_L around capitals and shifted punctuation, with the shifted keysym', () => {
    expect(charToStrokes('A').strokes).toEqual([down(XK.Shift_L, 'ShiftLeft'), down(0x41, 'KeyA'), up(0x41, 'KeyA'), up(XK.Shift_L, 'ShiftLeft')]);
    expect(charToStrokes('!').strokes).toEqual([down(XK.Shift_L, 'ShiftLeft'), down(0x21, 'Digit1'), up(0x21, 'Digit1'), up(XK.Shift_L, 'ShiftLeft')]);
    const shifted: Record<string, string> = { '~': 'Backquote', '@': 'Digit2', '_': 'Minus', '+': 'Equal', '{': 'BracketLeft', '|': 'Backslash', ':': 'Semicolon', '"': 'Quote', '<': 'Comma', '>': 'Period', '?': 'Slash' };
    for (const [ch, code] of Object.entries(shifted)) {
      const s = charToStrokes(ch).strokes;
      expect(s[0], ch).toEqual(down(XK.Shift_L, 'ShiftLeft'));
      expect(s[1], ch).toEqual(down(ch.charCodeAt(0), code));
    }
    for (const ch of "`-=[]\\;',./") expect(charToStrokes(ch).strokes, ch).toHaveLength(2);
  });

  it('presses Return for new lines (LF, CRLF and CR alike) and Tab for tabs', () => {
    expect(textToSteps('a\r\nb\rc\n').map((s) => s.char)).toEqual(['a', '\n', 'b', '\n', 'c', '\n']);
    expect(charToStrokes('\n').strokes).toEqual([down(XK.Return, 'Enter'), up(XK.Return, 'Enter')]);
    expect(charToStrokes('\t').strokes).toEqual([down(XK.Tab, 'Tab'), up(XK.Tab, 'Tab')]);
  });

  it('drops control characters no key types, and sends other characters as Unicode keysyms', () => {
    expect(normaliseTypedText('a\u0007b\u001bc\u007f')).toBe('abc');
    expect(charToStrokes('é')).toEqual({ strokes: [down(0xe9, null), up(0xe9, null)], unicode: true });
    expect(charToStrokes('€').strokes[0]).toEqual(down(0x1000000 + 0x20ac, null));
    expect(textToSteps('😀')).toHaveLength(1); // one code point, not two UTF-16 halves
  });

  it('every printable ASCII text gives one balanced step per character', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\n') }), (text) => {
        const steps = textToSteps(text);
        expect(steps.map((s) => s.char).join('')).toBe(text);
        for (const step of steps) {
          expect(balanced(step.strokes)).toBe(true);
          expect(step.unicode).toBe(false);
          expect(step.strokes.every((s) => s.code !== null)).toBe(true);
        }
      }),
    );
  });

  it('limits the length and asks above the confirmation threshold', () => {
    expect(checkTypeText('')).toEqual({ ok: false, reason: 'There is nothing to type.' });
    const long = checkTypeText('x'.repeat(10_001));
    expect(long.ok).toBe(false);
    expect(!long.ok && long.reason).toContain('at most 10,000');
    const ok = checkTypeText('x'.repeat(10_000));
    expect(ok.ok && ok.needsConfirmation).toBe(true);
    const short = checkTypeText('hello');
    expect(short.ok && short.needsConfirmation).toBe(false);
    const mixed = checkTypeText('naïve');
    expect(mixed.ok && mixed.unicodeCount).toBe(1);
  });
});

describe('key combinations', () => {
  it('parses ctrl+alt+shift+t: modifiers in order, the shifted letter, released in reverse', () => {
    const parsed = parseCombination('ctrl+alt+shift+t');
    expect(parsed).toEqual({
      ok: true,
      label: 'Ctrl+Alt+Shift+T',
      strokes: [
        down(XK.Control_L, 'ControlLeft'),
        down(XK.Alt_L, 'AltLeft'),
        down(XK.Shift_L, 'ShiftLeft'),
        down(0x54, 'KeyT'),
        up(0x54, 'KeyT'),
        up(XK.Shift_L, 'ShiftLeft'),
        up(XK.Alt_L, 'AltLeft'),
        up(XK.Control_L, 'ControlLeft'),
      ],
    });
  });

  it('is case- and space-insensitive and knows the usual names', () => {
    const a = parseCombination(' Ctrl + ALT + Del ');
    const b = parseCombination('control+alt+delete');
    expect(a.ok && b.ok && a.strokes).toEqual(b.ok && b.strokes);
    expect(a.ok && a.strokes.map((s) => s.keysym)).toEqual([XK.Control_L, XK.Alt_L, XK.Delete, XK.Delete, XK.Alt_L, XK.Control_L]);
    const f = parseCombination('ctrl+alt+f12');
    expect(f.ok && f.strokes[2]).toEqual(down(XK.F1 + 11, 'F12'));
    const win = parseCombination('win+r');
    expect(win.ok && win.strokes.slice(0, 2)).toEqual([down(XK.Super_L, 'MetaLeft'), down(0x72, 'KeyR')]);
    const sysrq = parseCombination('alt+sysrq+b');
    expect(sysrq.ok && sysrq.strokes.map((s) => s.keysym).slice(0, 3)).toEqual([XK.Alt_L, XK.Sys_Req, 0x62]);
    const raw = parseCombination('0xffe3+c');
    expect(raw.ok && raw.strokes[0]).toEqual(down(0xffe3, null));
    const plus = parseCombination('ctrl++');
    expect(plus.ok && plus.strokes.map((s) => s.keysym)).toEqual([XK.Control_L, XK.Shift_L, 0x2b, 0x2b, XK.Shift_L, XK.Control_L]);
  });

  it('adds Shift for characters that need it on a US keyboard', () => {
    const parsed = parseCombination('ctrl+!');
    expect(parsed.ok && parsed.strokes.slice(0, 3)).toEqual([down(XK.Control_L, 'ControlLeft'), down(XK.Shift_L, 'ShiftLeft'), down(0x21, 'Digit1')]);
  });

  it('explains what is wrong', () => {
    expect(parseCombination('')).toMatchObject({ ok: false, reason: expect.stringContaining('ctrl+alt+shift+t') });
    expect(parseCombination('ctrl+bogus')).toMatchObject({ ok: false, reason: expect.stringContaining('Unknown key “bogus”') });
    expect(parseCombination('ctrl++alt')).toMatchObject({ ok: false, reason: expect.stringContaining('empty key name') });
    expect(parseCombination('f25')).toMatchObject({ ok: false, reason: expect.stringContaining('F25') });
    expect(parseCombination('a+b+c+d+e+f+g+h+i')).toMatchObject({ ok: false, reason: expect.stringContaining('At most 8') });
  });

  it('always releases what it pressed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('ctrl', 'alt', 'shift', 'win', 'altgr', 'f1', 'del', 'tab', 'a', 'Z', '1', '!', '/', 'esc'), { minLength: 1, maxLength: 8 }), (parts) => {
        const parsed = parseCombination(parts.join('+'));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(balanced(parsed.strokes)).toBe(true);
      }),
    );
  });

  it('has the Send keys menu entries an admin expects', () => {
    const labels = keyPresets.map((p) => p.label);
    expect(labels).toEqual(expect.arrayContaining(['Ctrl+Alt+Del', 'Alt+Tab', 'Windows key', 'PrintScreen', ...Array.from({ length: 12 }, (_, i) => `Ctrl+Alt+F${i + 1}`)]));
    expect(keyPresets.find((p) => p.id === 'super')?.strokes).toEqual([down(XK.Super_L, 'MetaLeft'), up(XK.Super_L, 'MetaLeft')]);
    expect(keyPresets.find((p) => p.id === 'print')?.strokes).toEqual([down(XK.Print, 'PrintScreen'), up(XK.Print, 'PrintScreen')]);
    for (const p of keyPresets) expect(balanced(p.strokes), p.label).toBe(true);
  });
});
