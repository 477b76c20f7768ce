// The profile editor, on the shared dialog (renderer/ui/modal.ts). Secrets typed here go to main
// once, on Save, and from there to the keychain; the editor never shows a saved secret back, only
// whether one is saved. When the Console URL moves to another endpoint (scheme, host or port), it
// says which saved secrets were saved for the old endpoint and that Save removes them, unless they
// are entered again or the user ticks "Keep" (main checks that choice against its own binding).
import type { ProfileInput, ProfileSummary } from '../../../app/profile.js';
import { endpointOf } from '../../../app/secret-binding.js';
import { button, el, field } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

export interface EditorValues {
  name?: string;
  address?: string;
  folder?: string;
}

function input(type: string, value = ''): HTMLInputElement {
  const node = el('input', { type, spellcheck: 'false', autocomplete: 'off' });
  node.value = value;
  return node;
}

function textarea(value = '', placeholder = ''): HTMLTextAreaElement {
  const node = el('textarea', { spellcheck: 'false', ...(placeholder ? { placeholder } : {}) });
  node.value = value;
  return node;
}

function select(options: Array<[string, string]>, value: string): HTMLSelectElement {
  const node = el('select', {}, ...options.map(([v, label]) => el('option', { value: v }, label)));
  node.value = value;
  return node;
}

/** "Name: value" lines → a header map (names and values are checked by main). */
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
  if (status === 'missing') return 'Missing: this profile needs it (imported without secrets, or its address changed). Enter it to save it.';
  if (status === 'unavailable') return 'Saved, but the keychain cannot be reached right now.';
  return 'Stored in the OS keychain, never in the profile file.';
}

const SLOT_TEXT: Record<string, string> = { token: 'token', password: 'password', username: 'user name' };
const slotText = (slot: string): string => SLOT_TEXT[slot] ?? `${slot.slice('header:'.length)} header`;

/** The saved secrets of a profile, grouped by the endpoint they were saved for. */
function savedSecretsByEndpoint(profile: ProfileSummary | undefined): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  if (!profile) return groups;
  for (const [slot, state] of Object.entries(profile.secretStatus)) {
    if (state !== 'saved' && state !== 'memory-only' && state !== 'unavailable') continue;
    const bound = profile.secretBindings?.[slot] ?? endpointOf(profile.endpoint.address);
    if (bound === undefined) continue;
    groups.set(bound, [...(groups.get(bound) ?? []), slot]);
  }
  return groups;
}

