// VeNCrypt's TLS runs on the same byte stream the handshake started on, whatever carries it
// (TCP, TLS-wrapped TCP, or WebSocket messages): a Duplex over the upstream pipe, and Node's TLS
// on top of that. X509 subtypes verify the server certificate with the session's TLS policy
// (system store + profile CA, or the profile's pin; "allow insecure" only when the profile says
// so) against the target host; anonymous subtypes need aNULL cipher suites, which Electron's
// BoringSSL lacks: anonymousTlsAvailable() finds out at run time.
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { checkPin, tlsOptionsFor, type TlsPolicy } from '../../proxy/tls-policy.js';
import type { UpstreamPipe } from '../../proxy/upstream.js';

const ANONYMOUS_CIPHERS = 'aNULL:@SECLEVEL=0';
const PIPE_HIGH_WATER_MARK = 1024 * 1024;

let anonymous: boolean | undefined;

/** Whether this runtime's TLS library can negotiate anonymous (unauthenticated) cipher suites. */
export function anonymousTlsAvailable(): boolean {
  if (anonymous === undefined) {
    try {
      tls.createSecureContext({ ciphers: ANONYMOUS_CIPHERS, maxVersion: 'TLSv1.2' });
      anonymous = true;
    } catch {
      anonymous = false;
    }
  }
  return anonymous;
}

/** A Duplex whose bytes are an upstream pipe's: writes go to the pipe, the pipe's data is pushed. */
export class PipeDuplex extends Duplex {
  private pendingWrite: ((error?: Error | null) => void) | undefined;
  private paused = false;

  constructor(private readonly upstream: UpstreamPipe) {
    // Room for a whole relayed chunk (up to 512 KiB), so the pipe is not paused and resumed per chunk.
    super({ allowHalfOpen: false, readableHighWaterMark: PIPE_HIGH_WATER_MARK, writableHighWaterMark: PIPE_HIGH_WATER_MARK });
  }

  /** Bytes from the pipe (copied: the pipe may reuse its buffer once released). */
  receive(chunk: Buffer): void {
    const ok = this.push(Buffer.from(chunk));
    this.upstream.release();
    if (!ok && !this.paused) {
      this.paused = true;
      this.upstream.pause();
    }
  }

  drained(): void {
    const done = this.pendingWrite;
    this.pendingWrite = undefined;
    done?.();
  }

  ended(): void {
    this.push(null);
  }

  override _read(): void {
    if (this.paused) {
      this.paused = false;
      this.upstream.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.upstream.write(chunk)) done();
    else this.pendingWrite = done;
  }

  override _final(done: (error?: Error | null) => void): void {
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.drained();
    done(error);
  }
}

export interface TlsUpgradeOptions {
  host: string;
  policy: TlsPolicy;
  anonymous: boolean;
}

/** Starts TLS over `stream`; 'secureConnect' (after the pin check) calls `ready`, failures call `failed`. */
export function upgradeToTls(stream: Duplex, options: TlsUpgradeOptions, ready: () => void, failed: (err: Error) => void): tls.TLSSocket {
  const base: tls.ConnectionOptions = options.anonymous
    ? {
        // No certificate to verify: the session says "encrypted, server not verified".
        ciphers: ANONYMOUS_CIPHERS,
        maxVersion: 'TLSv1.2',
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      }
    : { ...tlsOptionsFor(options.host, options.policy), host: options.host };
  // A large buffer for decrypted bytes: the relay reads them in batches (see security-stage.ts).
  // Node's TLSSocket honours highWaterMark; its typings omit it.
  const connectOptions: tls.ConnectionOptions & { highWaterMark: number } = { ...base, socket: stream, highWaterMark: PIPE_HIGH_WATER_MARK };
  const socket = tls.connect(connectOptions);
  socket.once('secureConnect', () => {
    const mismatch = options.anonymous ? undefined : checkPin(socket, options.policy);
    if (mismatch) {
      failed(mismatch);
      return;
    }
    ready();
  });
  socket.on('error', failed);
  return socket;
}
