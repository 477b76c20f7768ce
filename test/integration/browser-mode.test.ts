// Browser mode protects itself like a notebook server: a single-use launch secret → an HttpOnly
// SameSite=Strict cookie plus a key for the page; exact loopback Host; own Origin only; anything
// else is 403. Runs the built server as a user does, and stops it with a signal. The attacks on
// the launch secret and the cookie are in browser-mode-attacks.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { WebSocket } from 'ws';
import { startPorthole, type PortholeServer, type SignedIn } from '../fixtures/porthole-server.js';

let server: PortholeServer;
let cookie: string;
let signedIn: SignedIn;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function apiSocketStatus(all: Record<string, string>): Promise<number> {
  // ws offers subprotocols from its own argument (and checks the answer against it).
  const { 'Sec-WebSocket-Protocol': offered, ...headers } = all;
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, offered?.split(',').map((p) => p.trim()) ?? [], { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

beforeAll(async () => {
  server = await startPorthole();
  const launch = new URL(server.launchUrl);
  const res = await get(`/?launch=${launch.searchParams.get('launch')}`);
  expect(res.status).toBe(200);
  expect(res.headers.location).toBeUndefined();
  expect(res.body).toMatch(/<meta name="porthole-key" content="[A-Za-z0-9_-]{43}" \/>/);
  const setCookie = res.headers['set-cookie']?.[0] ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).not.toContain(String(server.port));
  cookie = setCookie.split(';')[0]!;
  signedIn = await server.signIn();
});
afterAll(async () => {
  await server?.stop();
});

describe('browser mode', () => {
  it('prints one line with the http://127.0.0.1:<port>/ URL, and another on Enter', async () => {
    expect(server.output()).toMatch(/^.*http:\/\/127\.0\.0\.1:\d+\/\?launch=.*$/m);
    const next = await server.newLaunchUrl();
    expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?launch=[A-Za-z0-9_-]{43}$/);
    expect(next).not.toBe(server.launchUrl);
  });

  it('serves the renderer with the cookie, with a strict CSP', async () => {
    const res = await get('/', { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<input id="console-url"');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('refuses requests without the cookie, or with a forged launch secret, with a page that says what to do', async () => {
    const page = await get('/');
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('This browser is not signed in to Porthole');
    expect(page.body).toContain('Press <kbd>Enter</kbd> there');
    expect(String(page.headers['content-security-policy'])).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect((await get('/main.js')).status).toBe(403);
    expect((await get('/?launch=forged')).status).toBe(403);
    expect((await get(`/?launch=${'A'.repeat(43)}`)).status).toBe(403);
    expect((await get('/', { Cookie: `porthole-${server.port}=forged` })).status).toBe(403);
    expect((await get('/', { Cookie: `${cookie.split('=')[0]}=forged` })).status).toBe(403);
  });

  it('refuses a foreign Origin and DNS-rebinding Host names', async () => {
    expect((await get('/', { Cookie: cookie, Origin: 'https://evil.example' })).status).toBe(403);
    expect((await get('/', { Cookie: cookie, Origin: 'null' })).status).toBe(403);
    expect((await get('/', { Cookie: cookie, Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get('/', { Cookie: cookie, Host: 'evil.example' })).status).toBe(403);
    const launch = new URL(server.launchUrl).searchParams.get('launch')!;
    expect((await get(`/?launch=${launch}`, { Host: `rebind.example:${server.port}` })).status).toBe(403);
  });

  it('never redirects elsewhere and never serves files outside the renderer', async () => {
    for (const path of ['//evil.example/', '///evil.example', '/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/main.js/../../package.json']) {
      const res = await get(path, { Cookie: cookie });
      expect(res.status, path).toBe(404);
      expect(res.headers.location, path).toBeUndefined();
    }
  });

  it('opens the contract socket only with the cookie, the key of that same browser and our Origin', async () => {
    const { apiHeaders } = signedIn;
    expect(await apiSocketStatus({ Origin: server.origin })).toBe(403);
    expect(await apiSocketStatus({ ...apiHeaders, Origin: 'https://evil.example' })).toBe(403);
    expect(await apiSocketStatus({ Cookie: apiHeaders.Cookie!, 'Sec-WebSocket-Protocol': apiHeaders['Sec-WebSocket-Protocol']! })).toBe(403);
    // The cookie alone, or with another browser's key, is worth nothing.
    expect(await apiSocketStatus({ Origin: server.origin, Cookie: apiHeaders.Cookie! })).toBe(403);
    expect(await apiSocketStatus({ ...apiHeaders, Cookie: cookie })).toBe(403);
    expect(await apiSocketStatus({ ...apiHeaders, 'Sec-WebSocket-Protocol': `porthole, porthole.key.${'A'.repeat(43)}` })).toBe(403);
    expect(await apiSocketStatus({ ...apiHeaders, 'Sec-WebSocket-Protocol': `porthole.key.${signedIn.key}` })).toBe(403);
    expect(await apiSocketStatus(apiHeaders)).toBe(101);
  });

  it('answers contract calls and validates their arguments', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, signedIn.protocols, { headers: { Origin: server.origin, Cookie: signedIn.cookie } });
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('porthole');
    const call = (id: number, name: string, args: unknown): Promise<{ id: number; outcome: { ok: boolean; value?: unknown; error?: { code: string } } }> =>
      new Promise((resolve) => {
        const onMessage = (data: Buffer): void => {
          const msg = JSON.parse(data.toString()) as { kind: string; id: number; outcome: { ok: boolean; error?: { code: string } } };
          if (msg.kind === 'result' && msg.id === id) {
            ws.off('message', onMessage);
            resolve(msg);
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, call: name, args }));
      });
    expect((await call(1, 'app.info', {})).outcome).toMatchObject({ ok: true, value: { name: 'Porthole', shell: 'browser' } });
    expect((await call(2, 'no.such.call', {})).outcome).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect((await call(3, 'session.open', { source: { type: 'url' } })).outcome).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect((await call(4, 'session.open', { source: { type: 'url', url: 'not a url' } })).outcome).toMatchObject({ ok: false, error: { code: 'url-invalid' } });
    const opened = await call(5, 'session.open', { source: { type: 'demo' } });
    expect(opened.outcome).toMatchObject({ ok: true, value: { title: 'Demo' } });
    expect(String((opened.outcome.value as { wsUrl: string }).wsUrl)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/session\/[A-Za-z0-9_-]{43}$/);
    ws.close();
  });

  it('stops cleanly on SIGINT', async () => {
    const own = await startPorthole();
    const exit = await own.stop('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(own.output()).toContain('Porthole stopped (SIGINT).');
  });
});
