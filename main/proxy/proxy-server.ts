// The loopback console proxy: listens on 127.0.0.1 only and upgrades a request to a WebSocket
// only when it carries a valid single-use ticket, the app's Origin and a loopback Host. Every
// refusal is an HTTP 4xx written before any upgrade: never a 101.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeCodeFor } from '../../app/errors.js';
import type { Logger } from '../log/logger.js';
import { handshakeProblem, IDLE_SOCKET_MS, loopbackServerOptions, refuseOnSocket } from '../http-hygiene.js';
import { admitUpgrade } from './admission.js';
import { TicketBook } from './tickets.js';

export interface ProxyServerOptions {
  appOrigin: string;
  logger: Logger;
  ticketTtlMs?: number;
  /** Largest renderer → proxy message; RFB client messages are small. */
  maxClientMessage?: number;
  /** Called when a renderer socket was admitted for the session the ticket was issued to. */
  onAdmitted(sessionId: string, socket: WebSocket): void;
}

export class LoopbackProxy {
  private readonly tickets: TicketBook<string>;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Duplex>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: ProxyServerOptions,
  ) {
    this.tickets = new TicketBook<string>(options.ticketTtlMs ?? 30_000);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxClientMessage ?? 1024 * 1024,
      perMessageDeflate: false,
      clientTracking: false,
      // noVNC offers "binary" (older builds) or nothing; answer with what it asked for.
      handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      try {
        this.onUpgrade(req, socket, head);
      } catch (err) {
        // Nothing a client sends may end the process: this request fails alone.
        this.options.logger.error({ err }, 'proxy upgrade failed');
        socket.destroy();
      }
    });
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' }).end('not-a-websocket\n');
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) refuseOnSocket(socket, 400, 'bad-request');
      else socket.destroy();
    });
  }

  static async start(options: ProxyServerOptions): Promise<LoopbackProxy> {
    const server = http.createServer(loopbackServerOptions);
    server.setTimeout(IDLE_SOCKET_MS);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
    });
    return new LoopbackProxy(server, options);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The renderer's URL for a session: single use, valid for ticketTtlMs. */
  issueUrl(sessionId: string): string {
    return `ws://127.0.0.1:${this.port}/session/${this.tickets.issue(sessionId)}`;
  }

  revoke(sessionId: string): void {
    this.tickets.revoke((id) => id === sessionId);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const problem = handshakeProblem(req);
    if (problem) {
      this.options.logger.warn({ code: 'bad-request', status: 400, problem }, 'proxy refused a malformed handshake');
      refuseOnSocket(socket, 400, 'bad-request');
      return;
    }
    const admission = admitUpgrade(req.url, req.headers, { port: this.port, origin: this.options.appOrigin });
    if (!admission.ok) {
      this.options.logger.warn({ code: admission.code, status: admission.status }, 'proxy refused a connection');
      refuseOnSocket(socket, admission.status, admission.code);
      return;
    }
    if (!this.tickets.peek(admission.ticket)) {
      this.options.logger.warn({ code: 'ticket-invalid', status: 403 }, 'proxy refused a connection: unknown, used or expired ticket');
      refuseOnSocket(socket, 403, 'ticket-invalid');
      return;
    }
    // Redeemed only once ws has accepted the handshake, so a malformed request never burns a ticket.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sessionId = this.tickets.redeem(admission.ticket);
      if (sessionId === undefined) {
        ws.close(1008, 'ticket-invalid');
        return;
      }
      // A throw here would escape into the HTTP server's event and end the process: it ends this socket only.
      try {
        this.options.onAdmitted(sessionId, ws);
      } catch (err) {
        this.options.logger.error({ sessionId, err }, 'starting a session failed');
        ws.close(closeCodeFor.internal, 'internal');
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.wss.close();
  }
}
