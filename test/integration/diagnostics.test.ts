// "Test connection" against real peers: Xvnc, Debian's websockify (plain and --ssl-only, with
// certificates from the test PKI), the Nova-like gate, and misbehaving listeners — each failure
// produced by a real situation, each report checked for the step it stopped at and for secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { TcpTarget, WebSocketTarget } from '../../app/console-target.js';
import { runDiagnostics, type DiagnosticsOptions } from '../../main/diagnostics/run-diagnostics.js';
import { inspectCertificate } from '../../main/diagnostics/certificate.js';
import { formatReport } from '../../main/diagnostics/format-report.js';
import type { DiagnosticReport, DiagnosticStepName } from '../../main/diagnostics/types.js';
import { freePort } from '../fixtures/ports.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startHttpStatusServer, startSilentListener, type FakeUpstream } from '../fixtures/fake-upstreams.js';
import { startNovaGate, type NovaGate } from '../fixtures/nova-gate.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import { startTlsFront } from '../fixtures/tls-front.js';

const peers = sharedPeers();
const caPem = readFileSync(peers.pki.ca.certPath, 'utf8');
/** Recognisable in any output: a bad token, and a secret header value. */
const SECRET_TOKEN = 'SECRET-TOKEN-zq8w3x7v';
const SECRET_HEADER = 'PVEAPIToken=root@pam!diag=SECRET-HEADER-k4j9';
const strict = { allowInsecure: false } as const;

function ws(partial: Partial<WebSocketTarget> & Pick<WebSocketTarget, 'port'>): WebSocketTarget {
  return { kind: 'websocket', flavour: 'websockify', secure: false, host: '127.0.0.1', path: '/', query: [], ...partial };
}

function statuses(report: DiagnosticReport): string {
  return report.steps.map((s) => `${s.step}:${s.status}`).join(' ');
}

function failedStep(report: DiagnosticReport, step: DiagnosticStepName) {
  expect(report.ok, statuses(report)).toBe(false);
  expect(report.stoppedAt, statuses(report)).toBe(step);
  const last = report.steps.at(-1);
  expect(last?.step).toBe(step);
  expect(last?.status).toBe('failed');
  return last!;
}

/** Neither the JSON report nor its text form carries a secret. */
function expectNoSecrets(report: DiagnosticReport, ...secrets: string[]): void {
  const json = JSON.stringify(report);
  const text = formatReport(report);
  for (const secret of secrets) {
    expect(json).not.toContain(secret);
    expect(text).not.toContain(secret);
  }
}

async function run(target: WebSocketTarget | TcpTarget, options: Partial<DiagnosticsOptions> = {}): Promise<DiagnosticReport> {
  return runDiagnostics(target, { tls: strict, timeoutMs: 3000, ...options });
}

