// Upstream over WebSocket: Nova's novncproxy, websockify token endpoints, Proxmox vncwebsocket.
// Nova and websockify accept a bad or expired token with a 101 and then drop the connection
// without a byte: a close before any data is therefore reported as token-rejected-or-expired.
import { WebSocket } from 'ws';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { upstreamWebSocketUrl, type WebSocketTarget } from '../../app/console-target.js';
import { classifyUpstreamError } from './classify-error.js';
import { pinnedTlsConnection, tlsOptionsFor, type TlsPolicy } from './tls-policy.js';
import type { UpstreamHandlers, UpstreamLimits, UpstreamPipe } from './upstream.js';

export interface WebSocketUpstreamOptions {
  limits: UpstreamLimits;
  tls: TlsPolicy;
  /** Sent only when a profile overrides it; Nova expects no Origin from non-browser clients. */
  origin?: string;
  /** Extra headers (some secret, from the keychain). */
  headers?: Record<string, string>;
}

export function connectWebSocket(target: WebSocketTarget, options: WebSocketUpstreamOptions, h: UpstreamHandlers): UpstreamPipe {
  const headers: Record<string, string> = { ...options.headers };
  if (target.token !== undefined && target.tokenIn === 'cookie') headers.Cookie = `token=${encodeURIComponent(target.token)}`;

  const pinned = target.secure && options.tls.pinSha256 !== undefined;
  const ws = new WebSocket(upstreamWebSocketUrl(target), ['binary'], {
    ...(target.secure ? tlsOptionsFor(target.host, options.tls) : {}),
    // ws types createConnection as synchronous; Node's http client also accepts the callback form used here.
    ...(pinned ? { createConnection: pinnedTlsConnection(options.tls) as unknown as typeof import('node:net').createConnection } : {}),
    handshakeTimeout: options.limits.connectTimeoutMs,
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: 64 * 1024 * 1024,
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
  });
  ws.binaryType = 'nodebuffer';

  let opened = false;
  let sawData = false;
  let failure: PortholeErrorShape | undefined;
  let finished = false;
  let full = false;
  let alive = true;
  let pingTimer: NodeJS.Timeout | undefined;
  let forceTimer: NodeJS.Timeout | undefined;

  const finish = (error: PortholeErrorShape | undefined): void => {
    if (finished) return;
    finished = true;
    clearInterval(pingTimer);
    clearTimeout(forceTimer);
    h.closed(error);
  };
  // One callback for every send: no closure per frame.
  const onSent = (): void => {
    if (full && ws.bufferedAmount < options.limits.highWaterMark / 2) {
      full = false;
      h.drain();
    }
  };

  ws.on('open', () => {
    opened = true;
    if (options.limits.pingIntervalMs > 0) {
      pingTimer = setInterval(() => {
        if (!alive) {
          failure ??= makeError('remote-closed', 'the console server stopped answering');
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, options.limits.pingIntervalMs);
      pingTimer.unref();
    }
    h.open();
  });
  ws.on('pong', () => {
    alive = true;
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    alive = true;
    if (!isBinary) return; // RFB is binary; websockify never sends text.
    sawData = true;
    h.data(data);
  });
  ws.on('unexpected-response', (req, res) => {
    failure = makeError('ws-upgrade-rejected', `HTTP ${res.statusCode ?? '?'}`);
    res.resume();
    req.destroy();
    finish(failure);
  });
  ws.on('error', (err) => {
    failure ??= classifyUpstreamError(err);
  });
  ws.on('close', () => {
    // A connection dropped before the first byte — a reset in place of the 101 (websockify 0.10),
    // or a close right after it (Nova) — is how these servers refuse a bad or expired token.
    const dropped = !sawData && (failure === undefined ? opened : failure.code === 'remote-closed');
    if (dropped && target.flavour !== 'proxmox') finish(makeError('token-rejected-or-expired'));
    else if (failure) finish(failure);
    else if (!sawData) finish(makeError('remote-closed', 'closed before the console started'));
    else finish(undefined);
  });

  return {
    write(chunk) {
      ws.send(chunk, { binary: true }, onSent);
      if (ws.bufferedAmount >= options.limits.highWaterMark) full = true;
      return !full;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    // Messages are buffers ws allocated for us; nothing to recycle.
    release: () => undefined,
    close() {
      if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
        return;
      }
      ws.close(1000);
      forceTimer = setTimeout(() => ws.terminate(), 1000);
      forceTimer.unref();
    }
  };
}
