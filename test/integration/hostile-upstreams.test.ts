// Attacks through a session's own inputs and its upstream, against Porthole's real proxy and
// session manager running in a child process of their own (test/fixtures/hostile/proxy-child.ts):
// a crafted request whose header or Origin Node refuses to send (this used to end the process),
// hostile WebSocket and RFB servers that send huge messages, flood a renderer that does not read,
// or write 64 KiB of control characters as their "reason". Every attack fails with a typed error
// for its own session; the process stays up; a console opened before the first attack (through
// websockify to Xvnc) keeps answering; no secret reaches the logs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeFor, type ErrorCode } from '../../app/errors.js';
import type { TcpTarget, WebSocketTarget } from '../../app/console-target.js';
import { defaultSessionLimits, type SessionRequest } from '../../main/sessions.js';
import { BUFFER_CAP_BYTES } from '../../main/proxy/upstream.js';
import { runDiagnostics } from '../../main/diagnostics/run-diagnostics.js';
import { formatReport } from '../../main/diagnostics/format-report.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { ConsoleClient, rfbHandshake } from '../fixtures/hostile/liveness.js';
import { CHILD_APP_ORIGIN, ProxyProcess } from '../fixtures/hostile/proxy-process.js';
import { startHostileCertificateServer, startHostileRfb, startHostileWebSocket, type HostileServer } from '../fixtures/hostile/upstreams.js';

const peers = sharedPeers();
const MIB = 1024 * 1024;
const SECRET = 'hostile-secret-7f3a9c';
const CALLER = 'attacker-window';

let proxy: ProxyProcess;
let parallel: ConsoleClient;

function request(target: SessionRequest['target'], extra: Partial<SessionRequest> = {}): SessionRequest {
  return { callerId: CALLER, title: 'hostile', displayAddress: 'hostile server', tls: { allowInsecure: false }, warnings: [], target, ...extra };
}

function websockify(extra: Partial<WebSocketTarget> = {}): WebSocketTarget {
  return { kind: 'websocket', flavour: 'websockify', secure: false, host: '127.0.0.1', port: peers.websockify.port, path: '/', query: [], token: peers.websockify.token, ...extra };
}

function ws(port: number, secure = false): WebSocketTarget {
  return { kind: 'websocket', flavour: 'websockify', secure, host: '127.0.0.1', port, path: '/', query: [], token: SECRET };
}

function tcp(port: number, useTls = false): TcpTarget {
  return { kind: 'vnc-tcp', tls: useTls, host: '127.0.0.1', port };
}

const caPem = (): string => readFileSync(peers.pki.ca.certPath, 'utf8');

/** The shared console still answers: a full-screen update request brings new bytes. */
async function parallelConsoleWorks(): Promise<void> {
  const before = parallel.received().length;
  parallel.send([3, 0, 0, 0, 0, 0, 0, 8, 0, 8]);
  await parallel.waitForBytes(before + 4, 5000);
}

/** Opens a session for `req`, connects a renderer-like socket and returns how both ends saw the session end. */
async function attack(req: SessionRequest, handshake = false): Promise<{ code: ErrorCode | undefined; detail: string | undefined; closeCode: number }> {
  const { sessionId, wsUrl } = await proxy.open(req);
  const client = await ConsoleClient.open(wsUrl, CHILD_APP_ORIGIN);
  if (handshake) await rfbHandshake(client);
  const [closed, event] = await Promise.all([client.closed, proxy.ended(sessionId, 15_000)]);
  return { code: event.error?.code, detail: event.error?.detail, closeCode: closed.code };
}

beforeAll(async () => {
  proxy = await ProxyProcess.start();
  const { wsUrl } = await proxy.open(request(websockify(), { callerId: 'bystander-window' }));
  parallel = await ConsoleClient.open(wsUrl, CHILD_APP_ORIGIN);
  await rfbHandshake(parallel);
}, 30_000);

afterAll(async () => {
  parallel?.close();
  await proxy?.stop();
});

