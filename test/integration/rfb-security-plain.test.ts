// VeNCrypt Plain and X509Plain (user name + password) answered in main against real TigerVNC Xvnc
// servers that check them with PAM against this run's local test user (test/fixtures/pam-user.ts).
// A renderer-like client speaks only "None"; main sends the user name and password, inside a
// verified TLS session where one is offered. Also: which of Plain / TLSPlain choose.ts picks with
// and without a verified wss stream (websockify --ssl-only in front), and Test connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import type { TcpTarget, WebSocketTarget } from '../../app/console-target.js';
import type { DiagnosticReport } from '../../app/diagnostics.js';
import type { ProfileSummary } from '../../app/profile.js';
import { startCore } from '../../main/core.js';
import { formatReport } from '../../main/diagnostics/format-report.js';
import { runDiagnostics } from '../../main/diagnostics/run-diagnostics.js';
import { silentLogger } from '../../main/log/logger.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { rfbConnect } from '../fixtures/rfb-client.js';
import { ORIGIN, securitySessions } from './helpers/security-sessions.js';
import { startSecuredXvnc } from '../fixtures/vnc-secured.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import type { Xvnc } from '../fixtures/xvnc.js';

const peers = sharedPeers();
const user = peers.pamUser;
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');
/** What TigerVNC 1.12 says when PAM refuses the user name or password. */
const PAM_REFUSAL = 'invalid password or username';

let x509Plain: Xvnc;
let tlsPlain: Xvnc;
let plainOnly: Xvnc;
let wss: Websockify;

const harness = securitySessions({ tls: { allowInsecure: false, caPem }, credentialsTimeoutMs: 5000 });
const { prompts, logs, connect, failure } = harness;

beforeAll(async () => {
  const plainUsers = [user.name];
  [x509Plain, tlsPlain, plainOnly] = await Promise.all([
    startSecuredXvnc({ securityTypes: 'X509Plain,Plain', pki: peers.pki, plainUsers }),
    startSecuredXvnc({ securityTypes: 'TLSPlain,Plain', plainUsers }),
    startSecuredXvnc({ securityTypes: 'Plain', plainUsers }),
  ]);
  wss = await startWebsockify({
    tokens: { 'tls-plain': `127.0.0.1:${tlsPlain.rfbPort}`, 'plain-only': `127.0.0.1:${plainOnly.rfbPort}` },
    tls: { certPath: peers.pki.server.certPath, keyPath: peers.pki.server.keyPath },
    sslOnly: true,
  });
  await harness.start();
}, 90_000);

afterAll(async () => {
  await harness.stop();
  await Promise.all([x509Plain?.stop(), tlsPlain?.stop(), plainOnly?.stop(), wss?.stop()]);
});

const tcp = (port: number, extra: Partial<TcpTarget> = {}): TcpTarget => ({ kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port, ...extra });
const viaWss = (token: string): WebSocketTarget => ({ kind: 'websocket', flavour: 'websockify', secure: true, host: '127.0.0.1', port: wss.port, path: '/', query: [], token });
const known = (password: string, username: string = user.name) => ({ known: { username, password }, prompt: false });
/** The log line of the session's upstream authentication. */
const securedLog = (sessionId: string): string => logs().split('\n').find((l) => l.includes(sessionId) && l.includes('console authenticated upstream')) ?? '';

