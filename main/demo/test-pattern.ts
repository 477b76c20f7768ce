// The demo console's screen, drawn into an RGBX framebuffer (4 bytes a pixel: R, G, B, 0; rows
// top to bottom). Pure: no I/O, no clocks; callers pass the time in as text.
//
//   +--------+-----------------------------------------+
//   | corner |  PORTHOLE DEMO                          |   header, 64 px high
//   +--------+-----------------------------------------+
//   |  colour bars                                     |
//   |  grey ramp                                       |
//   |               [ 12:34:56 ]                       |   seven-segment clock
//   |  drawing pad (pointer)      status (keys, mouse) |
//   +--------------------------------------------------+
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './font.js';
import { intersect, isEmpty, type Rect } from './region.js';

export type { Rect };
export type Rgb = readonly [number, number, number];

/** The colour of the solid 64x64 block in the top-left corner. */
export const DEMO_CORNER_RGB: Rgb = [240, 128, 32];
export const DEMO_CORNER_SIZE = 64;

const BACKGROUND: Rgb = [24, 26, 32];
const HEADER: Rgb = [40, 44, 56];
const TITLE: Rgb = [245, 245, 245];
const BARS: readonly Rgb[] = [
  [235, 235, 235],
  [235, 235, 16],
  [16, 235, 235],
  [16, 235, 16],
  [235, 16, 235],
  [235, 16, 16],
  [16, 16, 235],
  [16, 16, 16],
];
const CLOCK_PANEL: Rgb = [8, 12, 10];
const SEGMENT_ON: Rgb = [90, 255, 140];
const SEGMENT_OFF: Rgb = [26, 40, 31];
const PAD_PAPER: Rgb = [246, 244, 236];
const PAD_LABEL: Rgb = [170, 170, 165];
const PAD_INK: Rgb = [20, 70, 170];
const STATUS_TEXT: Rgb = [200, 204, 210];

export interface DemoLayout {
  width: number;
  height: number;
  /** Integer scale for text and the clock: 1 up to 800x600, 2 at 800x600, and so on. */
  scale: number;
  corner: Rect;
  header: Rect;
  title: { x: number; y: number; scale: number };
  bars: Rect;
  ramp: Rect;
  /** The clock panel; every clock change lies inside it. */
  clock: Rect;
  /** The eight character cells of "HH:MM:SS". */
  clockCells: Rect[];
  pad: Rect;
  status: Rect;
}

const layoutCache = new Map<string, DemoLayout>();

/** Where everything goes on a width x height screen (all rectangles clipped to the screen). */
export function demoLayout(width: number, height: number): DemoLayout {
  const key = `${width}x${height}`;
  const cached = layoutCache.get(key);
  if (cached) return cached;
  const screen: Rect = { x: 0, y: 0, w: width, h: height };
  const clip = (r: Rect): Rect => intersect(r, screen);
  const s = Math.max(1, Math.floor(Math.min(width / 400, height / 300)));
  const headerH = DEMO_CORNER_SIZE;
  const titleScale = s + 1;
  const barsH = Math.round(height * 0.3);
  const bars: Rect = { x: 0, y: headerH, w: width, h: barsH };
  const ramp: Rect = { x: 0, y: bars.y + barsH, w: width, h: 12 * s };

  const dw = 20 * s;
  const cw = 8 * s;
  const gap = 4 * s;
  const inset = 8 * s;
  const cellWidths = [dw, dw, cw, dw, dw, cw, dw, dw];
  const digitsW = cellWidths.reduce((a, b) => a + b, 0) + gap * (cellWidths.length - 1);
  const clockW = digitsW + 2 * inset;
  const clockH = 36 * s + 2 * inset;
  const clock: Rect = { x: Math.floor((width - clockW) / 2), y: ramp.y + ramp.h + 12 * s, w: clockW, h: clockH };
  const clockCells: Rect[] = [];
  let cx = clock.x + inset;
  for (const w of cellWidths) {
    clockCells.push(clip({ x: cx, y: clock.y + inset, w, h: 36 * s }));
    cx += w + gap;
  }

  const bottomY = clock.y + clockH + 12 * s;
  const margin = 8 * s;
  const half = Math.floor(width / 2);
  const pad: Rect = { x: margin, y: bottomY, w: half - 2 * margin, h: height - bottomY - margin };
  const status: Rect = { x: half + margin, y: bottomY, w: width - half - 2 * margin, h: Math.min(pad.h, 3 * (GLYPH_HEIGHT + 3) * s) };

  const layout: DemoLayout = {
    width,
    height,
    scale: s,
    corner: clip({ x: 0, y: 0, w: DEMO_CORNER_SIZE, h: DEMO_CORNER_SIZE }),
    header: clip({ x: 0, y: 0, w: width, h: headerH }),
    title: { x: DEMO_CORNER_SIZE + 8 * s, y: Math.floor((headerH - GLYPH_HEIGHT * titleScale) / 2), scale: titleScale },
    bars: clip(bars),
    ramp: clip(ramp),
    clock: clip(clock),
    clockCells,
    pad: clip(pad),
    status: clip(status),
  };
  if (layoutCache.size > 16) layoutCache.clear();
  layoutCache.set(key, layout);
  return layout;
}

