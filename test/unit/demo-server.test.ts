// The built-in Demo console, driven by a raw TCP client that speaks the client side of RFB 3.3,
// 3.7 and 3.8 itself: handshake, pixel formats, Raw updates, held incremental updates, junk input.
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARROW_CURSOR } from '../../main/demo/cursor.js';
import { MAX_CUT_TEXT, startDemoServer, type DemoServer } from '../../main/demo/demo-server.js';
import { createConverter, type PixelFormat } from '../../main/demo/pixel-format.js';
import { DirtyRegion, contains, isEmpty, type Rect } from '../../main/demo/region.js';
import { DEMO_CORNER_RGB, createFramebuffer, demoLayout, drawClock, formatClock, renderTestPattern } from '../../main/demo/test-pattern.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A deliberately simple RFB client: reads exact byte counts, with a timeout on each read. */
class RawClient {
  private buffered = Buffer.alloc(0);
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.pump();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        const w = this.waiter;
        this.waiter = null;
        if (w) {
          clearTimeout(w.timer);
          w.reject(new Error(`closed while waiting for ${w.n} bytes (${this.buffered.length} buffered)`));
        }
        resolve();
      });
    });
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  get available(): number {
    return this.buffered.length;
  }

  read(n: number, timeoutMs = 3000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.waiter) throw new Error('one read at a time');
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`timed out waiting for ${n} bytes (${this.buffered.length} buffered)`));
      }, timeoutMs);
      this.waiter = { n, resolve, reject, timer };
      this.pump();
      if (this.waiter && this.closed) {
        this.waiter = null;
        clearTimeout(timer);
        reject(new Error('already closed'));
      }
    });
  }

  write(data: Uint8Array | string): void {
    this.socket.write(data);
  }

  /** Resolves true if the server closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closedPromise.then(() => true), sleep(ms).then(() => false)]);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private pump(): void {
    const w = this.waiter;
    if (w && this.buffered.length >= w.n) {
      this.waiter = null;
      clearTimeout(w.timer);
      const out = Buffer.from(this.buffered.subarray(0, w.n));
      this.buffered = this.buffered.subarray(w.n);
      w.resolve(out);
    }
  }
}

interface ServerInit {
  width: number;
  height: number;
  format: PixelFormat;
  name: string;
}

function parsePixelFormat(b: Buffer, at: number): PixelFormat {
  return {
    bitsPerPixel: b.readUInt8(at),
    depth: b.readUInt8(at + 1),
    bigEndian: b.readUInt8(at + 2) !== 0,
    trueColour: b.readUInt8(at + 3) !== 0,
    redMax: b.readUInt16BE(at + 4),
    greenMax: b.readUInt16BE(at + 6),
    blueMax: b.readUInt16BE(at + 8),
    redShift: b.readUInt8(at + 10),
    greenShift: b.readUInt8(at + 11),
    blueShift: b.readUInt8(at + 12),
  };
}

function pixelFormatBytes(pf: PixelFormat): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(pf.bitsPerPixel, 0);
  b.writeUInt8(pf.depth, 1);
  b.writeUInt8(pf.bigEndian ? 1 : 0, 2);
  b.writeUInt8(pf.trueColour ? 1 : 0, 3);
  b.writeUInt16BE(pf.redMax, 4);
  b.writeUInt16BE(pf.greenMax, 6);
  b.writeUInt16BE(pf.blueMax, 8);
  b.writeUInt8(pf.redShift, 10);
  b.writeUInt8(pf.greenShift, 11);
  b.writeUInt8(pf.blueShift, 12);
  return b;
}

async function readServerInit(c: RawClient): Promise<ServerInit> {
  const head = await c.read(24);
  const name = (await c.read(head.readUInt32BE(20))).toString('utf8');
  return { width: head.readUInt16BE(0), height: head.readUInt16BE(2), format: parsePixelFormat(head, 4), name };
}

/** Client side of the RFB 3.8 handshake with security None and a shared ClientInit. */
async function handshake38(c: RawClient): Promise<ServerInit> {
  expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
  c.write('RFB 003.008\n');
  const count = (await c.read(1))[0];
  expect(count).toBe(1);
  expect([...(await c.read(1))]).toEqual([1]);
  c.write(Buffer.from([1]));
  expect((await c.read(4)).readUInt32BE(0)).toBe(0);
  c.write(Buffer.from([1]));
  return readServerInit(c);
}

