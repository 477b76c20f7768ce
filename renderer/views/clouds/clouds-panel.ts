// The sidebar's "Clouds" section: accounts (add, import clouds.yaml, edit, test, delete), each
// expanding to its servers or VMs with a filter and a refresh. A server's button opens its console:
// main mints a fresh one (the UI says "Requesting a console…" meanwhile).
import type { CloudAccountSummary, CloudServer } from '../../../app/cloud-account.js';
import type { PortholeApi, SessionSource } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { button, el, field, uid } from '../../ui/dom.js';
import { editCloudAccount } from './account-dialog.js';
import { showCloudTest } from './cloud-test-dialog.js';
import { matchesFilter, stateText } from './server-list.js';
import { importCloudsYaml } from './yaml-import.js';
import { downloadJson, readChosenJson } from '../../ui/json-file.js';

export interface CloudsPanelDeps {
  api: PortholeApi;
  connect(source: SessionSource): Promise<unknown>;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
  /** A profile was saved from a server ("Save as profile"): the profile list shows it. */
  profileSaved?(): void;
}

interface Expanded {
  servers?: CloudServer[];
  error?: PortholeErrorShape;
  loading: boolean;
  filter: string;
}

export class CloudsPanel {
  private accounts: CloudAccountSummary[] = [];
  private readonly expanded = new Map<string, Expanded>();
  private readonly list: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly deps: CloudsPanelDeps,
  ) {
    const fileInput = el('input', { type: 'file', multiple: true, accept: '.yaml,.yml', hidden: true });
    fileInput.addEventListener('change', () => void this.importYaml(fileInput));
    const exportInput = el('input', { type: 'file', accept: 'application/json,.json', hidden: true, className: 'cloud-import-file' });
    exportInput.addEventListener('change', () => void this.importExport(exportInput));
    const actions = el(
      'div',
      { className: 'profile-actions' },
      button('Add cloud', {}, () => void this.edit(undefined)),
      button('Import clouds.yaml', {}, () => fileInput.click()),
      button('Export clouds', {}, () => void this.exportAll()),
      button('Import clouds', {}, () => exportInput.click()),
      fileInput,
      exportInput,
    );
    this.list = el('ul', { className: 'cloud-list', 'aria-label': 'Cloud accounts' });
    root.replaceChildren(el('h2', {}, 'Clouds'), actions, this.list);
  }

  async refresh(): Promise<void> {
    const result = await this.deps.api.call('clouds.list', {});
    if (!result.ok) return this.deps.showError(result.error);
    this.accounts = result.value.accounts;
    if (result.value.notice) this.deps.setStatus(result.value.notice);
    this.render();
  }

  private render(focusKey?: string): void {
    const active = document.activeElement;
    const key = focusKey ?? (active instanceof HTMLElement && this.list.contains(active) ? active.dataset.focusKey : undefined);
    this.list.replaceChildren(...this.accounts.map((a) => this.accountItem(a)));
    if (this.accounts.length === 0) this.list.append(el('li', { className: 'empty' }, 'No cloud accounts yet.'));
    if (key) this.list.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
  }

  private accountItem(account: CloudAccountSummary): HTMLElement {
    const state = this.expanded.get(account.id);
    const regionId = uid('cloud-servers');
    const toggle = el(
      'button',
      { type: 'button', 'aria-expanded': state ? 'true' : 'false', 'aria-controls': regionId, className: 'cloud-toggle', 'data-focus-key': `toggle:${account.id}` },
      el('span', { 'aria-hidden': 'true' }, state ? '▾ ' : '▸ '),
      account.name,
    );
    toggle.addEventListener('click', () => void this.toggle(account));
    const kind = account.settings.type === 'openstack' ? 'OpenStack' : 'Proxmox VE';
    const secret = account.secretStatus === 'none' ? ' · no secret saved' : account.secretStatus === 'memory-only' ? ' · secret not saved (this run only)' : '';
    const row = el(
      'div',
      { className: 'row-actions' },
      button('Test connection', { 'aria-label': `Test connection to ${account.name}` }, () => void showCloudTest(document.body, this.deps, account)),
      button('Edit', { 'aria-label': `Edit ${account.name}` }, () => void this.edit(account)),
      button('Delete', { 'aria-label': `Delete ${account.name}` }, () => void this.remove(account)),
    );
    const item = el('li', { className: 'cloud-account' }, toggle, el('span', { className: 'hint' }, ` ${kind}${secret}`), row);
    if (state) item.append(this.serversRegion(account, state, regionId));
    return item;
  }

  private serversRegion(account: CloudAccountSummary, state: Expanded, id: string): HTMLElement {
    const filter = el('input', { type: 'search', 'data-focus-key': `filter:${account.id}` });
    filter.value = state.filter;
    filter.addEventListener('input', () => {
      state.filter = filter.value;
      this.render(`filter:${account.id}`);
    });
    const status = el('p', { className: 'hint', role: 'status' });
    const list = el('ul', { className: 'cloud-servers', 'aria-label': `Servers of ${account.name}` });
    if (state.loading) status.textContent = 'Loading servers…';
    else if (state.error) status.textContent = `${state.error.message}${state.error.detail ? ` (${state.error.detail})` : ''} ${state.error.hint}`;
    else if (state.servers) {
      const shown = state.servers.filter((s) => matchesFilter(s, state.filter));
      status.textContent = `${shown.length} of ${state.servers.length} shown.`;
      list.append(...shown.map((s) => this.serverItem(account, s)));
    }
    return el(
      'div',
      { id, className: 'cloud-region', role: 'region', 'aria-label': `Servers of ${account.name}` },
      field('Filter servers', filter),
      button('Refresh', { 'aria-label': `Refresh servers of ${account.name}`, 'data-focus-key': `refresh:${account.id}` }, () => void this.load(account)),
      status,
      list,
    );
  }

  private serverItem(account: CloudAccountSummary, server: CloudServer): HTMLElement {
    const descId = uid('server-state');
    const open = button(server.name || server.id, { 'aria-describedby': descId, className: 'cloud-server', 'data-focus-key': `server:${account.id}:${server.id}` }, () =>
      void this.open(account, server),
    );
    // No console to ask for: say why instead of failing a connection.
    if (server.console !== 'available') open.setAttribute('aria-disabled', 'true');
    const label = server.name || server.id;
    const save = button('Save as profile', { 'aria-label': `Save as profile: ${label}`, className: 'cloud-save-profile', 'data-focus-key': `save:${account.id}:${server.id}` }, () =>
      void this.saveAsProfile(account, server),
    );
    return el('li', { 'data-console': server.console }, open, el('span', { id: descId, className: 'hint' }, ` ${stateText(server)}`), ' ', save);
  }

  /** A profile that refers to the account and the server (main stores no URL and no token). */
  private async saveAsProfile(account: CloudAccountSummary, server: CloudServer): Promise<void> {
    const result = await this.deps.api.call('clouds.saveAsProfile', { accountId: account.id, serverId: server.id, serverName: server.name });
    if (!result.ok) return this.deps.showError(result.error);
    this.deps.profileSaved?.();
    this.deps.setStatus(`Saved the profile “${result.value.profile.name}”: it opens ${server.name || server.id} through ${account.name}.`);
  }

  private async open(account: CloudAccountSummary, server: CloudServer): Promise<void> {
    if (server.console !== 'available') {
      this.deps.setStatus(`“${server.name}” is ${stateText(server)}.`);
      return;
    }
    this.deps.setStatus(`Requesting a console for “${server.name}”…`);
    await this.deps.connect({ type: 'cloud', accountId: account.id, serverId: server.id });
  }

  private async toggle(account: CloudAccountSummary): Promise<void> {
    if (this.expanded.has(account.id)) {
      this.expanded.delete(account.id);
      this.render(`toggle:${account.id}`);
      return;
    }
    await this.load(account);
  }

  private async load(account: CloudAccountSummary): Promise<void> {
    const state = this.expanded.get(account.id) ?? { loading: true, filter: '' };
    state.loading = true;
    this.expanded.set(account.id, state);
    this.render();
    const result = await this.deps.api.call('clouds.servers', { accountId: account.id });
    state.loading = false;
    if (result.ok) {
      state.servers = result.value.servers;
      delete state.error;
    } else {
      state.error = result.error;
      delete state.servers;
    }
    this.render();
  }

  private async edit(account: CloudAccountSummary | undefined): Promise<void> {
    const input = await editCloudAccount(document.body, account, (apiUrl, caPem) => this.deps.api.call('clouds.certificate', { apiUrl, ...(caPem ? { caPem } : {}) }));
    if (!input) return;
    const saved = await this.deps.api.call('clouds.save', { account: input });
    if (!saved.ok) return this.deps.showError(saved.error);
    const { account: stored, secretKept } = saved.value;
    this.deps.setStatus(
      secretKept === 'memory-only'
        ? `Saved “${stored.name}”, but its secret is kept in memory only: the keychain was unavailable.`
        : `Saved “${stored.name}”${secretKept === 'saved' ? '; its secret is in the system keychain' : ''}.`,
    );
    this.expanded.delete(stored.id);
    await this.refresh();
  }

  private async remove(account: CloudAccountSummary): Promise<void> {
    const result = await this.deps.api.call('clouds.delete', { accountId: account.id });
    if (!result.ok) return this.deps.showError(result.error);
    this.expanded.delete(account.id);
    this.deps.setStatus(`Deleted the cloud account “${account.name}” and its saved secret.`);
    await this.refresh();
  }

  /** Accounts without secrets, as a file to keep or move to another machine. */
  private async exportAll(): Promise<void> {
    const result = await this.deps.api.call('clouds.export', {});
    if (!result.ok) return this.deps.showError(result.error);
    downloadJson(result.value, 'porthole-clouds.json');
    this.deps.setStatus(`Exported ${result.value.accounts.length} cloud account(s), without secrets.`);
  }

  /** A file from Export clouds: the accounts come back without secrets, each asking for its own on Edit. */
  private async importExport(input: HTMLInputElement): Promise<void> {
    const chosen = await readChosenJson(input);
    if (!chosen) return;
    if (!chosen.json.ok) return this.deps.setStatus(`“${chosen.name}” is not a Porthole clouds export (not JSON).`);
    const result = await this.deps.api.call('clouds.import', { bundle: chosen.json.value });
    if (!result.ok) return this.deps.showError(result.error);
    this.deps.setStatus(`Imported ${result.value.added} cloud account(s). Exports hold no secrets: open Edit on each to enter its secret.`);
    await this.refresh();
  }

  private async importYaml(input: HTMLInputElement): Promise<void> {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length === 0) return;
    await importCloudsYaml(document.body, this.deps, files);
    await this.refresh();
  }
}
