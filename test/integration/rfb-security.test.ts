// RFB security answered in main against real servers: TigerVNC Xvnc (VncAuth, X509Vnc, X509None,
// anonymous TLSVnc), QEMU's own VNC server (password; VeNCrypt X509 with tls-creds-x509) and
// websockify in front of a VeNCrypt server (TLS over WebSocket messages). A renderer-like client
// speaks only "None"; main answers the password, asks through session.credentials, and types errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { connectTcp } from '../../main/proxy/upstream-tcp.js';
import { defaultLimits } from '../../main/proxy/upstream.js';
import { withSecurityStage, type CredentialAnswer, type CredentialBroker } from '../../main/rfb/security/security-stage.js';
import { anonymousTlsAvailable } from '../../main/rfb/security/tls-upgrade.js';
import type { PortholeErrorShape } from '../../app/errors.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { rfbConnect } from '../fixtures/rfb-client.js';
import { ORIGIN, securitySessions } from './helpers/security-sessions.js';
import { startQemu, startSecuredXvnc, VNC_PASSWORD, type Qemu } from '../fixtures/vnc-secured.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import type { Xvnc } from '../fixtures/xvnc.js';

const peers = sharedPeers();
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');
const wsToken = `rfbsec-${Math.random().toString(36).slice(2)}`;

let vncAuth: Xvnc;
let x509Vnc: Xvnc;
let anon: Xvnc;
let anonNone: Xvnc;
let qemuPw: Qemu;
let qemuX509None: Qemu;
let websockify: Websockify;

const harness = securitySessions({ tls: { allowInsecure: false }, credentialsTimeoutMs: 1500 });
const { events, prompts, logs, open, connect, failure } = harness;

beforeAll(async () => {
  [vncAuth, x509Vnc, anon, anonNone, qemuPw, qemuX509None] = await Promise.all([
    startSecuredXvnc({ securityTypes: 'VncAuth' }),
    startSecuredXvnc({ securityTypes: 'X509Vnc', pki: peers.pki }),
    startSecuredXvnc({ securityTypes: 'TLSVnc' }),
    startSecuredXvnc({ securityTypes: 'TLSNone' }),
    startQemu({ password: VNC_PASSWORD }),
    startQemu({ pki: peers.pki }),
  ]);
  websockify = await startWebsockify({ tokens: { [wsToken]: `127.0.0.1:${x509Vnc.rfbPort}` } });
  await harness.start();
}, 90_000);

afterAll(async () => {
  await harness.stop();
  await Promise.all([vncAuth?.stop(), x509Vnc?.stop(), anon?.stop(), anonNone?.stop(), qemuPw?.stop(), qemuX509None?.stop(), websockify?.stop()]);
});

const tcp = (port: number, password?: string) => ({ kind: 'vnc-tcp' as const, tls: false, host: '127.0.0.1', port, ...(password ? { password } : {}) });