describe('a full chain that works', () => {
  it('ws:// websockify: every step OK, banner RFB 003.008, None offered; no token anywhere', async () => {
    const report = await run(ws({ port: peers.websockify.port, token: peers.websockify.token }));
    expect(statuses(report)).toBe('dns:skipped tcp:ok tls:skipped websocket:ok rfb:ok security:ok');
    expect(report.ok).toBe(true);
    expect(report.stoppedAt).toBeUndefined();
    const [, tcp, , upgrade, rfb] = report.steps;
    expect(tcp?.addresses).toEqual(['127.0.0.1']);
    expect(upgrade?.httpStatus).toBe(101);
    expect(rfb?.rfb?.version).toBe('RFB 003.008');
    expect(rfb?.rfb?.securityTypes).toContainEqual({ type: 1, name: 'None' });
    for (const s of report.steps) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(report.target).toBe(`ws://127.0.0.1:${peers.websockify.port}/?token=…`);
    expectNoSecrets(report, peers.websockify.token);

    const text = formatReport(report);
    expect(text).toContain('RFB 003.008');
    expect(text).toMatch(/websocket\s+OK .*HTTP 101/);
    expect(text).toContain('1  None');
  });

  it('dns: "localhost" resolves, and TCP connects to an IPv4 address it found', async () => {
    const report = await run(ws({ host: 'localhost', port: peers.websockify.port, token: peers.websockify.token }));
    expect(report.ok, statuses(report)).toBe(true);
    const [dns, tcp] = report.steps;
    expect(dns).toMatchObject({ step: 'dns', status: 'ok' });
    expect(dns?.addresses).toContain('127.0.0.1');
    expect(tcp?.addresses).toEqual(['127.0.0.1']);
  });

  it('wss:// websockify --ssl-only with the profile CA: certificate details and the pin form', async () => {
    const report = await run(ws({ secure: true, host: 'localhost', port: peers.websockifyTls.port, token: peers.websockifyTls.token }), {
      tls: { allowInsecure: false, caPem },
    });
    expect(statuses(report)).toBe('dns:ok tcp:ok tls:ok websocket:ok rfb:ok security:ok');
    const cert = report.steps.find((s) => s.step === 'tls')?.certificate;
    expect(cert).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Porthole Test CA', trusted: true, chainTrusted: true, hostnameMatches: true });
    expect(cert?.subjectAltNames).toEqual(expect.arrayContaining(['DNS:localhost', 'IP:127.0.0.1']));
    expect(cert?.spkiSha256).toBe(peers.pki.server.spkiSha256);
    expect(cert?.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(cert?.validTo ?? '')).toBeGreaterThan(Date.now());
    expect(cert?.verifyError).toBeUndefined();
    expectNoSecrets(report, peers.websockifyTls.token);

    const text = formatReport(report);
    expect(text).toContain('Subject:             “CN=localhost');
    expect(text).toContain(`sha256/${peers.pki.server.spkiSha256}`);
  });

  it('a matching pin is accepted even without the CA (trust on first use)', async () => {
    const report = await run(ws({ secure: true, port: peers.websockifyTls.port, token: peers.websockifyTls.token }), {
      tls: { allowInsecure: false, pinSha256: peers.pki.server.spkiSha256 },
    });
    expect(report.ok, statuses(report)).toBe(true);
    expect(report.steps.find((s) => s.step === 'tls')?.certificate).toMatchObject({ chainTrusted: false, pinMatches: true });
  });

  it('direct TCP to Xvnc: RFB OK, no WebSocket step', async () => {
    const report = await run({ kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.xvnc.rfbPort });
    expect(statuses(report)).toBe('dns:skipped tcp:ok tls:skipped websocket:skipped rfb:ok security:ok');
    expect(report.steps.find((s) => s.step === 'rfb')?.rfb?.version).toMatch(/^RFB 003\.00\d$/);
  });

  it('TLS-wrapped TCP (a stunnel-like front of Xvnc) with the CA', async () => {
    const front = await startTlsFront(peers.pki.server, peers.xvnc.rfbPort);
    try {
      const port = front.port;
      const report = await run({ kind: 'vnc-tcp', tls: true, host: '127.0.0.1', port }, { tls: { allowInsecure: false, caPem } });
      expect(statuses(report)).toBe('dns:skipped tcp:ok tls:ok websocket:skipped rfb:ok security:ok');
      expect(report.steps[2]?.certificate?.trusted).toBe(true);
    } finally {
      await front.stop();
    }
  });
});