const NOVNC_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 0,
  greenShift: 8,
  blueShift: 16,
};

function setPixelFormat(c: RawClient, pf: PixelFormat): void {
  c.write(Buffer.concat([Buffer.from([0, 0, 0, 0]), pixelFormatBytes(pf)]));
}

function setEncodings(c: RawClient, encodings: number[]): void {
  const b = Buffer.alloc(4 + 4 * encodings.length);
  b.writeUInt8(2, 0);
  b.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
  c.write(b);
}

function requestUpdate(c: RawClient, incremental: boolean, r: Rect): void {
  const b = Buffer.alloc(10);
  b.writeUInt8(3, 0);
  b.writeUInt8(incremental ? 1 : 0, 1);
  b.writeUInt16BE(r.x, 2);
  b.writeUInt16BE(r.y, 4);
  b.writeUInt16BE(r.w, 6);
  b.writeUInt16BE(r.h, 8);
  c.write(b);
}

interface UpdateRect extends Rect {
  encoding: number;
  data: Buffer;
}

/** Reads one FramebufferUpdate (skipping SetColourMapEntries and Bell messages before it). */
async function readUpdate(c: RawClient, bytesPerPixel: number, timeoutMs = 3000): Promise<UpdateRect[]> {
  for (;;) {
    const type = (await c.read(1, timeoutMs))[0];
    if (type === 2) continue;
    if (type === 1) {
      const head = await c.read(5);
      await c.read(6 * head.readUInt16BE(3));
      continue;
    }
    expect(type).toBe(0);
    const count = (await c.read(3)).readUInt16BE(1);
    const rects: UpdateRect[] = [];
    for (let i = 0; i < count; i++) {
      const h = await c.read(12);
      const r = { x: h.readUInt16BE(0), y: h.readUInt16BE(2), w: h.readUInt16BE(4), h: h.readUInt16BE(6), encoding: h.readInt32BE(8) };
      let size = r.w * r.h * bytesPerPixel;
      if (r.encoding === -239) size += Math.ceil(r.w / 8) * r.h;
      else expect(r.encoding).toBe(0);
      rects.push({ ...r, data: await c.read(size) });
    }
    return rects;
  }
}

function pixelAt(rect: UpdateRect, x: number, y: number, bytesPerPixel: number, bigEndian: boolean): number {
  const o = ((y - rect.y) * rect.w + (x - rect.x)) * bytesPerPixel;
  if (bytesPerPixel === 4) return bigEndian ? rect.data.readUInt32BE(o) : rect.data.readUInt32LE(o);
  if (bytesPerPixel === 2) return bigEndian ? rect.data.readUInt16BE(o) : rect.data.readUInt16LE(o);
  return rect.data.readUInt8(o);
}

/** What a correct server must send for `rgb` in format `pf` (true colour). */
function expectedPixel(pf: PixelFormat, [r, g, b]: readonly [number, number, number]): number {
  const ch = (v: number, max: number, shift: number): number => Math.round((v * max) / 255) * 2 ** shift;
  return (ch(r, pf.redMax, pf.redShift) + ch(g, pf.greenMax, pf.greenShift) + ch(b, pf.blueMax, pf.blueShift)) >>> 0;
}

const area = (rects: Rect[]): number => rects.reduce((a, r) => a + r.w * r.h, 0);

let server: DemoServer;
const open: RawClient[] = [];

async function client(): Promise<RawClient> {
  const c = await RawClient.open(server.port);
  open.push(c);
  return c;
}

beforeAll(async () => {
  server = await startDemoServer();
});
afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});
afterAll(async () => {
  await server.close();
});

