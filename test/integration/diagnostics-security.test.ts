// Test connection's security step against real servers: the types offered (named), Porthole's
// choice, what it needs, the VeNCrypt certificate, and with a known password the real outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { formatReport } from '../../main/diagnostics/format-report.js';
import { runDiagnostics } from '../../main/diagnostics/run-diagnostics.js';
import { startOddTypesServer, type OddServer } from '../fixtures/rfb-odd-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startQemu, startSecuredXvnc, VNC_PASSWORD, type Qemu } from '../fixtures/vnc-secured.js';
import type { Xvnc } from '../fixtures/xvnc.js';

const peers = sharedPeers();
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');
let xvnc: Xvnc;
let qemu: Qemu;
let odd: OddServer;

beforeAll(async () => {
  [xvnc, qemu, odd] = await Promise.all([
    startSecuredXvnc({ securityTypes: 'X509Vnc,VncAuth', pki: peers.pki }),
    startQemu({ pki: peers.pki }),
    startOddTypesServer(),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([xvnc?.stop(), qemu?.stop(), odd?.stop()]);
});

const tcp = (port: number, password?: string) => ({ kind: 'vnc-tcp' as const, tls: false, host: '127.0.0.1', port, ...(password ? { password } : {}) });
const securityOf = (r: Awaited<ReturnType<typeof runDiagnostics>>) => r.steps.find((s) => s.step === 'security');

describe('Test connection: the security step', () => {
  it('names what the server offers, the choice and that it needs a password; with the known password it authenticates', async () => {
    const without = await runDiagnostics(tcp(xvnc.rfbPort), { tls: { allowInsecure: false, caPem } });
    expect(without.ok).toBe(true);
    expect(securityOf(without)).toMatchObject({ status: 'ok', security: { offered: ['VeNCrypt', 'VNC authentication'], vencrypt: ['X509Vnc', 'VNC authentication'], chosen: 'X509Vnc', needs: 'password' } });
    expect(securityOf(without)!.detail).toContain('Porthole will ask for it');
    expect(securityOf(without)!.certificate?.trusted).toBe(true);

    const withPw = await runDiagnostics(tcp(xvnc.rfbPort, VNC_PASSWORD), { tls: { allowInsecure: false, caPem } });
    expect(securityOf(withPw)).toMatchObject({ status: 'ok', security: { authenticated: true } });
    const text = formatReport(withPw);
    expect(text).toContain('Porthole uses:       X509Vnc');
    expect(text).toContain('Known password:      accepted');
    expect(text).toContain('Server certificate:');
    expect(text).not.toContain(VNC_PASSWORD);
  });

  it('a wrong known password is reported with the server’s reason', async () => {
    const r = await runDiagnostics(tcp(xvnc.rfbPort, 'wrong-pw'), { tls: { allowInsecure: false, caPem } });
    expect(r.ok).toBe(false);
    expect(r.stoppedAt).toBe('security');
    expect(securityOf(r)).toMatchObject({ status: 'failed', error: { code: 'vnc-auth-failed' }, security: { authenticated: false } });
    expect(securityOf(r)!.detail).toContain('Authentication failure');
  });

  it('an untrusted VeNCrypt certificate is shown and refused like any other', async () => {
    const r = await runDiagnostics(tcp(qemu.rfbPort), { tls: { allowInsecure: false } });
    expect(securityOf(r)).toMatchObject({ status: 'failed', error: { code: 'tls-untrusted' }, security: { chosen: 'X509None', needs: 'nothing' } });
    expect(securityOf(r)!.certificate?.chainTrusted).toBe(false);
    const ok = await runDiagnostics(tcp(qemu.rfbPort), { tls: { allowInsecure: false, caPem } });
    expect(securityOf(ok)).toMatchObject({ status: 'ok', security: { chosen: 'X509None', needs: 'nothing', authenticated: true } });
  });

  it('a server offering only unknown types gets the typed error naming them', async () => {
    const r = await runDiagnostics(tcp(odd.port), { tls: { allowInsecure: false } });
    expect(securityOf(r)).toMatchObject({ status: 'failed', error: { code: 'vnc-security-unsupported', detail: 'the server offered Apple Remote Desktop, RA2' } });
  });
});
