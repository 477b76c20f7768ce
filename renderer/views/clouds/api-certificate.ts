// Trust on first use for a Proxmox VE account: "Show the API's certificate" fetches the certificate
// the API address presents (main connects with verification off for this look only), shows it with
// its SHA-256 fingerprint, and offers "Trust this certificate for this account". The account then
// pins its public key, and every API call and console upgrade of the account enforces that pin.
import type { Outcome } from '../../../app/contract.js';
import type { CertificateInfo } from '../../../app/diagnostics.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { button, el, field } from '../../ui/dom.js';
import { CertificatePanel } from '../console/certificate-panel.js';

export type InspectApi = (apiUrl: string, caPem?: string) => Promise<Outcome<CertificateInfo>>;

export interface ApiCertificateTrust {
  readonly element: HTMLElement;
  /** The pin to save: the shown certificate's key when the user trusted it for this API address. */
  pin(apiUrl: string): string | undefined;
}

export function apiCertificateTrust(inspect: InspectApi, current: () => { apiUrl: string; caPem?: string }): ApiCertificateTrust {
  const shown = el('div', { className: 'api-certificate', 'aria-live': 'polite' });
  const trust = el('input', { type: 'checkbox' });
  let seen: { apiUrl: string; cert: CertificateInfo } | undefined;
  const show = async (): Promise<void> => {
    const { apiUrl, caPem } = current();
    shown.replaceChildren(el('p', { className: 'hint' }, 'Reading the certificate…'));
    seen = undefined;
    trust.checked = false;
    const result = await inspect(apiUrl, caPem);
    if (!result.ok) {
      shown.replaceChildren(el('p', { className: 'field-error', role: 'alert' }, `No certificate to show: ${message(result.error)}`));
      return;
    }
    seen = { apiUrl, cert: result.value };
    const panel = new CertificatePanel(result.value);
    if (result.value.trusted) {
      shown.replaceChildren(panel.element, el('p', { className: 'hint' }, 'This certificate is trusted already: the account needs no pin.'));
      return;
    }
    shown.replaceChildren(panel.element, field('Trust this certificate for this account', trust, 'Porthole then accepts this API’s key (SHA-256 above) for this account only, and refuses any other.'));
  };
  const showButton = button('Show the API’s certificate', {}, () => void show());
  return {
    element: el('div', { className: 'field-group' }, showButton, shown),
    pin: (apiUrl) => (seen && trust.checked && seen.apiUrl === apiUrl ? seen.cert.spkiSha256 : undefined),
  };
}

function message(error: PortholeErrorShape): string {
  return error.detail ? `${error.message} (${error.detail})` : error.message;
}
