// Hostile and malformed input against the loopback console proxy (in-process, and the one inside
// browser mode) and the browser-mode server (the real child process), byte by byte on raw
// sockets. Every case has one exact expected outcome within a bounded time. After each group:
// browser mode is still up and answering, the console sessions open since the start still work,
// new sessions still get the RFB banner, and file descriptors and session counts are back to
// their baseline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { TcpTarget, WebSocketTarget } from '../../app/console-target.js';
import { startInProcessProxy, TEST_APP_ORIGIN, type InProcessProxy, type RendererClient } from '../fixtures/in-process-proxy.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { closePayload, encodeFrame, OP } from '../fixtures/hostile/frames.js';
import { ApiClient, ConsoleClient, fdCount, rfbHandshake, rfbUpdate, type RfbPeer } from '../fixtures/hostile/liveness.js';
import { describeOutcome, rawExchange, RawWebSocket, SAMPLE_KEY } from '../fixtures/hostile/raw-http.js';
import { slowClient, type SlowResult } from '../fixtures/hostile/slowloris.js';

const peers = sharedPeers();
const CALLER = 'hostile';
const CASE_TIMEOUT_MS = 5000;
const SLOW_BOUND_MS = 12_000;
/** Lazily opened handles (a DNS or timer fd, a log stream) may stay; leaked sockets may not. */
const FD_TOLERANCE = 4;
const RFB_BANNER = /^RFB 003\.00\d\n$/;
const KIB = 1024;
const MIB = 1024 * KIB;

const xvncTarget: TcpTarget = { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort };
const websockifyTarget: WebSocketTarget = {
  kind: 'websocket',
  flavour: 'websockify',
  secure: false,
  host: '127.0.0.1',
  port: peers.websockify.port,
  path: '/',
  query: [],
  token: peers.websockify.token,
};

let inproc: InProcessProxy;
let shortTtl: InProcessProxy;
let server: PortholeServer;
let cookie: string;
/** Browser mode's key, offered as a subprotocol next to "porthole". */
let apiProtocols: string[];
let api: ApiClient;
let childProxyPort: number;
/** Open from the first test to the last: in-process proxy → websockify → Xvnc, past ServerInit. */
let longInproc: RendererClient;
let longInprocPeer: RfbPeer;
let longInprocOffset: number;
/** Open from the first test to the last: browser mode's proxy → its demo console. */
let longChild: ConsoleClient;
let longChildOffset: number;
let slowloris: Array<[string, Promise<SlowResult>]> = [];
let hostileCases = 0;

function hostile(name: string, fn: () => Promise<void>, timeoutMs = CASE_TIMEOUT_MS): void {
  hostileCases++;
  it(name, fn, timeoutMs);
}

function pathOf(wsUrl: string): string {
  return new URL(wsUrl).pathname;
}

function ticketOf(wsUrl: string): string {
  return pathOf(wsUrl).slice('/session/'.length);
}

function openInprocSession(proxy: InProcessProxy = inproc): { sessionId: string; wsUrl: string } {
  return proxy.sessions.open({ callerId: CALLER, title: 'hostile', displayAddress: 'shared Xvnc', tls: { allowInsecure: false }, warnings: [], target: xvncTarget });
}

function peerOf(client: RendererClient): RfbPeer {
  return { waitForBytes: (n, t) => client.waitForBytes(n, t), send: (bytes) => client.ws.send(Buffer.from(bytes)) };
}

beforeAll(async () => {
  [inproc, shortTtl, server] = await Promise.all([startInProcessProxy(), startInProcessProxy({ ticketTtlMs: 300 }), startPorthole()]);
  ({ cookie, protocols: apiProtocols } = await server.signIn());
  api = await ApiClient.open(server.port, server.origin, cookie, apiProtocols);
  const demo = await api.openDemo();
  childProxyPort = Number(new URL(demo.wsUrl).port);
  longChild = await ConsoleClient.open(demo.wsUrl, server.origin);
  // Past the demo's 10 s handshake timeout: the session then idles until the last test.
  longChildOffset = await rfbHandshake(longChild);
  longInproc = await inproc.connect({ target: websockifyTarget });
  longInprocPeer = peerOf(longInproc);
  longInprocOffset = await rfbHandshake(longInprocPeer);

  // Slowloris clients run alongside everything else; their group at the end collects them.
  const inHost = `127.0.0.1:${inproc.proxy.port}`;
  const webHost = `127.0.0.1:${server.port}`;
  const bound = { boundMs: SLOW_BOUND_MS };
  const clients: Array<[string, ReturnType<typeof slowClient>]> = [
    ['in-process proxy: headers one byte per second', slowClient(inproc.proxy.port, '', `GET /session/x HTTP/1.1\r\nHost: ${inHost}\r\nX-Slow: aaaa`, bound)],
    ['browser mode: headers one byte per second', slowClient(server.port, '', `GET / HTTP/1.1\r\nHost: ${webHost}\r\nX-Slow: aaaa`, bound)],
    ["browser mode's proxy: headers one byte per second", slowClient(childProxyPort, '', `GET /session/x HTTP/1.1\r\nHost: 127.0.0.1:${childProxyPort}\r\nX-Slow: a`, bound)],
    ['in-process proxy: upgrade headers that never finish', slowClient(inproc.proxy.port, `GET /session/x HTTP/1.1\r\nHost: ${inHost}\r\nUpgrade: websocket\r\n`, '', bound)],
    ['browser mode: headers that never finish', slowClient(server.port, `GET / HTTP/1.1\r\nHost: ${webHost}\r\n`, '', bound)],
    ['in-process proxy: connects and sends nothing', slowClient(inproc.proxy.port, '', '', bound)],
    ['browser mode: connects and sends nothing', slowClient(server.port, '', '', bound)],
  ];
  slowloris = clients.map(([name, c]) => [name, c.result]);
  // Connected (and accepted) before the first group counts file descriptors.
  await Promise.all(clients.map(([, c]) => c.connected));
  await new Promise((r) => setTimeout(r, 200));
});

