// RFB pixel formats (RFC 6143 §7.4) and conversion from the demo's RGBX framebuffer into whatever
// format a client asked for: 8, 16 or 32 bits a pixel, either byte order, any channel maxima and
// shifts, or an 8-bit colour map (we install a fixed 3-3-2 palette for those clients).
import type { Rect } from './region.js';

export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

/** The server's native format: 32bpp, depth 24, little-endian, red at bit 16, blue at bit 0. */
export const SERVER_PIXEL_FORMAT: Readonly<PixelFormat> = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

/** Writes the 16-byte PIXEL_FORMAT structure at `offset`. */
export function writePixelFormat(pf: PixelFormat, out: Buffer, offset: number): void {
  out.writeUInt8(pf.bitsPerPixel, offset);
  out.writeUInt8(pf.depth, offset + 1);
  out.writeUInt8(pf.bigEndian ? 1 : 0, offset + 2);
  out.writeUInt8(pf.trueColour ? 1 : 0, offset + 3);
  out.writeUInt16BE(pf.redMax, offset + 4);
  out.writeUInt16BE(pf.greenMax, offset + 6);
  out.writeUInt16BE(pf.blueMax, offset + 8);
  out.writeUInt8(pf.redShift, offset + 10);
  out.writeUInt8(pf.greenShift, offset + 11);
  out.writeUInt8(pf.blueShift, offset + 12);
  out.fill(0, offset + 13, offset + 16);
}

/** Reads a PIXEL_FORMAT from 16 bytes; returns an error string if no client could mean it. */
export function readPixelFormat(buf: Uint8Array): PixelFormat | string {
  if (buf.length < 16) return 'short pixel format';
  const b = (i: number): number => buf[i] ?? 0;
  const u16 = (i: number): number => (b(i) << 8) | b(i + 1);
  const pf: PixelFormat = {
    bitsPerPixel: b(0),
    depth: b(1),
    bigEndian: b(2) !== 0,
    trueColour: b(3) !== 0,
    redMax: u16(4),
    greenMax: u16(6),
    blueMax: u16(8),
    redShift: b(10),
    greenShift: b(11),
    blueShift: b(12),
  };
  if (pf.bitsPerPixel !== 8 && pf.bitsPerPixel !== 16 && pf.bitsPerPixel !== 32) return `unsupported bits-per-pixel ${pf.bitsPerPixel}`;
  if (pf.trueColour) {
    for (const [max, shift] of [
      [pf.redMax, pf.redShift],
      [pf.greenMax, pf.greenShift],
      [pf.blueMax, pf.blueShift],
    ] as const) {
      if (shift >= pf.bitsPerPixel) return `colour shift ${shift} does not fit in ${pf.bitsPerPixel} bits`;
      if (max * 2 ** shift >= 2 ** pf.bitsPerPixel) return `colour max ${max} << ${shift} does not fit in ${pf.bitsPerPixel} bits`;
    }
  }
  return pf;
}

/** Turns RGBX pixels into one client's format. Built once per SetPixelFormat. */
export interface PixelConverter {
  readonly format: Readonly<PixelFormat>;
  readonly bytesPerPixel: 1 | 2 | 4;
  /** The colour map the client must be sent first (colour-map formats only): [r, g, b] 16-bit each. */
  readonly colourMap: ReadonlyArray<readonly [number, number, number]> | null;
  /** The pixel value for an 8-bit-per-channel colour. */
  pixel(r: number, g: number, b: number): number;
  /** Writes `rect` of the RGBX framebuffer at `out[offset]`; returns the offset after it. */
  encodeRect(fb: Uint8Array, fbWidth: number, rect: Rect, out: Uint8Array, offset: number): number;
}

function channelTable(max: number, shift: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let v = 0; v < 256; v++) t[v] = (Math.round((v * max) / 255) * 2 ** shift) >>> 0;
  return t;
}

export function createConverter(pf: PixelFormat): PixelConverter {
  const format: PixelFormat = { ...pf };
  const bytesPerPixel = (pf.bitsPerPixel / 8) as 1 | 2 | 4;
  let lutR: Uint32Array;
  let lutG: Uint32Array;
  let lutB: Uint32Array;
  let colourMap: Array<[number, number, number]> | null = null;
  if (pf.trueColour) {
    lutR = channelTable(pf.redMax, pf.redShift);
    lutG = channelTable(pf.greenMax, pf.greenShift);
    lutB = channelTable(pf.blueMax, pf.blueShift);
  } else {
    // Fixed 3-3-2 palette: index = r(3 bits) | g(3 bits) << 3 | b(2 bits) << 6.
    lutR = channelTable(7, 0);
    lutG = channelTable(7, 3);
    lutB = channelTable(3, 6);
    colourMap = [];
    for (let i = 0; i < 256; i++) {
      const r = i & 7;
      const g = (i >> 3) & 7;
      const b = (i >> 6) & 3;
      colourMap.push([Math.round((r * 65535) / 7), Math.round((g * 65535) / 7), Math.round((b * 65535) / 3)]);
    }
  }
  // noVNC's own format (bytes R, G, B, X in memory) is exactly our framebuffer layout.
  const identity =
    pf.trueColour &&
    bytesPerPixel === 4 &&
    pf.redMax === 255 &&
    pf.greenMax === 255 &&
    pf.blueMax === 255 &&
    ((!pf.bigEndian && pf.redShift === 0 && pf.greenShift === 8 && pf.blueShift === 16) ||
      (pf.bigEndian && pf.redShift === 24 && pf.greenShift === 16 && pf.blueShift === 8));

  const pixel = (r: number, g: number, b: number): number => ((lutR[r & 255] ?? 0) | (lutG[g & 255] ?? 0) | (lutB[b & 255] ?? 0)) >>> 0;

  const encodeRect = (fb: Uint8Array, fbWidth: number, rect: Rect, out: Uint8Array, offset: number): number => {
    let o = offset;
    if (identity) {
      const rowBytes = rect.w * 4;
      for (let y = rect.y; y < rect.y + rect.h; y++) {
        const src = (y * fbWidth + rect.x) * 4;
        out.set(fb.subarray(src, src + rowBytes), o);
        o += rowBytes;
      }
      return o;
    }
    const big = pf.bigEndian;
    for (let y = rect.y; y < rect.y + rect.h; y++) {
      let s = (y * fbWidth + rect.x) * 4;
      for (let x = 0; x < rect.w; x++, s += 4) {
        const p = ((lutR[fb[s] ?? 0] ?? 0) | (lutG[fb[s + 1] ?? 0] ?? 0) | (lutB[fb[s + 2] ?? 0] ?? 0)) >>> 0;
        if (bytesPerPixel === 4) {
          if (big) {
            out[o] = p >>> 24;
            out[o + 1] = (p >>> 16) & 255;
            out[o + 2] = (p >>> 8) & 255;
            out[o + 3] = p & 255;
          } else {
            out[o] = p & 255;
            out[o + 1] = (p >>> 8) & 255;
            out[o + 2] = (p >>> 16) & 255;
            out[o + 3] = p >>> 24;
          }
          o += 4;
        } else if (bytesPerPixel === 2) {
          if (big) {
            out[o] = (p >>> 8) & 255;
            out[o + 1] = p & 255;
          } else {
            out[o] = p & 255;
            out[o + 1] = (p >>> 8) & 255;
          }
          o += 2;
        } else {
          out[o] = p & 255;
          o += 1;
        }
      }
    }
    return o;
  };

  return { format, bytesPerPixel, colourMap, pixel, encodeRect };
}
