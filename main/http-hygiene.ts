// HTTP hygiene shared by Porthole's two loopback servers (the console proxy and browser mode):
// limits that close slow or idle clients, and the request checks Node and ws leave to us.
import { STATUS_CODES, type IncomingMessage, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/** Header size cap, and timeouts checked every second (Node's default check runs every 30 s). */
export const loopbackServerOptions: ServerOptions = {
  maxHeaderSize: 8 * 1024,
  headersTimeout: 5000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1000,
};

/** Idle sockets (no request, or a request never finished) are closed after this; upgraded sockets are not affected. */
export const IDLE_SOCKET_MS = 5000;

type RequestLike = Pick<IncomingMessage, 'httpVersion' | 'rawHeaders' | 'headers'>;

/** RFC 9112 §3.2: a request with more than one Host header must be refused with 400. */
export function hasDuplicateHost(req: Pick<IncomingMessage, 'rawHeaders'>): boolean {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  return hosts > 1;
}

/** What RFC 6455 §4.2.1 requires of an upgrade that ws does not check itself; the problem, or undefined. */
export function handshakeProblem(req: RequestLike): string | undefined {
  if (req.httpVersion !== '1.1') return 'not HTTP/1.1';
  if (hasDuplicateHost(req)) return 'more than one Host header';
  const version = req.headers['sec-websocket-version'];
  if (version !== undefined && version !== '13') return 'not WebSocket version 13';
  return undefined;
}

/**
 * Answers on a raw socket (an upgrade or a malformed request, where there is no response object)
 * and closes it. With a code, the body and an X-Porthole-Error header name it.
 */
export function refuseOnSocket(socket: Duplex, status: number, code?: string): void {
  const body = code === undefined ? '' : `${code}\n`;
  const extra = code === undefined ? '' : `Content-Type: text/plain\r\nX-Porthole-Error: ${code}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}
