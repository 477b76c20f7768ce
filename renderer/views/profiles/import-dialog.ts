// The import preview: what will be added, and for each profile that changes every changed field
// with its old and new value, and the saved secrets the change removes (an endpoint changed).
// Resolves true for Import, false for Cancel.
import type { ImportPreview } from '../../../app/profile.js';
import { button, el } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  folder: 'Folder',
  tags: 'Tags',
  notes: 'Notes',
  'endpoint.address': 'Console URL',
  'endpoint.kind': 'Kind',
  'endpoint.originOverride': 'Origin header',
  'endpoint.tokenIn': 'Token sent as',
  'endpoint.headers': 'Extra headers',
  'endpoint.secretHeaders': 'Secret headers',
  'tls.caPem': 'CA certificate',
  'tls.pinSha256': 'Trusted certificate',
  'tls.allowInsecure': 'Allow insecure TLS',
};

function slotText(slot: string): string {
  return slot.startsWith('header:') ? `${slot.slice('header:'.length)} header` : slot === 'username' ? 'user name' : slot;
}

function updateEntry(update: ImportPreview['update'][number]): HTMLElement {
  const rows = update.changes.map((c) =>
    el('tr', {}, el('th', { scope: 'row' }, FIELD_NAMES[c.field] ?? c.field), el('td', { className: 'old-value' }, c.before), el('td', { className: 'new-value' }, c.after)),
  );
  const table = el(
    'table',
    { className: 'changes' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Now'), el('th', { scope: 'col' }, 'After import'))),
    el('tbody', {}, ...rows),
  );
  const drops = update.dropsSecrets.length
    ? el('p', { className: 'drops-secrets' }, `Its saved ${update.dropsSecrets.map(slotText).join(', ')} will be removed from the keychain: the address ${update.dropsSecrets.length > 1 ? 'they were' : 'it was'} saved for changes.`)
    : null;
  return el('li', {}, el('strong', {}, update.name), table, drops);
}

export function confirmImport(host: HTMLElement, preview: ImportPreview): Promise<boolean> {
  const modal = new Modal(host, 'Import profiles', 'import-dialog');
  const { add, update, unchanged } = preview;
  if (add.length) modal.body.append(el('h3', {}, `Add ${add.length}`), el('ul', { className: 'import-add' }, ...add.map((p) => el('li', {}, p.name))));
  if (update.length) modal.body.append(el('h3', {}, `Update ${update.length}`), el('ul', { className: 'import-update' }, ...update.map(updateEntry)));
  if (add.length) modal.body.append(el('p', { className: 'hint' }, 'Exports carry no secrets: new profiles will ask for their token or password.'));
  if (unchanged) modal.body.append(el('p', {}, `${unchanged} already here and unchanged.`));
  return new Promise((resolve) => {
    let answer = false;
    const importButton = button('Import', { className: 'primary' }, () => {
      answer = true;
      modal.close();
    });
    modal.footer.append(button('Cancel', {}, () => modal.close()), importButton);
    modal.dialog.addEventListener('close', () => {
      modal.dialog.remove();
      resolve(answer);
    });
    modal.show(importButton);
  });
}
