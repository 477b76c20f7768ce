// Type text on guest layouts that are not US: which physical key (and modifier) types each character.
import { describe, expect, it } from 'vitest';
import { charToStrokes } from '../../renderer/views/console/key-sequences.js';
import { keyboardLayouts, layoutKey } from '../../renderer/views/console/keyboard-layouts.js';

const ascii = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));

describe('guest keyboard layouts for Type text', () => {
  it('offers US, UK, German, French, Swiss German and the Nordic layouts', () => {
    expect(keyboardLayouts.map((l) => l.id)).toEqual(['us', 'gb', 'de', 'fr', 'ch-de', 'se', 'no', 'dk']);
  });

  it('reaches every printable ASCII character on every layout', () => {
    for (const { id } of keyboardLayouts) {
      const missing = ascii.filter((ch) => !layoutKey(id, ch));
      expect(missing, id).toEqual([]);
    }
  });

  it('puts letters, symbols and AltGr characters on the guest layout’s keys', () => {
    expect(layoutKey('de', 'z')).toEqual({ code: 'KeyY', level: 'plain', dead: false });
    expect(layoutKey('de', '@')).toEqual({ code: 'KeyQ', level: 'altgr', dead: false });
    expect(layoutKey('de', 'ß')).toEqual({ code: 'Minus', level: 'plain', dead: false });
    expect(layoutKey('fr', 'a')).toEqual({ code: 'KeyQ', level: 'plain', dead: false });
    expect(layoutKey('fr', '1')).toEqual({ code: 'Digit1', level: 'shift', dead: false });
    expect(layoutKey('ch-de', 'é')).toEqual({ code: 'Semicolon', level: 'shift', dead: false });
    expect(layoutKey('gb', '@')).toEqual({ code: 'Quote', level: 'shift', dead: false });
    expect(layoutKey('se', 'å')).toEqual({ code: 'BracketLeft', level: 'plain', dead: false });
    expect(layoutKey('no', 'ø')).toEqual({ code: 'Semicolon', level: 'plain', dead: false });
    expect(layoutKey('dk', 'ø')).toEqual({ code: 'Quote', level: 'plain', dead: false });
  });

  it('wraps AltGr around the key, and follows a dead key with Space', () => {
    const at = charToStrokes('@', 'de').strokes;
    expect(at.map((s) => [s.code, s.down])).toEqual([['AltRight', true], ['KeyQ', true], ['KeyQ', false], ['AltRight', false]]);
    expect(at[1]!.keysym).toBe(0x40);
    const caret = charToStrokes('^', 'de').strokes;
    expect(caret.map((s) => [s.code, s.down])).toEqual([['Backquote', true], ['Backquote', false], ['Space', true], ['Space', false]]);
    // US stays as it was: the US key, Shift for shifted characters.
    expect(charToStrokes('@').strokes.map((s) => s.code)).toEqual(['ShiftLeft', 'Digit2', 'Digit2', 'ShiftLeft']);
  });

  it('sends a character the layout has no key for as a Unicode keysym', () => {
    expect(charToStrokes('✓', 'de')).toEqual({ strokes: [{ keysym: 0x1002713, code: null, down: true }, { keysym: 0x1002713, code: null, down: false }], unicode: true });
  });
});
