// The browser-mode server: serves the built renderer and the contract's WebSocket on 127.0.0.1.
// Every request must carry our Host; every response is either the renderer, the cookie
// exchange (a redirect to "/" on this same origin, never elsewhere), or a 4xx.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { PortholeCore } from '../core-types.js';
import { contentSecurityPolicy } from '../csp.js';
import { BrowserAuth } from './browser-auth.js';
import { serveApiSocket } from './api-socket.js';
import type { StaticFile } from './static-files.js';
import { handshakeProblem, hasDuplicateHost, IDLE_SOCKET_MS, loopbackServerOptions, refuseOnSocket } from '../http-hygiene.js';

const baseHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function deny(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end(`${text}\n`);
}


export interface WebServer {
  readonly port: number;
  readonly auth: BrowserAuth;
  /** Connects the core once it has started (it needs our origin first). */
  attachCore(core: PortholeCore): void;
  close(): Promise<void>;
}

export async function startWebServer(options: { port: number; files: Map<string, StaticFile> }): Promise<WebServer> {
  const server = http.createServer(loopbackServerOptions);
  server.setTimeout(IDLE_SOCKET_MS);
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port, exclusive: true }, () => resolve());
  });
  const auth = new BrowserAuth((server.address() as AddressInfo).port);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024, perMessageDeflate: false });
  let core: PortholeCore | undefined;

  server.on('request', (req, res) => {
    if (hasDuplicateHost(req)) return deny(res, 400, 'bad request');
    if (!auth.hostOk(req.headers) || !auth.originOk(req.headers, false)) return deny(res, 403, 'forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    // The raw path, not a parsed URL: "//host/x" must not fold into "/" (or anything else).
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    if (pathname === '/' && query.has('launch')) {
      if (!auth.isLaunch(query.get('launch'))) return deny(res, 403, 'this launch link is not valid; use the URL Porthole printed');
      // Relative, same-origin redirect that drops the secret from the address bar.
      res.writeHead(303, { ...baseHeaders, 'Set-Cookie': auth.setCookieHeader(), Location: '/' });
      return res.end();
    }
    if (!auth.hasCookie(req.headers)) return deny(res, 403, 'open Porthole with the URL it printed in the terminal');
    const file = options.files.get(pathname);
    if (!file) return deny(res, 404, 'not found');
    const headers: Record<string, string> = { ...baseHeaders, 'Content-Type': file.type, 'Content-Length': String(file.body.length) };
    if (file.type.startsWith('text/html') && core) {
      headers['Content-Security-Policy'] = contentSecurityPolicy([`ws://${auth.host}`, `ws://127.0.0.1:${core.proxyPort}`]);
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  server.on('upgrade', (req, socket, head) => {
    if (handshakeProblem(req)) return refuseOnSocket(socket, 400);
    if (!auth.hostOk(req.headers) || !auth.originOk(req.headers, true) || !auth.hasCookie(req.headers)) return refuseOnSocket(socket, 403);
    if (req.url !== '/api' || !core) return refuseOnSocket(socket, 404);
    const c = core;
    wss.handleUpgrade(req, socket, head, (ws) => serveApiSocket(ws, c));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) refuseOnSocket(socket, 400);
    else socket.destroy();
  });

  return {
    port: auth.port,
    auth,
    attachCore(c) {
      core = c;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      wss.close();
    },
  };
}