describe('VNC authentication in main', () => {
  it('answers with the password carried by the address; the renderer sees RFB 3.8 with only None; the log names the type, never the password', async () => {
    const s = await connect({ target: tcp(vncAuth.rfbPort, VNC_PASSWORD) });
    expect(s.offered).toEqual([1]);
    expect(s.width).toBe(640);
    for (const chunk of s.received) expect(chunk.toString('latin1')).not.toContain(VNC_PASSWORD);
    s.ws.close();
    expect(logs()).toContain('console authenticated upstream');
    expect(logs()).toContain('"type":2');
    expect(logs()).not.toContain(VNC_PASSWORD);
  });

  it('asks when it has no password; a wrong one is asked again with the server’s reason; the right one connects; a reconnect reuses it silently', async () => {
    prompts.length = 0;
    const given: string[] = [];
    harness.answer = (e) => {
      const password = prompts.length === 1 ? 'wrong-pw' : VNC_PASSWORD;
      given.push(password);
      expect(harness.sessions.answerCredentials(e.sessionId, 'w', { credentials: { password }, remember: false })).toBe(true);
    };
    const s = await connect({ target: tcp(vncAuth.rfbPort) });
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toMatchObject({ username: false, canRemember: false });
    expect(prompts[0]!.failure).toBeUndefined();
    expect(prompts[1]!.failure).toMatchObject({ code: 'vnc-auth-failed' });
    expect(prompts[1]!.failure!.detail).toContain('“Authentication failure”');
    expect(s.name).toBe('root@vm');
    s.ws.close();
    await expect.poll(() => events.some((e) => e.sessionId === s.sessionId && e.state === 'closed')).toBe(true);
    const again = await harness.sessions.reopen(s.sessionId, 'w');
    const s2 = await rfbConnect(again.wsUrl, ORIGIN);
    expect(prompts).toHaveLength(2);
    s2.ws.close();
  });

  it('a cancelled prompt ends the session with vnc-auth-cancelled; an unanswered one with vnc-auth-timeout', async () => {
    harness.answer = (e) => void setTimeout(() => harness.sessions.cancelCredentials(e.sessionId, 'w'), 50);
    expect((await failure({ target: tcp(vncAuth.rfbPort) })).code).toBe('vnc-auth-cancelled');
    harness.answer = () => undefined;
    expect((await failure({ target: tcp(vncAuth.rfbPort) })).code).toBe('vnc-auth-timeout');
  });

  it('another window cannot answer a session’s prompt', async () => {
    let refused: boolean | undefined;
    harness.answer = (e) => {
      refused = !harness.sessions.answerCredentials(e.sessionId, 'someone-else', { credentials: { password: VNC_PASSWORD }, remember: false });
      harness.sessions.cancelCredentials(e.sessionId, 'w');
    };
    await failure({ target: tcp(vncAuth.rfbPort) });
    expect(refused).toBe(true);
  });

  it('a minted ticket (credentials fetched at the moment of use, never a prompt): a wrong one fails with the server’s reason, no prompt', async () => {
    prompts.length = 0;
    let fetched = 0;
    const ticket = (password: string) => ({ known: async () => ((fetched += 1), { password }), prompt: false });
    const ok = await connect({ target: tcp(qemuPw.rfbPort), credentials: ticket(VNC_PASSWORD) });
    expect(ok.width).toBe(720);
    ok.ws.close();
    const bad = await failure({ target: tcp(qemuPw.rfbPort), credentials: ticket('stale-ticket') });
    expect(bad.code).toBe('vnc-auth-failed');
    expect(bad.detail).toContain('Authentication failed');
    expect(prompts).toHaveLength(0);
    expect(fetched).toBe(2);
  });
});

describe('a credential broker that fails ends only its own session', () => {
  /** Runs the stage against the real Xvnc (VncAuth) with `broker`; resolves with how it ended. */
  function staged(broker: CredentialBroker): Promise<PortholeErrorShape | undefined> {
    return new Promise((resolve) => {
      const connect = withSecurityStage(
        (h) => connectTcp(tcp(vncAuth.rfbPort), { limits: defaultLimits, tls: { allowInsecure: false } }, h),
        { host: '127.0.0.1', tls: { allowInsecure: false }, transportVerified: false, handshakeTimeoutMs: 10_000, credentials: broker },
      );
      const pipe = connect({
        open: () => undefined,
        data: () => pipe.release(),
        drain: () => undefined,
        closed: resolve,
      });
    });
  }
  const broker = (get: CredentialBroker['get']): CredentialBroker => ({ get, rejected: () => false, abort: () => undefined });

  it('a rejecting broker, a throwing one, and a throw while using the answer: each fails its session as internal; the process and a parallel session carry on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // An answer whose use throws (reading it fails inside the stage's callback).
      const poisoned = {
        get ok(): boolean {
          throw new Error('poisoned answer');
        },
      } as unknown as CredentialAnswer;
      const [rejecting, throwing, badAnswer, parallel] = await Promise.all([
        staged(broker(() => Promise.reject(new Error('keychain exploded')))),
        staged(
          broker(() => {
            throw new Error('broker threw');
          }),
        ),
        staged(broker(() => Promise.resolve(poisoned))),
        connect({ target: tcp(vncAuth.rfbPort, VNC_PASSWORD) }),
      ]);
      for (const ended of [rejecting, throwing, badAnswer]) expect(ended?.code).toBe('internal');
      expect(parallel.width).toBe(640);
      // Still alive after its neighbours failed: the parallel session keeps answering.
      expect(parallel.ws.readyState).toBe(WebSocket.OPEN);
      parallel.ws.close();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('the stage holds back a server that talks early', () => {
  it('a server flooding before the renderer has answered is paused after about 1 MiB', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      // RFB 3.8, None, OK — then a flood, without waiting for ClientInit.
      socket.write(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1, 0, 0, 0, 0])]));
      const pump = (): void => {
        while (!socket.destroyed && socket.writable) {
          written += chunk.length;
          if (!socket.write(chunk)) return;
        }
      };
      socket.on('drain', pump);
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { wsUrl } = open({ target: tcp((server.address() as net.AddressInfo).port) });
      // A renderer that never answers Porthole's banner.
      const ws = new WebSocket(wsUrl, ['binary'], { origin: ORIGIN });
      await new Promise((r) => ws.once('message', r));
      await new Promise((r) => setTimeout(r, 1000));
      const early = written;
      await new Promise((r) => setTimeout(r, 1000));
      expect(written - early).toBeLessThan(1024 * 1024);
      expect(written).toBeLessThan(24 * 1024 * 1024);
      ws.terminate();
    } finally {
      server.close();
    }
  });
});