afterAll(async () => {
  longChild?.close();
  api?.close();
  await Promise.all([inproc?.close(), shortTtl?.close(), server?.stop()]);
});

interface Baseline {
  selfFds: number;
  childFds: number;
  childSessions: number;
}

function baseline(): Baseline {
  return { selfFds: fdCount(), childFds: fdCount(server.process.pid), childSessions: api.liveSessions };
}

async function assertRecovered(base: Baseline): Promise<void> {
  // Browser mode is still running and answering, page and contract socket alike.
  expect(server.process.exitInfo()).toBeUndefined();
  const page = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
  expect(describeOutcome(page)).toBe('200');
  expect((await api.call('app.info', {})).ok).toBe(true);
  // The sessions open since the start are still open.
  expect(longInproc.ws.readyState).toBe(WebSocket.OPEN);
  expect(longChild.isOpen).toBe(true);
  // New sessions still reach their console.
  const fresh = await inproc.connect({ target: xvncTarget });
  expect((await fresh.waitForBytes(12)).subarray(0, 12).toString('latin1')).toMatch(RFB_BANNER);
  fresh.ws.close(1000);
  await fresh.closed;
  const demo = await api.openDemo();
  const demoClient = await ConsoleClient.open(demo.wsUrl, server.origin);
  expect((await demoClient.waitForBytes(12)).subarray(0, 12).toString('latin1')).toMatch(RFB_BANNER);
  demoClient.close();
  await demoClient.closed;
  // Session counts and file descriptors are back where they were.
  await expect.poll(() => inproc.sessions.count, { timeout: 3000 }).toBe(1);
  await expect.poll(() => shortTtl.sessions.count, { timeout: 3000 }).toBe(0);
  await expect.poll(() => api.liveSessions, { timeout: 3000 }).toBe(base.childSessions);
  await expect.poll(() => fdCount(), { timeout: 3000 }).toBeLessThanOrEqual(base.selfFds + FD_TOLERANCE);
  await expect.poll(() => fdCount(server.process.pid), { timeout: 3000 }).toBeLessThanOrEqual(base.childFds + FD_TOLERANCE);
}

/** A describe block whose last test checks that everything recovered from its cases. */
function group(name: string, body: () => void): void {
  describe(name, () => {
    let base: Baseline;
    beforeAll(() => {
      base = baseline();
    });
    body();
    it('afterwards: browser mode answers, live sessions work, new sessions get the banner, fds and sessions back to baseline', async () => {
      await assertRecovered(base);
    }, 15_000);
  });
}

// ---------------------------------------------------------------------------------------------
// Upgrade requests built line by line.

interface UpgradeTarget {
  port: number;
  host: string;
  path: string;
  origin: string;
  /** Header lines the target always needs (browser mode's cookie and key). */
  always: string[];
  cleanup(): Promise<void>;
}

interface RequestParts {
  method?: string;
  path?: string;
  /** null: no version at all (an HTTP/0.9-style request line). */
  version?: string | null;
  host?: string[];
  connection?: string[];
  upgrade?: string[];
  wsVersion?: string[];
  key?: string[];
  origin?: string[];
  extra?: string[];
  body?: string;
  eol?: string;
}

function upgradeRequest(t: UpgradeTarget, p: RequestParts = {}): string {
  const eol = p.eol ?? '\r\n';
  const version = p.version === undefined ? ' HTTP/1.1' : p.version === null ? '' : ` ${p.version}`;
  const lines = [
    ...(p.host ?? [t.host]).map((v) => `Host: ${v}`),
    ...(p.connection ?? ['Upgrade']).map((v) => `Connection: ${v}`),
    ...(p.upgrade ?? ['websocket']).map((v) => `Upgrade: ${v}`),
    ...(p.wsVersion ?? ['13']).map((v) => `Sec-WebSocket-Version: ${v}`),
    ...(p.key ?? [SAMPLE_KEY]).map((v) => `Sec-WebSocket-Key: ${v}`),
    ...(p.origin ?? [t.origin]).map((v) => `Origin: ${v}`),
    ...t.always,
    ...(p.extra ?? []),
  ];
  return `${p.method ?? 'GET'} ${p.path ?? t.path}${version}${eol}${lines.map((l) => `${l}${eol}`).join('')}${eol}${p.body ?? ''}`;
}

const inprocTarget = async (): Promise<UpgradeTarget> => {
  const { sessionId, wsUrl } = openInprocSession();
  const port = inproc.proxy.port;
  return {
    port,
    host: `127.0.0.1:${port}`,
    path: pathOf(wsUrl),
    origin: TEST_APP_ORIGIN,
    always: [],
    cleanup: async () => void inproc.sessions.close(sessionId, CALLER),
  };
};

