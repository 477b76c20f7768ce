// The built-in Demo console: a small RFB server (RFC 6143) on 127.0.0.1 showing a test pattern
// with a ticking clock, a drawing pad for the pointer and a status panel for keys. It speaks
// RFB 3.8, 3.7 and 3.3, security type None only, and the Raw encoding (plus the Cursor
// pseudo-encoding so the pointer is visible). Input is parsed from a byte accumulator; anything
// malformed closes that one connection. Nothing here throws out of an event handler.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { ByteQueue } from '../rfb/byte-queue.js';
import { parseVersionBanner } from '../rfb/handshake.js';
import { ARROW_CURSOR } from './cursor.js';
import { createConverter, readPixelFormat, SERVER_PIXEL_FORMAT, writePixelFormat, type PixelConverter } from './pixel-format.js';
import { DirtyRegion, intersect, isEmpty, union, type Rect } from './region.js';
import { clearPad, drawClock, drawStatus, drawStroke, formatClock, onPad, renderTestPattern, type Point } from './test-pattern.js';

export interface DemoServerOptions {
  width?: number;
  height?: number;
  desktopName?: string;
  /** Protocol errors are logged at debug level. */
  logger?: Logger;
  /** A client must finish the handshake within this time (default 10 s). */
  handshakeTimeoutMs?: number;
}

export interface DemoServer {
  port: number;
  host: '127.0.0.1';
  /** Stops listening, closes every connection and stops the clock. Idempotent. */
  close(): Promise<void>;
  /** Open connections, including ones still in the handshake. */
  connections(): number;
}

/** Longest ClientCutText accepted; a longer one closes the connection. */
export const MAX_CUT_TEXT = 1024 * 1024;
export const DEFAULT_DESKTOP_NAME = 'Porthole Demo';

const SECURITY_NONE = 1;
const ENCODING_RAW = 0;
const PSEUDO_CURSOR = -239;
const MIN_SIZE = 16;
const MAX_SIZE = 4096;
const MAX_NAME_BYTES = 1024;

type ClientState = 'version' | 'security' | 'init' | 'normal' | 'closed';

interface Client {
  readonly socket: Socket;
  readonly queue: ByteQueue;
  readonly dirty: DirtyRegion;
  state: ClientState;
  protocol: '3.3' | '3.7' | '3.8';
  converter: PixelConverter;
  /** A held incremental request: the area to update once something in it changes. */
  pending: Rect | null;
  wantsCursor: boolean;
  cursorSent: boolean;
  /** ClientCutText bytes still to discard. */
  skip: number;
  /** Reused output buffer, and whether a write still owns it. */
  out: Buffer | null;
  outBusy: boolean;
  /** Waiting for 'drain' before reading more. */
  paused: boolean;
  lastPoint: Point | null;
  buttons: number;
}

class ProtocolError extends Error {}

