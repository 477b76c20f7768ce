// Every upstream kind against its real peer, and every upstream error code produced by a real
// situation: Xvnc, Debian's websockify (plain and TLS), a Nova-like gate, TLS servers with the
// wrong certificates, ports with nothing or something silent behind them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { closeCodeFor, type ErrorCode } from '../../app/errors.js';
import type { WebSocketTarget } from '../../app/console-target.js';
import { freePort } from '../fixtures/ports.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startHttpStatusServer, startSilentListener, startFloodServer, type FakeUpstream } from '../fixtures/fake-upstreams.js';
import { answerRfbNone, serveRfbNone } from '../fixtures/rfb-none.js';
import { startNovaGate, type NovaGate } from '../fixtures/nova-gate.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import { startXvnc, type Xvnc } from '../fixtures/xvnc.js';
import { startInProcessProxy, type InProcessProxy, type RendererClient } from '../fixtures/in-process-proxy.js';
import { startTlsFront } from '../fixtures/tls-front.js';
import { MAX_CHUNK_BYTES } from '../../main/proxy/read-buffers.js';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';

const peers = sharedPeers();
const banner = /^RFB 003\.00\d\n/;
let proxy: InProcessProxy;
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');

function ws(partial: Partial<WebSocketTarget> & Pick<WebSocketTarget, 'port'>): WebSocketTarget {
  return { kind: 'websocket', flavour: 'websockify', secure: false, host: '127.0.0.1', path: '/', query: [], ...partial };
}

async function expectClosedWith(client: RendererClient, code: ErrorCode): Promise<void> {
  const closed = await client.closed;
  expect({ code: closed.code, reason: closed.reason }).toEqual({ code: closeCodeFor[code], reason: code });
  await expect.poll(() => proxy.events.find((e) => e.sessionId === client.sessionId && e.state !== 'connecting' && e.state !== 'connected')?.error?.code).toBe(code);
}

beforeAll(async () => {
  proxy = await startInProcessProxy({ connectTimeoutMs: 1500 });
});
afterAll(async () => {
  await proxy.close();
});

describe('endpoint kinds against real peers', () => {
  it('websockify token endpoint (ws://): the RFB banner arrives and the session counts bytes', async () => {
    const client = await proxy.connect({ target: ws({ port: peers.websockify.port, token: peers.websockify.token }) });
    expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
    client.ws.close();
    await client.closed;
  });

  it('websockify over verified TLS (wss://, --ssl-only) with the profile CA', async () => {
    const client = await proxy.connect({
      target: ws({ secure: true, host: 'localhost', port: peers.websockifyTls.port, token: peers.websockifyTls.token }),
      tls: { allowInsecure: false, caPem },
    });
    expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
    client.ws.close();
  });

  it('direct VNC over TCP to Xvnc', async () => {
    const client = await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort } });
    expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
    client.ws.close();
  });

  it('VNC over TLS-wrapped TCP (a stunnel-like front of Xvnc)', async () => {
    const front = await startTlsFront(peers.pki.server, peers.xvnc.rfbPort);
    try {
      const client = await proxy.connect({ target: { kind: 'vnc-tcp', tls: true, host: 'localhost', port: front.port }, tls: { allowInsecure: false, caPem } });
      expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
      client.ws.close();
      await client.closed;
    } finally {
      await front.stop();
    }
  });

  describe('Nova-like gate', () => {
    let gate: NovaGate;
    const tokens = new Map<string, { host: string; port: number; expiresAt?: number }>();
    beforeAll(async () => {
      tokens.set('nova-good', { host: '127.0.0.1', port: peers.xvnc.rfbPort });
      tokens.set('nova-expired', { host: '127.0.0.1', port: peers.xvnc.rfbPort, expiresAt: Date.now() - 1000 });
      gate = await startNovaGate({ tokens });
    });
    afterAll(async () => gate.stop());

    it('token in the query', async () => {
      const client = await proxy.connect({ target: ws({ flavour: 'nova', port: gate.port, token: 'nova-good' }) });
      expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
      client.ws.close();
    });

    it('token in a cookie, for older consoles', async () => {
      const client = await proxy.connect({ target: ws({ flavour: 'nova', port: gate.port, token: 'nova-good', tokenIn: 'cookie' }) });
      expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
      client.ws.close();
    });

    it('sends no Origin by default, and a per-profile Origin override when a gateway demands one', async () => {
      const good = await proxy.connect({ target: ws({ flavour: 'nova', host: 'localhost', port: gate.port, token: 'nova-good' }), originOverride: 'https://localhost' });
      expect((await good.waitForBytes(12)).toString('latin1')).toMatch(banner);
      good.ws.close();
      // A wrong override is refused by the gate after the upgrade: reported as a closed session.
      const bad = await proxy.connect({ target: ws({ flavour: 'nova', host: 'localhost', port: gate.port, token: 'nova-good' }), originOverride: 'https://evil.example' });
      expect((await bad.closed).code).toBeGreaterThanOrEqual(4000);
    });

    it('an expired token → token-rejected-or-expired', async () => {
      await expectClosedWith(await proxy.connect({ target: ws({ flavour: 'nova', port: gate.port, token: 'nova-expired' }) }), 'token-rejected-or-expired');
    });
  });
});

