// "Add cloud" / "Edit cloud": the cloud type, a name, and the fields of the chosen way to sign in.
// The secret field starts empty on edit: leaving it empty keeps the saved secret (main refuses that
// when the API address or credential changed). Secrets go to main, which puts them in the keychain.
import type { CloudAccountInput, CloudAccountSummary, CloudSettings } from '../../../app/cloud-account.js';
import { button, el, field } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';
import { apiCertificateTrust, type InspectApi } from './api-certificate.js';

function input(type: string, value = '', attrs: Record<string, string> = {}): HTMLInputElement {
  const i = el('input', { type, spellcheck: 'false', autocomplete: 'off', ...attrs });
  i.value = value;
  return i;
}

function select(options: Array<[string, string]>, value: string): HTMLSelectElement {
  const s = el('select', {}, ...options.map(([v, label]) => el('option', { value: v }, label)));
  s.value = value;
  return s;
}

/** A group of fields shown only for one choice of a select. */
function group(...children: HTMLElement[]): HTMLElement {
  return el('div', { className: 'field-group' }, ...children);
}

export function editCloudAccount(host: HTMLElement, account: CloudAccountSummary | undefined, inspect: InspectApi): Promise<CloudAccountInput | undefined> {
  const modal = new Modal(host, account ? `Edit ${account.name}` : 'Add cloud', 'editor cloud-editor');
  const s = account?.settings;
  const os = s?.type === 'openstack' ? s : undefined;
  const pve = s?.type === 'proxmox' ? s : undefined;
  const keepHint = account ? 'Leave empty to keep the saved secret.' : undefined;

  const type = select([['openstack', 'OpenStack'], ['proxmox', 'Proxmox VE']], s?.type ?? 'openstack');
  const name = input('text', account?.name ?? '', { required: '' });

  // OpenStack
  const authUrl = input('url', os?.authUrl ?? '', { placeholder: 'https://keystone.example.com:5000/v3' });
  const osMethod = select(
    [
      ['application-credential', 'Application credential'],
      ['application-credential-name', 'Application credential by name'],
      ['password', 'Password'],
    ],
    os?.auth.method ?? 'application-credential',
  );
  const acId = input('text', os?.auth.method === 'application-credential' ? os.auth.credentialId : '');
  const acSecret = input('password');
  const acName = input('text', os?.auth.method === 'application-credential-name' ? os.auth.credentialName : '');
  const acUser = input('text', os?.auth.method === 'application-credential-name' ? os.auth.userName : '');
  const acDomain = input('text', os?.auth.method === 'application-credential-name' ? os.auth.userDomain : 'Default');
  const acNameSecret = input('password');
  const osUser = input('text', os?.auth.method === 'password' ? os.auth.userName : '');
  const osPassword = input('password');
  const osUserDomain = input('text', os?.auth.method === 'password' ? os.auth.userDomain : 'Default');
  const osProject = input('text', os?.auth.method === 'password' ? os.auth.projectName : '');
  const osProjectDomain = input('text', os?.auth.method === 'password' ? os.auth.projectDomain : 'Default');
  const region = input('text', os?.region ?? '');
  const iface = select([['public', 'public'], ['internal', 'internal'], ['admin', 'admin']], os?.interface ?? 'public');
  const osCa = el('textarea', { rows: 3, spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
  osCa.value = os?.caPem ?? '';

  // Proxmox VE
  const apiUrl = input('url', pve?.apiUrl ?? '', { placeholder: 'https://pve.example.com:8006' });
  const pveMethod = select([['token', 'API token'], ['password', 'User name and password']], pve?.auth.method ?? 'token');
  const tokenId = input('text', pve?.auth.method === 'token' ? pve.auth.tokenId : '', { placeholder: 'user@realm!name' });
  const tokenSecret = input('password');
  const pveUser = input('text', pve?.auth.method === 'password' ? pve.auth.userName : '');
  const pvePassword = input('password');
  const realm = input('text', pve?.auth.method === 'password' ? pve.auth.realm : 'pam');
  const pveCa = el('textarea', { rows: 3, spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
  pveCa.value = pve?.caPem ?? '';

  const acGroup = group(field('Application credential ID', acId), field('Application credential secret', acSecret, keepHint));
  const acNameGroup = group(
    field('Application credential name', acName),
    field('User name', acUser),
    field('User domain', acDomain),
    field('Application credential secret', acNameSecret, keepHint),
  );
  const osPasswordGroup = group(
    field('User name', osUser),
    field('Password', osPassword, keepHint ?? 'Kept in the system keychain.'),
    field('User domain', osUserDomain),
    field('Project name', osProject),
    field('Project domain', osProjectDomain),
  );
  const openstack = group(
    field('Auth URL', authUrl, 'Keystone’s address, with or without /v3.'),
    field('Sign in with', osMethod),
    acGroup,
    acNameGroup,
    osPasswordGroup,
    field('Region (optional)', region),
    field('Interface', iface),
    field('CA certificate (PEM, optional)', osCa, 'Only if the cloud’s certificate is signed by a private CA.'),
  );
  const tokenGroup = group(field('API token ID', tokenId), field('API token secret', tokenSecret, keepHint));
  const pvePasswordGroup = group(
    field('User name', pveUser),
    field('Password', pvePassword, keepHint ?? 'Accounts with two-factor login must use an API token instead.'),
    field('Realm', realm),
  );
  // Trust on first use: the certificate the API presents, pinned for this account when the user trusts it.
  const pveTrust = apiCertificateTrust(inspect, () => ({ apiUrl: apiUrl.value.trim(), ...(pveCa.value.trim() ? { caPem: pveCa.value.trim() } : {}) }));
  const proxmox = group(
    field('API URL', apiUrl, 'The node or cluster address, port 8006.'),
    field('Sign in with', pveMethod),
    tokenGroup,
    pvePasswordGroup,
    field('CA certificate (PEM, optional)', pveCa, 'The cluster’s pve-root-ca.pem, unless the API has a publicly trusted certificate.'),
    pveTrust.element,
  );
  const problem = el('p', { className: 'field-error', role: 'alert', hidden: true });

  const sync = (): void => {
    openstack.hidden = type.value !== 'openstack';
    proxmox.hidden = type.value !== 'proxmox';
    acGroup.hidden = osMethod.value !== 'application-credential';
    acNameGroup.hidden = osMethod.value !== 'application-credential-name';
    osPasswordGroup.hidden = osMethod.value !== 'password';
    tokenGroup.hidden = pveMethod.value !== 'token';
    pvePasswordGroup.hidden = pveMethod.value !== 'password';
  };
  for (const s of [type, osMethod, pveMethod]) s.addEventListener('change', sync);
  sync();
  modal.body.append(field('Cloud type', type), field('Name', name), openstack, proxmox, problem);

  const text = (i: HTMLInputElement | HTMLTextAreaElement): string => i.value.trim();
  const values = (): { settings: CloudSettings; secret: string } => {
    if (type.value === 'openstack') {
      const method = osMethod.value;
      const auth =
        method === 'password'
          ? { method: 'password' as const, userName: text(osUser), userDomain: text(osUserDomain) || 'Default', projectName: text(osProject), projectDomain: text(osProjectDomain) || 'Default' }
          : method === 'application-credential-name'
            ? { method: 'application-credential-name' as const, credentialName: text(acName), userName: text(acUser), userDomain: text(acDomain) || 'Default' }
            : { method: 'application-credential' as const, credentialId: text(acId) };
      const secret = method === 'password' ? osPassword.value : method === 'application-credential-name' ? acNameSecret.value : acSecret.value;
      const settings: CloudSettings = {
        type: 'openstack',
        authUrl: text(authUrl),
        auth,
        interface: iface.value as 'public' | 'internal' | 'admin',
        ...(text(region) ? { region: text(region) } : {}),
        ...(text(osCa) ? { caPem: text(osCa) } : {}),
      };
      return { settings, secret };
    }
    const pin = pveTrust.pin(text(apiUrl)) ?? pve?.pinSha256;
    const auth = pveMethod.value === 'password' ? { method: 'password' as const, userName: text(pveUser), realm: text(realm) || 'pam' } : { method: 'token' as const, tokenId: text(tokenId) };
    const settings: CloudSettings = {
      type: 'proxmox',
      apiUrl: text(apiUrl),
      auth,
      ...(text(pveCa) ? { caPem: text(pveCa) } : {}),
      ...(pin ? { pinSha256: pin } : {}),
    };
    return { settings, secret: pveMethod.value === 'password' ? pvePassword.value : tokenSecret.value };
  };

  return new Promise((resolve) => {
    let result: CloudAccountInput | undefined;
    const save = (): void => {
      if (!text(name)) {
        name.setAttribute('aria-invalid', 'true');
        name.focus();
        return;
      }
      const { settings, secret } = values();
      if (!account && !secret) {
        problem.textContent = 'Enter the secret (it is kept in the system keychain, never in Porthole’s files).';
        problem.hidden = false;
        return;
      }
      result = { ...(account ? { id: account.id } : {}), name: text(name), settings, ...(secret ? { secret } : {}) };
      modal.close();
    };
    modal.footer.append(button('Cancel', {}, () => modal.close()), button('Save', { className: 'primary' }, save));
    modal.body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target instanceof HTMLInputElement) {
        e.preventDefault();
        save();
      }
    });
    modal.dialog.addEventListener('close', () => {
      modal.dialog.remove();
      resolve(result);
    });
    modal.show(account ? name : type);
  });
}