describe('a crafted session request cannot end the process (issue 12, item 4)', () => {
  const cases: Array<[string, Partial<SessionRequest>, ErrorCode]> = [
    ['a header value with CR LF (header injection)', { headers: { 'X-Forwarded-For': `1.2.3.4\r\nX-Injected: ${SECRET}` } }, 'upstream-request-invalid'],
    ['a header value with a NUL', { headers: { Authorization: `PVEAPIToken=${SECRET}\u0000` } }, 'upstream-request-invalid'],
    ['a header value outside Latin-1', { headers: { 'X-Note': `${SECRET}\u0100` } }, 'upstream-request-invalid'],
    ['a header name with a space and a colon', { headers: { 'X Bad: yes': SECRET } }, 'upstream-request-invalid'],
    ['an Origin override with a line break', { originOverride: `https://gate.example\nX-Injected: ${SECRET}` }, 'upstream-request-invalid'],
  ];
  for (const [name, extra, code] of cases) {
    it(`${name}: ${code} for that session, the process stays up, the parallel console works`, async () => {
      const outcome = await attack(request(websockify(), extra));
      expect(outcome.code).toBe(code);
      expect(outcome.closeCode).toBe(closeCodeFor[code]);
      expect(outcome.detail ?? '').not.toContain(SECRET);
      expect(proxy.alive, proxy.errorOutput).toBe(true);
      await parallelConsoleWorks();
    });
  }

  it('a TCP port out of range: url-invalid for that session only', async () => {
    const outcome = await attack(request(tcp(70_000)));
    expect(outcome.code).toBe('url-invalid');
    expect(proxy.alive, proxy.errorOutput).toBe(true);
    await parallelConsoleWorks();
  });

  it('a host that makes the WebSocket URL malformed: url-invalid for that session only', async () => {
    const outcome = await attack(request(websockify({ host: 'bad host/x' })));
    expect(outcome.code).toBe('url-invalid');
    expect(proxy.alive, proxy.errorOutput).toBe(true);
    await parallelConsoleWorks();
  });

  it('Test connection with the same crafted header: the WebSocket step fails with upstream-request-invalid, the report holds no secret', async () => {
    const report = await runDiagnostics(websockify(), { tls: { allowInsecure: false }, timeoutMs: 3000, headers: { 'X-Forwarded-For': `1.2.3.4\r\nX-Injected: ${SECRET}` } });
    const step = report.steps.find((s) => s.step === 'websocket');
    expect(step?.status).toBe('failed');
    expect(step?.error?.code).toBe('upstream-request-invalid');
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect(formatReport(report)).not.toContain(SECRET);
  });

  it('no secret header value reached the logs', async () => {
    expect(await proxy.logs()).not.toContain(SECRET);
  });
});

describe('a hostile WebSocket or TLS upstream (issue 12, items 5 and 8)', () => {
  const servers: HostileServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  async function start<T extends HostileServer>(s: Promise<T>): Promise<T> {
    const server = await s;
    servers.push(server);
    return server;
  }

  it('one 64 MiB message fails the session (limit 1 MiB), not the process', async () => {
    const server = await start(startHostileWebSocket('huge-message'));
    const outcome = await attack(request(ws(server.port)), true);
    expect(outcome.code).toBe('remote-closed');
    expect(outcome.detail).toMatch(/message over 1048576 bytes/);
    expect(proxy.alive).toBe(true);
    await parallelConsoleWorks();
  });

  for (const secure of [false, true]) {
    it(`a server that hangs up in the middle of the TLS handshake (${secure ? 'wss' : 'vnc+tls'}): tls-handshake-failed, not token-rejected-or-expired`, async () => {
      const server = await start(startHostileRfb('hang-up'));
      const target = secure ? ws(server.port, true) : tcp(server.port, true);
      const outcome = await attack(request(target, { tls: { allowInsecure: false, caPem: caPem() } }));
      expect(outcome.code).toBe('tls-handshake-failed');
      expect(proxy.alive).toBe(true);
    });
  }
});