describe('each upstream error code from a real situation', () => {
  const fakes: FakeUpstream[] = [];
  let ownWebsockify: Websockify;
  let ownXvnc: Xvnc;
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
    await ownWebsockify?.stop();
    await ownXvnc?.stop();
  });

  it('token-rejected-or-expired: a token not in websockify\'s token file', async () => {
    await expectClosedWith(await proxy.connect({ target: ws({ port: peers.websockify.port, token: 'not-in-the-file' }) }), 'token-rejected-or-expired');
  });

  it('dns-failed: a host name the resolver cannot resolve', async () => {
    // A 70-character label is refused by the system resolver itself (labels are at most 63), so the
    // lookup really fails through getaddrinfo without sending a query anywhere (checked with strace).
    const host = `${'a'.repeat(70)}.invalid`;
    await expectClosedWith(await proxy.connect({ target: ws({ host, port: 6080, token: 'x' }) }), 'dns-failed');
    await expectClosedWith(await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host, port: 5900 } }), 'dns-failed');
  });

  it('tcp-refused: a port with nothing listening', async () => {
    const port = await freePort();
    await expectClosedWith(await proxy.connect({ target: ws({ port, token: 'x' }) }), 'tcp-refused');
    await expectClosedWith(await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port } }), 'tcp-refused');
  });

  it('tcp-timeout: a listener that accepts and never speaks', async () => {
    const silent = await startSilentListener();
    fakes.push(silent);
    await expectClosedWith(await proxy.connect({ target: ws({ port: silent.port, token: 'x' }) }), 'tcp-timeout');
    await expectClosedWith(await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: silent.port } }), 'tcp-timeout');
  });

  it('ws-upgrade-rejected: the server answers the upgrade with HTTP 403', async () => {
    const forbidden = await startHttpStatusServer(403);
    fakes.push(forbidden);
    const client = await proxy.connect({ target: ws({ port: forbidden.port, token: 'x' }) });
    await expectClosedWith(client, 'ws-upgrade-rejected');
    expect(proxy.events.find((e) => e.sessionId === client.sessionId && e.error)?.error?.detail).toBe('HTTP 403');
  });

  it('tls-untrusted: a certificate from another CA', async () => {
    const other = await startWebsockify({ tokens: { t: `127.0.0.1:${peers.xvnc.rfbPort}` }, tls: peers.pki.otherServer, sslOnly: true });
    try {
      await expectClosedWith(await proxy.connect({ target: ws({ secure: true, host: 'localhost', port: other.port, token: 't' }), tls: { allowInsecure: false, caPem } }), 'tls-untrusted');
      // allowInsecure is an explicit per-profile choice: it connects, and says so in the log.
      const insecure = await proxy.connect({ target: ws({ secure: true, host: 'localhost', port: other.port, token: 't' }), tls: { allowInsecure: true } });
      expect((await insecure.waitForBytes(12)).toString('latin1')).toMatch(banner);
      insecure.ws.close();
      expect(proxy.logs()).toContain('TLS certificate verification is OFF');
    } finally {
      await other.stop();
    }
  });

  it('trust on first use: a pinned key is accepted even when no CA vouches for it', async () => {
    const other = await startWebsockify({ tokens: { t: `127.0.0.1:${peers.xvnc.rfbPort}` }, tls: peers.pki.otherServer, sslOnly: true });
    try {
      const client = await proxy.connect({
        target: ws({ secure: true, host: 'localhost', port: other.port, token: 't' }),
        tls: { allowInsecure: false, pinSha256: peers.pki.otherServer.spkiSha256 },
      });
      expect((await client.waitForBytes(12)).toString('latin1')).toMatch(banner);
      client.ws.close();
    } finally {
      await other.stop();
    }
  });

  it('tls-pin-mismatch: a pinned endpoint whose certificate changed is refused before the token is sent', async () => {
    const gateTokens = new Map([['pinned-token', { host: '127.0.0.1', port: peers.xvnc.rfbPort }]]);
    const gate = await startNovaGate({ tokens: gateTokens, tls: peers.pki.server });
    try {
      // The profile pinned the old key; the server now presents a rotated one.
      const pin = { allowInsecure: false, caPem, pinSha256: peers.pki.rotated.spkiSha256 };
      await expectClosedWith(await proxy.connect({ target: ws({ flavour: 'nova', secure: true, host: 'localhost', port: gate.port, token: 'pinned-token' }), tls: pin }), 'tls-pin-mismatch');
      expect(gate.accepted()).toBe(0); // no upgrade request, so no token, reached the server
      // The same check guards TLS-wrapped TCP.
      await expectClosedWith(await proxy.connect({ target: { kind: 'vnc-tcp', tls: true, host: 'localhost', port: gate.port }, tls: pin }), 'tls-pin-mismatch');
      // And the right pin connects.
      const good = await proxy.connect({
        target: ws({ flavour: 'nova', secure: true, host: 'localhost', port: gate.port, token: 'pinned-token' }),
        tls: { allowInsecure: false, pinSha256: peers.pki.server.spkiSha256 },
      });
      expect((await good.waitForBytes(12)).toString('latin1')).toMatch(banner);
      good.ws.close();
    } finally {
      await gate.stop();
    }
  });

  it('tls-hostname-mismatch: a trusted certificate for another host name', async () => {
    const wrong = await startWebsockify({ tokens: { t: `127.0.0.1:${peers.xvnc.rfbPort}` }, tls: peers.pki.wrongHost, sslOnly: true });
    try {
      await expectClosedWith(await proxy.connect({ target: ws({ secure: true, host: 'localhost', port: wrong.port, token: 't' }), tls: { allowInsecure: false, caPem } }), 'tls-hostname-mismatch');
    } finally {
      await wrong.stop();
    }
  });

  it('remote-closed: the VNC server is killed mid-session; the renderer hears within 1 s', async () => {
    ownXvnc = await startXvnc();
    ownWebsockify = await startWebsockify({ tokens: { t: `127.0.0.1:${ownXvnc.rfbPort}` } });
    const client = await proxy.connect({ target: ws({ port: ownWebsockify.port, token: 't' }) });
    await client.waitForBytes(12);
    const killedAt = Date.now();
    ownXvnc.process.child.kill('SIGKILL');
    const closed = await client.closed;
    expect(closed.at - killedAt).toBeLessThan(1000);
    expect(closed.reason).toBe('remote-closed');
  });

  it('idle-timeout: nothing moves for the idle time', async () => {
    const idle = await startInProcessProxy({ idleTimeoutMs: 300 });
    try {
      const silent = await startSilentListener();
      fakes.push(silent);
      const client = await idle.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort } });
      await client.waitForBytes(12);
      const closed = await client.closed;
      expect(closed.reason).toBe('idle-timeout');
    } finally {
      await idle.close();
    }
  });

  it('too-many-sessions: the cap is enforced with a clear error', async () => {
    const small = await startInProcessProxy({ maxSessions: 1 });
    try {
      await small.connect({ target: ws({ port: peers.websockify.port, token: peers.websockify.token }) });
      await expect(small.connect({ target: ws({ port: peers.websockify.port, token: peers.websockify.token }) })).rejects.toMatchObject({ code: 'too-many-sessions' });
    } finally {
      await small.close();
    }
  });
});

