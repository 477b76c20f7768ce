// Closing a session, a window (caller) or the app closes every socket it owns: checked with the real
// core, a renderer-like client and a Nova-like gate that counts its open connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startNovaGate, type NovaGate } from '../fixtures/nova-gate.js';

const appOrigin = 'http://127.0.0.1:2';
const peers = sharedPeers();
let gate: NovaGate;

beforeAll(async () => {
  gate = await startNovaGate({ tokens: new Map([['life', { host: '127.0.0.1', port: peers.xvnc.rfbPort }]]) });
});
afterAll(async () => gate.stop());

type Core = Awaited<ReturnType<typeof startCore>>;

async function openConsole(core: Core, caller: { id: string }): Promise<{ session: OpenedSession; ws: WebSocket; closed: Promise<number> }> {
  const outcome = (await core.handle('session.open', { source: { type: 'url', url: `ws://127.0.0.1:${gate.port}/?token=life` } }, caller)) as Outcome<OpenedSession>;
  if (!outcome.ok) throw new Error(outcome.error.code);
  const ws = new WebSocket(outcome.value.wsUrl, ['binary'], { origin: appOrigin });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { session: outcome.value, ws, closed };
}

async function newCore(): Promise<Core> {
  return startCore(
    { dataDir: mkdtempSync(path.join(os.tmpdir(), 'porthole-core-')), appOrigin, shell: 'browser', version: 'test' },
    { logger: silentLogger() },
  );
}

describe('session, window and app lifetimes', () => {
  it('session.close closes the upstream within 1 s; a second close is session-not-found', async () => {
    const core = await newCore();
    try {
      const caller = { id: 'window-1' };
      const { session, closed } = await openConsole(core, caller);
      expect(gate.connections()).toBe(1);
      const listed = (await core.handle('session.list', {}, caller)) as Outcome<{ sessions: Array<{ sessionId: string; state: string; bytesIn: number }> }>;
      expect(listed.ok && listed.value.sessions).toEqual([expect.objectContaining({ sessionId: session.sessionId, state: 'connected' })]);
      expect(listed.ok && listed.value.sessions[0]!.bytesIn).toBeGreaterThanOrEqual(12);
      expect(await core.handle('session.list', {}, { id: 'someone-else' })).toEqual({ ok: true, value: { sessions: [] } });
      expect(await core.handle('session.close', { sessionId: session.sessionId }, caller)).toEqual({ ok: true, value: {} });
      await expect.poll(() => gate.connections(), { timeout: 1000, interval: 20 }).toBe(0);
      expect(await closed).toBe(1000);
      expect(await core.handle('session.close', { sessionId: session.sessionId }, caller)).toMatchObject({ ok: false, error: { code: 'session-not-found' } });
    } finally {
      await core.close();
    }
  });

  it('another window cannot close or reconnect my session', async () => {
    const core = await newCore();
    try {
      const { session } = await openConsole(core, { id: 'mine' });
      expect(await core.handle('session.close', { sessionId: session.sessionId }, { id: 'theirs' })).toMatchObject({ ok: false, error: { code: 'session-not-found' } });
      expect(gate.connections()).toBe(1);
    } finally {
      await core.close();
    }
    await expect.poll(() => gate.connections(), { timeout: 1000 }).toBe(0);
  });

  it('a window going away closes every session it owns, and only those', async () => {
    const core = await newCore();
    try {
      const a = { id: 'window-a' };
      const b = { id: 'window-b' };
      await openConsole(core, a);
      await openConsole(core, a);
      const other = await openConsole(core, b);
      expect(gate.connections()).toBe(3);
      core.releaseCaller(a);
      await expect.poll(() => gate.connections(), { timeout: 1000, interval: 20 }).toBe(1);
      expect(other.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await core.close();
    }
  });

  it('closing the app closes every socket, and the process returns to its descriptors', async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const warm = await newCore();
    await warm.close();
    const baseline = fds();
    const core = await newCore();
    const consoles = await Promise.all([1, 2, 3, 4].map((i) => openConsole(core, { id: `w${i}` })));
    expect(gate.connections()).toBe(4);
    await core.close();
    await Promise.all(consoles.map((c) => c.closed));
    await expect.poll(() => gate.connections(), { timeout: 1000, interval: 20 }).toBe(0);
    await expect.poll(fds, { timeout: 3000 }).toBeLessThanOrEqual(baseline + 2);
  });

  it('reconnects an ended session with a fresh ticket, but never after a rejected token', async () => {
    const core = await newCore();
    try {
      const caller = { id: 'r' };
      const { session, ws, closed } = await openConsole(core, caller);
      ws.close();
      await closed;
      await expect.poll(() => gate.connections(), { timeout: 1000 }).toBe(0);
      const again = (await core.handle('session.reconnect', { sessionId: session.sessionId }, caller)) as Outcome<OpenedSession>;
      expect(again.ok && again.value.wsUrl !== session.wsUrl).toBe(true);

      const bad = (await core.handle('session.open', { source: { type: 'url', url: `ws://127.0.0.1:${gate.port}/?token=wrong` } }, caller)) as Outcome<OpenedSession>;
      if (!bad.ok) throw new Error(bad.error.code);
      const badWs = new WebSocket(bad.value.wsUrl, ['binary'], { origin: appOrigin });
      const code = await new Promise<number>((resolve) => badWs.on('close', (c) => resolve(c)));
      expect(code).toBeGreaterThanOrEqual(4000);
      await expect.poll(() => core.sessions.count).toBeLessThanOrEqual(1);
      expect(await core.handle('session.reconnect', { sessionId: bad.value.sessionId }, caller)).toMatchObject({ ok: false, error: { code: 'session-not-found' } });
    } finally {
      await core.close();
    }
  });
});