describe('where it stops, and why', () => {
  const fakes: FakeUpstream[] = [];
  let otherCa: Websockify;
  let wrongHost: Websockify;
  let gate: NovaGate;
  beforeAll(async () => {
    const tokens = { t: `127.0.0.1:${peers.xvnc.rfbPort}` };
    [otherCa, wrongHost, gate] = await Promise.all([
      startWebsockify({ tokens, tls: peers.pki.otherServer, sslOnly: true }),
      startWebsockify({ tokens, tls: peers.pki.wrongHost, sslOnly: true }),
      startNovaGate({ tokens: new Map([['expired', { host: '127.0.0.1', port: peers.xvnc.rfbPort, expiresAt: Date.now() - 1000 }]]) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([...fakes.map((f) => f.stop()), otherCa?.stop(), wrongHost?.stop(), gate?.stop()]);
  });

  it('tcp-refused: nothing listening (ws and direct TCP)', async () => {
    const port = await freePort();
    for (const target of [ws({ port, token: SECRET_TOKEN }), { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port } as const]) {
      const report = await run(target);
      const tcp = failedStep(report, 'tcp');
      expect(tcp.error?.code).toBe('tcp-refused');
      expect(tcp.detail).toContain('refused');
      expectNoSecrets(report, SECRET_TOKEN);
    }
  });

  it('a silent listener: a timeout at the WebSocket upgrade, and at the RFB banner for direct TCP', async () => {
    const silent = await startSilentListener();
    fakes.push(silent);
    const started = Date.now();
    const [viaWs, viaTcp] = await Promise.all([
      run(ws({ port: silent.port, token: SECRET_TOKEN }), { timeoutMs: 500 }),
      run({ kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: silent.port }, { timeoutMs: 500 }),
    ]);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(failedStep(viaWs, 'websocket').error?.code).toBe('tcp-timeout');
    expect(failedStep(viaTcp, 'rfb').error?.code).toBe('tcp-timeout');
    expectNoSecrets(viaWs, SECRET_TOKEN);
  });

  it('HTTP 403 to the upgrade: the websocket step fails with the status; header values are not reported', async () => {
    const forbidden = await startHttpStatusServer(403);
    fakes.push(forbidden);
    const report = await run(ws({ flavour: 'proxmox', port: forbidden.port, token: SECRET_TOKEN }), { headers: { Authorization: SECRET_HEADER } });
    const step = failedStep(report, 'websocket');
    expect(step.error).toMatchObject({ code: 'ws-upgrade-rejected', detail: 'HTTP 403' });
    expect(step.httpStatus).toBe(403);
    expect(step.detail).toContain('403');
    expect(formatReport(report)).toContain('HTTP 403');
    expectNoSecrets(report, SECRET_TOKEN, SECRET_HEADER, 'SECRET-HEADER');
  });

  it('tls-untrusted: a certificate from another CA, still captured; allowInsecure goes through, saying so', async () => {
    const target = ws({ secure: true, host: 'localhost', port: otherCa.port, token: 't' });
    const report = await run(target, { tls: { allowInsecure: false, caPem } });
    const step = failedStep(report, 'tls');
    expect(step.error?.code).toBe('tls-untrusted');
    expect(step.certificate).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Unrelated Test CA', chainTrusted: false, trusted: false });
    expect(step.certificate?.spkiSha256).toBe(peers.pki.otherServer.spkiSha256);
    expect(step.certificate?.verifyError).toMatch(/^[A-Z_]+$/);
    expect(formatReport(report)).toContain('Chain trusted:       no');

    const insecure = await run(target, { tls: { allowInsecure: true } });
    expect(insecure.ok, statuses(insecure)).toBe(true);
    expect(insecure.steps.find((s) => s.step === 'tls')?.detail).toContain('verification is OFF');
  });

  it('tls-hostname-mismatch: a trusted certificate for other.example', async () => {
    const report = await run(ws({ secure: true, host: 'localhost', port: wrongHost.port, token: 't' }), { tls: { allowInsecure: false, caPem } });
    const step = failedStep(report, 'tls');
    expect(step.error?.code).toBe('tls-hostname-mismatch');
    expect(step.certificate).toMatchObject({ chainTrusted: true, hostnameMatches: false, subjectAltNames: ['DNS:other.example'] });
  });

  it('tls-pin-mismatch: the pinned key is the rotated certificate’s, the server shows another', async () => {
    const report = await run(ws({ secure: true, host: 'localhost', port: peers.websockifyTls.port, token: peers.websockifyTls.token }), {
      tls: { allowInsecure: false, caPem, pinSha256: peers.pki.rotated.spkiSha256 },
    });
    const step = failedStep(report, 'tls');
    expect(step.error?.code).toBe('tls-pin-mismatch');
    expect(step.certificate).toMatchObject({ trusted: true, pinMatches: false, spkiSha256: peers.pki.server.spkiSha256 });
  });

  it('token-rejected-or-expired: a token not in websockify’s token file', async () => {
    const report = await run(ws({ port: peers.websockify.port, token: SECRET_TOKEN }));
    const last = report.steps.at(-1)!;
    expect(['websocket', 'rfb']).toContain(report.stoppedAt);
    expect(last.error?.code).toBe('token-rejected-or-expired');
    expectNoSecrets(report, SECRET_TOKEN);
    expect(formatReport(report)).toContain('token-rejected-or-expired');
  });

  it('token-rejected-or-expired: Nova accepts the upgrade (101), then drops an expired cookie token before the banner', async () => {
    const report = await run(ws({ flavour: 'nova', port: gate.port, token: 'expired', tokenIn: 'cookie' }));
    expect(report.steps.find((s) => s.step === 'websocket')?.httpStatus).toBe(101);
    expect(failedStep(report, 'rfb').error?.code).toBe('token-rejected-or-expired');
  });
});

describe('inspectCertificate and clean-up', () => {
  it('captures the certificate without verifying; trusted only with the CA', async () => {
    const untrusted = await inspectCertificate('127.0.0.1', peers.websockifyTls.port);
    expect(untrusted).toMatchObject({ subject: 'CN=localhost', spkiSha256: peers.pki.server.spkiSha256, trusted: false, hostnameMatches: true });
    const trusted = await inspectCertificate('127.0.0.1', peers.websockifyTls.port, 'localhost', { caPem });
    expect(trusted.trusted).toBe(true);
    await expect(inspectCertificate('127.0.0.1', await freePort())).rejects.toMatchObject({ code: 'tcp-refused' });
  });

  it('no socket or timer outlives a run', async () => {
    const kinds = ['Timeout', 'TCPSocketWrap', 'TLSWrap'];
    const count = (): number => process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;
    const silent = await startSilentListener();
    try {
      const baseline = count();
      await Promise.all([
        run(ws({ port: peers.websockify.port, token: peers.websockify.token })),
        run(ws({ port: silent.port, token: 'x' }), { timeoutMs: 300 }),
        run(ws({ secure: true, port: peers.websockifyTls.port, token: 'x' }), { tls: { allowInsecure: false, caPem } }),
      ]);
      await expect.poll(count, { timeout: 2000, interval: 50 }).toBeLessThanOrEqual(baseline);
    } finally {
      await silent.stop();
    }
  });
});
