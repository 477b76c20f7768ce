// "Test connection": runs the chain in main (DNS, TCP, TLS, WebSocket upgrade, RFB banner) and shows
// where it stopped and why, the server's certificate, and a redacted report to send to support.
// For a profile whose certificate is not trusted, the user may trust it for that profile only.
import type { PortholeApi, SessionSource } from '../../app/contract.js';
import type { CertificateInfo, DiagnosticReport } from '../../app/diagnostics.js';
import type { PortholeErrorShape } from '../../app/errors.js';
import { quoteServerText } from '../../app/server-text.js';

export interface DiagnosticsDeps {
  api: PortholeApi;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
  /** Called after a certificate was trusted for a profile. */
  trusted?(): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function certificateBlock(cert: CertificateInfo): HTMLElement {
  const dl = el('dl', undefined, 'certificate');
  const rows: Array<[string, string]> = [
    // The server wrote these: shown quoted (main has already cleaned and cut them).
    ['Subject', quoteServerText(cert.subject)],
    ['Issuer', quoteServerText(cert.issuer)],
    ['Valid', `${cert.validFrom} — ${cert.validTo}`],
    ['Names', cert.subjectAltNames.map((n) => quoteServerText(n)).join(', ') || '—'],
    ['SHA-256 fingerprint', cert.sha256Fingerprint],
    ['Trusted', cert.trusted ? 'yes' : `no${cert.verifyError ? ` (${cert.verifyError})` : ''}`],
  ];
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
  return dl;
}

function stepsTable(report: DiagnosticReport): HTMLTableElement {
  const table = el('table', undefined, 'steps');
  const head = el('tr');
  for (const h of ['Step', 'Result', 'Time', 'Detail']) head.append(el('th', h));
  table.append(head);
  for (const s of report.steps) {
    const row = el('tr', undefined, `step-${s.status}`);
    row.append(el('td', s.step), el('td', s.status), el('td', s.status === 'skipped' ? '' : `${s.ms.toFixed(0)} ms`), el('td', s.error ? `${s.error.message} ${s.detail}` : s.detail));
    table.append(row);
  }
  return table;
}

export async function showDiagnostics(deps: DiagnosticsDeps, source: SessionSource, title: string): Promise<void> {
  deps.setStatus(`Testing the connection to ${title}…`);
  const result = await deps.api.call('diagnostics.run', { source });
  if (!result.ok) {
    deps.setStatus('');
    deps.showError(result.error);
    return;
  }
  const { report, text } = result.value;
  deps.setStatus(report.ok ? `Connection test passed (${report.totalMs.toFixed(0)} ms).` : `Connection test stopped at ${report.stoppedAt ?? 'a step'}.`);

  const dialog = el('dialog', undefined, 'editor diagnostics');
  dialog.setAttribute('aria-label', 'Connection test');
  const heading = el('h2', `Connection test: ${report.target}`);
  const verdict = el('p', report.ok ? 'Every step passed.' : `Stopped at: ${report.stoppedAt ?? '?'}.`, report.ok ? 'ok' : 'failed');
  dialog.append(heading, verdict, stepsTable(report));

  const cert = report.steps.find((s) => s.certificate)?.certificate;
  const buttons = el('div', undefined, 'buttons');
  if (cert) {
    dialog.append(el('h3', 'Server certificate'), certificateBlock(cert));
    if (source.type === 'profile' && !cert.trusted) {
      const trust = el('button', 'Trust this certificate for this profile');
      trust.type = 'button';
      trust.addEventListener('click', () => {
        void deps.api.call('profiles.trustCertificate', { profileId: source.profileId, pinSha256: cert.spkiSha256 }).then((r) => {
          if (!r.ok) return deps.showError(r.error);
          deps.setStatus(`This profile now trusts the certificate with SHA-256 fingerprint ${cert.sha256Fingerprint}.`);
          dialog.close();
          deps.trusted?.();
        });
      });
      buttons.append(trust);
    }
  }
  const download = el('button', 'Download report');
  download.type = 'button';
  download.addEventListener('click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = 'porthole-connection-test.txt';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  const close = el('button', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => dialog.close());
  buttons.append(download, close);
  dialog.append(buttons);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
