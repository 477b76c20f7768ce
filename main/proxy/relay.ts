// Bridges the renderer's WebSocket and an upstream pipe, both ways, with backpressure: when one
// side reads slower than the other writes, the source is paused, so at most about highWaterMark
// bytes are buffered per direction. Frames are handed over as they come: no copies, and the
// per-frame callbacks are allocated once per relay, not per frame.
import { WebSocket, type RawData } from 'ws';
import { closeCodeFor, makeError, type PortholeErrorShape } from '../../app/errors.js';
import type { UpstreamHandlers, UpstreamPipe } from './upstream.js';

export type RelayState = 'connecting' | 'connected' | 'closed' | 'failed';

export interface RelayCounters {
  bytesIn: number; // upstream → renderer
  bytesOut: number; // renderer → upstream
  /** Largest number of bytes seen buffered towards the renderer (for limits tests and diagnostics). */
  peakBufferedToClient: number;
}

export interface RelayOptions {
  highWaterMark: number;
  /** Closed without traffic either way for this long → idle-timeout (0 = never). */
  idleTimeoutMs: number;
  onState(state: RelayState, error?: PortholeErrorShape): void;
}

const MAX_EARLY_BYTES = 1024 * 1024;

export class Relay {
  readonly counters: RelayCounters = { bytesIn: 0, bytesOut: 0, peakBufferedToClient: 0 };
  private upstream: UpstreamPipe | undefined;
  private upstreamOpen = false;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private upstreamPaused = false;
  private ended = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private forceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: WebSocket,
    connect: (handlers: UpstreamHandlers) => UpstreamPipe,
    private readonly options: RelayOptions,
  ) {
    // Socket and upstream events call in here: a throw in anything they reach ends this session
    // ('internal'), never the process. One wrapper per relay, none per frame.
    client.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onClientMessage(data, isBinary);
      } catch {
        this.crashed();
      }
    });
    client.on('close', this.onClientClose);
    client.on('error', this.onClientClose);
    options.onState('connecting');
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        try {
          fn(...args);
        } catch {
          this.crashed();
        }
      };
    try {
      this.upstream = connect({
        open: guard(this.onUpstreamOpen),
        data: (chunk: Buffer) => {
          try {
            this.onUpstreamData(chunk);
          } catch {
            this.crashed();
          }
        },
        drain: guard(this.onUpstreamDrain),
        closed: guard(this.onUpstreamClosed),
      });
    } catch {
      this.crashed();
    }
    if (options.idleTimeoutMs > 0) {
      this.idleTimer = setInterval(this.checkIdle, Math.min(options.idleTimeoutMs, 5000));
      this.idleTimer.unref();
    }
  }

  /** Ends the session from our side (tab closed, app quitting). */
  close(error?: PortholeErrorShape): void {
    this.finish(error, true);
  }

  private readonly onClientMessage = (data: RawData, isBinary: boolean): void => {
    if (!isBinary) {
      this.finish(makeError('bad-request', 'text frames are not accepted; RFB is binary'), true, 1003);
      return;
    }
    const chunk = data as Buffer;
    this.counters.bytesOut += chunk.length;
    this.lastActivity = Date.now();
    if (!this.upstreamOpen) {
      this.earlyBytes += chunk.length;
      if (this.earlyBytes > MAX_EARLY_BYTES) {
        this.finish(makeError('bad-request', 'too much data before the console connected'), true);
        return;
      }
      this.early.push(chunk);
      return;
    }
    if (!this.upstream!.write(chunk)) this.client.pause();
  };

  private readonly onClientClose = (): void => {
    this.finish(undefined, false);
  };

  private readonly onUpstreamOpen = (): void => {
    this.upstreamOpen = true;
    for (const chunk of this.early) this.upstream!.write(chunk);
    this.early = [];
    this.options.onState('connected');
  };

  private readonly onUpstreamData = (chunk: Buffer): void => {
    if (this.client.readyState !== WebSocket.OPEN) {
      this.upstream!.release();
      return;
    }
    this.counters.bytesIn += chunk.length;
    this.lastActivity = Date.now();
    this.client.send(chunk, { binary: true }, this.onClientFlushed);
    const buffered = this.client.bufferedAmount;
    if (buffered > this.counters.peakBufferedToClient) this.counters.peakBufferedToClient = buffered;
    if (!this.upstreamPaused && buffered >= this.options.highWaterMark) {
      this.upstreamPaused = true;
      this.upstream!.pause();
    }
  };

  // Called by ws once per send, in order, when the chunk has been written (or the socket failed).
  private readonly onClientFlushed = (): void => {
    try {
      this.upstream!.release();
      if (this.upstreamPaused && !this.ended && this.client.bufferedAmount < this.options.highWaterMark / 2) {
        this.upstreamPaused = false;
        this.upstream!.resume();
      }
    } catch {
      this.crashed();
    }
  };

  /** Something on this session's path threw: end it as an internal error, whatever state it is in. */
  private crashed(): void {
    const error = makeError('internal', 'the console connection failed inside Porthole');
    try {
      this.finish(error, true);
      return;
    } catch {
      // finish itself threw part way: do the minimum that still ends the session.
    }
    this.ended = true;
    try {
      this.client.terminate();
      this.options.onState('failed', error);
    } catch {
      // Nothing more can be done from here.
    }
  }

  private readonly onUpstreamDrain = (): void => {
    if (!this.ended) this.client.resume();
  };

  private readonly onUpstreamClosed = (error: PortholeErrorShape | undefined): void => {
    this.upstreamOpen = false;
    this.finish(error ?? makeError('remote-closed'), true);
  };

  private readonly checkIdle = (): void => {
    if (Date.now() - this.lastActivity >= this.options.idleTimeoutMs) this.finish(makeError('idle-timeout'), true);
  };

  private finish(error: PortholeErrorShape | undefined, closeClient: boolean, closeCode?: number): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.idleTimer);
    this.upstream?.close();
    if (closeClient && (this.client.readyState === WebSocket.OPEN || this.client.readyState === WebSocket.CONNECTING)) {
      // A 4xxx code and the error code as reason, so noVNC and the UI can say what happened.
      const code = closeCode ?? (error ? closeCodeFor[error.code] : 1000);
      this.client.close(code, error?.code ?? 'closed');
      this.forceTimer = setTimeout(() => this.client.terminate(), 1000);
      this.forceTimer.unref();
      this.client.once('close', () => clearTimeout(this.forceTimer));
    }
    this.options.onState(error && error.code !== 'remote-closed' ? 'failed' : 'closed', error);
  }
}