describe('demo console handshake', () => {
  it('speaks RFB 3.8 with security None and sends the expected ServerInit', async () => {
    const c = await client();
    const init = await handshake38(c);
    expect(init).toEqual({
      width: 800,
      height: 600,
      name: 'Porthole Demo',
      format: { bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0 },
    });
    expect(server.connections()).toBeGreaterThanOrEqual(1);
  });

  it('gives a 3.3 client the 3.3 security form (a u32 type, no SecurityResult)', async () => {
    const c = await client();
    await c.read(12);
    c.write('RFB 003.003\n');
    expect((await c.read(4)).readUInt32BE(0)).toBe(1);
    c.write(Buffer.from([0]));
    const init = await readServerInit(c);
    expect([init.width, init.height, init.name]).toEqual([800, 600, 'Porthole Demo']);
  });

  it('treats unknown 3.x minors (e.g. 3.5) as 3.3 and 3.889 as 3.8', async () => {
    const a = await client();
    await a.read(12);
    a.write('RFB 003.005\n');
    expect((await a.read(4)).readUInt32BE(0)).toBe(1);
    const b = await client();
    await b.read(12);
    b.write('RFB 003.889\n');
    expect([...(await b.read(2))]).toEqual([1, 1]);
  });

  it('gives a 3.7 client the type list but no SecurityResult for None', async () => {
    const c = await client();
    await c.read(12);
    c.write('RFB 003.007\n');
    expect([...(await c.read(2))]).toEqual([1, 1]);
    c.write(Buffer.from([1]));
    c.write(Buffer.from([1]));
    const init = await readServerInit(c);
    expect([init.width, init.height]).toEqual([800, 600]);
  });

  it('fails a 3.8 client that picks a type it was not offered, with a reason', async () => {
    const c = await client();
    await c.read(12);
    c.write('RFB 003.008\n');
    await c.read(2);
    c.write(Buffer.from([2]));
    expect((await c.read(4)).readUInt32BE(0)).toBe(1);
    const len = (await c.read(4)).readUInt32BE(0);
    expect((await c.read(len)).toString('utf8')).toMatch(/not offered/);
    expect(await c.closesWithin(3000)).toBe(true);
  });

  it('copes with a handshake and requests arriving one byte at a time', async () => {
    const c = await client();
    await c.read(12);
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0);
    request.writeUInt16BE(1, 6);
    request.writeUInt16BE(1, 8);
    const bytes = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1]), Buffer.from([0, 0, 0, 0]), pixelFormatBytes(NOVNC_FORMAT), request]);
    for (const byte of bytes) {
      c.write(Buffer.from([byte]));
      await sleep(1);
    }
    await c.read(2 + 4);
    await readServerInit(c);
    const [rect] = await readUpdate(c, 4);
    expect(rect).toMatchObject({ x: 0, y: 0, w: 1, h: 1 });
    expect([...(rect?.data ?? [])]).toEqual([...DEMO_CORNER_RGB, 0]);
  });

  it('rejects a non-3.x version and non-RFB greetings by closing', async () => {
    for (const greeting of ['RFB 004.000\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const c = await client();
      await c.read(12);
      c.write(greeting);
      expect(await c.closesWithin(3000), greeting).toBe(true);
    }
  });
});

