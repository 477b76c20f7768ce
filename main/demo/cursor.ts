// The arrow pointer the demo sends to clients that support the Cursor pseudo-encoding (-239), so
// the local pointer is visible over the console (noVNC hides it otherwise).
import type { Rgb } from './test-pattern.js';

// 'X' outline, 'o' fill, '.' transparent. Hotspot: the tip, top left.
const art = [
  'X...........',
  'XX..........',
  'XoX.........',
  'XooX........',
  'XoooX.......',
  'XooooX......',
  'XoooooX.....',
  'XooooooX....',
  'XoooooooX...',
  'XooooooooX..',
  'XoooooooooX.',
  'XooooooXXXXX',
  'XoooXooX....',
  'XooXXooX....',
  'XoX..XooX...',
  'XX...XooX...',
  'X.....XooX..',
  '......XooX..',
  '.......XX...',
];

const OUTLINE: Rgb = [0, 0, 0];
const FILL: Rgb = [255, 255, 255];

export interface CursorShape {
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  /** Colour per pixel, row by row (transparent pixels are black). */
  pixels: Rgb[];
  /** RFB cursor bitmask: one bit per pixel, rows padded to whole bytes, most significant bit first. */
  mask: Uint8Array;
}

function build(): CursorShape {
  const width = Math.max(...art.map((row) => row.length));
  const height = art.length;
  const rowBytes = Math.ceil(width / 8);
  const mask = new Uint8Array(rowBytes * height);
  const pixels: Rgb[] = [];
  art.forEach((row, y) => {
    for (let x = 0; x < width; x++) {
      const c = row[x] ?? '.';
      pixels.push(c === 'o' ? FILL : OUTLINE);
      if (c !== '.') {
        const i = y * rowBytes + (x >> 3);
        mask[i] = (mask[i] ?? 0) | (0x80 >> (x & 7));
      }
    }
  });
  return { width, height, hotX: 0, hotY: 0, pixels, mask };
}

export const ARROW_CURSOR: CursorShape = build();
