// "Test connection" for a cloud account: each step with its time, and the redacted report to save.
import type { CloudAccountSummary } from '../../../app/cloud-account.js';
import type { PortholeApi } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { button, el } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

interface Deps {
  api: PortholeApi;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
}

export async function showCloudTest(host: HTMLElement, deps: Deps, account: CloudAccountSummary): Promise<void> {
  deps.setStatus(`Testing the connection to “${account.name}”…`);
  const result = await deps.api.call('clouds.test', { accountId: account.id });
  if (!result.ok) return deps.showError(result.error);
  const { steps, text } = result.value;
  const modal = new Modal(host, `Test connection: ${account.name}`, 'diagnostics');
  const rows = steps.map((s) => el('tr', {}, el('th', { scope: 'row' }, s.name), el('td', {}, s.ok ? 'OK' : 'Failed'), el('td', {}, `${s.ms} ms`), el('td', {}, s.detail)));
  modal.body.append(
    el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Step'), el('th', { scope: 'col' }, 'Result'), el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Detail'))), el('tbody', {}, ...rows)),
  );
  const save = (): void => {
    const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })), download: 'porthole-cloud-test.txt' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  modal.footer.append(button('Save report', {}, save), button('Close', { className: 'primary' }, () => modal.close()));
  modal.dialog.addEventListener('close', () => modal.dialog.remove());
  const failed = steps.find((s) => !s.ok);
  deps.setStatus(failed ? `Test connection: “${failed.name}” failed.` : 'Test connection: every step passed.');
  modal.show();
}
