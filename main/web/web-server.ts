// The browser-mode server: serves the built renderer and the contract's WebSocket on 127.0.0.1.
// Every request must carry our Host; every response is either the renderer, the launch exchange
// (the renderer with this browser's key, never a redirect elsewhere), a styled sign-in page, or a 4xx.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { PortholeCore } from '../core-types.js';
import { contentSecurityPolicy } from '../csp.js';
import { API_PROTOCOL, KEY_META_NAME } from '../../app/browser-mode.js';
import { BrowserAuth } from './browser-auth.js';
import { authPage, authPageCsp, type AuthPageReason } from './auth-pages.js';
import { MemoryIdentityStore, type IdentityStore } from './identity-store.js';
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

function denyWithPage(res: http.ServerResponse, reason: AuthPageReason, launchTtlSeconds: number, head: boolean): void {
  const body = Buffer.from(authPage(reason, launchTtlSeconds));
  res.writeHead(403, { ...baseHeaders, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length), 'Content-Security-Policy': authPageCsp });
  res.end(head ? undefined : body);
}

/** The renderer's page with this browser's key in a meta tag, for the page to move into localStorage. */
function withKey(index: StaticFile, key: string): Buffer {
  const html = index.body.toString('utf8');
  const at = html.indexOf('<head>');
  const end = at === -1 ? 0 : at + '<head>'.length;
  return Buffer.from(`${html.slice(0, end)}\n    <meta name="${KEY_META_NAME}" content="${key}" />${html.slice(end)}`);
}


export interface WebServer {
  readonly port: number;
  readonly auth: BrowserAuth;
  /** Connects the core once it has started (it needs our origin first). */
  attachCore(core: PortholeCore): void;
  close(): Promise<void>;
}

export interface WebServerOptions {
  port: number;
  files: Map<string, StaticFile>;
  /** Where let-in browsers are remembered (default: memory only). */
  identities?: IdentityStore;
  launchTtlMs?: number;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
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
  // Names this run of the server, so that a page that reconnects can tell a restart (new console
  // proxy port, so it must reload) from a dropped socket. Not a secret.
  const runId = randomUUID();
  const auth = new BrowserAuth((server.address() as AddressInfo).port, options.identities ?? new MemoryIdentityStore(), options.launchTtlMs);
  // The key rides in a second offered subprotocol; the answer names only "porthole", never the key.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024, perMessageDeflate: false, handleProtocols: () => API_PROTOCOL });
  let core: PortholeCore | undefined;

  const htmlHeaders = (): Record<string, string> => ({
    'Content-Type': 'text/html; charset=utf-8',
    ...(core ? { 'Content-Security-Policy': contentSecurityPolicy([`ws://${auth.host}`, `ws://127.0.0.1:${core.proxyPort}`]) } : {}),
  });

  const handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (hasDuplicateHost(req)) return deny(res, 400, 'bad request');
    if (!auth.hostOk(req.headers) || !auth.originOk(req.headers, false)) return deny(res, 403, 'forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    // The raw path, not a parsed URL: "//host/x" must not fold into "/" (or anything else).
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    const head = req.method === 'HEAD';
    const index = options.files.get('/index.html');
    if (pathname === '/' && query.has('launch') && index) {
      const launches = query.getAll('launch');
      const grant = launches.length === 1 ? auth.redeem(launches[0]!) : undefined;
      if (grant) {
        const body = withKey(index, grant.key);
        res.writeHead(200, { ...baseHeaders, ...htmlHeaders(), 'Content-Length': String(body.length), 'Set-Cookie': grant.setCookie });
        res.end(head ? undefined : body);
        return;
      }
      // A used link in a browser that is already in (a reload, a bookmark) just opens the app.
      if (!auth.hasCookie(req.headers)) return denyWithPage(res, 'launch-used', auth.launchTtlSeconds, head);
    }
    if (!auth.hasCookie(req.headers)) {
      if (pathname === '/' || pathname === '/index.html') return denyWithPage(res, 'not-signed-in', auth.launchTtlSeconds, head);
      return deny(res, 403, 'open Porthole with a launch link from its terminal');
    }
    const file = options.files.get(pathname);
    if (!file) return deny(res, 404, 'not found');
    const headers: Record<string, string> = { ...baseHeaders, 'Content-Type': file.type, 'Content-Length': String(file.body.length), 'X-Porthole-Run': runId };
    if (file.type.startsWith('text/html')) Object.assign(headers, htmlHeaders());
    res.writeHead(200, headers);
    res.end(head ? undefined : file.body);
  };
  // Nothing thrown while answering one request may take the process (and every console) down.
  server.on('request', (req, res) => {
    try {
      handleRequest(req, res);
    } catch {
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    }
  });

  const handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (handshakeProblem(req)) return refuseOnSocket(socket, 400);
    if (!auth.hostOk(req.headers) || !auth.originOk(req.headers, true) || !auth.apiAllowed(req.headers)) return refuseOnSocket(socket, 403);
    if (req.url !== '/api' || !core) return refuseOnSocket(socket, 404);
    const c = core;
    wss.handleUpgrade(req, socket, head, (ws) => serveApiSocket(ws, c));
  };
  server.on('upgrade', (req, socket, head) => {
    try {
      handleUpgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
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
