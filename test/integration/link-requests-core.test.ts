// Deep links and .vv files in the real core, as both shells use it: a submitted link is announced to
// every window or tab, pending for one that loads later, opened only by an answer (the first answer
// wins), and a .vv file that asked to be deleted goes only then. Nothing a window receives holds a secret.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LinkRequestView, OpenedSession, Outcome } from '../../app/contract.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';
import { sharedPeers } from '../fixtures/shared-peers.js';

const appOrigin = 'http://127.0.0.1:2';
const peers = sharedPeers();
const PASSWORD = 'link-SECRET-pw-4';
let core: Awaited<ReturnType<typeof startCore>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-core-links-'));
  core = await startCore({ dataDir: dir, appOrigin, shell: 'browser', version: 'test' }, { logger: silentLogger() });
});
afterAll(async () => core?.close());

describe('links in the core', () => {
  it('announces a link to every caller, opens it for the one who accepts, and nobody else can answer it', async () => {
    const heard: Record<string, unknown[]> = { a: [], b: [] };
    const offA = core.subscribe({ id: 'a' }, (name, payload) => heard.a?.push([name, payload]));
    const offB = core.subscribe({ id: 'b' }, (name, payload) => heard.b?.push([name, payload]));
    const out = await core.submitLink({ kind: 'console-url', url: `vnc://:${PASSWORD}@127.0.0.1:${peers.xvnc.rfbPort}?ViewOnly=true` });
    if (!out.ok) throw new Error(out.error.code);
    const view: LinkRequestView = out.view;
    expect(heard.a).toEqual([['link.request', view]]);
    expect(heard.b).toEqual([['link.request', view]]);
    expect(JSON.stringify(heard)).not.toContain(PASSWORD);
    // A tab that loads later asks for what is pending.
    expect(await core.handle('link.pending', {}, { id: 'c' })).toEqual({ ok: true, value: { requests: [view] } });

    const opened = (await core.handle('link.accept', { requestId: view.requestId }, { id: 'a' })) as Outcome<OpenedSession>;
    expect(opened).toMatchObject({ ok: true, value: { displayAddress: `vnc://127.0.0.1:${peers.xvnc.rfbPort}`, display: { viewOnly: true } } });
    if (!opened.ok) return;
    expect(JSON.stringify(opened)).not.toContain(PASSWORD);
    expect(await core.handle('link.dismiss', { requestId: view.requestId }, { id: 'b' })).toMatchObject({ ok: false, error: { code: 'session-not-found' } });
    expect(await core.handle('link.accept', { requestId: view.requestId }, { id: 'b' })).toMatchObject({ ok: false, error: { code: 'session-not-found' } });

    // The accepted console is real: the loopback proxy relays the Xvnc banner.
    const ws = new WebSocket(opened.value.wsUrl, ['binary'], { origin: appOrigin });
    const banner = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(data.toString('latin1')));
      ws.once('error', reject);
    });
    expect(banner).toMatch(/^RFB 003\.00[38]\n/);
    ws.close();
    offA();
    offB();
  });

  it('refuses what it cannot open without announcing anything, and deletes a .vv file only on the answer', async () => {
    const heard: unknown[] = [];
    const off = core.subscribe({ id: 'd' }, (name, payload) => heard.push([name, payload]));
    expect(await core.submitLink({ kind: 'console-url', url: 'vnc://h.example?ViewOnly=maybe' })).toMatchObject({ ok: false, error: { code: 'url-invalid' } });
    expect(heard).toEqual([]);
    const file = path.join(dir, 'once.vv');
    writeFileSync(file, `[virt-viewer]\ntype=vnc\nhost=127.0.0.1\nport=${peers.xvnc.rfbPort}\npassword=${PASSWORD}\ndelete-this-file=1\n`);
    const out = await core.submitLink({ kind: 'vv-file', path: file });
    if (!out.ok) throw new Error(out.error.code);
    expect(existsSync(file)).toBe(true);
    expect(await core.handle('link.dismiss', { requestId: out.view.requestId }, { id: 'd' })).toEqual({ ok: true, value: {} });
    expect(existsSync(file)).toBe(false);
    expect(JSON.stringify(heard)).not.toContain(PASSWORD);
    off();
  });
});