const webApiTarget = async (): Promise<UpgradeTarget> => ({
  port: server.port,
  host: `127.0.0.1:${server.port}`,
  path: '/api',
  origin: server.origin,
  always: [`Cookie: ${cookie}`, `Sec-WebSocket-Protocol: ${apiProtocols.join(', ')}`],
  cleanup: async () => undefined,
});

const childProxyTarget = async (): Promise<UpgradeTarget> => {
  const { sessionId, wsUrl } = await api.openDemo();
  const port = Number(new URL(wsUrl).port);
  return { port, host: `127.0.0.1:${port}`, path: pathOf(wsUrl), origin: server.origin, always: [], cleanup: () => api.closeSession(sessionId) };
};

async function attempt(makeTarget: () => Promise<UpgradeTarget>, build: (t: UpgradeTarget) => string | Buffer): Promise<string> {
  const t = await makeTarget();
  try {
    return describeOutcome(await rawExchange(t.port, build(t)));
  } finally {
    await t.cleanup();
  }
}

const req = (p: RequestParts) => (t: UpgradeTarget) => upgradeRequest(t, p);
const TLS_CLIENT_HELLO = Buffer.from('160301006a0100006603035f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8000002c02f0100003b0000000e000c0000096c6f63616c686f7374', 'hex');

