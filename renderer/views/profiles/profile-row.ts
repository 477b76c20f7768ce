// One compact row of the profile list: the name (a button that connects), "host:port · protocol",
// and badges (TLS checks off, a secret missing). Its actions (Connect, Test connection, Edit,
// Duplicate, Export, Delete) are in one menu: the "Actions" button, which shows on hover and focus,
// and the same menu from a right click, Shift+F10 or the context-menu key on the row.
import type { ProfileSummary, SecretState } from '../../../app/profile.js';
import { endpointOf } from '../../../app/secret-binding.js';
import { el } from '../../ui/dom.js';
import { MenuButton, type MenuItem } from '../../ui/menu.js';

export interface RowActions {
  connect(profile: ProfileSummary): void;
  test(profile: ProfileSummary): void;
  edit(profile: ProfileSummary): void;
  duplicate(profile: ProfileSummary): void;
  exportOne(profile: ProfileSummary): void;
  remove(profile: ProfileSummary): void;
}

const PROTOCOL: Record<ProfileSummary['endpoint']['kind'], string> = {
  nova: 'Nova',
  websockify: 'websockify',
  proxmox: 'Proxmox',
  'vnc-tcp': 'VNC',
  'vnc-tls': 'VNC over TLS',
  cloud: 'Cloud',
};

/** "host:port" of the profile's endpoint (the address itself when it does not parse). */
export function hostPort(profile: ProfileSummary): string {
  // A cloud profile: the server and the account it opens through (a fresh console each time).
  const cloud = profile.endpoint.cloud;
  if (cloud) return `${cloud.serverName || cloud.serverId} on ${cloud.cloudName}`;
  const endpoint = endpointOf(profile.endpoint.address);
  return endpoint ? endpoint.slice(endpoint.indexOf('://') + 3) : profile.endpoint.address;
}

export function protocolName(profile: ProfileSummary): string {
  if (profile.endpoint.cloud) return profile.endpoint.cloud.cloudType === 'proxmox' ? 'Proxmox VE account' : 'OpenStack account';
  return PROTOCOL[profile.endpoint.kind];
}

const SLOT_NAMES: Record<string, string> = { token: 'token', password: 'password', username: 'user name' };

function slotName(slot: string): string {
  return SLOT_NAMES[slot] ?? `${slot.slice('header:'.length)} header`;
}

/** Slots whose secret the profile needs but cannot use now, by reason. */
export function secretTrouble(profile: ProfileSummary): { missing: string[]; unavailable: string[] } {
  const pick = (state: SecretState): string[] =>
    Object.entries(profile.secretStatus)
      .filter(([, s]) => s === state)
      .map(([slot]) => slotName(slot));
  return { missing: pick('missing'), unavailable: pick('unavailable') };
}

/** A stable key for a focusable control of a row, so focus survives a redraw of the list. */
export function focusKey(section: string, profileId: string, part: 'open' | 'actions'): string {
  return `${section}\u0000${profileId}\u0000${part}`;
}

export function profileRow(profile: ProfileSummary, section: string, actions: RowActions): HTMLLIElement {
  const metaId = `profile-meta-${section}-${profile.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const open = el('button', { type: 'button', className: 'profile-name', 'aria-describedby': metaId, 'data-focus-key': focusKey(section, profile.id, 'open') }, profile.name);
  open.addEventListener('click', () => actions.connect(profile));

  const badges: HTMLElement[] = [];
  const trouble = secretTrouble(profile);
  if (trouble.missing.length) badges.push(el('span', { className: 'badge missing' }, `No ${trouble.missing.join(', ')}`));
  if (trouble.unavailable.length) badges.push(el('span', { className: 'badge missing' }, 'Keychain unavailable'));
  if (profile.tls.allowInsecure) badges.push(el('span', { className: 'badge insecure' }, 'TLS checks off'));
  const meta = el('span', { className: 'profile-meta', id: metaId }, `${hostPort(profile)} · ${protocolName(profile)}`, ...badges.map((b) => [' ', b]).flat());

  const items = (): MenuItem[] => [
    { label: 'Connect', run: () => actions.connect(profile) },
    { label: 'Test connection', run: () => actions.test(profile) },
    { label: 'Edit…', run: () => actions.edit(profile) },
    { label: 'Duplicate', run: () => actions.duplicate(profile) },
    { label: 'Export', run: () => actions.exportOne(profile) },
    { label: 'Delete', run: () => actions.remove(profile) },
  ];
  const menu = new MenuButton('Actions', items, { 'aria-label': `Actions for ${profile.name}`, className: 'row-menu', 'data-focus-key': focusKey(section, profile.id, 'actions') });
  menu.wrapper.classList.add('row-actions');

  const li = el('li', { className: 'profile' }, el('div', { className: 'profile-main' }, open, meta), menu.wrapper);
  // The context menu: right click anywhere on the row, or Shift+F10 / the menu key on its name.
  li.addEventListener('contextmenu', (e) => {
    e.preventDefault();
    menu.open('first');
  });
  open.addEventListener('keydown', (e) => {
    if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
      e.preventDefault();
      menu.open('first');
    }
  });
  return li;
}
