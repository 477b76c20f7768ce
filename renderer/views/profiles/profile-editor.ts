// The profile editor: a modal form. Secrets typed here go to main once, on Save, and from there
// to the keychain; the form never shows a saved secret back, only whether one is saved.
import type { ProfileInput, ProfileSummary } from '../../../app/profile.js';

export interface EditorValues {
  name?: string;
  address?: string;
  folder?: string;
}

function field(label: string, input: HTMLInputElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  const text = document.createElement('span');
  text.textContent = label;
  wrap.append(text, input);
  if (hint) {
    const small = document.createElement('small');
    small.textContent = hint;
    wrap.append(small);
  }
  return wrap;
}

function input(type: string, value = ''): HTMLInputElement {
  const el = document.createElement('input');
  el.type = type;
  el.value = value;
  el.spellcheck = false;
  el.autocomplete = 'off';
  return el;
}

function secretHint(profile: ProfileSummary | undefined, slot: string): string {
  const status = profile?.secretStatus[slot];
  if (status === 'saved') return 'Saved in the keychain. Leave empty to keep it.';
  if (status === 'memory-only') return 'Kept in memory only (not saved): the keychain was unavailable.';
  return 'Stored in the OS keychain, never in the profile file.';
}

/** Opens the editor; resolves with what to save, or undefined when cancelled. */
export function editProfile(host: HTMLElement, profile: ProfileSummary | undefined, initial: EditorValues = {}): Promise<ProfileInput | undefined> {
  const dialog = document.createElement('dialog');
  dialog.className = 'editor';
  dialog.setAttribute('aria-label', profile ? `Edit ${profile.name}` : 'New profile');
  const form = document.createElement('form');
  form.method = 'dialog';
  const heading = document.createElement('h2');
  heading.textContent = profile ? `Edit ${profile.name}` : 'New profile';

  const name = input('text', profile?.name ?? initial.name ?? '');
  name.required = true;
  const address = input('text', profile?.endpoint.address ?? initial.address ?? '');
  address.required = true;
  const token = input('password');
  const password = input('password');
  const folder = input('text', profile?.folder ?? initial.folder ?? '');
  const tags = input('text', profile?.tags.join(', ') ?? '');
  const notes = document.createElement('textarea');
  notes.value = profile?.notes ?? '';
  const ca = document.createElement('textarea');
  ca.value = profile?.tls.caPem ?? '';
  ca.placeholder = '-----BEGIN CERTIFICATE-----';
  const insecure = input('checkbox');
  insecure.checked = profile?.tls.allowInsecure ?? false;

  const save = document.createElement('button');
  save.type = 'submit';
  save.value = 'save';
  save.textContent = 'Save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = 'Cancel';
  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  buttons.append(cancel, save);

  const insecureField = field('Allow insecure TLS (no certificate checks)', insecure);
  insecureField.classList.add('checkbox');
  form.append(
    heading,
    field('Name', name),
    field('Console URL', address, 'A token inside the URL is moved to the keychain.'),
    field('Token', token, secretHint(profile, 'token')),
    field('Password', password, secretHint(profile, 'password')),
    field('Folder', folder, 'Nested folders with "/", e.g. Customers/ACME'),
    field('Tags', tags, 'Separated by commas'),
    field('CA certificate (PEM)', ca),
    insecureField,
    field('Notes', notes),
    buttons,
  );
  dialog.append(form);
  host.append(dialog);
  dialog.showModal();

  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      const values: ProfileInput | undefined =
        dialog.returnValue === 'save'
          ? {
              ...(profile ? { id: profile.id } : {}),
              name: name.value.trim(),
              address: address.value.trim(),
              folder: folder.value
                .split('/')
                .map((p) => p.trim())
                .filter(Boolean)
                .join('/'),
              tags: tags.value
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
              headers: {},
              notes: notes.value,
              ...(profile ? { kind: profile.endpoint.kind } : {}),
              tls: {
                allowInsecure: insecure.checked,
                ...(ca.value.trim() ? { caPem: ca.value.trim() } : {}),
                // A trusted (pinned) certificate stays trusted until the URL changes.
                ...(profile?.tls.pinSha256 && address.value.trim() === profile.endpoint.address ? { pinSha256: profile.tls.pinSha256 } : {}),
              },
              display: {},
              secrets: {
                ...(token.value ? { token: token.value } : {}),
                ...(password.value ? { password: password.value } : {}),
              },
            }
          : undefined;
      dialog.remove();
      resolve(values);
    });
  });
}
