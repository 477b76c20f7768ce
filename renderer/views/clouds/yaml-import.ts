// "Import clouds.yaml": the files (clouds.yaml, and secure.yaml when chosen with it) go to main,
// which makes accounts and puts secrets in the keychain. Passwords the files lack are asked for here
// and sent once; what cannot be imported is listed with the reason.
import type { PortholeApi } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { button, el, field } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

interface Deps {
  api: PortholeApi;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
}

function askPasswords(host: HTMLElement, clouds: string[]): Promise<Record<string, string> | undefined> {
  const modal = new Modal(host, 'Passwords for the imported clouds', 'editor');
  const inputs = clouds.map((name) => [name, el('input', { type: 'password', autocomplete: 'off' })] as const);
  modal.body.append(el('p', {}, 'These clouds use password sign-in, and neither file holds the password. It will be kept in the system keychain.'), ...inputs.map(([name, i]) => field(`Password for ${name}`, i)));
  return new Promise((resolve) => {
    let result: Record<string, string> | undefined;
    modal.footer.append(
      button('Skip', {}, () => modal.close()),
      button('Import', { className: 'primary' }, () => {
        result = Object.fromEntries(inputs.filter(([, i]) => i.value).map(([name, i]) => [name, i.value]));
        modal.close();
      }),
    );
    modal.dialog.addEventListener('close', () => {
      modal.dialog.remove();
      resolve(result);
    });
    modal.show(inputs[0]?.[1]);
  });
}

function showRefused(host: HTMLElement, refused: Array<{ cloud: string; reason: string }>): void {
  const modal = new Modal(host, 'Clouds not imported', 'diagnostics');
  modal.body.append(el('ul', {}, ...refused.map((r) => el('li', {}, el('strong', {}, r.cloud), `: ${r.reason}.`))));
  modal.footer.append(button('Close', { className: 'primary' }, () => modal.close()));
  modal.dialog.addEventListener('close', () => modal.dialog.remove());
  modal.show();
}

export async function importCloudsYaml(host: HTMLElement, deps: Deps, files: File[]): Promise<void> {
  const secureFile = files.find((f) => /^secure\.ya?ml$/i.test(f.name));
  const cloudsFile = files.find((f) => f !== secureFile);
  if (!cloudsFile) return deps.setStatus('Choose clouds.yaml (and, with it, secure.yaml if you have one).');
  const cloudsYaml = await cloudsFile.text();
  const secureYaml = secureFile ? await secureFile.text() : undefined;
  const base = { cloudsYaml, ...(secureYaml !== undefined ? { secureYaml } : {}) };
  const first = await deps.api.call('clouds.importYaml', base);
  if (!first.ok) return deps.showError(first.error);
  let added = first.value.added.length;
  let refused = first.value.refused;
  if (first.value.needPassword.length) {
    const passwords = await askPasswords(host, first.value.needPassword);
    const names = Object.keys(passwords ?? {});
    if (passwords && names.length) {
      const second = await deps.api.call('clouds.importYaml', { ...base, passwords, only: names });
      if (!second.ok) return deps.showError(second.error);
      added += second.value.added.length;
      refused = [...refused, ...second.value.refused];
    }
  }
  deps.setStatus(`Imported ${added} cloud account${added === 1 ? '' : 's'} from ${cloudsFile.name}${refused.length ? `; ${refused.length} not imported` : ''}.`);
  if (refused.length) showRefused(host, refused);
}
