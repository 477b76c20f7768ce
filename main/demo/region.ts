// Axis-aligned rectangles and a small dirty-region list: what changed on screen since the last
// update sent to one client.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function isEmpty(r: Rect): boolean {
  return r.w <= 0 || r.h <= 0;
}

export function intersect(a: Rect, b: Rect): Rect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.w, b.x + b.w);
  const btm = Math.min(a.y + a.h, b.y + b.h);
  return { x, y, w: Math.max(0, r - x), h: Math.max(0, btm - y) };
}

export function union(a: Rect, b: Rect): Rect {
  if (isEmpty(a)) return { ...b };
  if (isEmpty(b)) return { ...a };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Whether two non-empty rectangles share at least one pixel. */
export function overlaps(a: Rect, b: Rect): boolean {
  if (isEmpty(a) || isEmpty(b)) return false;
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/** `a` minus `b` as up to four disjoint rectangles. */
export function subtract(a: Rect, b: Rect): Rect[] {
  if (!overlaps(a, b)) return isEmpty(a) ? [] : [{ ...a }];
  const i = intersect(a, b);
  const out: Rect[] = [];
  if (i.y > a.y) out.push({ x: a.x, y: a.y, w: a.w, h: i.y - a.y });
  if (i.y + i.h < a.y + a.h) out.push({ x: a.x, y: i.y + i.h, w: a.w, h: a.y + a.h - (i.y + i.h) });
  if (i.x > a.x) out.push({ x: a.x, y: i.y, w: i.x - a.x, h: i.h });
  if (i.x + i.w < a.x + a.w) out.push({ x: i.x + i.w, y: i.y, w: a.x + a.w - (i.x + i.w), h: i.h });
  return out;
}

/**
 * A set of changed areas kept as a few disjoint rectangles. Overlapping additions are merged into
 * their bounding box, and past `maxRects` everything collapses into one box, so the list stays
 * short no matter how many small changes pile up.
 */
export class DirtyRegion {
  private rects: Rect[] = [];

  constructor(private readonly maxRects = 16) {}

  get isEmpty(): boolean {
    return this.rects.length === 0;
  }

  add(r: Rect): void {
    if (isEmpty(r)) return;
    let next = { ...r };
    for (const existing of this.rects) if (contains(existing, next)) return;
    let merged = true;
    while (merged) {
      merged = false;
      for (let i = 0; i < this.rects.length; i++) {
        const existing = this.rects[i];
        if (existing && overlaps(existing, next)) {
          next = union(existing, next);
          this.rects.splice(i, 1);
          merged = true;
          break;
        }
      }
    }
    this.rects.push(next);
    if (this.rects.length > this.maxRects) {
      this.rects = [this.rects.reduce((acc, x) => union(acc, x))];
    }
  }

  /** The changed parts inside `area`, which are then considered sent (removed from the set). */
  take(area: Rect): Rect[] {
    const taken: Rect[] = [];
    const kept: Rect[] = [];
    for (const r of this.rects) {
      const i = intersect(r, area);
      if (isEmpty(i)) {
        kept.push(r);
        continue;
      }
      taken.push(i);
      kept.push(...subtract(r, area));
    }
    this.rects = kept;
    return taken;
  }

  /** Marks `area` as sent without returning anything (after a full, non-incremental update). */
  discard(area: Rect): void {
    this.take(area);
  }

  /** Whether anything changed inside `area`. */
  touches(area: Rect): boolean {
    return this.rects.some((r) => overlaps(r, area));
  }

  clear(): void {
    this.rects = [];
  }

  snapshot(): Rect[] {
    return this.rects.map((r) => ({ ...r }));
  }
}
