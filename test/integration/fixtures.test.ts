// Proves every real-peer fixture works against the real thing, so other tests can trust them.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import { spkiSha256 } from '../fixtures/certs.js';
import { startEchoServer, startFloodServer, startHttpStatusServer, startSilentListener } from '../fixtures/fake-upstreams.js';
import { runInKeyringSession, startInKeyringSession } from '../fixtures/keyring.js';
import { startNovaGate, type NovaGate, type NovaTarget } from '../fixtures/nova-gate.js';
import { freePort, waitForTcp } from '../fixtures/ports.js';
import { spawnManaged } from '../fixtures/processes.js';
import { RFB_BANNER, readRfbBanner, readRfbPixel } from '../fixtures/rfb.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startWebsockify } from '../fixtures/websockify.js';
import { runOnDisplay } from '../fixtures/xvnc.js';

const peers = sharedPeers();
const vnc = `127.0.0.1:${peers.xvnc.rfbPort}`;

interface WsOutcome {
  opened: boolean;
  protocol: string;
  first?: string;
  closeCode?: number;
  status?: number;
  error?: string;
}

/** Connects, and settles on the first message (the RFB banner), a close, an HTTP refusal or an error. */
function wsProbe(url: string, opts: ClientOptions = {}): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['binary'], { handshakeTimeout: 3000, ...opts });
    const outcome: WsOutcome = { opened: false, protocol: '' };
    const done = (): void => {
      ws.terminate();
      resolve(outcome);
    };
    ws.on('open', () => {
      outcome.opened = true;
      outcome.protocol = ws.protocol;
    });
    ws.on('message', (data: Buffer) => {
      outcome.first = data.toString('latin1');
      done();
    });
    ws.on('close', (code) => {
      outcome.closeCode = code;
      done();
    });
    ws.on('unexpected-response', (_req, res) => {
      outcome.status = res.statusCode;
      done();
    });
    ws.on('error', (err) => {
      outcome.error = err.message;
      done();
    });
  });
}

