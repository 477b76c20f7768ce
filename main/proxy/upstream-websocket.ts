// Upstream over WebSocket: Nova's novncproxy, websockify token endpoints, Proxmox vncwebsocket.
// Nova and websockify accept a bad or expired token with a 101 and then drop the connection
// without a byte: a close before any data is therefore reported as token-rejected-or-expired.
import { WebSocket, type ClientOptions } from 'ws';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { quoteServerText } from '../../app/server-text.js';
import { upstreamWebSocketUrl, type WebSocketTarget } from '../../app/console-target.js';
import { classifyRequestError, classifyUpstreamError } from './classify-error.js';
import { pinnedTlsConnection, tlsOptionsFor, type TlsPolicy } from './tls-policy.js';
import { failedUpstream, MAX_UPSTREAM_MESSAGE_BYTES, type UpstreamHandlers, type UpstreamLimits, type UpstreamPipe } from './upstream.js';

export interface WebSocketUpstreamOptions {
  limits: UpstreamLimits;
  tls: TlsPolicy;
  /** Sent only when a profile overrides it; Nova expects no Origin from non-browser clients. */
  origin?: string;
  /** Extra headers (some secret, from the keychain). */
  headers?: Record<string, string>;
}

/** Renderer messages up to this size, sent in one turn, are merged into one upstream message. */
const MERGE_BELOW_BYTES = 4096;

export function connectWebSocket(target: WebSocketTarget, options: WebSocketUpstreamOptions, h: UpstreamHandlers): UpstreamPipe {
  const headers: Record<string, string> = { ...options.headers };
  if (target.token !== undefined && target.tokenIn === 'cookie') headers.Cookie = `token=${encodeURIComponent(target.token)}`;

  const pinned = target.secure && options.tls.pinSha256 !== undefined;
  let ws: WebSocket;
  try {
    ws = new WebSocket(upstreamWebSocketUrl(target), ['binary'], {
      // ws passes these to Node's https/tls; its typings still describe an older checkServerIdentity.
      ...((target.secure ? tlsOptionsFor(target.host, options.tls) : {}) as ClientOptions),
      // ws types createConnection as synchronous; Node's http client also accepts the callback form used here.
      ...(pinned ? { createConnection: pinnedTlsConnection(options.tls) as unknown as typeof import('node:net').createConnection } : {}),
      handshakeTimeout: options.limits.connectTimeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
      // One message may sit whole in memory before it is relayed: keep it to what the buffer cap allows.
      maxPayload: MAX_UPSTREAM_MESSAGE_BYTES,
      headers,
      ...(options.origin ? { origin: options.origin } : {}),
    });
  } catch (err) {
    // Node's HTTP client throws synchronously on a header or Origin it cannot send (a control
    // character, a bad name) and ws on a malformed URL: this session fails, nothing else.
    return failedUpstream(h, classifyRequestError(err));
  }
  ws.binaryType = 'nodebuffer';

  let opened = false;
  let sawData = false;
  let broke = false;
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
    if (failure) return;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // ws's own protocol checks (a message over maxPayload, a bad frame): the server misbehaved.
    broke = code.startsWith('WS_ERR_');
    if (!broke) failure = classifyUpstreamError(err);
    else if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') failure = makeError('remote-closed', `the console server sent a message over ${MAX_UPSTREAM_MESSAGE_BYTES} bytes`);
    else failure = makeError('remote-closed', `the console server broke the WebSocket protocol (${code})`);
  });
  ws.on('close', (code: number, reason: Buffer) => {
    // A connection dropped before the first byte — a reset in place of the 101 (websockify 0.10),
    // or a close right after it (Nova) — is how these servers refuse a bad or expired token.
    const dropped = !sawData && !broke && (failure === undefined ? opened : failure.code === 'remote-closed');
    // The server's own close reason is its words: quoted, never trusted.
    const said = reason.length > 0 ? `: the server said ${quoteServerText(reason.toString('utf8'))}` : '';
    if (dropped && target.flavour !== 'proxmox') finish(makeError('token-rejected-or-expired', said ? `closed (${code})${said}` : undefined));
    else if (failure) finish(failure);
    else if (!sawData) finish(makeError('remote-closed', `closed before the console started${said}`));
    else if (said) finish(makeError('remote-closed', `closed (${code})${said}`));
    else finish(undefined);
  });

  // What the renderer sends in one event-loop turn (noVNC's fence replies and update request, about
  // 30 bytes per screen update) leaves as one message: one frame for the server to parse, one
  // syscall. Large messages (a pasted clipboard) are never merged, so no message grows past its own size.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const sendPending = (): void => {
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    if (chunks.length === 0 || ws.readyState !== WebSocket.OPEN) return; // closing: the relay learns it from 'close'
    // On its own tick, outside the session's guarded callbacks: a throw ends this connection, never the process.
    try {
      ws.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { binary: true }, onSent);
    } catch {
      failure ??= makeError('internal', 'the console connection failed inside Porthole');
      ws.terminate();
    }
  };

  return {
    write(chunk) {
      if (chunk.length > MERGE_BELOW_BYTES) {
        sendPending();
        ws.send(chunk, { binary: true }, onSent);
      } else {
        if (pending.length === 0) process.nextTick(sendPending);
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
      if (ws.bufferedAmount + pendingBytes >= options.limits.highWaterMark) full = true;
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