describe('16 sessions against flooding upstreams while the renderers do not read (issue 12, item 5)', () => {
  /** 4 MiB buffered per session and direction, plus the partly used read slab and the socket's own buffers. */
  const RSS_BOUND = 16 * 8 * MIB;
  const kinds: Array<[string, () => Promise<HostileServer>, (port: number) => SessionRequest['target'], boolean]> = [
    ['ws://', () => startHostileWebSocket('flood'), (port) => ws(port), false],
    ['wss://', () => startHostileWebSocket('flood', peers.pki), (port) => ws(port, true), true],
    ['vnc:// (tcp)', () => startHostileRfb('flood'), (port) => tcp(port), false],
    ['vnc+tls:// (tls)', () => startHostileRfb('flood', peers.pki), (port) => tcp(port, true), true],
  ];
  for (const [name, startServer, target, secure] of kinds) {
    it(`${name}: RSS grows by less than ${RSS_BOUND / MIB} MiB and no session buffers more than ${BUFFER_CAP_BYTES / MIB} MiB towards the renderer`, async () => {
      // A proxy process of its own per kind, so RSS freed by an earlier kind cannot hide growth.
      const [server, own] = await Promise.all([startServer(), ProxyProcess.start()]);
      const clients: ConsoleClient[] = [];
      try {
        const before = (await own.stats()).rss;
        const ids = new Set<string>();
        for (let i = 0; i < 16; i++) {
          const opened = await own.open(request(target(server.port), { callerId: 'flood', ...(secure ? { tls: { allowInsecure: false, caPem: caPem() } } : {}) }));
          ids.add(opened.sessionId);
          const client = await ConsoleClient.open(opened.wsUrl, CHILD_APP_ORIGIN);
          await rfbHandshake(client);
          client.ws.pause(); // then the renderer stops reading
          clients.push(client);
        }
        // Until every relay has filled what it may buffer and paused its upstream.
        let last = -1;
        let flooded = (await own.stats()).sessions.filter((s) => ids.has(s.sessionId));
        for (let i = 0; i < 100; i++) {
          await new Promise((r) => setTimeout(r, 200));
          flooded = (await own.stats()).sessions.filter((s) => ids.has(s.sessionId));
          const total = flooded.reduce((sum, s) => sum + s.bytesIn, 0);
          if (total === last) break;
          last = total;
        }
        const after = await own.stats();
        expect(flooded).toHaveLength(16);
        for (const s of flooded) {
          expect(s.state).toBe('connected');
          expect(s.bytesIn).toBeGreaterThan(2 * MIB); // the flood did reach the relay
          expect(s.peakBufferedToClient).toBeLessThanOrEqual(BUFFER_CAP_BYTES);
        }
        const growth = after.rss - before;
        console.log(`${name}: 16 flooded sessions, RSS ${Math.round(before / MIB)} → ${Math.round(after.rss / MIB)} MiB, peak buffered ${Math.max(...flooded.map((s) => s.peakBufferedToClient))} bytes`);
        expect(growth).toBeLessThan(RSS_BOUND);
        expect(own.alive).toBe(true);
        await parallelConsoleWorks();
      } finally {
        for (const c of clients) c.ws.terminate();
        await Promise.all([own.stop(), server.stop()]);
      }
    }, 60_000);
  }
});

describe('a renderer that floods an upstream that stops reading (issue 12, item 5, the other direction)', () => {
  const kinds: Array<[string, () => Promise<HostileServer>, (port: number) => SessionRequest['target']]> = [
    ['ws://', () => startHostileWebSocket('sink'), (port) => ws(port)],
    ['vnc:// (tcp)', () => startHostileRfb('sink'), (port) => tcp(port)],
  ];
  for (const [name, startServer, target] of kinds) {
    it(`${name}: the proxy stops reading the renderer that keeps sending; it takes less than 16 MiB and RSS grows by less than 48 MiB`, async () => {
      const [server, own] = await Promise.all([startServer(), ProxyProcess.start()]);
      try {
        const before = (await own.stats()).rss;
        const opened = await own.open(request(target(server.port)));
        const client = await ConsoleClient.open(opened.wsUrl, CHILD_APP_ORIGIN);
        await rfbHandshake(client);
        // 1 MiB messages (the largest the proxy accepts from a renderer), as fast as this side's socket takes them.
        const message = Buffer.alloc(MIB, 0x61);
        let offered = 0;
        await new Promise<void>((resolve) => {
          const pump = (): void => {
            while (client.isOpen && client.ws.bufferedAmount < 16 * MIB && offered < 256 * MIB) {
              client.ws.send(message);
              offered += MIB;
            }
            if (offered >= 256 * MIB || !client.isOpen) resolve();
            else setTimeout(pump, 10);
          };
          pump();
          setTimeout(resolve, 3000);
        });
        await new Promise((r) => setTimeout(r, 300));
        const after = await own.stats();
        const session = after.sessions.find((s) => s.sessionId === opened.sessionId);
        expect(session?.state).toBe('connected');
        // What the proxy took stops at the relay's cap plus the kernel's socket buffers; a proxy that
        // kept reading would have taken everything offered (up to 256 MiB in these 3 s).
        expect(session!.bytesOut).toBeLessThan(16 * MIB);
        expect(after.rss - before).toBeLessThan(48 * MIB);
        console.log(`${name}: renderer offered ${offered / MIB} MiB, the proxy took ${Math.round(session!.bytesOut / MIB)} MiB, RSS ${Math.round(before / MIB)} → ${Math.round(after.rss / MIB)} MiB`);
        client.ws.terminate();
      } finally {
        await Promise.all([own.stop(), server.stop()]);
      }
    }, 30_000);
  }
});

