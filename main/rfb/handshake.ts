// The client side of the first RFB handshake steps (RFC 6143 §7.1), for diagnostics and tests:
// parse the server's version banner, answer it, and read which security types the server offers.
// Everything here tolerates arbitrary bytes: parsers return null or a typed result, never throw.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ByteQueue } from './byte-queue.js';

export interface RfbVersion {
  major: number;
  minor: number;
}

/** The handshake flavour a client speaks after reading the server's banner. */
export type RfbProtocol = '3.3' | '3.7' | '3.8';

/** Security type count of 0 is followed by a reason; longer reasons than this are treated as junk. */
export const MAX_REASON_LENGTH = 64 * 1024;

const BANNER_LENGTH = 12;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** Parses exactly 12 bytes "RFB xxx.yyy\n" (decimal digits); anything else gives null. */
export function parseVersionBanner(buf: Uint8Array): RfbVersion | null {
  if (buf.length !== BANNER_LENGTH) return null;
  if (buf[0] !== 0x52 || buf[1] !== 0x46 || buf[2] !== 0x42 || buf[3] !== 0x20) return null;
  if (buf[7] !== 0x2e || buf[11] !== 0x0a) return null;
  let major = 0;
  let minor = 0;
  for (let i = 4; i < 7; i++) {
    const b = buf[i];
    if (!isDigit(b)) return null;
    major = major * 10 + ((b ?? 0x30) - 0x30);
  }
  for (let i = 8; i < 11; i++) {
    const b = buf[i];
    if (!isDigit(b)) return null;
    minor = minor * 10 + ((b ?? 0x30) - 0x30);
  }
  return { major, minor };
}

/** "RFB 003.008\n" for { major: 3, minor: 8 }; components are clamped to 0..999. */
export function formatVersionBanner(v: RfbVersion): string {
  const part = (n: number): string => String(Math.min(999, Math.max(0, Math.trunc(n)))).padStart(3, '0');
  return `RFB ${part(v.major)}.${part(v.minor)}\n`;
}

/**
 * The protocol a client should speak with a server that announced `v` (RFC 6143 §7.1.1: unknown
 * 3.x minors behave like 3.3; later 3.x like 3.8). RealVNC's 4.x/5.x banners accept 3.8 too.
 * Returns null for versions no RFB 3.x client can talk to.
 */
export function negotiateProtocol(v: RfbVersion): RfbProtocol | null {
  if (v.major === 3) {
    if (v.minor >= 8) return '3.8';
    if (v.minor === 7) return '3.7';
    return '3.3';
  }
  if (v.major === 4 || v.major === 5) return '3.8';
  return null;
}

/** The banner a client sends for each protocol. */
export const protocolVersion: Readonly<Record<RfbProtocol, RfbVersion>> = {
  '3.3': { major: 3, minor: 3 },
  '3.7': { major: 3, minor: 7 },
  '3.8': { major: 3, minor: 8 },
};

export type SecurityTypesParse =
  /** `length` is how many bytes the message took. */
  | { kind: 'types'; types: number[]; length: number }
  | { kind: 'failure'; reason: string; length: number }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; detail: string };

