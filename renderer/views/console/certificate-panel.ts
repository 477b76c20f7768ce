// A server certificate shown where the connection failed, so the user can decide to trust it:
// who it is for, who signed it, how long it is valid, and the SHA-256 fingerprint to compare with
// what the administrator publishes. Every value is the server's text, shown as text.
import type { CertificateInfo } from '../../../app/diagnostics.js';
import { el, uid } from '../../ui/dom.js';

export class CertificatePanel {
  readonly element: HTMLElement;
  private readonly actions: HTMLElement;

  constructor(cert: CertificateInfo) {
    const headingId = uid('certificate');
    const row = (term: string, value: string): HTMLElement[] => [el('dt', {}, term), el('dd', {}, value)];
    this.actions = el('div', { className: 'banner-actions' });
    this.element = el(
      'section',
      { className: 'certificate-panel', 'aria-labelledby': headingId },
      el('h3', { id: headingId }, 'The server’s certificate'),
      el('p', { className: 'banner-hint' }, cert.verifyError ? `Not trusted: ${cert.verifyError}. Compare the fingerprint with the one your administrator gives you before trusting it.` : 'Compare the fingerprint with the one your administrator gives you before trusting it.'),
      el(
        'dl',
        { className: 'certificate' },
        ...row('Issued to', cert.subject),
        ...row('Issued by', cert.issuer),
        ...row('Valid', `${cert.validFrom} – ${cert.validTo}`),
        ...(cert.subjectAltNames.length ? row('Names', cert.subjectAltNames.join(', ')) : []),
        ...row('SHA-256', cert.sha256Fingerprint),
      ),
      this.actions,
    );
  }

  addAction(action: HTMLButtonElement): void {
    this.actions.append(action);
  }
}
