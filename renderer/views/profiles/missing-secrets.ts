// Opening a profile that lacks a secret it needs (imported without it, dropped when its address
// changed, the keychain unavailable): the secret is asked for right there, instead of the console
// failing with "token rejected". What is typed goes straight to main (profiles.supplySecrets) and
// the fields are cleared; main keeps it in the keychain ("Remember") or for this connect only.
// `readyToOpen` is the one check every way of opening a console goes through (the profile list,
// a deep link naming a profile, a failed tab's Connect again, trusting a certificate).
import type { PortholeApi, SessionSource } from '../../../app/contract.js';
import type { ProfileSummary } from '../../../app/profile.js';
import { button, el, field } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

/** The token and secret-header slots the profile needs but main cannot read now. (VNC passwords are asked by the server's prompt.) */
export function missingConnectSecrets(profile: ProfileSummary): string[] {
  return Object.entries(profile.secretStatus)
    .filter(([slot, state]) => (slot === 'token' || slot.startsWith('header:')) && (state === 'missing' || state === 'unavailable'))
    .map(([slot]) => slot)
    .sort();
}

/** The field's name: "Token", or the header's own name. */
function slotLabel(slot: string): string {
  return slot === 'token' ? 'Token' : slot.slice('header:'.length);
}

/** Why the dialog asks, in words: "token", "X-Auth header", or both. */
function reason(profile: ProfileSummary, slots: string[]): string {
  const names = slots.map((s) => (s === 'token' ? 'token' : `${slotLabel(s)} header`)).join(' and ');
  const it = slots.length > 1 ? 'them' : 'it';
  if (slots.some((s) => profile.secretStatus[s] === 'unavailable')) return `The keychain cannot be reached, so Porthole cannot read the saved ${names} of “${profile.name}”. Enter ${it} to connect.`;
  return `“${profile.name}” has no saved ${names}: it was imported without secrets, or the secret was removed when its address changed. Enter ${it} to connect.`;
}

/**
 * Asks for the missing secrets and hands them to main. Resolves true when main has them (then
 * connect), false when the user cancelled.
 */
export function askMissingSecrets(container: HTMLElement, api: PortholeApi, profile: ProfileSummary, slots: string[], setStatus: (text: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const modal = new Modal(container, `Connect to ${profile.name}`, 'missing-secrets-dialog');
    const inputs = new Map<string, HTMLInputElement>();
    for (const slot of slots) inputs.set(slot, el('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: 16384 }));
    const first = [...inputs.values()][0];
    const remember = el('input', { type: 'checkbox' });
    remember.checked = true;
    const note = el('p', { className: 'dialog-note', 'aria-live': 'polite' });
    let settled = false;
    const clear = (): void => {
      for (const input of inputs.values()) input.value = '';
    };

    modal.body.append(el('p', { className: 'hint' }, reason(profile, slots)));
    for (const [slot, input] of inputs) {
      modal.body.append(field(slotLabel(slot), input, slot === 'token' ? 'The console token of this profile’s address. Porthole keeps it; this page does not.' : `The value of the ${slotLabel(slot)} header sent with the connection.`));
    }
    modal.body.append(field('Remember in the keychain', remember, 'Unticked, Porthole uses it for this connection only.'));
    modal.body.append(note);

    const submit = async (): Promise<void> => {
      if (settled) return;
      const secrets: Record<string, string> = {};
      for (const [slot, input] of inputs) {
        if (!input.value) {
          note.textContent = `Enter the ${slot === 'token' ? 'token' : slotLabel(slot)}.`;
          input.focus();
          return;
        }
        secrets[slot] = input.value;
      }
      settled = true;
      clear();
      const outcome = await api.call('profiles.supplySecrets', { profileId: profile.id, secrets, remember: remember.checked });
      if (!outcome.ok) {
        settled = false;
        note.textContent = outcome.error.message + (outcome.error.detail ? ` (${outcome.error.detail})` : '');
        first?.focus();
        return;
      }
      if (outcome.value.kept === 'memory-only') setStatus(`The keychain was unavailable: “${profile.name}” keeps the secret in memory until Porthole quits.`);
      else if (outcome.value.kept === 'saved') setStatus(`Saved the secret of “${profile.name}” in the keychain.`);
      resolve(true);
      modal.close();
    };

    modal.footer.append(
      button('Cancel', {}, () => modal.close()),
      button('Connect', { className: 'primary' }, () => void submit()),
    );
    for (const input of inputs.values()) {
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          void submit();
        }
      });
    }
    modal.dialog.addEventListener('close', () => {
      clear();
      modal.dialog.remove();
      if (!settled) resolve(false);
    });
    modal.show(first);
  });
}

export type ReadyToOpen = { ready: false } | { ready: true; profileId?: string; asked: boolean };

/** The saved profile a source opens, if any: a profile, or a pending deep link that names one. */
async function profileOpenedBy(api: PortholeApi, source: SessionSource): Promise<string | undefined> {
  if (source.type === 'profile') return source.profileId;
  if (source.type !== 'link') return undefined;
  const pending = await api.call('link.pending', {});
  return pending.ok ? pending.value.requests.find((r) => r.requestId === source.requestId)?.profileId : undefined;
}

/**
 * Before a console opens: when the source opens a saved profile that lacks its token or a secret
 * header, asks for them here. Not ready when the user cancelled; otherwise the profile it opens
 * (so a link's tab can be the profile's tab) and whether anything was asked.
 */
export async function readyToOpen(api: PortholeApi, source: SessionSource, container: HTMLElement, setStatus: (text: string) => void): Promise<ReadyToOpen> {
  const profileId = await profileOpenedBy(api, source);
  if (profileId === undefined) return { ready: true, asked: false };
  const list = await api.call('profiles.list', {});
  // Not listed (deleted meanwhile) or the list failed: opening reports the real error.
  const profile = list.ok ? list.value.profiles.find((p) => p.id === profileId) : undefined;
  const missing = profile ? missingConnectSecrets(profile) : [];
  if (!profile || missing.length === 0) return { ready: true, profileId, asked: false };
  return (await askMissingSecrets(container, api, profile, missing, setStatus)) ? { ready: true, profileId, asked: true } : { ready: false };
}
