// The profile editor: a modal form. Secrets typed here go to main once, on Save, and from there
// to the keychain; the form never shows a saved secret back, only whether one is saved.
import type { ProfileInput, ProfileSummary } from '../../../app/profile.js';

export interface EditorValues {
  name?: string;
  address?: string;
  folder?: string;
}

function field(label: string, input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, hint?: string): HTMLElement {
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

function select(options: Array<[string, string]>, value: string): HTMLSelectElement {
  const el = document.createElement('select');
  for (const [v, label] of options) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = label;
    el.append(o);
  }
  el.value = value;
  return el;
}

/** "Name: value" lines → a header map (names are checked by main). */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
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
  const display = profile?.display;
  const scaling = select(
    [
      ['fit', 'Fit to window'],
      ['actual', 'Actual size'],
      ['remote', 'Resize the remote screen'],
    ],
    display?.scaling ?? 'fit',
  );
  const viewOnly = input('checkbox');
  viewOnly.checked = display?.viewOnly ?? false;
  const shared = input('checkbox');
  shared.checked = display?.shared ?? true;
  const copyClipboard = input('checkbox');
  copyClipboard.checked = display?.copyClipboard ?? false;
  const copyClipboardField = field('Copy the remote clipboard to this computer automatically', copyClipboard, 'Off unless chosen here: a remote machine could otherwise put a command on your clipboard for you to paste.');
  copyClipboardField.classList.add('checkbox');
  const quality = input('number', String(display?.quality ?? 6));
  quality.min = '0';
  quality.max = '9';
  const compression = input('number', String(display?.compression ?? 2));
  compression.min = '0';
  compression.max = '9';
  const tokenCookie = input('checkbox');
  tokenCookie.checked = profile?.endpoint.tokenIn === 'cookie';
  const origin = input('text', profile?.endpoint.originOverride ?? '');
  origin.placeholder = 'none (Nova expects none)';
  const headers = document.createElement('textarea');
  headers.value = Object.entries(profile?.endpoint.headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  headers.placeholder = 'Name: value (one per line)';
  const secretHeaders = document.createElement('textarea');
  secretHeaders.placeholder = 'Authorization: PVEAPIToken=user@pam!id=…';
  const savedSecretHeaders = profile?.endpoint.secretHeaders ?? [];

  const check = (label: string, box: HTMLInputElement): HTMLElement => {
    const f = field(label, box);
    f.classList.add('checkbox');
    return f;
  };
  const advanced = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Display, headers and TLS';
  advanced.append(
    summary,
    field('Scaling', scaling),
    check('View only', viewOnly),
    check('Share the desktop with other viewers', shared),
    copyClipboardField,
    field('Quality (0–9)', quality),
    field('Compression (0–9)', compression),
    check('Send the token as a cookie (older Nova consoles)', tokenCookie),
    field('Origin header', origin, 'Only for gateways that demand one.'),
    field('Extra headers', headers, 'Not secret; stored in the profile.'),
    field(
      'Secret headers',
      secretHeaders,
      savedSecretHeaders.length
        ? `Saved in the keychain: ${savedSecretHeaders.join(', ')}. Lines here replace those names; "Name:" alone removes one.`
        : 'Stored in the OS keychain (e.g. a Proxmox API token).',
    ),
  );

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

  advanced.append(field('CA certificate (PEM)', ca), check('Allow insecure TLS (no certificate checks)', insecure));
  form.append(
    heading,
    field('Name', name),
    field('Console URL', address, 'A token inside the URL is moved to the keychain.'),
    field('Token', token, secretHint(profile, 'token')),
    field('Password', password, secretHint(profile, 'password')),
    field('Folder', folder, 'Nested folders with "/", e.g. Customers/ACME'),
    field('Tags', tags, 'Separated by commas'),
    field('Notes', notes),
    advanced,
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
              headers: parseHeaderLines(headers.value),
              tokenIn: tokenCookie.checked ? 'cookie' : 'query',
              ...(origin.value.trim() ? { originOverride: origin.value.trim() } : {}),
              notes: notes.value,
              ...(profile ? { kind: profile.endpoint.kind } : {}),
              tls: {
                allowInsecure: insecure.checked,
                ...(ca.value.trim() ? { caPem: ca.value.trim() } : {}),
                // A trusted (pinned) certificate stays trusted until the URL changes.
                ...(profile?.tls.pinSha256 && address.value.trim() === profile.endpoint.address ? { pinSha256: profile.tls.pinSha256 } : {}),
              },
              display: {
                scaling: scaling.value as 'fit' | 'actual' | 'remote',
                viewOnly: viewOnly.checked,
                shared: shared.checked,
                copyClipboard: copyClipboard.checked,
                quality: Math.min(9, Math.max(0, Math.round(Number(quality.value) || 0))),
                compression: Math.min(9, Math.max(0, Math.round(Number(compression.value) || 0))),
              },
              secrets: {
                ...(token.value ? { token: token.value } : {}),
                ...(password.value ? { password: password.value } : {}),
                ...(secretHeaders.value.trim()
                  ? { headers: Object.fromEntries(Object.entries(parseHeaderLines(secretHeaders.value)).map(([k, v]) => [k, v === '' ? null : v])) }
                  : {}),
              },
            }
          : undefined;
      dialog.remove();
      resolve(values);
    });
  });
}