/** Opens the editor; resolves with what to save, or undefined when cancelled. */
export function editProfile(host: HTMLElement, profile: ProfileSummary | undefined, initial: EditorValues = {}): Promise<ProfileInput | undefined> {
  const modal = new Modal(host, profile ? `Edit ${profile.name}` : 'New profile', 'editor');

  const name = input('text', profile?.name ?? initial.name ?? '');
  name.required = true;
  const address = input('text', profile?.endpoint.address ?? initial.address ?? '');
  address.required = true;
  const token = input('password');
  const password = input('password');
  // A secret slot like the password: VeNCrypt Plain / X509Plain servers ask for a user name too.
  const username = input('text');
  const folder = input('text', profile?.folder ?? initial.folder ?? '');
  const tags = input('text', profile?.tags.join(', ') ?? '');
  const notes = textarea(profile?.notes ?? '');
  const ca = textarea(profile?.tls.caPem ?? '', '-----BEGIN CERTIFICATE-----');
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
  const headers = textarea(
    Object.entries(profile?.endpoint.headers ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    'Name: value (one per line)',
  );
  const secretHeaders = textarea('', 'Authorization: PVEAPIToken=user@pam!id=…');
  const savedSecretHeaders = profile?.endpoint.secretHeaders ?? [];

  // The endpoint-change notice: shown while the Console URL points elsewhere than saved secrets were saved for.
  const keep = input('checkbox');
  const keepField = field('Keep the saved secrets for the new address', keep);
  const moveText = el('p', { className: 'move-text' });
  const moveNotice = el('div', { className: 'endpoint-change', 'aria-live': 'polite', hidden: true }, moveText, keepField);
  const saved = savedSecretsByEndpoint(profile);
  let move: { from: string; to: string } | undefined;
  const updateMove = (): void => {
    const to = endpointOf(address.value.trim());
    const entry = [...saved.entries()].find(([from]) => to !== undefined && from !== to);
    const next = entry && to ? { from: entry[0], to } : undefined;
    if (next?.from !== move?.from || next?.to !== move?.to) keep.checked = false;
    move = next;
    moveNotice.hidden = move === undefined;
    if (!entry || !move) return;
    const what = entry[1].map(slotText).join(', ');
    moveText.textContent = `The saved ${what} ${entry[1].length > 1 ? 'were' : 'was'} saved for ${move.from}. This profile now points to ${move.to}. Saving removes ${entry[1].length > 1 ? 'them' : 'it'} from the keychain, unless you enter ${entry[1].length > 1 ? 'them' : 'it'} again below or keep ${entry[1].length > 1 ? 'them' : 'it'}.`;
    keep.nextElementSibling!.textContent = `Keep the saved ${what} for ${move.to}`;
  };
  address.addEventListener('input', updateMove);

  // A cloud profile's console is minted by its cloud account, with the account's TLS settings:
  // only what the viewer does with it (display, name, folder…) is the profile's own.
  const isCloud = profile?.endpoint.kind === 'cloud';
  if (isCloud) address.readOnly = true;
  const displayFields = [
    field('Scaling', scaling),
    field('View only', viewOnly),
    field('Share the desktop with other viewers', shared),
    field('Quality (0–9)', quality),
    field('Compression (0–9)', compression),
  ];
  const connectionFields = [
    field('Send the token as a cookie (older Nova consoles)', tokenCookie),
    field('Origin header', origin, 'Only for gateways that demand one, e.g. https://console.example.com'),
    field('Extra headers', headers, 'Not secret; stored in the profile.'),
    field(
      'Secret headers',
      secretHeaders,
      savedSecretHeaders.length
        ? `Saved in the keychain: ${savedSecretHeaders.join(', ')}. Lines here replace those names; "Name:" alone removes one.`
        : 'Stored in the OS keychain (e.g. a Proxmox API token).',
    ),
    field('CA certificate (PEM)', ca),
    field('Allow insecure TLS (no certificate checks)', insecure),
  ];
  const advanced = el('details', {}, el('summary', {}, isCloud ? 'Display' : 'Display, headers and TLS'), ...displayFields, ...(isCloud ? [] : connectionFields));

  modal.body.append(
    field('Name', name),
    isCloud
      ? field('Console', address, 'Opened through its cloud account, which signs in and checks TLS (Clouds ▸ the account ▸ Edit).')
      : field('Console URL', address, 'A token inside the URL is moved to the keychain.'),
    moveNotice,
    ...(isCloud
      ? []
      : [
          field('Token', token, secretHint(profile, 'token')),
          field('Username', username, `Only for servers that ask for one (VeNCrypt Plain). ${secretHint(profile, 'username')}`),
          field('Password', password, secretHint(profile, 'password')),
        ]),
    field('Folder', folder, 'Nested folders with "/", e.g. Customers/ACME'),
    field('Tags', tags, 'Separated by commas'),
    field('Notes', notes),
    advanced,
  );

  const values = (): ProfileInput => ({
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
      quality: Math.min(9, Math.max(0, Math.round(Number(quality.value) || 0))),
      compression: Math.min(9, Math.max(0, Math.round(Number(compression.value) || 0))),
    },
    secrets: {
      ...(token.value ? { token: token.value } : {}),
      ...(password.value ? { password: password.value } : {}),
      ...(username.value.trim() ? { username: username.value.trim() } : {}),
      ...(secretHeaders.value.trim()
        ? { headers: Object.fromEntries(Object.entries(parseHeaderLines(secretHeaders.value)).map(([k, v]) => [k, v === '' ? null : v])) }
        : {}),
    },
    ...(move && keep.checked ? { keepSecrets: move } : {}),
  });

  return new Promise((resolve) => {
    let result: ProfileInput | undefined;
    const save = (): void => {
      for (const required of [name, address]) {
        if (required.value.trim()) continue;
        required.setAttribute('aria-invalid', 'true');
        required.focus();
        return;
      }
      result = values();
      modal.close();
    };
    modal.footer.append(button('Cancel', {}, () => modal.close()), button('Save', { className: 'primary' }, save));
    // Enter in a one-line field saves, as a form would.
    modal.body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target instanceof HTMLInputElement && e.target.type !== 'checkbox') {
        e.preventDefault();
        save();
      }
    });
    modal.dialog.addEventListener('close', () => {
      modal.dialog.remove();
      resolve(result);
    });
    modal.show(name);
  });
}