/** A black RGBX framebuffer. */
export function createFramebuffer(width: number, height: number): Uint8Array {
  return new Uint8Array(width * height * 4);
}

/** Fills `rect` (clipped to the screen) with a colour; returns the clipped rectangle. */
export function fillRect(fb: Uint8Array, width: number, height: number, rect: Rect, rgb: Rgb): Rect {
  const r = intersect(rect, { x: 0, y: 0, w: width, h: height });
  if (isEmpty(r)) return r;
  const [red, green, blue] = rgb;
  for (let y = r.y; y < r.y + r.h; y++) {
    let o = (y * width + r.x) * 4;
    for (let x = 0; x < r.w; x++, o += 4) {
      fb[o] = red;
      fb[o + 1] = green;
      fb[o + 2] = blue;
      fb[o + 3] = 0;
    }
  }
  return r;
}

/** Draws `text` with the 5x7 font scaled by `scale`, ink only (no background); returns its box. */
export function drawText(fb: Uint8Array, width: number, height: number, x: number, y: number, text: string, scale: number, rgb: Rgb): Rect {
  const advance = (GLYPH_WIDTH + 1) * scale;
  let cx = x;
  for (const ch of text) {
    if (cx >= width) break;
    const rows = glyphRows(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      const bits = rows[gy] ?? 0;
      if (bits === 0) continue;
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (bits & (1 << (GLYPH_WIDTH - 1 - gx))) fillRect(fb, width, height, { x: cx + gx * scale, y: y + gy * scale, w: scale, h: scale }, rgb);
      }
    }
    cx += advance;
  }
  return intersect({ x, y, w: cx - x, h: GLYPH_HEIGHT * scale }, { x: 0, y: 0, w: width, h: height });
}

// Seven segments: a (top), b (top right), c (bottom right), d (bottom), e (bottom left), f (top left), g (middle).
const SEGMENTS: Readonly<Record<string, string>> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abdeg',
  '3': 'abcdg',
  '4': 'bcfg',
  '5': 'acdfg',
  '6': 'acdefg',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
  '-': 'g',
};

function segmentRect(cell: Rect, seg: string, t: number): Rect {
  const { x, y, w, h } = cell;
  const mid = y + Math.floor((h - t) / 2);
  switch (seg) {
    case 'a':
      return { x: x + t, y, w: w - 2 * t, h: t };
    case 'g':
      return { x: x + t, y: mid, w: w - 2 * t, h: t };
    case 'd':
      return { x: x + t, y: y + h - t, w: w - 2 * t, h: t };
    case 'f':
      return { x, y: y + t, w: t, h: mid - y - t };
    case 'b':
      return { x: x + w - t, y: y + t, w: t, h: mid - y - t };
    case 'e':
      return { x, y: mid + t, w: t, h: y + h - t - mid - t };
    case 'c':
      return { x: x + w - t, y: mid + t, w: t, h: y + h - t - mid - t };
    default:
      return { x, y, w: 0, h: 0 };
  }
}

function drawClockCell(fb: Uint8Array, width: number, height: number, cell: Rect, ch: string, scale: number): void {
  fillRect(fb, width, height, cell, CLOCK_PANEL);
  const t = 4 * scale;
  if (ch === ':') {
    const dot = { w: t, h: t };
    const dx = cell.x + Math.floor((cell.w - t) / 2);
    fillRect(fb, width, height, { x: dx, y: cell.y + Math.floor(cell.h / 3) - t, ...dot }, SEGMENT_ON);
    fillRect(fb, width, height, { x: dx, y: cell.y + Math.floor((2 * cell.h) / 3), ...dot }, SEGMENT_ON);
    return;
  }
  const lit = SEGMENTS[ch] ?? '';
  for (const seg of 'abcdefg') {
    const r = segmentRect(cell, seg, t);
    // Leave a one-pixel seam between segments, like a real display.
    const inner = r.w > r.h ? { x: r.x + 1, y: r.y, w: r.w - 2, h: r.h } : { x: r.x, y: r.y + 1, w: r.w, h: r.h - 2 };
    fillRect(fb, width, height, inner, lit.includes(seg) ? SEGMENT_ON : SEGMENT_OFF);
  }
}

