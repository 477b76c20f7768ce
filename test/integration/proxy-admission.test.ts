// The loopback proxy admits a renderer socket only with a valid single-use ticket, the app's
// Origin and a loopback Host; everything else gets an HTTP 4xx before any upgrade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { WebSocket } from 'ws';
import { captureLogger } from '../fixtures/capture-logger.js';
import { LoopbackProxy } from '../../main/proxy/proxy-server.js';

const appOrigin = 'http://127.0.0.1:48123';
const { logger, text: logText } = captureLogger();

let proxy: LoopbackProxy;
let shortProxy: LoopbackProxy;
const admitted: string[] = [];

beforeAll(async () => {
  const onAdmitted = (sessionId: string, ws: WebSocket): void => {
    admitted.push(sessionId);
    ws.close(1000);
  };
  proxy = await LoopbackProxy.start({ appOrigin, logger, onAdmitted });
  shortProxy = await LoopbackProxy.start({ appOrigin, logger, onAdmitted, ticketTtlMs: 50 });
});
afterAll(async () => {
  await proxy.close();
  await shortProxy.close();
});

/** Attempts an upgrade; resolves with the HTTP status, or 101 if the upgrade happened. */
function attempt(url: string, headers: Record<string, string | undefined>): Promise<{ status: number; errorHeader?: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const h: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
    const req = http.request({ host: '127.0.0.1', port: Number(u.port), path: u.pathname + u.search, headers: h, setHost: headers.Host === undefined });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101 });
    });
    req.on('response', (res) => {
      res.resume();
      const errorHeader = res.headers['x-porthole-error'];
      resolve({ status: res.statusCode ?? 0, ...(typeof errorHeader === 'string' ? { errorHeader } : {}) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('loopback proxy admission', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(proxy.port).toBeGreaterThan(0);
  });

  it('admits a valid ticket once, with the app Origin and a loopback Host', async () => {
    const url = proxy.issueUrl('session-a');
    const first = await attempt(url, { Origin: appOrigin });
    expect(first.status).toBe(101);
    expect(admitted).toContain('session-a');
    const reused = await attempt(url, { Origin: appOrigin });
    expect(reused).toEqual({ status: 403, errorHeader: 'ticket-invalid' });
  });

  it('works with a real WebSocket client too', async () => {
    const ws = new WebSocket(proxy.issueUrl('session-ws'), ['binary'], { origin: appOrigin });
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    expect(code).toBe(1000);
  });

  const refusals: Array<[string, (url: string) => Record<string, string | undefined>, string]> = [
    ['a foreign Origin', () => ({ Origin: 'https://evil.example' }), 'origin-rejected'],
    ['Origin: null', () => ({ Origin: 'null' }), 'origin-rejected'],
    ['no Origin', () => ({}), 'origin-rejected'],
    ['a look-alike Origin with another port', () => ({ Origin: 'http://127.0.0.1:48124' }), 'origin-rejected'],
    ['an upper-case Origin', () => ({ Origin: appOrigin.toUpperCase() }), 'origin-rejected'],
    ['a non-loopback Host', () => ({ Origin: appOrigin, Host: 'evil.example' }), 'host-rejected'],
    ['a rebinding Host with our port', (url) => ({ Origin: appOrigin, Host: `rebind.example:${new URL(url).port}` }), 'host-rejected'],
  ];
  for (const [what, headers, code] of refusals) {
    it(`refuses ${what} with 403 before the upgrade, and keeps the ticket unused`, async () => {
      const url = proxy.issueUrl(`refused-${code}`);
      expect(await attempt(url, headers(url))).toEqual({ status: 403, errorHeader: code });
      // The ticket was not burnt by the refused attempt.
      expect((await attempt(url, { Origin: appOrigin })).status).toBe(101);
    });
  }

  it('refuses a missing, short or unknown ticket', async () => {
    const base = `ws://127.0.0.1:${proxy.port}`;
    for (const path of ['/', '/session/', '/session/short', `/session/${'A'.repeat(43)}`, `/session/${'A'.repeat(43)}/x`]) {
      expect(await attempt(base + path, { Origin: appOrigin }), path).toEqual({ status: 403, errorHeader: 'ticket-invalid' });
    }
  });

  it('refuses an expired ticket', async () => {
    const url = shortProxy.issueUrl('late');
    await new Promise((r) => setTimeout(r, 120));
    expect(await attempt(url, { Origin: appOrigin })).toEqual({ status: 403, errorHeader: 'ticket-invalid' });
    expect(admitted).not.toContain('late');
  });

  it('answers plain HTTP with 426 and never logs a ticket', async () => {
    const status = await new Promise<number>((resolve) => {
      http.get(`http://127.0.0.1:${proxy.port}/`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
    });
    expect(status).toBe(426);
    const url = proxy.issueUrl('logged');
    const ticket = url.split('/').pop()!;
    await attempt(url, { Origin: 'https://evil.example' });
    expect(logText()).toContain('origin-rejected');
    expect(logText()).not.toContain(ticket);
  });
});