// [what, request, in-process proxy expects, browser mode /api expects]
const httpCases: Array<[string, (t: UpgradeTarget) => string | Buffer, string, string]> = [
  ['no Upgrade header', req({ upgrade: [] }), '426', '404'],
  ['no Connection header', req({ connection: [] }), '426', '404'],
  ['Connection: keep-alive only', req({ connection: ['keep-alive'] }), '426', '404'],
  ['Upgrade: websocket, foo', req({ upgrade: ['websocket, foo'] }), '400', '400'],
  ['Upgrade: h2c', req({ upgrade: ['h2c'] }), '400', '400'],
  ['two Upgrade headers (websocket, h2c)', req({ upgrade: ['websocket', 'h2c'] }), '400', '400'],
  ['no Sec-WebSocket-Key', req({ key: [] }), '400', '400'],
  ['a 3-character Sec-WebSocket-Key', req({ key: ['abc'] }), '400', '400'],
  ['a 24-character Sec-WebSocket-Key that is not 16 bytes of base64', req({ key: ['A'.repeat(24)] }), '400', '400'],
  ['a Sec-WebSocket-Key of 20 bytes', req({ key: [randomBytes(20).toString('base64')] }), '400', '400'],
  ['two Sec-WebSocket-Key headers', req({ key: [SAMPLE_KEY, SAMPLE_KEY] }), '400', '400'],
  ['no Sec-WebSocket-Version', req({ wsVersion: [] }), '400', '400'],
  ['Sec-WebSocket-Version: 8 (a pre-RFC 6455 draft)', req({ wsVersion: ['8'] }), '400', '400'],
  ['Sec-WebSocket-Version: 14', req({ wsVersion: ['14'] }), '400', '400'],
  ['Sec-WebSocket-Version: 13, 8', req({ wsVersion: ['13, 8'] }), '400', '400'],
  ['Sec-WebSocket-Version: thirteen', req({ wsVersion: ['thirteen'] }), '400', '400'],
  ['two Host headers, ours first (RFC 9112 §3.2: 400)', (t) => upgradeRequest(t, { host: [t.host, 'evil.example'] }), '400', '400'],
  ['two Host headers, ours second (RFC 9112 §3.2: 400)', (t) => upgradeRequest(t, { host: ['evil.example', t.host] }), '400', '400'],
  ['no Host header', req({ host: [] }), '403 host-rejected', '403'],
  ['Transfer-Encoding and Content-Length on an upgrade', req({ extra: ['Transfer-Encoding: chunked', 'Content-Length: 5'], body: '0\r\n\r\n' }), '400', '400'],
  ['Transfer-Encoding: chunked on an upgrade (the "body" is read as frames)', req({ extra: ['Transfer-Encoding: chunked'], body: '0\r\n\r\n' }), '101 → close 1002', '101 → close 1002'],
  ['a Content-Length body on an upgrade (read as frames)', req({ extra: ['Content-Length: 5'], body: 'hello' }), '101 → close 1002', '101 → close 1002'],
  ['two different Content-Length headers', req({ extra: ['Content-Length: 5', 'Content-Length: 6'], body: 'hello!' }), '400', '400'],
  ['a 10 KiB header', req({ extra: [`X-Big: ${'a'.repeat(10 * KIB)}`] }), '400', '400'],
  ['a 10 KiB URL', (t) => upgradeRequest(t, { path: `${t.path}?${'a'.repeat(10 * KIB)}` }), '400', '400'],
  ['300 small headers (over 8 KiB in all)', req({ extra: Array.from({ length: 300 }, (_, i) => `X-H${i}: ${'b'.repeat(24)}`) }), '400', '400'],
  ['non-HTTP text', () => 'hello there\r\n\r\n', '400', '400'],
  ['a TLS ClientHello', () => TLS_CLIENT_HELLO, '400', '400'],
  ['the HTTP/2 connection preface', () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '400', '400'],
  ['an HTTP/1.0 upgrade (RFC 6455 §4.2.1: HTTP/1.1 or higher)', req({ version: 'HTTP/1.0' }), '400', '400'],
  ['an HTTP/0.9-style request line (no version) with upgrade headers', req({ version: null }), '400', '400'],
  ['HTTP/1.9', req({ version: 'HTTP/1.9' }), '400', '400'],
  ['a POST upgrade', req({ method: 'POST' }), '405', '405'],
  ['a lower-case method', req({ method: 'get' }), '400', '400'],
  ['CONNECT to a foreign host', () => 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n', 'no response', 'no response'],
  ['an obs-fold continuation line', req({ extra: ['X-Folded: a', ' b'] }), '400', '400'],
  ['bare LF line endings', req({ eol: '\n' }), '400', '400'],
  ['a space before a header colon', req({ extra: ['X-Spaced : 1'] }), '400', '400'],
  ['a NUL byte in the request target', (t) => upgradeRequest(t, { path: `${t.path}\0` }), '400', '400'],
  ['a CR inside a header value', req({ extra: ['X-Cr: a\rb'] }), '400', '400'],
  ['a malformed Sec-WebSocket-Protocol', req({ extra: ['Sec-WebSocket-Protocol: a b'] }), '400', '400'],
  ['duplicate subprotocols', req({ extra: ['Sec-WebSocket-Protocol: binary, binary'] }), '400', '400'],
];

group('HTTP and WebSocket handshake', () => {
  for (const [what, build, proxyExpects, webExpects] of httpCases) {
    hostile(`in-process proxy, ${what} → ${proxyExpects}`, async () => {
      expect(await attempt(inprocTarget, build)).toBe(proxyExpects);
    });
    hostile(`browser mode /api, ${what} → ${webExpects}`, async () => {
      expect(await attempt(webApiTarget, build)).toBe(webExpects);
    });
  }

  hostile('in-process proxy: a handshake refused for a bad Sec-WebSocket-Key leaves the ticket unused', async () => {
    const t = await inprocTarget();
    try {
      expect(describeOutcome(await rawExchange(t.port, upgradeRequest(t, { key: ['abc'] })))).toMatch(/^400\b/);
      // Refusals must happen before the ticket is redeemed (as for a bad Origin), or a malformed
      // request burns it and leaves the session waiting for ticketTtlMs.
      expect(describeOutcome(await rawExchange(t.port, upgradeRequest(t, { extra: ['Sec-WebSocket-Protocol: binary'] })))).toBe('101');
    } finally {
      await t.cleanup();
    }
  });
});

// ---------------------------------------------------------------------------------------------

group('static server (browser mode)', () => {
  const P = (): number => server.port;
  const ours = (): string => `127.0.0.1:${P()}`;
  const launch = (): string => new URL(server.launchUrl).searchParams.get('launch')!;
  const get = (path: string, o: { host?: string[]; cookie?: boolean; method?: string; extra?: string[]; version?: string } = {}): string => {
    const lines = [...(o.host ?? [ours()]).map((h) => `Host: ${h}`), ...((o.cookie ?? true) ? [`Cookie: ${cookie}`] : []), ...(o.extra ?? []), 'Connection: close'];
    return `${o.method ?? 'GET'} ${path} ${o.version ?? 'HTTP/1.1'}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
  };
  // [what, request, expected]
  const cases: Array<[string, () => string, string]> = [
    // Path traversal: the renderer is a map of known paths, so all of these are simply unknown.
    ['/..', () => get('/..'), '404'],
    ['/../package.json', () => get('/../package.json'), '404'],
    ['/%2e%2e/package.json', () => get('/%2e%2e/package.json'), '404'],
    ['/%2E%2E%2Fpackage.json', () => get('/%2E%2E%2Fpackage.json'), '404'],
    ['/..%2fpackage.json', () => get('/..%2fpackage.json'), '404'],
    ['/..%5cpackage.json', () => get('/..%5cpackage.json'), '404'],
    ['/..\\package.json', () => get('/..\\package.json'), '404'],
    ['/....//....//etc/passwd', () => get('/....//....//etc/passwd'), '404'],
    ['/.%2e/.%2e/etc/passwd', () => get('/.%2e/.%2e/etc/passwd'), '404'],
    ['double-encoded /%252e%252e/package.json', () => get('/%252e%252e/package.json'), '404'],
    ['overlong UTF-8 /%c0%ae%c0%ae/package.json', () => get('/%c0%ae%c0%ae/package.json'), '404'],
    ['overlong UTF-8 slash /..%c0%af..%c0%afetc/passwd', () => get('/..%c0%af..%c0%afetc/passwd'), '404'],
    ['raw overlong UTF-8 bytes in the path', () => get('/\xc0\xae\xc0\xae/package.json'), '400'],
    ['%u-encoded dots /%u002e%u002e/package.json', () => get('/%u002e%u002e/package.json'), '404'],
    ['/index.html%00', () => get('/index.html%00'), '404'],
    ['/index.html%00.js', () => get('/index.html%00.js'), '404'],
    ['a raw NUL byte in the path', () => get('/index.html\0'), '400'],
    ['a raw non-ASCII byte in the path', () => get('/\xe9'), '400'],
    ['/./index.html', () => get('/./index.html'), '404'],
    ['/index.html/', () => get('/index.html/'), '404'],
    ['/INDEX.HTML', () => get('/INDEX.HTML'), '404'],
    ['/index.html;.js', () => get('/index.html;.js'), '404'],
    ['a lone %', () => get('/%'), '404'],
    ['an invalid escape %zz', () => get('/%zz'), '404'],
    ['asterisk-form GET *', () => get('*'), '404'],
    // Open redirects (CVE-2021-3654 class): never a redirect anywhere, just unknown paths.
    ['//evil.example', () => get('//evil.example'), '404'],
    ['//evil.example/', () => get('//evil.example/'), '404'],
    ['///evil.example', () => get('///evil.example'), '404'],
    ['////evil.example', () => get('////evil.example'), '404'],
    ['//evil.example/%2e%2e', () => get('//evil.example/%2e%2e'), '404'],
    ['/\\evil.example', () => get('/\\evil.example'), '404'],
    ['/%5cevil.example', () => get('/%5cevil.example'), '404'],
    ['//%5cevil.example', () => get('//%5cevil.example'), '404'],
    ['/%2f%2fevil.example', () => get('/%2f%2fevil.example'), '404'],
    ['/%2F/evil.example', () => get('/%2F/evil.example'), '404'],
    ['absolute-form GET http://evil.example/', () => get('http://evil.example/'), '404'],
    ['absolute-form GET https://evil.example/index.html', () => get('https://evil.example/index.html'), '404'],
    // The launch exchange: never a redirect, only for our Host and Origin (the first use of the printed URL).
    ['launch with next=//evil.example', () => get(`/?launch=${launch()}&next=//evil.example`, { cookie: false }), '200 +cookie'],
    ['launch under //evil.example/', () => get(`//evil.example/?launch=${launch()}`, { cookie: false }), '403'],
    ['launch in absolute-form http://evil.example/', () => get(`http://evil.example/?launch=${launch()}`, { cookie: false }), '403'],
    ['launch secret with //evil.example appended', () => get(`/?launch=${launch()}%2f%2fevil.example`, { cookie: false }), '403'],
    ['launch secret as the second launch= parameter', () => get(`/?launch=x&launch=${launch()}`, { cookie: false }), '403'],
    ['launch with a DNS-rebinding Host', () => get(`/?launch=${launch()}`, { cookie: false, host: [`evil.example:${P()}`] }), '403'],
    ['launch with a foreign Origin', () => get(`/?launch=${launch()}`, { cookie: false, extra: ['Origin: https://evil.example'] }), '403'],
    ['launch by POST', () => get(`/?launch=${launch()}`, { cookie: false, method: 'POST', extra: ['Content-Length: 0'] }), '405'],
    // Host names: only our exact 127.0.0.1:<port>.
    ['Host evil.example:<port>', () => get('/', { host: [`evil.example:${P()}`] }), '403'],
    ['Host 127.0.0.1.evil.example:<port>', () => get('/', { host: [`127.0.0.1.evil.example:${P()}`] }), '403'],
    ['Host localhost.:<port>', () => get('/', { host: [`localhost.:${P()}`] }), '403'],
    ['Host localhost:<port>', () => get('/', { host: [`localhost:${P()}`] }), '403'],
    ['Host [::1]:<port>', () => get('/', { host: [`[::1]:${P()}`] }), '403'],
    ['Host 127.1:<port>', () => get('/', { host: [`127.1:${P()}`] }), '403'],
    ['Host 0x7f.0.0.1:<port>', () => get('/', { host: [`0x7f.0.0.1:${P()}`] }), '403'],
    ['Host 2130706433:<port>', () => get('/', { host: [`2130706433:${P()}`] }), '403'],
    ['Host 127.0.0.1 without a port', () => get('/', { host: ['127.0.0.1'] }), '403'],
    ['Host 127.0.0.1:<port>. (trailing dot)', () => get('/', { host: [`${ours()}.`] }), '403'],
    ['Host 127.0.0.1:0<port> (leading zero)', () => get('/', { host: [`127.0.0.1:0${P()}`] }), '403'],
    ['Host 127.0.0.1:<port>@evil.example', () => get('/', { host: [`${ours()}@evil.example`] }), '403'],
    ['a blank Host', () => get('/', { host: [''] }), '403'],
    ['HTTP/1.0 without a Host', () => get('/', { host: [], version: 'HTTP/1.0' }), '403'],
    ['two Host headers, ours first (RFC 9112 §3.2: 400)', () => get('/', { host: [ours(), 'evil.example'] }), '400'],
    ['two Host headers, ours second (RFC 9112 §3.2: 400)', () => get('/', { host: ['evil.example', ours()] }), '400'],
    // Methods and cookies.
    ['POST /', () => get('/', { method: 'POST', extra: ['Content-Length: 0'] }), '405'],
    ['PUT /index.html', () => get('/index.html', { method: 'PUT', extra: ['Content-Length: 0'] }), '405'],
    ['DELETE /index.html', () => get('/index.html', { method: 'DELETE' }), '405'],
    ['TRACE /', () => get('/', { method: 'TRACE' }), '405'],
    ['OPTIONS *', () => get('*', { method: 'OPTIONS' }), '405'],
    ['CONNECT evil.example:443', () => `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`, 'no response'],
    ['a cookie with our name and a value with a byte appended', () => get('/', { cookie: false, extra: [`Cookie: ${cookie}x`] }), '403'],
    ['our cookie value under another port’s cookie name', () => get('/', { cookie: false, extra: [`Cookie: porthole-1=${cookie.split('=')[1]}`] }), '403'],
  ];
  for (const [what, build, expected] of cases) {
    hostile(`browser mode, ${what} → ${expected}`, async () => {
      expect(describeOutcome(await rawExchange(server.port, build()))).toBe(expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------

group('Origin variants', () => {
  // [what, Origin header values (and extra lines) given our exact origin]
  const variants: Array<[string, (o: URL) => { origin: string[]; extra?: string[] }]> = [
    ['no Origin', () => ({ origin: [] })],
    ['Origin: null', () => ({ origin: ['null'] })],
    ['a blank Origin', () => ({ origin: [''] })],
    ['Origin: file://', () => ({ origin: ['file://'] })],
    ['our origin in upper case', (o) => ({ origin: [o.origin.toUpperCase()] })],
    ['our origin with an upper-case scheme', (o) => ({ origin: [`HTTP://${o.host}`] })],
    ['the IPv6 loopback literal', (o) => ({ origin: [`http://[::1]:${o.port}`] })],
    ['a look-alike host', () => ({ origin: ['http://127.0.0.1.evil.example'] })],
    ['a look-alike host with our port', (o) => ({ origin: [`http://127.0.0.1.evil.example:${o.port}`] })],
    ['our origin with an extra port', (o) => ({ origin: [`${o.origin}:${o.port}`] })],
    ['our origin with a trailing slash', (o) => ({ origin: [`${o.origin}/`] })],
    ['localhost with our port (not the same origin)', (o) => ({ origin: [`http://localhost:${o.port}`] })],
    ['https with our host', (o) => ({ origin: [`https://${o.host}`] })],
    ['our origin with a path', (o) => ({ origin: [`${o.origin}/index.html`] })],
    ['our origin with user info', (o) => ({ origin: [`http://evil@${o.host}`] })],
    ['two Origin headers, both ours', (o) => ({ origin: [o.origin, o.origin] })],
    ['two Origin headers, foreign then ours', (o) => ({ origin: ['https://evil.example', o.origin] })],
    ['Sec-WebSocket-Origin (draft style) instead of Origin', (o) => ({ origin: [], extra: [`Sec-WebSocket-Origin: ${o.origin}`] })],
  ];
  const targets: Array<[string, () => Promise<UpgradeTarget>, string]> = [
    ['in-process proxy', inprocTarget, '403 origin-rejected'],
    ["browser mode's proxy", childProxyTarget, '403 origin-rejected'],
    ['browser mode /api', webApiTarget, '403'],
  ];
  for (const [targetName, makeTarget, expected] of targets) {
    for (const [what, variant] of variants) {
      hostile(`${targetName}, ${what} → ${expected}`, async () => {
        const outcome = await attempt(makeTarget, (t) => upgradeRequest(t, variant(new URL(t.origin))));
        expect(outcome).toBe(expected);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------

group('tickets', () => {
  let kept: { sessionId: string; wsUrl: string };
  let ticket: string;
  const send = (path: string, port = inproc.proxy.port, origin = TEST_APP_ORIGIN): Promise<string> =>
    rawExchange(
      port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${SAMPLE_KEY}\r\nOrigin: ${origin}\r\n\r\n`,
    ).then(describeOutcome);
  beforeAll(() => {
    // One real, unused ticket that every wrong-shape case below presents; none may consume it.
    kept = openInprocSession();
    ticket = ticketOf(kept.wsUrl);
  });
  const bad = '403 ticket-invalid';
  const shapes: Array<[string, () => string]> = [
    ['/session/ (no ticket)', () => '/session/'],
    ['/session (no ticket)', () => '/session'],
    ['/ (no ticket)', () => '/'],
    ['a short ticket (42 characters)', () => `/session/${ticket.slice(0, 42)}`],
    ['a long ticket (44 characters)', () => `/session/${ticket}A`],
    ['the ticket with = padding', () => `/session/${ticket}=`],
    ['a + in place of the last character', () => `/session/${ticket.slice(0, 42)}+`],
    ['a . in place of the last character', () => `/session/${ticket.slice(0, 42)}.`],
    ['the ticket fully percent-encoded', () => `/session/${[...ticket].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`],
    ['one character percent-encoded', () => `/session/%${ticket.charCodeAt(0).toString(16)}${ticket.slice(1)}`],
    ['the ticket with a trailing slash', () => `/session/${ticket}/`],
    ['the ticket with a query string', () => `/session/${ticket}?x=1`],
    ['the ticket with a fragment', () => `/session/${ticket}#x`],
    ['the ticket with %00 appended', () => `/session/${ticket}%00`],
    ['a doubled leading slash', () => `//session/${ticket}`],
    ['/SESSION/ in upper case', () => `/SESSION/${ticket}`],
    ['a dot segment /session/./<ticket>', () => `/session/./${ticket}`],
    ['a traversal /api/../session/<ticket>', () => `/api/../session/${ticket}`],
    ['absolute-form ws://127.0.0.1:<port>/session/<ticket>', () => `ws://127.0.0.1:${inproc.proxy.port}/session/${ticket}`],
    ['the ticket in the query /session/?ticket=<ticket>', () => `/session/?ticket=${ticket}`],
    ['a well-formed ticket nobody issued', () => `/session/${randomBytes(32).toString('base64url')}`],
  ];
  for (const [what, path] of shapes) {
    hostile(`in-process proxy, ${what} → ${bad}`, async () => {
      expect(await send(path())).toBe(bad);
    });
  }

  hostile(`browser mode's ticket presented to the in-process proxy → ${bad}`, async () => {
    const { sessionId, wsUrl } = await api.openDemo();
    try {
      expect(await send(pathOf(wsUrl))).toBe(bad);
    } finally {
      await api.closeSession(sessionId);
    }
  });

  hostile(`an in-process ticket presented to browser mode's proxy → ${bad}`, async () => {
    const other = openInprocSession();
    try {
      expect(await send(pathOf(other.wsUrl), childProxyPort, server.origin)).toBe(bad);
    } finally {
      inproc.sessions.close(other.sessionId, CALLER);
    }
  });

  hostile(`a ticket used twice → ${bad}`, async () => {
    const used = openInprocSession();
    const first = await ConsoleClient.open(used.wsUrl, TEST_APP_ORIGIN);
    try {
      expect(await send(pathOf(used.wsUrl))).toBe(bad);
    } finally {
      first.close();
      await first.closed;
    }
  });

  hostile(`an expired ticket (ticketTtlMs 300) → ${bad}, and its session is gone`, async () => {
    const late = openInprocSession(shortTtl);
    expect(shortTtl.sessions.count).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect(await send(pathOf(late.wsUrl), shortTtl.proxy.port)).toBe(bad);
    expect(shortTtl.sessions.count).toBe(0);
  });

  hostile(`the ticket of a session closed before it connected → ${bad}`, async () => {
    const closed = openInprocSession();
    inproc.sessions.close(closed.sessionId, CALLER);
    expect(await send(pathOf(closed.wsUrl))).toBe(bad);
  });

  it('none of the wrong shapes consumed the real ticket: it still connects to the console', async () => {
    const client = await ConsoleClient.open(kept.wsUrl, TEST_APP_ORIGIN);
    expect((await client.waitForBytes(12)).subarray(0, 12).toString('latin1')).toMatch(RFB_BANNER);
    client.close();
    await client.closed;
  });
});

// ---------------------------------------------------------------------------------------------

const binary = (payload: Buffer | string, extra: Partial<Parameters<typeof encodeFrame>[0]> = {}): Buffer =>
  encodeFrame({ opcode: OP.binary, payload: Buffer.from(payload), ...extra });
const close = (code: number, reason: Buffer | string = ''): Buffer => encodeFrame({ opcode: OP.close, payload: closePayload(code, reason) });
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);

group('frames after admission: in-process proxy → Xvnc', () => {
  // [what, bytes sent after the console's banner arrived, expected]
  const cases: Array<[string, () => Buffer[], string]> = [
    ['an unmasked binary frame', () => [binary('RFB 003.008\n', { mask: false })], 'close 1002'],
    ['an unmasked close frame', () => [encodeFrame({ opcode: OP.close, payload: closePayload(1000), mask: false })], 'close 1002'],
    ['RSV1 set without an extension', () => [binary('x', { rsv: 4 })], 'close 1002'],
    ['RSV2 set', () => [binary('x', { rsv: 2 })], 'close 1002'],
    ['RSV3 set', () => [binary('x', { rsv: 1 })], 'close 1002'],
    ['reserved data opcode 0x3', () => [encodeFrame({ opcode: 0x3, payload: Buffer.from('x') })], 'close 1002'],
    ['reserved data opcode 0x7', () => [encodeFrame({ opcode: 0x7 })], 'close 1002'],
    ['reserved control opcode 0xB', () => [encodeFrame({ opcode: 0xb })], 'close 1002'],
    ['reserved control opcode 0xF', () => [encodeFrame({ opcode: 0xf })], 'close 1002'],
    ['a fragmented ping (FIN clear)', () => [encodeFrame({ opcode: OP.ping, fin: false, payload: Buffer.from('p') })], 'close 1002'],
    ['a fragmented close (FIN clear)', () => [encodeFrame({ opcode: OP.close, fin: false, payload: closePayload(1000) })], 'close 1002'],
    ['a ping with a 126-byte payload', () => [encodeFrame({ opcode: OP.ping, payload: Buffer.alloc(126) })], 'close 1002'],
    ['a close whose reason makes the payload 126 bytes', () => [close(1000, 'r'.repeat(124))], 'close 1002'],
    ['a continuation frame with nothing to continue', () => [encodeFrame({ opcode: OP.continuation, payload: Buffer.from('x') })], 'close 1002'],
    ['a new binary frame inside a fragmented message', () => [binary('a', { fin: false }), binary('b')], 'close 1002'],
    ['close code 0', () => [close(0)], 'close 1002'],
    ['close code 999', () => [close(999)], 'close 1002'],
    ['close code 1004 (reserved)', () => [close(1004)], 'close 1002'],
    ['close code 1005 (never sent)', () => [close(1005)], 'close 1002'],
    ['close code 1006 (never sent)', () => [close(1006)], 'close 1002'],
    ['close code 1015 (never sent)', () => [close(1015)], 'close 1002'],
    ['close code 2999', () => [close(2999)], 'close 1002'],
    ['close code 5000', () => [close(5000)], 'close 1002'],
    ['a close payload of one byte', () => [encodeFrame({ opcode: OP.close, payload: Buffer.from([3]) })], 'close 1002'],
    ['a close reason that is not UTF-8', () => [close(1000, INVALID_UTF8)], 'close 1007'],
    ['a text frame', () => [encodeFrame({ opcode: OP.text, payload: Buffer.from('RFB 003.008\n') })], 'close 1003'],
    ['a fragmented text message', () => [encodeFrame({ opcode: OP.text, fin: false, payload: Buffer.from('ab') }), encodeFrame({ opcode: OP.continuation, payload: Buffer.from('cd') })], 'close 1003'],
    ['a text frame that is not UTF-8', () => [encodeFrame({ opcode: OP.text, payload: INVALID_UTF8 })], 'close 1007'],
    ['a binary frame announcing 1 MiB + 1 byte', () => [binary('', { declaredLength: BigInt(MIB + 1) })], 'close 1009'],
    ['a binary frame announcing 16 MiB', () => [binary('', { declaredLength: BigInt(16 * MIB) })], 'close 1009'],
    ['a binary frame announcing 2^63 bytes', () => [binary('', { declaredLength: 2n ** 63n })], 'close 1009'],
    ['a fragmented message over 1 MiB in all', () => [binary(Buffer.alloc(700 * KIB), { fin: false }), encodeFrame({ opcode: OP.continuation, declaredLength: BigInt(400 * KIB) })], 'close 1009'],
    ['an HTTP request instead of a frame', () => [Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')], 'close 1002'],
  ];
  for (const [what, frames, expected] of cases) {
    hostile(`in-process proxy, ${what} → ${expected}`, async () => {
      const { sessionId, wsUrl } = openInprocSession();
      let ws: RawWebSocket | undefined;
      try {
        ws = await RawWebSocket.open(inproc.proxy.port, pathOf(wsUrl), [`Origin: ${TEST_APP_ORIGIN}`, 'Sec-WebSocket-Protocol: binary']);
        expect(await ws.waitFor(() => ws!.binaryBytes() >= 12, 3000)).toBe(true); // the relay reached Xvnc
        for (const f of frames()) ws.send(f);
        expect(await ws.outcome()).toBe(expected);
      } finally {
        ws?.destroy();
        inproc.sessions.close(sessionId, CALLER);
      }
    });
  }
});

group('frames on browser mode’s contract socket', () => {
  const cases: Array<[string, () => Buffer[], string]> = [
    ['an unmasked text frame', () => [encodeFrame({ opcode: OP.text, payload: Buffer.from('{}'), mask: false })], 'close 1002'],
    ['RSV1 set without an extension', () => [encodeFrame({ opcode: OP.text, payload: Buffer.from('{}'), rsv: 4 })], 'close 1002'],
    ['reserved opcode 0x3', () => [encodeFrame({ opcode: 0x3 })], 'close 1002'],
    ['a fragmented ping', () => [encodeFrame({ opcode: OP.ping, fin: false })], 'close 1002'],
    ['close code 1004', () => [close(1004)], 'close 1002'],
    ['close code 5000', () => [close(5000)], 'close 1002'],
    ['a close reason that is not UTF-8', () => [close(1000, INVALID_UTF8)], 'close 1007'],
    ['a text frame that is not UTF-8', () => [encodeFrame({ opcode: OP.text, payload: INVALID_UTF8 })], 'close 1007'],
    ['a frame announcing 8 MiB + 1 byte', () => [encodeFrame({ opcode: OP.text, declaredLength: BigInt(8 * MIB + 1) })], 'close 1009'],
    ['a binary frame', () => [binary('{"id":1,"call":"app.info","args":{}}')], 'close 1008'],
    ['text that is not JSON', () => [encodeFrame({ opcode: OP.text, payload: Buffer.from('{"id":') })], 'close 1008'],
    ['JSON that is not a request', () => [encodeFrame({ opcode: OP.text, payload: Buffer.from('[1,2,3]') })], 'close 1008'],
  ];
  for (const [what, frames, expected] of cases) {
    hostile(`browser mode /api, ${what} → ${expected}`, async () => {
      const ws = await RawWebSocket.open(server.port, '/api', [`Origin: ${server.origin}`, `Cookie: ${cookie}`, `Sec-WebSocket-Protocol: ${apiProtocols.join(', ')}`]);
      try {
        for (const f of frames()) ws.send(f);
        expect(await ws.outcome()).toBe(expected);
      } finally {
        ws.destroy();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

group('slowloris (started with the file, in parallel)', () => {
  // Node's headersTimeout is 5 s on both servers; a connection stuck before its headers end must
  // be gone well before the 12 s bound, without a 101.
  const names = [
    'in-process proxy: headers one byte per second',
    'browser mode: headers one byte per second',
    "browser mode's proxy: headers one byte per second",
    'in-process proxy: upgrade headers that never finish',
    'browser mode: headers that never finish',
    'in-process proxy: connects and sends nothing',
    'browser mode: connects and sends nothing',
  ];
  for (const name of names) {
    hostile(`${name} → closed within ${SLOW_BOUND_MS / 1000} s`, async () => {
      const entry = slowloris.find(([n]) => n === name);
      expect(entry, 'started in beforeAll').toBeDefined();
      const result = await entry![1];
      expect(result.firstLine).not.toMatch(/^HTTP\/1\.1 101/);
      expect(result.outcome).toBe('closed');
    }, SLOW_BOUND_MS + 5000);
  }
});

describe('the console sessions open since the start', () => {
  it('in-process proxy → websockify → Xvnc still answers a FramebufferUpdateRequest', async () => {
    expect(await rfbUpdate(longInprocPeer, longInprocOffset)).toBe(0);
  });

  it("browser mode's proxy → demo console still answers a FramebufferUpdateRequest", async () => {
    expect(await rfbUpdate(longChild, longChildOffset)).toBe(0);
  });
});

describe('summary', () => {
  it('counts the hostile cases', () => {
    console.log(`hostile-input: ${hostileCases} hostile cases`);
    expect(hostileCases).toBeGreaterThanOrEqual(60);
  });
});