/** "HH:MM:SS" in local time. */
export function formatClock(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/**
 * Draws the clock showing `text` ("HH:MM:SS"), redrawing only the cells that differ from
 * `previous`. Returns the box around what was redrawn, or null if nothing changed.
 */
export function drawClock(fb: Uint8Array, width: number, height: number, text: string, previous?: string): Rect | null {
  const layout = demoLayout(width, height);
  let box: Rect | null = null;
  if (previous === undefined) {
    fillRect(fb, width, height, layout.clock, CLOCK_PANEL);
    box = layout.clock;
  }
  layout.clockCells.forEach((cell, i) => {
    const ch = text[i] ?? ' ';
    if (previous !== undefined && previous[i] === ch) return;
    drawClockCell(fb, width, height, cell, ch, layout.scale);
    if (isEmpty(cell)) return;
    if (box === null) box = { ...cell };
    else {
      const x = Math.min(box.x, cell.x);
      const y = Math.min(box.y, cell.y);
      box = { x, y, w: Math.max(box.x + box.w, cell.x + cell.w) - x, h: Math.max(box.y + box.h, cell.y + cell.h) - y };
    }
  });
  return box === null || isEmpty(box) ? null : box;
}

/** Clears the drawing pad to paper with its label; returns the pad. */
export function clearPad(fb: Uint8Array, width: number, height: number): Rect {
  const { pad, scale } = demoLayout(width, height);
  fillRect(fb, width, height, pad, PAD_PAPER);
  const label = intersect(pad, { x: pad.x + 4 * scale, y: pad.y + 4 * scale, w: pad.w, h: GLYPH_HEIGHT * scale });
  if (!isEmpty(label)) {
    // Text is clipped to the pad by drawing into the label box only.
    drawTextClipped(fb, width, height, label, 'DRAW HERE, RIGHT CLICK CLEARS', scale, PAD_LABEL);
  }
  return pad;
}

function drawTextClipped(fb: Uint8Array, width: number, height: number, box: Rect, text: string, scale: number, rgb: Rgb): void {
  const maxChars = Math.floor(box.w / ((GLYPH_WIDTH + 1) * scale));
  if (maxChars <= 0) return;
  drawText(fb, width, height, box.x, box.y, text.slice(0, maxChars), scale, rgb);
}

export interface Point {
  x: number;
  y: number;
}

/** Whether `p` lies on the drawing pad. */
export function onPad(width: number, height: number, p: Point): boolean {
  const { pad } = demoLayout(width, height);
  return p.x >= pad.x && p.y >= pad.y && p.x < pad.x + pad.w && p.y < pad.y + pad.h;
}

/** Inks a stroke from `from` (or a dot at `to`) on the pad, clipped to it; returns what changed. */
export function drawStroke(fb: Uint8Array, width: number, height: number, from: Point | null, to: Point): Rect | null {
  const { pad, scale } = demoLayout(width, height);
  const brush = 3 * scale;
  const half = Math.floor(brush / 2);
  const start = from ?? to;
  const dx = to.x - start.x;
  const dy = to.y - start.y;
  // Points are on the pad, so the number of stamps is bounded by its size.
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dx), Math.abs(dy)) / Math.max(1, half)));
  for (let i = 0; i <= steps; i++) {
    const x = Math.round(start.x + (dx * i) / steps) - half;
    const y = Math.round(start.y + (dy * i) / steps) - half;
    fillRect(fb, width, height, intersect({ x, y, w: brush, h: brush }, pad), PAD_INK);
  }
  const box = intersect(
    {
      x: Math.min(start.x, to.x) - half,
      y: Math.min(start.y, to.y) - half,
      w: Math.abs(dx) + brush,
      h: Math.abs(dy) + brush,
    },
    pad,
  );
  return isEmpty(box) ? null : box;
}

/** Replaces the status panel's text (one line each, up to three); returns the panel. */
export function drawStatus(fb: Uint8Array, width: number, height: number, lines: readonly string[]): Rect {
  const { status, scale } = demoLayout(width, height);
  fillRect(fb, width, height, status, BACKGROUND);
  const lineH = (GLYPH_HEIGHT + 3) * scale;
  lines.slice(0, 3).forEach((line, i) => {
    const box = intersect(status, { x: status.x, y: status.y + i * lineH, w: status.w, h: GLYPH_HEIGHT * scale });
    if (box.h === GLYPH_HEIGHT * scale) drawTextClipped(fb, width, height, box, line, scale, STATUS_TEXT);
  });
  return status;
}

export interface PatternOptions {
  title: string;
  clockText: string;
  statusLines?: readonly string[];
}

/** Draws the whole screen. */
export function renderTestPattern(fb: Uint8Array, width: number, height: number, options: PatternOptions): void {
  const layout = demoLayout(width, height);
  fillRect(fb, width, height, { x: 0, y: 0, w: width, h: height }, BACKGROUND);
  fillRect(fb, width, height, layout.header, HEADER);
  drawText(fb, width, height, layout.title.x, layout.title.y, options.title, layout.title.scale, TITLE);

  const { bars, ramp } = layout;
  BARS.forEach((rgb, i) => {
    const x0 = Math.floor((i * width) / BARS.length);
    const x1 = Math.floor(((i + 1) * width) / BARS.length);
    fillRect(fb, width, height, { x: x0, y: bars.y, w: x1 - x0, h: bars.h }, rgb);
  });
  for (let x = 0; x < ramp.w; x++) {
    const v = ramp.w > 1 ? Math.round((x * 255) / (ramp.w - 1)) : 0;
    fillRect(fb, width, height, { x, y: ramp.y, w: 1, h: ramp.h }, [v, v, v]);
  }

  drawClock(fb, width, height, options.clockText);
  clearPad(fb, width, height);
  drawStatus(fb, width, height, options.statusLines ?? []);
  // Last, so nothing else can cover it on small screens: tests read this block.
  fillRect(fb, width, height, layout.corner, DEMO_CORNER_RGB);
}
