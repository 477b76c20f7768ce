// A throw inside a socket, upgrade or timer callback ends one session, never the process: the
// relay, the connector handlers and the proxy's upgrade path each turn it into an 'internal'
// error for that session. Real WebSockets on 127.0.0.1; the failing parts are stand-ins for a
// bug further down (a security stage, a connector), which is the only way to make them throw.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import { closeCodeFor, type PortholeErrorShape } from '../../app/errors.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';
import { LoopbackProxy } from '../../main/proxy/proxy-server.js';
import { Relay, type RelayState } from '../../main/proxy/relay.js';
import { guardedHandlers, type UpstreamHandlers, type UpstreamPipe } from '../../main/proxy/upstream.js';
import { captureLogger } from '../fixtures/capture-logger.js';

const ORIGIN = 'http://127.0.0.1:1';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A relay on the server side of a real WebSocket; returns the client end and the relay's states. */
async function relayPair(connect: (h: UpstreamHandlers) => UpstreamPipe): Promise<{ client: WebSocket; states: Array<[RelayState, PortholeErrorShape | undefined]>; closed: Promise<number> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
  const states: Array<[RelayState, PortholeErrorShape | undefined]> = [];
  wss.on('connection', (ws) => {
    new Relay(ws, connect, { highWaterMark: 3 * 1024 * 1024, idleTimeoutMs: 0, onState: (state, error) => states.push([state, error]) });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  client.on('error', () => undefined);
  const closed = new Promise<number>((r) => client.on('close', (code) => r(code)));
  await new Promise<void>((r) => client.once('open', () => r()));
  cleanups.push(() => client.terminate());
  return { client, states, closed };
}

function pipe(overrides: Partial<UpstreamPipe> = {}): UpstreamPipe {
  const nothing = (): undefined => undefined;
  return { write: () => true, pause: nothing, resume: nothing, close: nothing, release: nothing, ...overrides };
}

describe('a throw on the relay path ends that session as internal', () => {
  it('the upstream write throws when the renderer sends', async () => {
    const { client, states, closed } = await relayPair((h) => {
      setImmediate(() => h.open());
      return pipe({
        write: () => {
          throw new Error('bug below the relay');
        },
      });
    });
    await new Promise((r) => setTimeout(r, 20));
    client.send(Buffer.from([1, 2, 3]));
    expect(await closed).toBe(closeCodeFor.internal);
    expect(states.at(-1)?.[0]).toBe('failed');
    expect(states.at(-1)?.[1]?.code).toBe('internal');
  });

  it('the connector itself throws', async () => {
    const { states, closed } = await relayPair(() => {
      throw new Error('connector bug');
    });
    expect(await closed).toBe(closeCodeFor.internal);
    expect(states.at(-1)?.[1]?.code).toBe('internal');
  });

  it('the pipe throws while the relay hands data on (release after a send)', async () => {
    const { client, states, closed } = await relayPair((h) => {
      setImmediate(() => {
        h.open();
        h.data(Buffer.from('RFB 003.008\n'));
      });
      return pipe({
        release: () => {
          throw new Error('bug in release');
        },
      });
    });
    client.on('message', () => undefined);
    expect(await closed).toBe(closeCodeFor.internal);
    expect(states.at(-1)?.[1]?.code).toBe('internal');
  });
});

describe('guardedHandlers', () => {
  it('hands the first throw to the failure callback and drops every later call', () => {
    const failures: unknown[] = [];
    const seen: string[] = [];
    const safe = guardedHandlers(
      {
        open: () => seen.push('open'),
        data: () => {
          throw new Error('stage bug');
        },
        drain: () => seen.push('drain'),
        closed: () => seen.push('closed'),
      },
      (err) => failures.push(err),
    );
    safe.open();
    expect(() => safe.data(Buffer.alloc(1))).not.toThrow();
    safe.drain();
    safe.closed(undefined);
    expect(seen).toEqual(['open']);
    expect(failures).toHaveLength(1);
  });
});

describe('the proxy upgrade path', () => {
  it('a session start that throws closes that socket as internal; the proxy keeps admitting', async () => {
    const { logger } = captureLogger();
    let throwNext = true;
    const admitted: string[] = [];
    const proxy = await LoopbackProxy.start({
      appOrigin: ORIGIN,
      logger,
      onAdmitted: (sessionId, ws) => {
        if (throwNext) {
          throwNext = false;
          throw new Error('session start bug');
        }
        admitted.push(sessionId);
        ws.close(1000);
      },
    });
    cleanups.push(() => proxy.close());
    const open = (url: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, ['binary'], { origin: ORIGIN });
        ws.on('error', () => undefined);
        ws.on('close', (code) => resolve(code));
      });
    expect(await open(proxy.issueUrl('first'))).toBe(closeCodeFor.internal);
    expect(await open(proxy.issueUrl('second'))).toBe(1000);
    expect(admitted).toEqual(['second']);
  });
});

describe('the core’s events', () => {
  it('a listener that throws (a window already gone) does not stop the other listeners or the session', async () => {
    const core = await startCore({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'porthole-core-')), appOrigin: ORIGIN, shell: 'browser', version: 'test' }, { logger: silentLogger() });
    cleanups.push(() => core.close());
    const caller = { id: 'window-gone' };
    const states: string[] = [];
    core.subscribe(caller, () => {
      throw new Error('Object has been destroyed');
    });
    core.subscribe(caller, (name, payload) => {
      if (name === 'session.state') states.push((payload as { state: string }).state);
    });
    const opened = (await core.handle('session.open', { source: { type: 'demo' } }, caller)) as Outcome<OpenedSession>;
    if (!opened.ok) throw new Error(opened.error.code);
    const ws = new WebSocket(opened.value.wsUrl, ['binary'], { origin: ORIGIN });
    ws.on('error', () => undefined);
    cleanups.push(() => ws.terminate());
    // The demo's banner arrives: the relay survived the throwing listener on 'connecting' and 'connected'.
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    await expect.poll(() => states).toContain('connected');
  });
});