describe('server text is cleaned, cut and quoted everywhere it appears (issue 12, item 6)', () => {
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  const servers: HostileServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('Test connection against an RFB server whose refusal is 64 KiB of line breaks and escapes: one quoted line in the report', async () => {
    const server = await startHostileRfb('failure-reason');
    servers.push(server);
    const report = await runDiagnostics(tcp(server.port), { tls: { allowInsecure: false }, timeoutMs: 3000 });
    const rfb = report.steps.find((s) => s.step === 'rfb');
    expect(rfb?.status).toBe('failed');
    expect(rfb?.detail).toContain('the server said “SERVER-SAYS Access denied RED');
    for (const text of [rfb?.detail ?? '', rfb?.error?.detail ?? '']) {
      expect(text).not.toMatch(UNSAFE);
      expect(text.length).toBeLessThan(320);
    }
    const text = formatReport(report);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) {
      expect(line).not.toMatch(UNSAFE);
      expect(line.length).toBeLessThan(400);
    }
    expect(text).not.toContain('pwned');
    expect(lines.length).toBeLessThan(20);
  });

  it('a console session against that server fails with the reason quoted; the logs hold no escape sequence', async () => {
    const server = await startHostileRfb('failure-reason');
    servers.push(server);
    const outcome = await attack(request(tcp(server.port)));
    // Main answers RFB security itself (main/rfb/security) and reports the refusal in the server's quoted words.
    expect(outcome.detail).toContain('the server said “SERVER-SAYS Access denied RED');
    expect(outcome.detail ?? '').not.toMatch(UNSAFE);
    expect((outcome.detail ?? '').length).toBeLessThan(320);
    const logs = await proxy.logs();
    expect(logs).not.toContain('\u001b');
    expect(logs).not.toContain('pwned');
    expect(proxy.alive).toBe(true);
    await parallelConsoleWorks();
  });

  it('certificate fields with an escape, a line break and a right-to-left override: cleaned in the result, quoted in the report', async () => {
    const server = await startHostileCertificateServer();
    servers.push(server);
    const report = await runDiagnostics(tcp(server.port, true), { tls: { allowInsecure: false }, timeoutMs: 3000 });
    const cert = report.steps.find((s) => s.step === 'tls')?.certificate;
    expect(cert?.subject).toContain('evil');
    for (const field of [cert?.subject ?? '', cert?.issuer ?? '', ...(cert?.subjectAltNames ?? [])]) expect(field).not.toMatch(UNSAFE);
    const subjectLine = formatReport(report).split('\n').find((l) => l.trimStart().startsWith('Subject:'));
    expect(subjectLine).toMatch(/Subject: +“CN=evil.*O=Corp”$/);
    expect(subjectLine).not.toMatch(UNSAFE);
  });

  it('a WebSocket close reason full of control characters is quoted in the error', async () => {
    const server = await startHostileWebSocket('close-reason');
    servers.push(server);
    const outcome = await attack(request(ws(server.port)));
    expect(outcome.detail).toMatch(/the server said “/);
    expect(outcome.detail ?? '').not.toMatch(UNSAFE);
    expect(proxy.alive).toBe(true);
  });
});

describe('one window cannot take every session (issue 12, item 8)', () => {
  it(`a window gets at most ${defaultSessionLimits.maxSessionsPerCaller} sessions; another window still opens its own`, async () => {
    const target = tcp(peers.xvnc.rfbPort);
    try {
      for (let i = 0; i < defaultSessionLimits.maxSessionsPerCaller; i++) await proxy.open(request(target, { callerId: 'greedy-window' }));
      await expect(proxy.open(request(target, { callerId: 'greedy-window' }))).rejects.toMatchObject({ shape: { code: 'too-many-sessions', detail: `limit ${defaultSessionLimits.maxSessionsPerCaller} per window` } });
      const other = await proxy.open(request(target, { callerId: 'other-window' }));
      expect(other.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/session\//);
    } finally {
      await proxy.closeCaller('greedy-window');
      await proxy.closeCaller('other-window');
    }
  });
});
