// A diagnostics report as plain text for support tickets: one line per step, the error in words,
// and the certificate. The report holds no secret by construction; redactText is the last line
// of defence on the way out.
import { quoteServerText } from '../../app/server-text.js';
import { redactText } from '../log/redact.js';
import type { CertificateInfo, DiagnosticReport, DiagnosticStep } from './types.js';

function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function stepLines(s: DiagnosticStep): string[] {
  const status = s.status === 'ok' ? 'OK' : s.status === 'failed' ? 'FAILED' : 'skipped';
  const lines = [`  ${s.step.padEnd(9)} ${status.padEnd(7)} ${formatMs(s.ms).padStart(9)}  ${s.detail}`];
  if (s.error) {
    lines.push(`            error: ${s.error.code}${s.error.detail ? ` (${s.error.detail})` : ''}: ${s.error.message}`);
    lines.push(`            hint: ${s.error.hint}`);
  }
  return lines;
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

function certificateLines(c: CertificateInfo): string[] {
  const lines = [
    'Server certificate:',
    // Subject, issuer and names are the server's words: quoted.
    `  Subject:             ${quoteServerText(c.subject)}`,
    `  Issuer:              ${quoteServerText(c.issuer)}`,
    `  Valid from:          ${c.validFrom}`,
    `  Valid to:            ${c.validTo}`,
    `  Names (SAN):         ${c.subjectAltNames.length > 0 ? c.subjectAltNames.map((n) => quoteServerText(n)).join(', ') : '(none)'}`,
    `  Serial number:       ${c.serialNumber}`,
    `  SHA-256 fingerprint: ${c.sha256Fingerprint}`,
    `  Public key pin:      sha256/${c.spkiSha256}`,
    `  Chain trusted:       ${yesNo(c.chainTrusted)}`,
    `  Host name matches:   ${yesNo(c.hostnameMatches)}`,
  ];
  if (c.verifyError !== undefined) lines.push(`  Verification error:  ${c.verifyError}`);
  if (c.pinMatches !== undefined) lines.push(`  Matches the pin:     ${yesNo(c.pinMatches)}`);
  return lines;
}

/** Plain text for support, every secret redacted. */
export function formatReport(report: DiagnosticReport): string {
  const failed = report.steps.find((s) => s.step === report.stoppedAt && s.status === 'failed');
  const result = report.ok ? 'OK: every step passed' : `FAILED at ${report.stoppedAt ?? '?'}${failed?.error ? ` (${failed.error.code})` : ''}`;
  const lines = [
    'Porthole connection test',
    `Target:   ${report.target}`,
    `Started:  ${report.startedAt}`,
    `Result:   ${result}, ${formatMs(report.totalMs)} in all`,
    '',
    'Steps:',
    ...report.steps.flatMap(stepLines),
  ];
  for (const s of report.steps) {
    if (s.rfb && s.rfb.securityTypes.length > 0) {
      lines.push('', 'Security types offered:', ...s.rfb.securityTypes.map((t) => `  ${String(t.type).padStart(3)}  ${t.name}`));
    }
    if (s.security) {
      const needs = { nothing: 'nothing', password: 'a password', 'username-and-password': 'a user name and a password' }[s.security.needs];
      lines.push('', 'VNC security:', `  Offered:             ${s.security.offered.join(', ')}`);
      if (s.security.vencrypt) lines.push(`  VeNCrypt subtypes:   ${s.security.vencrypt.join(', ')}`);
      lines.push(`  Porthole uses:       ${s.security.chosen ?? '(nothing it supports)'}`, `  Needs:               ${needs}`);
      if (s.security.protection) {
        const travels = {
          encrypted: 'encrypted, server verified',
          'encrypted-unverified': 'encrypted, server not verified',
          'not-encrypted': 'not encrypted (VNC authentication: a challenge, not the password itself)',
          'password-in-clear': 'SENT UNENCRYPTED: anyone on the network path can read it',
        }[s.security.protection];
        lines.push(`  Password travels:    ${travels}`);
      }
      if (s.security.authenticated !== undefined) lines.push(`  Known password:      ${s.security.authenticated ? 'accepted' : 'refused'}`);
    }
    if (s.certificate) lines.push('', ...certificateLines(s.certificate));
  }
  return `${redactText(lines.join('\n'))}\n`;
}