describe('demo console framebuffer updates', () => {
  it('sends a Raw full update whose corner pixel is DEMO_CORNER_RGB in the client format (noVNC: 32bpp shifts 0/8/16)', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    setEncodings(c, [0]);
    requestUpdate(c, false, { x: 0, y: 0, w: 800, h: 600 });
    const rects = await readUpdate(c, 4);
    expect(rects).toHaveLength(1);
    const [full] = rects;
    if (!full) throw new Error('no rect');
    expect(full).toMatchObject({ x: 0, y: 0, w: 800, h: 600, encoding: 0 });
    const o = (10 * 800 + 10) * 4;
    expect([...full.data.subarray(o, o + 3)]).toEqual([...DEMO_CORNER_RGB]);
    expect(pixelAt(full, 63, 63, 4, false)).toBe(expectedPixel(NOVNC_FORMAT, DEMO_CORNER_RGB));
    expect(pixelAt(full, 64, 64, 4, false)).not.toBe(expectedPixel(NOVNC_FORMAT, DEMO_CORNER_RGB));
  });

  it('uses the server format until the client sets its own', async () => {
    const c = await client();
    const init = await handshake38(c);
    requestUpdate(c, false, { x: 5, y: 5, w: 2, h: 2 });
    const [rect] = await readUpdate(c, 4);
    if (!rect) throw new Error('no rect');
    const [r, g, b] = DEMO_CORNER_RGB;
    expect([...rect.data.subarray(0, 4)]).toEqual([b, g, r, 0]);
    expect(pixelAt(rect, 5, 5, 4, false)).toBe(expectedPixel(init.format, DEMO_CORNER_RGB));
  });

  const formats: Array<[string, PixelFormat]> = [
    ['32bpp big-endian shifts 0/8/16', { ...NOVNC_FORMAT, bigEndian: true }],
    ['32bpp little-endian shifts 24/16/8', { ...NOVNC_FORMAT, redShift: 24, greenShift: 16, blueShift: 8 }],
    ['32bpp 10-bit channels', { ...NOVNC_FORMAT, depth: 30, redMax: 1023, greenMax: 1023, blueMax: 1023, redShift: 20, greenShift: 10, blueShift: 0 }],
    ['16bpp RGB565 big-endian', { bitsPerPixel: 16, depth: 16, bigEndian: true, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 }],
    ['16bpp RGB555 little-endian', { bitsPerPixel: 16, depth: 15, bigEndian: false, trueColour: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0 }],
    ['8bpp BGR233', { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 }],
  ];
  it.each(formats)('converts pixels to %s', async (_name, pf) => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, pf);
    requestUpdate(c, false, { x: 0, y: 0, w: 70, h: 70 });
    const bpp = pf.bitsPerPixel / 8;
    const [rect] = await readUpdate(c, bpp);
    if (!rect) throw new Error('no rect');
    expect(rect.data.length).toBe(70 * 70 * bpp);
    expect(pixelAt(rect, 32, 32, bpp, pf.bigEndian)).toBe(expectedPixel(pf, DEMO_CORNER_RGB));
    // Just outside the corner block is the header background, a different colour.
    expect(pixelAt(rect, 66, 66, bpp, pf.bigEndian)).not.toBe(expectedPixel(pf, DEMO_CORNER_RGB));
  });

  it('installs a 3-3-2 colour map for an 8bpp colour-map client', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: false, redMax: 0, greenMax: 0, blueMax: 0, redShift: 0, greenShift: 0, blueShift: 0 });
    requestUpdate(c, false, { x: 0, y: 0, w: 4, h: 4 });
    expect((await c.read(1))[0]).toBe(1); // SetColourMapEntries
    const head = await c.read(5);
    expect(head.readUInt16BE(1)).toBe(0);
    const count = head.readUInt16BE(3);
    expect(count).toBe(256);
    const map = await c.read(6 * count);
    const [rect] = await readUpdate(c, 1);
    if (!rect) throw new Error('no rect');
    const index = rect.data.readUInt8(0);
    const entry = [map.readUInt16BE(6 * index), map.readUInt16BE(6 * index + 2), map.readUInt16BE(6 * index + 4)].map((v) => v >> 8);
    entry.forEach((v, i) => expect(Math.abs(v - (DEMO_CORNER_RGB[i] ?? 0))).toBeLessThanOrEqual(40));
  });

  it('sends the arrow cursor to clients that ask for the Cursor pseudo-encoding', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    setEncodings(c, [0, -239, -223]);
    requestUpdate(c, false, { x: 0, y: 0, w: 8, h: 8 });
    const rects = await readUpdate(c, 4);
    const cursor = rects.find((r) => r.encoding === -239);
    expect(cursor).toMatchObject({ w: ARROW_CURSOR.width, h: ARROW_CURSOR.height, x: ARROW_CURSOR.hotX, y: ARROW_CURSOR.hotY });
    expect(rects.filter((r) => r.encoding === 0)).toHaveLength(1);
  });

  it('holds an incremental request until the clock changes, then sends only the clock region', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    // Start just after a second boundary, so the next clock tick is most of a second away.
    await sleep(1000 - (Date.now() % 1000) + 100);
    requestUpdate(c, false, { x: 0, y: 0, w: 800, h: 600 });
    await readUpdate(c, 4);
    const asked = Date.now();
    requestUpdate(c, true, { x: 0, y: 0, w: 800, h: 600 });
    await sleep(300);
    expect(c.available).toBe(0); // held: nothing changed yet
    const rects = await readUpdate(c, 4, 2000);
    expect(Date.now() - asked).toBeLessThan(1500);
    const { clock } = demoLayout(800, 600);
    expect(rects.length).toBeGreaterThan(0);
    for (const r of rects) expect(contains(clock, r), JSON.stringify(r)).toBe(true);
    expect(area(rects)).toBeLessThan(0.05 * 800 * 600);
  });

  it('answers an incremental request after ~1.1 s at once, with only a small clock region', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    requestUpdate(c, false, { x: 0, y: 0, w: 800, h: 600 });
    await readUpdate(c, 4);
    await sleep(1100);
    const asked = Date.now();
    requestUpdate(c, true, { x: 0, y: 0, w: 800, h: 600 });
    const rects = await readUpdate(c, 4, 2000);
    expect(Date.now() - asked).toBeLessThan(300);
    const { clock } = demoLayout(800, 600);
    for (const r of rects) expect(contains(clock, r), JSON.stringify(r)).toBe(true);
    expect(area(rects)).toBeLessThan(0.05 * 800 * 600);
  });

  it('draws pointer strokes on the pad and reports only the changed areas', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    requestUpdate(c, false, { x: 0, y: 0, w: 800, h: 600 });
    const [full] = await readUpdate(c, 4);
    if (!full) throw new Error('no rect');
    const { pad, status } = demoLayout(800, 600);
    const p = { x: pad.x + 60, y: pad.y + 80 };
    const pointer = Buffer.alloc(6);
    pointer.writeUInt8(5, 0);
    pointer.writeUInt8(1, 1);
    pointer.writeUInt16BE(p.x, 2);
    pointer.writeUInt16BE(p.y, 4);
    c.write(pointer);
    requestUpdate(c, true, { x: 0, y: 0, w: 800, h: 600 });
    const rects = await readUpdate(c, 4);
    const inPad = rects.find((r) => contains(pad, r) && contains(r, { ...p, w: 1, h: 1 }));
    if (!inPad) throw new Error(`no pad rect in ${JSON.stringify(rects.map(({ data: _d, ...r }) => r))}`);
    expect(pixelAt(inPad, p.x, p.y, 4, false)).not.toBe(pixelAt(full, p.x, p.y, 4, false));
    // Everything sent is the pad, the status panel or the clock.
    const { clock } = demoLayout(800, 600);
    for (const r of rects) expect(contains(pad, r) || contains(status, r) || contains(clock, r), JSON.stringify(r)).toBe(true);
  });

  it('keeps serving a client that stops reading for a while (backpressure) and catches up', async () => {
    const c = await client();
    await handshake38(c);
    setPixelFormat(c, NOVNC_FORMAT);
    c.socket.pause();
    for (let i = 0; i < 12; i++) requestUpdate(c, false, { x: 0, y: 0, w: 800, h: 600 });
    await sleep(200);
    c.socket.resume();
    for (let i = 0; i < 12; i++) {
      const [r] = await readUpdate(c, 4, 5000);
      expect(r).toMatchObject({ w: 800, h: 600 });
    }
  });
});

