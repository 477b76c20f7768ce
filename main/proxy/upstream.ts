// The relay's view of an upstream connection, whatever carries it (WebSocket, TCP, TLS).
import type { Socket } from 'node:net';
import type { PortholeErrorShape } from '../../app/errors.js';

export interface UpstreamHandlers {
  /** The upstream is connected and the byte stream may flow. */
  open(): void;
  /** Bytes from the upstream. The buffer is handed over, not copied. */
  data(chunk: Buffer): void;
  /** The upstream accepted what was buffered; a paused source may resume. */
  drain(): void;
  /** Called exactly once. `error` undefined means an orderly close after the session was established. */
  closed(error: PortholeErrorShape | undefined): void;
}

export interface UpstreamPipe {
  /** Sends bytes upstream; false means "pause your source until drain()". */
  write(chunk: Buffer): boolean;
  pause(): void;
  resume(): void;
  /** Orderly close (a close frame / FIN), forced after a short grace. */
  close(): void;
  /**
   * The oldest chunk handed to `data()` has been written to the renderer (or dropped), so the
   * pipe may reuse its memory. Called exactly once per chunk, in order.
   */
  release(): void;
  /**
   * Plain TCP upstreams only: the socket itself, for starting TLS on it natively (VeNCrypt), after
   * any bytes already read have been handed over. The TLS socket then reads the connection; the
   * pipe still reports its close. Undefined where the stream is not a bare TCP socket.
   */
  detachSocket?(): Socket | undefined;
}

export interface UpstreamLimits {
  connectTimeoutMs: number;
  /** Bytes buffered towards the upstream before the source is paused. */
  highWaterMark: number;
  /** WebSocket ping interval for detecting dead peers (0 = off). */
  pingIntervalMs: number;
}

/** At most this much is buffered per session and direction. */
export const BUFFER_CAP_BYTES = 4 * 1024 * 1024;
/** The largest single message either way: a renderer message (capped at 1 MiB) or a relayed chunk (≤ 512 KiB). */
const LARGEST_MESSAGE_BYTES = 1024 * 1024;
/** The largest WebSocket message accepted from an upstream (RFB servers send far smaller ones); larger fails the session. */
export const MAX_UPSTREAM_MESSAGE_BYTES = LARGEST_MESSAGE_BYTES;

export const defaultLimits: UpstreamLimits = {
  connectTimeoutMs: 10_000,
  // Sources pause at this mark; the one message in flight when it is crossed stays within the cap.
  highWaterMark: BUFFER_CAP_BYTES - LARGEST_MESSAGE_BYTES,
  pingIntervalMs: 30_000,
};

/**
 * A pipe for a connection that could not even be started (a connector threw): it reports
 * `error` on the next turn, after the relay holds the pipe, and ignores everything else.
 */
export function failedUpstream(h: UpstreamHandlers, error: PortholeErrorShape): UpstreamPipe {
  setImmediate(() => h.closed(error));
  const nothing = (): undefined => undefined;
  return { write: () => false, pause: nothing, resume: nothing, close: nothing, release: nothing };
}

/**
 * The handlers a connector calls from its socket events, made safe: the first throw (in whatever
 * they reach: a security stage, the relay) is handed to `failed`, and every later call is dropped.
 */
export function guardedHandlers(h: UpstreamHandlers, failed: (err: unknown) => void): UpstreamHandlers {
  let broken = false;
  const run = (fn: () => void): void => {
    if (broken) return;
    try {
      fn();
    } catch (err) {
      broken = true;
      failed(err);
    }
  };
  return {
    open: () => run(() => h.open()),
    data: (chunk) => run(() => h.data(chunk)),
    drain: () => run(() => h.drain()),
    closed: (error) => run(() => h.closed(error)),
  };
}