describe('X509Plain against Xvnc with a PAM user', () => {
  it('the right user name and password connect inside verified TLS; the renderer sees RFB 3.8 with only None and ServerInit; neither secret reaches it or the log', async () => {
    const s = await connect({ target: tcp(x509Plain.rfbPort), credentials: known(user.password) });
    expect(s.offered).toEqual([1]);
    expect([s.width, s.height]).toEqual([640, 480]);
    for (const chunk of s.received) {
      expect(chunk.toString('latin1')).not.toContain(user.password);
      expect(chunk.toString('latin1')).not.toContain(user.name);
    }
    s.ws.close();
    expect(securedLog(s.sessionId)).toMatch(/"subtypes":\[262,256\],"subtype":262,"tls":"x509","tlsProtocol":"TLSv1\.[23]"/);
    expect(logs()).not.toContain(user.password);
  });

  it('a wrong password is the typed vnc-auth-failed with the server’s reason (PAM refused it)', async () => {
    const bad = await failure({ target: tcp(x509Plain.rfbPort), credentials: known('wrong-password') });
    expect(bad.code).toBe('vnc-auth-failed');
    expect(bad.detail).toContain(PAM_REFUSAL);
    // The same for an unknown user with the right password.
    expect((await failure({ target: tcp(x509Plain.rfbPort), credentials: known(user.password, 'no-such-user') })).code).toBe('vnc-auth-failed');
  });

  it('with nothing known it asks for a user name and password; a wrong one is asked again with the reason; the right one connects', async () => {
    prompts.length = 0;
    harness.answer = (e) => {
      const password = prompts.length === 1 ? 'wrong-password' : user.password;
      expect(harness.sessions.answerCredentials(e.sessionId, 'w', { credentials: { username: user.name, password }, remember: false })).toBe(true);
    };
    const s = await connect({ target: tcp(x509Plain.rfbPort) });
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toMatchObject({ username: true, canRemember: false });
    expect(prompts[0]!.failure).toBeUndefined();
    expect(prompts[1]!.failure).toMatchObject({ code: 'vnc-auth-failed' });
    expect(prompts[1]!.failure!.detail).toContain(PAM_REFUSAL);
    expect(s.width).toBe(640);
    s.ws.close();
    harness.answer = () => undefined;
  });

  it('a user name and password carried by the address (vnc://user:password@host) are used as they are, without a prompt', async () => {
    prompts.length = 0;
    const s = await connect({ target: tcp(x509Plain.rfbPort, { username: user.name, password: user.password }) });
    expect(s.width).toBe(640);
    expect(prompts).toHaveLength(0);
    s.ws.close();
  });

  it('an untrusted certificate ends the session before any credential is asked for or sent', async () => {
    let fetched = 0;
    const credentials = { known: async () => ((fetched += 1), { username: user.name, password: user.password }), prompt: false };
    const r = await failure({ target: tcp(x509Plain.rfbPort), tls: { allowInsecure: false }, credentials });
    expect(r.code).toBe('tls-untrusted');
    expect(fetched).toBe(0);
  });
});

describe('Plain and TLSPlain: the choice follows the stream (choose.ts)', () => {
  it('over plain TCP a server offering TLSPlain and Plain gets TLSPlain (anonymous TLS), never the password in clear', async () => {
    const s = await connect({ target: tcp(tlsPlain.rfbPort), credentials: known(user.password) });
    expect(s.width).toBe(640);
    s.ws.close();
    expect(securedLog(s.sessionId)).toMatch(/"subtypes":\[259,256\],"subtype":259,"tls":"anonymous"/);
  });

  it('over a verified wss stream (websockify --ssl-only) the same server gets Plain: the password travels inside that TLS, no second TLS inside it', async () => {
    const s = await connect({ target: viaWss('tls-plain'), credentials: known(user.password) });
    expect(s.width).toBe(640);
    s.ws.close();
    const line = securedLog(s.sessionId);
    expect(line).toContain('"subtype":256');
    expect(line).not.toContain('"tls":');
    expect((await failure({ target: viaWss('tls-plain'), credentials: known('wrong-password') })).detail).toContain(PAM_REFUSAL);
  });

  it('a server offering only Plain is used over a verified wss stream, and over plain TCP as the last resort the policy allows', async () => {
    const overWss = await connect({ target: viaWss('plain-only'), credentials: known(user.password) });
    expect(overWss.width).toBe(640);
    overWss.ws.close();
    const overTcp = await connect({ target: tcp(plainOnly.rfbPort), credentials: known(user.password) });
    expect(overTcp.width).toBe(640);
    overTcp.ws.close();
    expect(securedLog(overTcp.sessionId)).toContain('"subtypes":[256],"subtype":256');
  });
});