function readReason(buf: Uint8Array, at: number, maxReasonLength: number): SecurityTypesParse {
  if (buf.length < at + 4) return { kind: 'incomplete' };
  const len = (((buf[at] ?? 0) << 24) | ((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)) >>> 0;
  if (len > maxReasonLength) return { kind: 'invalid', detail: `failure reason of ${len} bytes is too long` };
  if (buf.length < at + 4 + len) return { kind: 'incomplete' };
  const reason = Buffer.from(buf.buffer, buf.byteOffset + at + 4, len).toString('utf8');
  return { kind: 'failure', reason, length: at + 4 + len };
}

/**
 * Parses the RFB 3.7/3.8 security-types message from the front of `buf`: a count byte and that
 * many type bytes, or count 0 followed by a u32 length and a UTF-8 reason. Extra bytes after the
 * message are ignored (see `length`).
 */
export function parseSecurityTypes(buf: Uint8Array, maxReasonLength = MAX_REASON_LENGTH): SecurityTypesParse {
  if (buf.length < 1) return { kind: 'incomplete' };
  const count = buf[0] ?? 0;
  if (count === 0) return readReason(buf, 1, maxReasonLength);
  if (buf.length < 1 + count) return { kind: 'incomplete' };
  return { kind: 'types', types: Array.from(buf.subarray(1, 1 + count)), length: 1 + count };
}

/** Parses the RFB 3.3 security message: a u32 type chosen by the server, 0 meaning failure + reason. */
export function parseSecurityType33(buf: Uint8Array, maxReasonLength = MAX_REASON_LENGTH): SecurityTypesParse {
  if (buf.length < 4) return { kind: 'incomplete' };
  const type = (((buf[0] ?? 0) << 24) | ((buf[1] ?? 0) << 16) | ((buf[2] ?? 0) << 8) | (buf[3] ?? 0)) >>> 0;
  if (type === 0) return readReason(buf, 4, maxReasonLength);
  return { kind: 'types', types: [type], length: 4 };
}

const securityNames: ReadonlyMap<number, string> = new Map([
  [0, 'Invalid'],
  [1, 'None'],
  [2, 'VNC authentication'],
  [5, 'RA2'],
  [6, 'RA2ne'],
  [16, 'Tight'],
  [17, 'Ultra'],
  [18, 'TLS'],
  [19, 'VeNCrypt'],
  [20, 'SASL'],
  [21, 'MD5 hash'],
  [22, 'xvp'],
  [30, 'Apple Remote Desktop'],
  [113, 'MS-Logon II'],
  [129, 'Unix login'],
]);

/** A human name for an RFB security type number, e.g. 2 → "VNC authentication". */
export function securityTypeName(n: number): string {
  const known = securityNames.get(n);
  if (known !== undefined) return known;
  if (n >= 3 && n <= 15) return `RealVNC (${n})`;
  if (n >= 31 && n <= 35) return `Apple (${n})`;
  if (n >= 128 && n <= 255) return `RealVNC (${n})`;
  return `Unknown (${n})`;
}

export type RfbGreetingError =
  /** Nothing (or not enough) arrived in time. */
  | 'timeout'
  /** The peer closed the connection early. */
  | 'closed'
  /** A socket error, e.g. ECONNREFUSED; `detail` carries the code. */
  | 'io-error'
  /** The first 12 bytes are not an RFB banner: probably not a VNC server. */
  | 'not-rfb'
  /** An RFB banner with a version no RFB 3.x client can speak. */
  | 'unsupported-version'
  /** The security message is malformed. */
  | 'protocol-error'
  /** The server offered no security types and gave a reason (e.g. too many attempts). */
  | 'refused';

export type RfbGreeting =
  | {
      ok: true;
      serverVersion: RfbVersion;
      protocol: RfbProtocol;
      securityTypes: number[];
      /** Bytes that came after the security message (a 3.3 server's VNC challenge follows at once). */
      rest: Buffer;
    }
  | {
      ok: false;
      error: RfbGreetingError;
      detail: string;
      serverVersion?: RfbVersion;
      /** The server's own words, when it refused. */
      reason?: string;
    };

/**
 * Reads a server's banner from `socket`, answers with the highest version both speak (3.8 for
 * modern servers), and reads the offered security types (3.3 servers name a single one).
 * Resolves, never rejects. It does not close the socket: the caller owns it. When done the socket
 * is paused, this function's listeners are removed, and a no-op 'error' listener stays behind so
 * a late socket error cannot crash the process.
 */
export function readRfbGreeting(socket: Duplex, timeoutMs: number): Promise<RfbGreeting> {
  return new Promise<RfbGreeting>((resolve) => {
    const queue = new ByteQueue(256);
    let serverVersion: RfbVersion | null = null;
    let protocol: RfbProtocol | null = null;
    let done = false;

    const finish = (result: RfbGreeting): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      // A late error after we are done must not become an uncaught exception if the caller
      // has not attached its own listener yet.
      socket.on('error', ignore);
      try {
        socket.pause();
      } catch {
        // Ignored: a destroyed stream may refuse.
      }
      resolve(result);
    };
    const fail = (error: RfbGreetingError, detail: string, reason?: string): void => {
      finish({ ok: false, error, detail, ...(serverVersion ? { serverVersion } : {}), ...(reason !== undefined ? { reason } : {}) });
    };

    const step = (): void => {
      if (serverVersion === null) {
        if (queue.length < BANNER_LENGTH) return;
        const banner = queue.view(BANNER_LENGTH);
        const v = parseVersionBanner(banner);
        if (v === null) {
          fail('not-rfb', `not an RFB banner: ${JSON.stringify(banner.toString('latin1'))}`);
          return;
        }
        serverVersion = v;
        queue.skip(BANNER_LENGTH);
        protocol = negotiateProtocol(v);
        if (protocol === null) {
          fail('unsupported-version', `server speaks RFB ${v.major}.${v.minor}`);
          return;
        }
        try {
          socket.write(formatVersionBanner(protocolVersion[protocol]));
        } catch (err) {
          fail('io-error', err instanceof Error ? err.message : String(err));
          return;
        }
      }
      if (protocol === null) return;
      const parsed = protocol === '3.3' ? parseSecurityType33(queue.view(queue.length)) : parseSecurityTypes(queue.view(queue.length));
      switch (parsed.kind) {
        case 'incomplete':
          return;
        case 'invalid':
          fail('protocol-error', parsed.detail);
          return;
        case 'failure':
          fail('refused', `server refused the connection: ${parsed.reason}`, parsed.reason);
          return;
        case 'types':
          finish({
            ok: true,
            serverVersion: serverVersion ?? { major: 3, minor: 8 },
            protocol,
            securityTypes: parsed.types,
            rest: Buffer.from(queue.view(queue.length).subarray(parsed.length)),
          });
          return;
      }
    };

    const onData = (chunk: unknown): void => {
      if (done) return;
      try {
        if (typeof chunk === 'string') queue.push(Buffer.from(chunk, 'latin1'));
        else if (chunk instanceof Uint8Array) queue.push(chunk);
        else return;
        step();
      } catch (err) {
        fail('protocol-error', err instanceof Error ? err.message : String(err));
      }
    };
    const onEnd = (): void => {
      if (serverVersion === null && queue.length === 0) fail('closed', 'the server closed the connection without saying anything');
      else fail('closed', 'the server closed the connection during the handshake');
    };
    const onError = (err: Error): void => {
      const code = (err as NodeJS.ErrnoException).code;
      fail('io-error', code ? `${code}: ${err.message}` : err.message);
    };
    const timer = setTimeout(() => {
      fail('timeout', serverVersion === null ? `no RFB banner within ${timeoutMs} ms` : `no security types within ${timeoutMs} ms`);
    }, Math.max(1, Number.isFinite(timeoutMs) ? timeoutMs : 1));

    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    if (socket.destroyed) fail('closed', 'the socket is already closed');
  });
}

function ignore(): void {}

/** Connects to host:port, reads the RFB greeting, and closes the connection. Never rejects. */
export async function probeRfbServer(host: string, port: number, timeoutMs: number): Promise<RfbGreeting> {
  let socket;
  try {
    socket = connect({ host, port });
  } catch (err) {
    return { ok: false, error: 'io-error', detail: err instanceof Error ? err.message : String(err) };
  }
  socket.on('error', ignore);
  try {
    return await readRfbGreeting(socket, timeoutMs);
  } finally {
    socket.destroy();
  }
}