describe('VeNCrypt in main', () => {
  it('X509Vnc against Xvnc, verified with the profile’s CA against the target host', async () => {
    const s = await connect({ target: tcp(x509Vnc.rfbPort, VNC_PASSWORD), tls: { allowInsecure: false, caPem } });
    expect(s.width).toBe(640);
    s.ws.close();
    expect(logs()).toMatch(/"subtype":261,"tls":"x509","tlsProtocol":"TLSv1\.[23]"/);
  });

  it('after the handshake the VeNCrypt stream is relayed byte for byte, and a renderer that stops reading stops the server', async () => {
    // A VeNCrypt X509None server (the test PKI's certificate) that streams 32 MiB of a fixed
    // pseudo-random pattern after ServerInit, as fast as TLS lets it.
    const TOTAL = 32 * 1024 * 1024;
    const pattern = Buffer.alloc(TOTAL);
    for (let i = 0, x = 0x2545f491; i < TOTAL; i += 4) {
      x = (Math.imul(x, 1664525) + 1013904223) | 0;
      pattern.writeInt32LE(x, i);
    }
    let written = 0;
    const serverInit = Buffer.concat([Buffer.from([0, 64, 0, 48, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 6]), Buffer.from('stream')]);
    const server = net.createServer((raw) => {
      raw.on('error', () => undefined);
      raw.write('RFB 003.008\n');
      const steps = [12, 1, 2, 4];
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buf = Buffer.concat([buf, chunk]);
        while (steps.length && buf.length >= steps[0]!) {
          buf = buf.subarray(steps.shift()!);
          if (steps.length === 3) raw.write(Buffer.from([1, 19]));
          else if (steps.length === 2) raw.write(Buffer.from([0, 2]));
          else if (steps.length === 1) raw.write(Buffer.from([0, 1, 0, 0, 1, 4])); // accepted; one subtype, X509None
          else raw.write(Buffer.from([1])); // subtype accepted
        }
        if (steps.length) return;
        raw.off('data', onData);
        const secure = new tls.TLSSocket(raw, { isServer: true, cert: readFileSync(peers.pki.server.certPath), key: readFileSync(peers.pki.server.keyPath) });
        secure.on('error', () => undefined);
        secure.once('secure', () => {
          secure.write(Buffer.from([0, 0, 0, 0]));
          secure.once('data', () => {
            // ClientInit: ServerInit, then the stream, honouring backpressure.
            secure.write(serverInit);
            const pump = (): void => {
              while (written < TOTAL) {
                const n = Math.min(64 * 1024, TOTAL - written);
                const ok = secure.write(pattern.subarray(written, written + n));
                written += n;
                if (!ok) return;
              }
            };
            secure.on('drain', pump);
            pump();
          });
        });
      };
      raw.on('data', onData);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const s = await connect({ target: tcp((server.address() as net.AddressInfo).port), tls: { allowInsecure: false, caPem } });
      expect([s.width, s.height, s.name]).toEqual([64, 48, 'stream']);
      // What came after ServerInit, in the messages rfbConnect already read and in the ones to come.
      const handshakeBytes = 12 + 2 + 4 + serverInit.length;
      const early = Buffer.concat(s.received).subarray(handshakeBytes);
      const parts: Buffer[] = [early];
      let got = early.length;
      s.ws.removeAllListeners('message'); // rfbConnect's handshake reader keeps every byte it sees
      const all = new Promise<void>((resolve) => {
        s.ws.on('message', (data: Buffer) => {
          parts.push(data);
          got += data.length;
          if (got >= TOTAL) resolve();
        });
      });
      s.ws.pause();
      await new Promise((r) => setTimeout(r, 800));
      const stalled = written;
      await new Promise((r) => setTimeout(r, 500));
      expect(written).toBe(stalled);
      expect(written).toBeLessThan(TOTAL);
      s.ws.resume();
      await all;
      const received = Buffer.concat(parts);
      expect(received.length).toBe(TOTAL);
      expect(createHash('sha256').update(received).digest('hex')).toBe(createHash('sha256').update(pattern).digest('hex'));
      s.ws.close();
    } finally {
      server.close();
    }
  });

  it('X509None against QEMU (tls-creds-x509 without a password) shows the SeaBIOS screen size', async () => {
    const s = await connect({ target: tcp(qemuX509None.rfbPort), tls: { allowInsecure: false, caPem } });
    expect([s.width, s.height, s.name]).toEqual([720, 400, 'QEMU']);
    s.ws.close();
  });

  it('refuses an untrusted certificate and a pinned key that does not match', async () => {
    expect((await failure({ target: tcp(qemuX509None.rfbPort) })).code).toBe('tls-untrusted');
    expect((await failure({ target: tcp(qemuX509None.rfbPort), tls: { allowInsecure: false, pinSha256: peers.pki.otherServer.spkiSha256 } })).code).toBe('tls-pin-mismatch');
  });

  it('checks the certificate against the target host name', async () => {
    const s = await connect({ target: { ...tcp(qemuX509None.rfbPort), host: 'localhost' }, tls: { allowInsecure: false, caPem } });
    expect(s.name).toBe('QEMU');
    s.ws.close();
  });

  it('connects with the pinned key alone (trust on first use)', async () => {
    const s = await connect({ target: tcp(qemuX509None.rfbPort), tls: { allowInsecure: false, pinSha256: peers.pki.server.spkiSha256 } });
    expect(s.name).toBe('QEMU');
    s.ws.close();
  });

  it('runs TLS over WebSocket messages: websockify in front of an X509Vnc Xvnc', async () => {
    const s = await connect({
      target: { kind: 'websocket', flavour: 'websockify', secure: false, host: '127.0.0.1', port: websockify.port, path: '/', query: [], token: wsToken },
      tls: { allowInsecure: false, caPem },
      credentials: { known: { password: VNC_PASSWORD } },
    });
    expect(s.name).toBe('root@vm');
    s.ws.close();
  });

  it('anonymous TLSVnc where the runtime has anonymous cipher suites (Node’s OpenSSL does)', async () => {
    expect(anonymousTlsAvailable()).toBe(true);
    const s = await connect({ target: tcp(anon.rfbPort, VNC_PASSWORD) });
    expect(s.width).toBe(640);
    s.ws.close();
    expect(logs()).toMatch(/"subtype":258,"tls":"anonymous"/);
  });

  it('anonymous TLSNone: no password asked for, encrypted with the server not verified', async () => {
    const before = prompts.length;
    const s = await connect({ target: tcp(anonNone.rfbPort) });
    expect(s.width).toBe(640);
    s.ws.close();
    expect(prompts.length).toBe(before);
    expect(logs()).toMatch(/"subtype":257,"tls":"anonymous"/);
  });
});