describe('demo console robustness', () => {
  async function readyClient(): Promise<RawClient> {
    const c = await client();
    await handshake38(c);
    return c;
  }

  async function stillServes(): Promise<void> {
    const c = await client();
    await handshake38(c);
    requestUpdate(c, false, { x: 0, y: 0, w: 1, h: 1 });
    const [r] = await readUpdate(c, 4);
    expect(r).toMatchObject({ w: 1, h: 1 });
    c.destroy();
  }

  it('closes on an unknown message type and still serves a new client', async () => {
    const c = await readyClient();
    c.write(Buffer.from([99, 1, 2, 3, 4, 5, 6, 7]));
    expect(await c.closesWithin(3000)).toBe(true);
    await stillServes();
  });

  it('closes on a ClientCutText longer than 1 MiB without waiting for its text', async () => {
    const c = await readyClient();
    const head = Buffer.alloc(8);
    head.writeUInt8(6, 0);
    head.writeUInt32BE(MAX_CUT_TEXT + 1, 4);
    c.write(head);
    expect(await c.closesWithin(3000)).toBe(true);
    await stillServes();
  });

  it('skips a ClientCutText of allowed length, even in pieces, and keeps going', async () => {
    const c = await readyClient();
    const text = Buffer.alloc(300_000, 0x61);
    const head = Buffer.alloc(8);
    head.writeUInt8(6, 0);
    head.writeUInt32BE(text.length, 4);
    c.write(head);
    c.write(text.subarray(0, 1000));
    await sleep(20);
    c.write(text.subarray(1000));
    requestUpdate(c, false, { x: 0, y: 0, w: 2, h: 2 });
    const [r] = await readUpdate(c, 4);
    expect(r).toMatchObject({ w: 2, h: 2 });
  });

  it('closes on an impossible pixel format', async () => {
    const c = await readyClient();
    setPixelFormat(c, { ...NOVNC_FORMAT, bitsPerPixel: 24 });
    expect(await c.closesWithin(3000)).toBe(true);
    await stillServes();
  });

  it('clips update requests outside the screen', async () => {
    const c = await readyClient();
    requestUpdate(c, false, { x: 790, y: 590, w: 1000, h: 1000 });
    const [r] = await readUpdate(c, 4);
    expect(r).toMatchObject({ x: 790, y: 590, w: 10, h: 10 });
    requestUpdate(c, false, { x: 5000, y: 5000, w: 10, h: 10 });
    expect(await readUpdate(c, 4)).toEqual([]);
  });

  it('survives arbitrary bytes before and after the handshake (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 300 }), async (afterHandshake, junk) => {
        const c = await client();
        if (afterHandshake) await handshake38(c);
        else await c.read(12);
        c.write(junk);
        await sleep(5);
        c.destroy();
      }),
      { numRuns: 40 },
    );
    await stillServes();
  });

  it('closes a client that never finishes the handshake', async () => {
    const quick = await startDemoServer({ handshakeTimeoutMs: 150 });
    try {
      const c = await RawClient.open(quick.port);
      await c.read(12);
      expect(await c.closesWithin(2000)).toBe(true);
      await sleep(20);
      expect(quick.connections()).toBe(0);
    } finally {
      await quick.close();
    }
  });
});