describe('ports and processes', () => {
  it('freePort gives a bindable port and waitForTcp sees a listener', async () => {
    const port = await freePort();
    await expect(waitForTcp(port, '127.0.0.1', 200)).rejects.toThrow(/nothing listening/);
    const echo = await startEchoServer();
    await waitForTcp(echo.port);
    await echo.stop();
  });

  it('stop() escalates to SIGKILL for a child that ignores SIGTERM, and kills its group', async () => {
    // The shell ignores SIGTERM, and so does its background child (ignored signals are inherited).
    const proc = spawnManaged('/bin/sh', ['-c', 'trap "" TERM; sleep 30 & echo "ready $!"; wait'], { group: true });
    const grandchild = Number((await proc.waitForOutput(/ready (\d+)/))[1]);
    const started = Date.now();
    const info = await proc.stop({ graceMs: 300 });
    expect(info.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Gone, or a zombie waiting for init to reap it.
    await expect.poll(() => {
      try {
        return /^\d+ \(sleep\) Z/.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8'));
      } catch {
        return true;
      }
    }).toBe(true);
  });
});

describe('Xvnc (shared)', () => {
  it('answers with an RFB banner and shows the root colour at the requested geometry', async () => {
    expect(await readRfbBanner(peers.xvnc.rfbPort)).toMatch(RFB_BANNER);
    const pixel = await readRfbPixel(peers.xvnc.rfbPort, 10, 10);
    expect(pixel).toEqual({ r: 0x1e, g: 0x90, b: 0xff, width: 640, height: 480 });
  });

  it('runOnDisplay runs X clients on the display', async () => {
    const proc = runOnDisplay(peers.xvnc, '/usr/bin/xwininfo', ['-root']);
    const info = await proc.exited;
    expect(info.code, proc.output()).toBe(0);
    expect(proc.output()).toMatch(/Width: 640\s+Height: 480/);
  });
});

describe('websockify', () => {
  it('proxies to Xvnc with a valid token (subprotocol binary)', async () => {
    const ok = await wsProbe(`ws://127.0.0.1:${peers.websockify.port}/?token=${peers.websockify.token}`);
    expect(ok).toMatchObject({ opened: true, protocol: 'binary' });
    expect(ok.first).toMatch(RFB_BANNER);
  });

  it('drops a bad token after the upgrade, without a close frame', async () => {
    const bad = await wsProbe(`ws://127.0.0.1:${peers.websockify.port}/?token=nope`);
    expect(bad.first).toBeUndefined();
    expect(bad.closeCode).toBe(1006);
  });

  it('TLS-only websockify is trusted through the test CA, and its key matches the pin', async () => {
    const { pki, websockifyTls } = peers;
    const url = `wss://127.0.0.1:${websockifyTls.port}/?token=${websockifyTls.token}`;
    let pin = '';
    const ok = await new Promise<WsOutcome>((resolve) => {
      const ws = new WebSocket(url, ['binary'], { ca: readFileSync(pki.ca.certPath) });
      ws.on('upgrade', (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        pin = spkiSha256(socket.getPeerX509Certificate()?.toString() ?? '');
      });
      ws.on('message', (data: Buffer) => {
        ws.terminate();
        resolve({ opened: true, protocol: ws.protocol, first: data.toString('latin1') });
      });
      ws.on('error', (err) => resolve({ opened: false, protocol: '', error: err.message }));
    });
    expect(ok.first).toMatch(RFB_BANNER);
    expect(pin).toBe(pki.server.spkiSha256);
    const untrusted = await wsProbe(url, { ca: readFileSync(pki.otherCa.certPath) });
    expect(untrusted.error).toMatch(/certificate/i);
    const plain = await wsProbe(`ws://127.0.0.1:${websockifyTls.port}/?token=${websockifyTls.token}`);
    expect(plain.opened).toBe(false);
  });

  it('setTokens takes effect on the next connection; --web serves files', async () => {
    const web = mkdtempSync(join(tmpdir(), 'porthole-web-'));
    writeFileSync(join(web, 'hello.txt'), 'hi from websockify');
    const wsfy = await startWebsockify({ tokens: { first: vnc }, web });
    try {
      expect(await (await fetch(`http://127.0.0.1:${wsfy.port}/hello.txt`)).text()).toBe('hi from websockify');
      expect((await wsProbe(`ws://127.0.0.1:${wsfy.port}/?token=first`)).first).toMatch(RFB_BANNER);
      wsfy.setTokens({ second: vnc });
      expect((await wsProbe(`ws://127.0.0.1:${wsfy.port}/?token=first`)).closeCode).toBe(1006);
      expect((await wsProbe(`ws://127.0.0.1:${wsfy.port}/?token=second`)).first).toMatch(RFB_BANNER);
      expect(wsfy.logs()).toMatch(/Token 'first' not found/);
    } finally {
      await wsfy.stop();
      rmSync(web, { recursive: true, force: true });
    }
  });
});

describe('test PKI', () => {
  it('issues the certificates the TLS tests rely on', () => {
    const { pki } = peers;
    const cert = (path: string): X509Certificate => new X509Certificate(readFileSync(path));
    const ca = cert(pki.ca.certPath);
    const otherCa = cert(pki.otherCa.certPath);
    for (const name of ['server', 'rotated'] as const) {
      const leaf = cert(pki[name].certPath);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkHost('localhost')).toBe('localhost');
      expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(leaf.checkIP('::1')).toBe('::1');
    }
    expect(pki.rotated.spkiSha256).not.toBe(pki.server.spkiSha256);
    const wrongHost = cert(pki.wrongHost.certPath);
    expect(wrongHost.verify(ca.publicKey)).toBe(true);
    expect(wrongHost.checkHost('localhost')).toBeUndefined();
    expect(wrongHost.checkHost('other.example')).toBe('other.example');
    const otherServer = cert(pki.otherServer.certPath);
    expect(otherServer.verify(otherCa.publicKey)).toBe(true);
    expect(otherServer.verify(ca.publicKey)).toBe(false);
    expect(otherServer.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('Nova-like gate', () => {
  const tokens = new Map<string, NovaTarget>();
  let gate: NovaGate;
  let tlsGate: NovaGate;
  beforeAll(async () => {
    tokens.set('good', { host: '127.0.0.1', port: peers.xvnc.rfbPort });
    tokens.set('expired', { host: '127.0.0.1', port: peers.xvnc.rfbPort, expiresAt: Date.now() - 1 });
    const { pki } = peers;
    [gate, tlsGate] = await Promise.all([
      startNovaGate({ tokens }),
      startNovaGate({ tokens, tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gate.stop(), tlsGate.stop()]);
  });

  it('bridges to the target with a query token or a cookie token, on any path', async () => {
    const byQuery = await wsProbe(`ws://127.0.0.1:${gate.port}/?token=good`);
    expect(byQuery).toMatchObject({ opened: true, protocol: 'binary' });
    expect(byQuery.first).toMatch(RFB_BANNER);
    const byCookie = await wsProbe(`ws://127.0.0.1:${gate.port}/websockify`, { headers: { Cookie: 'a=b; token=good' } });
    expect(byCookie.first).toMatch(RFB_BANNER);
    const overTls = await wsProbe(`wss://127.0.0.1:${tlsGate.port}/?token=good`, { ca: readFileSync(peers.pki.ca.certPath), origin: `https://127.0.0.1:${tlsGate.port}` });
    expect(overTls.first).toMatch(RFB_BANNER);
    expect(gate.accepted()).toBe(2);
  });

  it('drops bad and expired tokens after the 101, without a close frame', async () => {
    for (const url of [`ws://127.0.0.1:${gate.port}/?token=bad`, `ws://127.0.0.1:${gate.port}/?token=expired`, `ws://127.0.0.1:${gate.port}/`]) {
      const outcome = await wsProbe(url);
      expect(outcome, url).toMatchObject({ opened: true, closeCode: 1006 });
      expect(outcome.first).toBeUndefined();
    }
  });

  it('closes when the Origin is not https on the same host', async () => {
    const url = `ws://127.0.0.1:${gate.port}/?token=good`;
    expect(await wsProbe(url, { origin: `http://127.0.0.1:${gate.port}` })).toMatchObject({ closeCode: 1008 });
    expect(await wsProbe(url, { origin: 'https://evil.example' })).toMatchObject({ closeCode: 1008 });
    expect((await wsProbe(url, { origin: `https://127.0.0.1:${gate.port}` })).first).toMatch(RFB_BANNER);
    await expect.poll(() => gate.connections()).toBe(0);
  });
});

describe('fake upstreams', () => {
  it('silent listener accepts and never speaks', async () => {
    const silent = await startSilentListener();
    try {
      await expect(readRfbBanner(silent.port, '127.0.0.1', 300)).rejects.toThrow(/no RFB banner/);
    } finally {
      await silent.stop();
    }
  });

  it('HTTP status server refuses the upgrade with its status', async () => {
    const refusing = await startHttpStatusServer(403);
    try {
      expect(await wsProbe(`ws://127.0.0.1:${refusing.port}/`)).toMatchObject({ opened: false, status: 403 });
    } finally {
      await refusing.stop();
    }
  });

  it('echo server echoes and flood server floods', async () => {
    const [echo, flood] = await Promise.all([startEchoServer(), startFloodServer()]);
    try {
      const echoed = await new Promise<string>((resolve, reject) => {
        const socket = createConnection({ port: echo.port, host: '127.0.0.1' }, () => socket.write('ping'));
        socket.once('data', (data: Buffer) => {
          socket.destroy();
          resolve(data.toString());
        });
        socket.once('error', reject);
      });
      expect(echoed).toBe('ping');
      const received = await new Promise<number>((resolve, reject) => {
        let total = 0;
        const socket = createConnection({ port: flood.port, host: '127.0.0.1' });
        socket.on('data', (data: Buffer) => {
          total += data.length;
          if (total >= 4 << 20) {
            socket.destroy();
            resolve(total);
          }
        });
        socket.once('error', reject);
      });
      expect(received).toBeGreaterThanOrEqual(4 << 20);
      expect(flood.bytesWritten()).toBeGreaterThanOrEqual(received);
    } finally {
      await Promise.all([echo.stop(), flood.stop()]);
    }
  });
});

describe('private keyring session', () => {
  let scriptDir: string;
  beforeAll(() => {
    scriptDir = mkdtempSync(join(tmpdir(), 'porthole-keyring-probe-'));
    // The probe lives in a temp dir, so it imports the package by absolute URL.
    const keyringUrl = pathToFileURL(createRequire(import.meta.url).resolve('@napi-rs/keyring')).href;
    writeFileSync(
      join(scriptDir, 'once.mjs'),
      `import { AsyncEntry } from ${JSON.stringify(keyringUrl)};
const [mode, value] = process.argv.slice(2);
const entry = new AsyncEntry('Porthole', 'fixture-test');
if (mode === 'set') await entry.setPassword(value);
console.log(JSON.stringify({ secret: await entry.getPassword(), display: process.env.DISPLAY ?? null, extra: process.env.EXTRA ?? null }));
`,
    );
    writeFileSync(
      join(scriptDir, 'serve.mjs'),
      `import { AsyncEntry } from ${JSON.stringify(keyringUrl)};
import { createInterface } from 'node:readline';
const entry = new AsyncEntry('Porthole', 'long-lived');
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  await entry.setPassword(line);
  console.log('got:' + (await entry.getPassword()));
}
`,
    );
  });
  afterAll(() => rmSync(scriptDir, { recursive: true, force: true }));

  it('round-trips a secret, strips DISPLAY, and keeps it across runs sharing a dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-keyring-home-'));
    try {
      const env = { DISPLAY: ':99', EXTRA: 'yes' };
      const first = await runInKeyringSession(join(scriptDir, 'once.mjs'), ['set', 's3cret'], env, { dir });
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({ secret: 's3cret', display: null, extra: 'yes' });
      const second = await runInKeyringSession(join(scriptDir, 'once.mjs'), ['get'], {}, { dir });
      expect(JSON.parse(second.stdout)).toMatchObject({ secret: 's3cret' });
      const fresh = await runInKeyringSession(join(scriptDir, 'once.mjs'), ['get']);
      expect(JSON.parse(fresh.stdout)).toMatchObject({ secret: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hosts a long-lived child', async () => {
    const child = startInKeyringSession(join(scriptDir, 'serve.mjs'));
    try {
      await child.waitForOutput(/ready/);
      child.child.stdin?.write('hello\n');
      await child.waitForOutput(/got:hello/);
    } finally {
      await child.stop();
    }
  });
});