export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const width = opts.width ?? 800;
  const height = opts.height ?? 600;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < MIN_SIZE || v > MAX_SIZE) throw new RangeError(`demo ${name} must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${v}`);
  }
  const desktopName = opts.desktopName ?? DEFAULT_DESKTOP_NAME;
  const log = opts.logger;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;

  const screen: Rect = { x: 0, y: 0, w: width, h: height };
  const fb = Buffer.alloc(width * height * 4);
  let clockText = formatClock(new Date());
  const status = ['KEYS: TYPE SOMETHING', 'POINTER: -', 'CLIENTS: 0'];
  renderTestPattern(fb, width, height, { title: desktopName, clockText, statusLines: status });
  const serverInit = buildServerInit(width, height, desktopName);

  const clients = new Set<Client>();
  let closed = false;
  let closing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const debug = (msg: string, err?: unknown): void => {
    try {
      log?.debug({ err }, `demo console: ${msg}`);
    } catch {
      // Logging must never break the server.
    }
  };

  // ---- screen changes -------------------------------------------------------------------------

  const markDirty = (rect: Rect | null): void => {
    if (rect === null || isEmpty(rect)) return;
    for (const c of clients) {
      if (c.state !== 'normal') continue;
      c.dirty.add(rect);
      servicePending(c);
    }
  };

  const setStatus = (line: number, text: string): void => {
    if (status[line] === text) return;
    status[line] = text;
    markDirty(drawStatus(fb, width, height, status));
  };

  const updateClock = (): void => {
    const text = formatClock(new Date());
    if (text === clockText) return;
    const rect = drawClock(fb, width, height, text, clockText);
    clockText = text;
    markDirty(rect);
  };

  const scheduleTick = (): void => {
    if (timer !== null || closed) return;
    timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 2);
    timer.unref();
  };
  const tick = (): void => {
    timer = null;
    try {
      updateClock();
    } catch (err) {
      debug('clock update failed', err);
    }
    if (clients.size > 0) scheduleTick();
  };
  const stopTicking = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  // ---- output ---------------------------------------------------------------------------------

  const send = (c: Client, data: Uint8Array): void => {
    if (c.socket.destroyed || c.state === 'closed') return;
    c.socket.write(data);
  };

  /** A buffer of at least `size` bytes that no pending write still owns. */
  const outBuffer = (c: Client, size: number): Buffer => {
    if (c.out !== null && !c.outBusy && c.out.length >= size) return c.out;
    c.out = Buffer.allocUnsafe(Math.max(size, 4096));
    c.outBusy = false;
    return c.out;
  };

  const sendUpdate = (c: Client, rects: Rect[]): void => {
    if (c.socket.destroyed || c.state !== 'normal') return;
    const bpp = c.converter.bytesPerPixel;
    const withCursor = c.wantsCursor && !c.cursorSent;
    const cur = ARROW_CURSOR;
    let size = 4;
    for (const r of rects) size += 12 + r.w * r.h * bpp;
    if (withCursor) size += 12 + cur.width * cur.height * bpp + cur.mask.length;
    const out = outBuffer(c, size);
    out[0] = 0; // FramebufferUpdate
    out[1] = 0;
    out.writeUInt16BE(rects.length + (withCursor ? 1 : 0), 2);
    let o = 4;
    for (const r of rects) {
      o = writeRectHeader(out, o, r, ENCODING_RAW);
      o = c.converter.encodeRect(fb, width, r, out, o);
    }
    if (withCursor) {
      o = writeRectHeader(out, o, { x: cur.hotX, y: cur.hotY, w: cur.width, h: cur.height }, PSEUDO_CURSOR);
      for (const [r, g, b] of cur.pixels) o = writePixel(out, o, c.converter, c.converter.pixel(r, g, b));
      out.set(cur.mask, o);
      o += cur.mask.length;
      c.cursorSent = true;
    }
    const buf = out;
    c.outBusy = true;
    c.socket.write(buf.subarray(0, o), () => {
      if (c.out === buf) c.outBusy = false;
    });
  };

  const servicePending = (c: Client): void => {
    const area = c.pending;
    if (area === null || c.state !== 'normal' || c.socket.destroyed || c.socket.writableNeedDrain) return;
    const cursorDue = c.wantsCursor && !c.cursorSent;
    if (!cursorDue && !c.dirty.touches(area)) return;
    c.pending = null;
    sendUpdate(c, c.dirty.take(area));
  };

  // ---- input ----------------------------------------------------------------------------------

  const fail = (c: Client, why: string): void => {
    debug(`closing connection: ${why}`);
    c.state = 'closed';
    c.queue.clear();
    c.socket.destroy();
  };

  const onVersion = (c: Client): boolean => {
    if (c.queue.length < 12) return false;
    const v = parseVersionBanner(c.queue.view(12));
    c.queue.skip(12);
    if (v === null) throw new ProtocolError('not an RFB client');
    if (v.major !== 3) throw new ProtocolError(`unsupported RFB version ${v.major}.${v.minor}`);
    // RFC 6143 §7.1.1: minor versions other than 7 and 8 mean 3.3; higher ones mean our 3.8.
    c.protocol = v.minor >= 8 ? '3.8' : v.minor === 7 ? '3.7' : '3.3';
    if (c.protocol === '3.3') {
      const msg = Buffer.alloc(4);
      msg.writeUInt32BE(SECURITY_NONE, 0);
      send(c, msg);
      c.state = 'init';
    } else {
      send(c, Buffer.from([1, SECURITY_NONE]));
      c.state = 'security';
    }
    return true;
  };

  const onSecurity = (c: Client): boolean => {
    if (c.queue.length < 1) return false;
    const choice = c.queue.u8(0);
    c.queue.skip(1);
    if (choice !== SECURITY_NONE) {
      if (c.protocol === '3.8') {
        const reason = Buffer.from(`security type ${choice} is not offered`, 'utf8');
        const msg = Buffer.alloc(8 + reason.length);
        msg.writeUInt32BE(1, 0);
        msg.writeUInt32BE(reason.length, 4);
        reason.copy(msg, 8);
        c.socket.end(msg);
      } else {
        c.socket.destroy();
      }
      debug(`client chose security type ${choice}`);
      c.state = 'closed';
      c.queue.clear();
      c.socket.setTimeout(2000);
      return false;
    }
    if (c.protocol === '3.8') send(c, Buffer.from([0, 0, 0, 0])); // SecurityResult OK
    c.state = 'init';
    return true;
  };

  const onClientInit = (c: Client): boolean => {
    if (c.queue.length < 1) return false;
    c.queue.skip(1); // shared flag: every demo connection shares the one screen
    send(c, serverInit);
    c.state = 'normal';
    c.socket.setTimeout(0);
    c.dirty.add(screen);
    setStatus(2, `CLIENTS: ${countReady()}`);
    return true;
  };

  const onMessage = (c: Client): boolean => {
    const q = c.queue;
    if (q.length < 1) return false;
    const type = q.u8(0);
    switch (type) {
      case 0: {
        // SetPixelFormat
        if (q.length < 20) return false;
        const pf = readPixelFormat(q.view(20).subarray(4));
        if (typeof pf === 'string') throw new ProtocolError(pf);
        q.skip(20);
        c.converter = createConverter(pf);
        c.cursorSent = false;
        if (c.converter.colourMap) sendColourMap(c);
        return true;
      }
      case 2: {
        // SetEncodings
        if (q.length < 4) return false;
        const count = q.u16(2);
        const len = 4 + 4 * count;
        if (q.length < len) return false;
        let cursor = false;
        for (let i = 0; i < count; i++) if (q.s32(4 + 4 * i) === PSEUDO_CURSOR) cursor = true;
        q.skip(len);
        if (cursor && !c.wantsCursor) c.cursorSent = false;
        c.wantsCursor = cursor;
        return true;
      }
      case 3: {
        // FramebufferUpdateRequest
        if (q.length < 10) return false;
        const incremental = q.u8(1) !== 0;
        const area = intersect({ x: q.u16(2), y: q.u16(4), w: q.u16(6), h: q.u16(8) }, screen);
        q.skip(10);
        if (incremental) {
          c.pending = c.pending === null ? area : union(c.pending, area);
          servicePending(c);
        } else {
          c.dirty.discard(area);
          sendUpdate(c, isEmpty(area) ? [] : [area]);
        }
        return true;
      }
      case 4: {
        // KeyEvent
        if (q.length < 8) return false;
        const down = q.u8(1) !== 0;
        const keysym = q.u32(4);
        q.skip(8);
        setStatus(0, `KEY ${keysym.toString(16).toUpperCase().padStart(4, '0')} ${down ? 'DOWN' : 'UP'}`);
        return true;
      }
      case 5: {
        // PointerEvent
        if (q.length < 6) return false;
        const mask = q.u8(1);
        const p = { x: q.u16(2), y: q.u16(4) };
        q.skip(6);
        onPointer(c, mask, p);
        return true;
      }
      case 6: {
        // ClientCutText: read the length, then discard the text as it arrives.
        if (q.length < 8) return false;
        const len = q.u32(4);
        if (len > MAX_CUT_TEXT) throw new ProtocolError(`ClientCutText of ${len} bytes`);
        q.skip(8);
        c.skip = len;
        return true;
      }
      default:
        throw new ProtocolError(`unknown client message type ${type}`);
    }
  };

  const onPointer = (c: Client, mask: number, p: Point): void => {
    const pressed = mask & ~c.buttons;
    c.buttons = mask;
    if (pressed & 4) {
      markDirty(clearPad(fb, width, height));
      c.lastPoint = null;
    }
    if (mask & 1 && onPad(width, height, p)) {
      markDirty(drawStroke(fb, width, height, c.lastPoint, p));
      c.lastPoint = p;
    } else {
      c.lastPoint = null;
    }
    setStatus(1, `POINTER: ${p.x} ${p.y}${mask ? ` BUTTONS ${mask}` : ''}`);
  };

  const sendColourMap = (c: Client): void => {
    const map = c.converter.colourMap;
    if (!map) return;
    const msg = Buffer.alloc(6 + 6 * map.length);
    msg[0] = 1; // SetColourMapEntries
    msg.writeUInt16BE(0, 2);
    msg.writeUInt16BE(map.length, 4);
    map.forEach(([r, g, b], i) => {
      msg.writeUInt16BE(r, 6 + 6 * i);
      msg.writeUInt16BE(g, 8 + 6 * i);
      msg.writeUInt16BE(b, 10 + 6 * i);
    });
    send(c, msg);
  };

  const pump = (c: Client): void => {
    try {
      while (c.state !== 'closed' && !c.socket.destroyed) {
        if (c.skip > 0) {
          c.skip -= c.queue.skip(c.skip);
          if (c.skip > 0) return;
          continue;
        }
        if (c.socket.writableNeedDrain) {
          // The client is not reading its updates: stop reading its requests until it does.
          if (!c.paused) {
            c.paused = true;
            c.socket.pause();
          }
          return;
        }
        let progressed: boolean;
        switch (c.state) {
          case 'version':
            progressed = onVersion(c);
            break;
          case 'security':
            progressed = onSecurity(c);
            break;
          case 'init':
            progressed = onClientInit(c);
            break;
          default:
            progressed = onMessage(c);
        }
        if (!progressed) return;
      }
    } catch (err) {
      fail(c, err instanceof ProtocolError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const countReady = (): number => {
    let n = 0;
    for (const c of clients) if (c.state === 'normal') n++;
    return n;
  };

  // ---- connections ----------------------------------------------------------------------------

  const onConnection = (socket: Socket): void => {
    socket.on('error', (err) => debug('socket error', err));
    if (closed) {
      socket.destroy();
      return;
    }
    const c: Client = {
      socket,
      queue: new ByteQueue(1024),
      dirty: new DirtyRegion(),
      state: 'version',
      protocol: '3.8',
      converter: createConverter(SERVER_PIXEL_FORMAT),
      pending: null,
      wantsCursor: false,
      cursorSent: false,
      skip: 0,
      out: null,
      outBusy: false,
      paused: false,
      lastPoint: null,
      buttons: 0,
    };
    clients.add(c);
    try {
      socket.setNoDelay(true);
      socket.setTimeout(handshakeTimeoutMs);
    } catch (err) {
      debug('socket setup failed', err);
    }
    socket.on('timeout', () => {
      if (c.state !== 'normal') fail(c, 'handshake timed out');
    });
    socket.on('data', (chunk: Buffer) => {
      if (c.state === 'closed') return;
      try {
        c.queue.push(chunk);
      } catch (err) {
        fail(c, `buffering failed: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      pump(c);
    });
    socket.on('drain', () => {
      if (c.paused) {
        c.paused = false;
        socket.resume();
      }
      pump(c);
      servicePending(c);
    });
    socket.on('close', () => {
      const wasReady = c.state === 'normal';
      c.state = 'closed';
      c.out = null;
      clients.delete(c);
      if (clients.size === 0) stopTicking();
      if (wasReady && !closed) {
        try {
          setStatus(2, `CLIENTS: ${countReady()}`);
        } catch (err) {
          debug('status update failed', err);
        }
      }
    });
    if (clients.size === 1) {
      updateClock();
      scheduleTick();
    }
    send(c, Buffer.from('RFB 003.008\n', 'latin1'));
  };

  const server: Server = createServer((socket) => {
    try {
      onConnection(socket);
    } catch (err) {
      debug('connection setup failed', err);
      socket.destroy();
    }
  });
  server.on('error', (err) => debug('server error', err));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error('demo console: could not read the listening port');
  }

  const close = (): Promise<void> => {
    if (closing) return closing;
    closed = true;
    stopTicking();
    closing = new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const c of clients) {
        c.state = 'closed';
        c.socket.destroy();
      }
      clients.clear();
    });
    return closing;
  };

  return {
    port: address.port,
    host: '127.0.0.1',
    close,
    connections: () => clients.size,
  };
}

function writeRectHeader(out: Buffer, o: number, r: Rect, encoding: number): number {
  out.writeUInt16BE(r.x, o);
  out.writeUInt16BE(r.y, o + 2);
  out.writeUInt16BE(r.w, o + 4);
  out.writeUInt16BE(r.h, o + 6);
  out.writeInt32BE(encoding, o + 8);
  return o + 12;
}

function writePixel(out: Buffer, o: number, conv: PixelConverter, p: number): number {
  const big = conv.format.bigEndian;
  switch (conv.bytesPerPixel) {
    case 1:
      out[o] = p & 255;
      return o + 1;
    case 2:
      if (big) out.writeUInt16BE(p & 0xffff, o);
      else out.writeUInt16LE(p & 0xffff, o);
      return o + 2;
    default:
      if (big) out.writeUInt32BE(p >>> 0, o);
      else out.writeUInt32LE(p >>> 0, o);
      return o + 4;
  }
}

function buildServerInit(width: number, height: number, desktopName: string): Buffer {
  let name = Buffer.from(desktopName, 'utf8');
  if (name.length > MAX_NAME_BYTES) name = name.subarray(0, MAX_NAME_BYTES);
  const msg = Buffer.alloc(24 + name.length);
  msg.writeUInt16BE(width, 0);
  msg.writeUInt16BE(height, 2);
  writePixelFormat(SERVER_PIXEL_FORMAT, msg, 4);
  msg.writeUInt32BE(name.length, 20);
  name.copy(msg, 24);
  return msg;
}