describe('demo server lifecycle', () => {
  it('honours width, height and desktop name, and rejects silly sizes', async () => {
    const s = await startDemoServer({ width: 320, height: 240, desktopName: 'Lab VM ✓' });
    try {
      const c = await RawClient.open(s.port);
      const init = await handshake38(c);
      expect([init.width, init.height, init.name]).toEqual([320, 240, 'Lab VM ✓']);
      c.destroy();
    } finally {
      await s.close();
    }
    await expect(startDemoServer({ width: 0 })).rejects.toThrow(RangeError);
    await expect(startDemoServer({ height: 1.5 })).rejects.toThrow(RangeError);
  });

  it('close() ends every socket and timer and frees the port', async () => {
    const resources = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    const before = resources();
    const s = await startDemoServer();
    const a = await RawClient.open(s.port);
    const b = await RawClient.open(s.port);
    await handshake38(a);
    await b.read(12);
    expect(s.connections()).toBe(2);
    await s.close();
    expect(s.connections()).toBe(0);
    await Promise.all([a.closedPromise, b.closedPromise]);
    await s.close(); // idempotent
    const refused = await new Promise<string>((resolve) => {
      const probe = connect({ host: '127.0.0.1', port: s.port });
      probe.once('connect', () => {
        probe.destroy();
        resolve('connected');
      });
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await sleep(20);
    const after = resources();
    expect(after.TCPServerWrap ?? 0).toBeLessThanOrEqual(before.TCPServerWrap ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
  });

  it('counts connections and stops the clock when the last client leaves', async () => {
    const s = await startDemoServer();
    try {
      const a = await RawClient.open(s.port);
      await a.read(12);
      expect(s.connections()).toBe(1);
      a.destroy();
      await a.closedPromise;
      await sleep(50);
      expect(s.connections()).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe('demo internals', () => {
  it('renders the corner block and a clock that only redraws changed digits', () => {
    const w = 800;
    const h = 600;
    const fb = createFramebuffer(w, h);
    renderTestPattern(fb, w, h, { title: 'Porthole Demo', clockText: '12:34:56' });
    expect([...fb.subarray(0, 3)]).toEqual([...DEMO_CORNER_RGB]);
    const o = (63 * w + 63) * 4;
    expect([...fb.subarray(o, o + 3)]).toEqual([...DEMO_CORNER_RGB]);
    const { clock, clockCells } = demoLayout(w, h);
    const changed = drawClock(fb, w, h, '12:34:57', '12:34:56');
    expect(changed).toEqual(clockCells[7]);
    expect(drawClock(fb, w, h, '12:34:57', '12:34:57')).toBeNull();
    const several = drawClock(fb, w, h, '12:35:00', '12:34:57');
    expect(several && contains(clock, several)).toBe(true);
    expect(several?.x).toBe(clockCells[4]?.x);
    expect(formatClock(new Date(2024, 0, 1, 7, 8, 9))).toBe('07:08:09');
  });

  it('lays out small screens without drawing outside them', () => {
    for (const [w, h] of [
      [16, 16],
      [100, 80],
      [1920, 1080],
    ] as const) {
      const fb = createFramebuffer(w, h);
      expect(() => renderTestPattern(fb, w, h, { title: 'Porthole Demo', clockText: '00:00:00' })).not.toThrow();
      expect(fb.length).toBe(w * h * 4);
    }
  });

  it('converts colours exactly as the formula says for any valid true-colour format (property)', () => {
    const fb = createFramebuffer(1, 1);
    fc.assert(
      fc.property(
        fc.constantFrom(8, 16, 32),
        fc.boolean(),
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })),
        fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
        (bitsPerPixel, bigEndian, rgb, bits) => {
          const [rb, gb, bb] = bits;
          fc.pre(rb + gb + bb <= bitsPerPixel);
          const pf: PixelFormat = {
            bitsPerPixel,
            depth: rb + gb + bb,
            bigEndian,
            trueColour: true,
            redMax: 2 ** rb - 1,
            greenMax: 2 ** gb - 1,
            blueMax: 2 ** bb - 1,
            redShift: 0,
            greenShift: rb,
            blueShift: rb + gb,
          };
          fb.set([...rgb, 0]);
          const out = Buffer.alloc(4);
          const conv = createConverter(pf);
          const end = conv.encodeRect(fb, 1, { x: 0, y: 0, w: 1, h: 1 }, out, 0);
          expect(end).toBe(bitsPerPixel / 8);
          const rect = { x: 0, y: 0, w: 1, h: 1, encoding: 0, data: out };
          expect(pixelAt(rect, 0, 0, bitsPerPixel / 8, bigEndian)).toBe(expectedPixel(pf, rgb));
        },
      ),
    );
  });

  it('keeps the dirty region exact: what is taken plus what is kept covers every change (property)', () => {
    const rect = fc.record({ x: fc.integer({ min: 0, max: 60 }), y: fc.integer({ min: 0, max: 60 }), w: fc.integer({ min: 0, max: 30 }), h: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(rect, { maxLength: 30 }), rect, (changes, asked) => {
        const d = new DirtyRegion(8);
        for (const r of changes) d.add(r);
        const grid = (rs: Rect[]): Set<number> => {
          const s = new Set<number>();
          for (const r of rs) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) s.add(y * 100 + x);
          return s;
        };
        const before = grid(d.snapshot());
        for (const p of grid(changes)) expect(before.has(p)).toBe(true);
        const taken = d.take(asked);
        for (const r of taken) expect(contains(asked, r)).toBe(true);
        const covered = new Set([...grid(taken), ...grid(d.snapshot())]);
        for (const p of before) expect(covered.has(p)).toBe(true);
        for (const r of d.snapshot()) expect(isEmpty(r)).toBe(false);
        expect(d.touches(asked)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