describe('Test connection against Plain servers', () => {
  const securityOf = (r: Awaited<ReturnType<typeof runDiagnostics>>) => r.steps.find((s) => s.step === 'security');

  it('says X509Plain needs a user name and a password; with them it authenticates; the report holds neither', async () => {
    const without = await runDiagnostics(tcp(x509Plain.rfbPort), { tls: { allowInsecure: false, caPem } });
    expect(without.ok).toBe(true);
    expect(securityOf(without)).toMatchObject({ status: 'ok', security: { offered: ['VeNCrypt'], vencrypt: ['X509Plain', 'Plain'], chosen: 'X509Plain', needs: 'username-and-password' } });
    expect(securityOf(without)!.detail).toContain('needs a user name and password');
    expect(formatReport(without)).toContain('Needs:               a user name and a password');

    const withCreds = await runDiagnostics(tcp(x509Plain.rfbPort, { username: user.name, password: user.password }), { tls: { allowInsecure: false, caPem } });
    expect(securityOf(withCreds)).toMatchObject({ status: 'ok', security: { chosen: 'X509Plain', authenticated: true } });
    const text = formatReport(withCreds);
    expect(text).toContain('Known password:      accepted');
    expect(text).not.toContain(user.password);
  });

  it('a wrong password is reported with the server’s reason; a Plain-only server behind wss is named and needs a user name', async () => {
    const wrong = await runDiagnostics(tcp(x509Plain.rfbPort), { tls: { allowInsecure: false, caPem }, credentials: { username: user.name, password: 'wrong-password' } });
    expect(securityOf(wrong)).toMatchObject({ status: 'failed', error: { code: 'vnc-auth-failed' }, security: { authenticated: false } });
    expect(securityOf(wrong)!.detail).toContain(PAM_REFUSAL);

    const plain = await runDiagnostics(viaWss('plain-only'), { tls: { allowInsecure: false, caPem } });
    expect(securityOf(plain)).toMatchObject({ status: 'ok', security: { vencrypt: ['Plain'], chosen: 'Plain', needs: 'username-and-password' } });
  });
});

describe('a profile saved from vnc://user:password@host, through the real core', () => {
  it('keeps both in its secret slots (not the file); Test connection authenticates with them; the console opens with no prompt', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-plain-profile-'));
    // No Secret Service in this process: secrets are kept in memory for the run, never on disk.
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    const core = await startCore({ dataDir, appOrigin: ORIGIN, shell: 'browser', version: 'test' }, { logger: silentLogger() });
    const caller = { id: 'w' };
    try {
      const address = `vnc://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${x509Plain.rfbPort}`;
      const saved = (await core.handle('profiles.save', { profile: { name: 'Plain VM', address, tls: { caPem } } }, caller)) as Outcome<{ profile: ProfileSummary }>;
      if (!saved.ok) throw new Error(saved.error.code);
      expect(saved.value.profile.endpoint.address).toBe(`vnc://127.0.0.1:${x509Plain.rfbPort}`);
      const source = { type: 'profile' as const, profileId: saved.value.profile.id };

      const tested = (await core.handle('diagnostics.run', { source }, caller)) as Outcome<{ report: DiagnosticReport; text: string }>;
      if (!tested.ok) throw new Error(tested.error.code);
      expect(tested.value.report.steps.find((st) => st.step === 'security')).toMatchObject({ status: 'ok', security: { chosen: 'X509Plain', needs: 'username-and-password', authenticated: true } });
      expect(tested.value.text).not.toContain(user.password);

      const opened = (await core.handle('session.open', { source }, caller)) as Outcome<OpenedSession>;
      if (!opened.ok) throw new Error(opened.error.code);
      const s = await rfbConnect(opened.value.wsUrl, ORIGIN);
      expect([s.width, s.offered]).toEqual([640, [1]]);
      s.ws.close();

      for (const file of readdirSync(dataDir)) {
        const text = readFileSync(path.join(dataDir, file), 'latin1');
        expect(text, file).not.toContain(user.password);
        expect(text, file).not.toContain(user.name);
      }
    } finally {
      await core.close();
      if (bus !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = bus;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