describe('relay integrity', () => {
  // Byte i of the stream; not periodic at any power of two, so a reused or misplaced buffer shows.
  const patternByte = (i: number): number => (i ^ (i >>> 8) ^ (i >>> 17) ^ Math.imul(i, 131)) & 0xff;

  async function startPatternSource(total: number): Promise<{ port: number; stop(): Promise<void> }> {
    // An RFB server (None) first: main answers the security handshake before relaying.
    const server = net.createServer((socket) => serveRfbNone(socket, () => {
      socket.on('error', () => undefined);
      let sent = 0;
      let size = 1;
      const pump = (): void => {
        while (sent < total) {
          size = (size * 7919 + 13) % (192 * 1024); // 0 … 192 KiB, varied
          const n = Math.min(total - sent, size + 1);
          const chunk = Buffer.allocUnsafe(n);
          for (let k = 0; k < n; k++) chunk[k] = patternByte(sent + k);
          sent += n;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      port: (server.address() as net.AddressInfo).port,
      stop: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  async function relayAndVerify(target: { kind: 'vnc-tcp'; tls: boolean; host: string; port: number }, total: number): Promise<void> {
    const client = await proxy.connect({ target, tls: { allowInsecure: false, caPem } });
    const socket = (client.ws as unknown as { _socket: net.Socket })._socket;
    await answerRfbNone(client.ws);
    let offset = 0;
    let mismatch = -1;
    client.ws.on('message', (data: Buffer) => {
      for (let k = 0; k < data.length && mismatch < 0; k++) if (data[k] !== patternByte(offset + k)) mismatch = offset + k;
      offset += data.length;
      // Now and then the renderer stops reading for a moment: backpressure and slab reuse kick in.
      if (offset % (5 * 1024 * 1024) < data.length) {
        socket.pause();
        setTimeout(() => socket.resume(), 30);
      }
    });
    await client.closed;
    expect(mismatch).toBe(-1);
    expect(offset).toBe(total);
  }

  it('relays 48 MiB byte-exact over plain TCP and over TLS, with the renderer pausing', async () => {
    const total = 48 * 1024 * 1024;
    const source = await startPatternSource(total);
    const front = await startTlsFront(peers.pki.server, source.port);
    try {
      await relayAndVerify({ kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: source.port }, total);
      await relayAndVerify({ kind: 'vnc-tcp', tls: true, host: 'localhost', port: front.port }, total);
    } finally {
      await front.stop();
      await source.stop();
    }
  }, 60_000);
});

describe('lifetimes', () => {
  it('1,000 open/close cycles return open file descriptors and sessions to the baseline', async () => {
    const { readdirSync } = await import('node:fs');
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const target = { kind: 'vnc-tcp' as const, tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort };
    // Warm up lazily opened handles before taking the baseline.
    const warm = await proxy.connect({ target });
    await warm.waitForBytes(12);
    warm.ws.close();
    await warm.closed;
    await expect.poll(() => proxy.sessions.count).toBe(0);
    const baseline = fds();
    for (let i = 0; i < 1000; i++) {
      const client = await proxy.connect({ target });
      await client.waitForBytes(12);
      client.ws.close();
      await client.closed;
    }
    await expect.poll(() => proxy.sessions.count, { timeout: 5000 }).toBe(0);
    await expect.poll(fds, { timeout: 5000 }).toBeLessThanOrEqual(baseline + 2);
  }, 60_000);
});

describe('renderer side of the relay', () => {
  it('refuses text frames (RFB is binary) with close code 1003', async () => {
    const client = await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort } });
    await client.waitForBytes(12);
    client.ws.send('hello');
    expect((await client.closed).code).toBe(1003);
  });

  it('refuses a renderer message over 1 MiB with 1009', async () => {
    const client = await proxy.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort } });
    await client.waitForBytes(12);
    client.ws.send(Buffer.alloc(1024 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('closing the renderer socket closes the upstream within 1 s', async () => {
    const gateTokens = new Map([['g', { host: '127.0.0.1', port: peers.xvnc.rfbPort }]]);
    const gate = await startNovaGate({ tokens: gateTokens });
    try {
      const client = await proxy.connect({ target: ws({ flavour: 'nova', port: gate.port, token: 'g' }) });
      await client.waitForBytes(12);
      expect(gate.connections()).toBe(1);
      client.ws.close();
      await expect.poll(() => gate.connections(), { timeout: 1000, interval: 20 }).toBe(0);
    } finally {
      await gate.stop();
    }
  });

  it('a renderer that stops reading while the upstream floods keeps buffered bytes near the cap', async () => {
    const hwm = 1024 * 1024;
    const limited = await startInProcessProxy({ highWaterMark: hwm });
    const flood = await startFloodServer(64 * 1024, { rfbNone: true });
    try {
      const client = await limited.connect({ target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: flood.port } });
      await answerRfbNone(client.ws);
      await expect.poll(() => flood.bytesWritten()).toBeGreaterThan(0);
      // Stop reading: the renderer's socket fills, the proxy must pause the upstream.
      (client.ws as unknown as { _socket: net.Socket })._socket.pause();
      const rssBefore = process.memoryUsage().rss;
      await new Promise((r) => setTimeout(r, 1500));
      const writtenEarly = flood.bytesWritten();
      await new Promise((r) => setTimeout(r, 1000));
      const [snapshot] = limited.sessions.stats();
      // The proxy never buffered more than the cap plus one relayed chunk towards the renderer.
      expect(snapshot!.peakBufferedToClient).toBeLessThanOrEqual(hwm + MAX_CHUNK_BYTES);
      // And the upstream really was paused: the flood server could barely write more.
      expect(flood.bytesWritten() - writtenEarly).toBeLessThan(16 * 1024 * 1024);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await limited.close();
      await flood.stop();
    }
  });
});

describe('messages towards a WebSocket console server', () => {
  /** A websockify-like server speaking RFB 3.8 / None in WebSocket messages; records every message from ClientInit on. */
  async function recordingConsoleServer(): Promise<{ port: number; messages: Buffer[]; close(): Promise<void> }> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const messages: Buffer[] = [];
    wss.on('connection', (socket: ServerSocket) => {
      let step = 0;
      socket.on('message', (data: Buffer) => {
        if (step === 0) socket.send(Buffer.from([1, 1])); // after the client's version: one type, None
        else if (step === 1) socket.send(Buffer.from([0, 0, 0, 0])); // after its choice: SecurityResult OK
        else messages.push(data); // from ClientInit on
        step++;
      });
      socket.send(Buffer.from('RFB 003.008\n'));
    });
    return {
      port: (wss.address() as net.AddressInfo).port,
      messages,
      close: () => new Promise((resolve) => wss.close(() => resolve())),
    };
  }

  it('small messages the renderer sends in one turn arrive as one message, in order; a large one is never merged', async () => {
    const server = await recordingConsoleServer();
    try {
      const client = await proxy.connect({ target: ws({ port: server.port }) });
      await answerRfbNone(client.ws);
      await expect.poll(() => server.messages.length).toBe(1); // ClientInit
      server.messages.length = 0;
      // noVNC's answer to a screen update: two fence replies and an update request, back to back.
      const fence = Buffer.from([248, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
      const request = Buffer.from([3, 1, 0, 0, 0, 0, 4, 0, 3, 0]);
      client.ws.send(fence);
      client.ws.send(fence);
      client.ws.send(request);
      await expect.poll(() => Buffer.concat(server.messages).length).toBe(30);
      expect(server.messages).toHaveLength(1);
      expect(server.messages[0]).toEqual(Buffer.concat([fence, fence, request]));
      // A pasted clipboard (ClientCutText) goes alone, between the small ones, in order.
      const paste = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0x40, 0]), Buffer.alloc(0x4000, 0x61)]);
      server.messages.length = 0;
      client.ws.send(fence);
      client.ws.send(paste);
      client.ws.send(request);
      await expect.poll(() => Buffer.concat(server.messages).length).toBe(20 + paste.length);
      expect(Buffer.concat(server.messages)).toEqual(Buffer.concat([fence, paste, request]));
      expect(server.messages.some((m) => m.equals(paste))).toBe(true);
      client.ws.close();
      await client.closed;
    } finally {
      await server.close();
    }
  });
});
