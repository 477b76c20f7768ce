// What main tells the password prompt, against real TigerVNC Xvnc servers: a Plain-only server on a
// plain TCP stream gets the user name and password in clear, and the prompt and Test connection say
// so before anything is sent; VNC authentication there is "not encrypted"; X509Plain is encrypted.
// A user name the address carries (vnc://user@host) pre-fills the prompt. Neither the password nor
// the user name is logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { TcpTarget } from '../../app/console-target.js';
import { formatReport } from '../../main/diagnostics/format-report.js';
import { runDiagnostics } from '../../main/diagnostics/run-diagnostics.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startSecuredXvnc, VNC_PASSWORD } from '../fixtures/vnc-secured.js';
import type { Xvnc } from '../fixtures/xvnc.js';
import { securitySessions } from './helpers/security-sessions.js';

const peers = sharedPeers();
const user = peers.pamUser;
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');
const CLEAR = 'This server will receive your password unencrypted: anyone on the network path can read it.';

const harness = securitySessions({ tls: { allowInsecure: false, caPem }, credentialsTimeoutMs: 5000 });
const { prompts, logs, connect } = harness;
let plainOnly: Xvnc;
let vncAuth: Xvnc;
let x509Plain: Xvnc;

beforeAll(async () => {
  [plainOnly, vncAuth, x509Plain] = await Promise.all([
    startSecuredXvnc({ securityTypes: 'Plain', plainUsers: [user.name] }),
    startSecuredXvnc({ securityTypes: 'VncAuth' }),
    startSecuredXvnc({ securityTypes: 'X509Plain', pki: peers.pki, plainUsers: [user.name] }),
  ]);
  await harness.start();
}, 60_000);

afterAll(async () => {
  await harness.stop();
  await Promise.all([plainOnly?.stop(), vncAuth?.stop(), x509Plain?.stop()]);
});

const tcp = (port: number, extra: Partial<TcpTarget> = {}): TcpTarget => ({ kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port, ...extra });
const securedLog = (sessionId: string): string => logs().split('\n').find((l) => l.includes(sessionId) && l.includes('console authenticated upstream')) ?? '';

describe('the prompt says how the password travels and pre-fills the address’s user name', () => {
  it('vnc://user@host to a Plain-only Xvnc over TCP: asked with the user name pre-filled and “password in clear”; the answer connects', async () => {
    prompts.length = 0;
    harness.answer = (e) => {
      expect(harness.sessions.answerCredentials(e.sessionId, 'w', { credentials: { username: e.usernameFromAddress ?? '', password: user.password }, remember: false })).toBe(true);
    };
    // What session.open builds for a typed vnc://user@host: the user name on the target, no password.
    const s = await connect({ target: tcp(plainOnly.rfbPort, { username: user.name }) });
    expect(s.width).toBe(640);
    s.ws.close();
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ username: true, protection: 'password-in-clear', usernameFromAddress: user.name });
    expect(securedLog(s.sessionId)).toContain('"protection":"password-in-clear"');
    harness.answer = () => undefined;
  });

  it('VNC authentication over TCP is “not encrypted”; X509Plain is encrypted and verified', async () => {
    prompts.length = 0;
    harness.answer = (e) => {
      const credentials = e.username ? { username: user.name, password: user.password } : { password: VNC_PASSWORD };
      harness.sessions.answerCredentials(e.sessionId, 'w', { credentials, remember: false });
    };
    const a = await connect({ target: tcp(vncAuth.rfbPort) });
    a.ws.close();
    const b = await connect({ target: tcp(x509Plain.rfbPort) });
    b.ws.close();
    expect(prompts.map((p) => [p.username, p.protection, p.usernameFromAddress])).toEqual([
      [false, 'not-encrypted', undefined],
      [true, 'encrypted', undefined],
    ]);
    harness.answer = () => undefined;
  });

  it('neither the password nor the user name is logged', () => {
    expect(logs()).not.toContain(user.password);
    expect(logs()).not.toContain(user.name);
  });
});

describe('Test connection says the same', () => {
  const securityOf = (r: Awaited<ReturnType<typeof runDiagnostics>>) => r.steps.find((s) => s.step === 'security');

  it('a Plain-only server over TCP: the password would be sent unencrypted, in the step and the text report', async () => {
    const report = await runDiagnostics(tcp(plainOnly.rfbPort), { tls: { allowInsecure: false } });
    expect(securityOf(report)).toMatchObject({ status: 'ok', security: { chosen: 'Plain', needs: 'username-and-password', protection: 'password-in-clear' } });
    expect(securityOf(report)!.detail).toContain(CLEAR);
    expect(formatReport(report)).toContain('Password travels:    SENT UNENCRYPTED');
  });

  it('VNC authentication over TCP is reported as not encrypted; X509Plain has no warning', async () => {
    const vnc = await runDiagnostics(tcp(vncAuth.rfbPort), { tls: { allowInsecure: false } });
    expect(securityOf(vnc)).toMatchObject({ security: { chosen: 'VNC authentication', protection: 'not-encrypted' } });
    expect(securityOf(vnc)!.detail).toContain('not encrypted');
    const x509 = await runDiagnostics(tcp(x509Plain.rfbPort), { tls: { allowInsecure: false, caPem } });
    expect(securityOf(x509)).toMatchObject({ security: { chosen: 'X509Plain', protection: 'encrypted' } });
    expect(securityOf(x509)!.detail).not.toContain('encrypted');
  });
});
