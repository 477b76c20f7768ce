// The profiles sidebar: search, recent, folders; click a name to connect; edit, duplicate, delete;
// export and import. Every change goes through main, which keeps secrets in the keychain.
import type { PortholeApi, SessionSource } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import type { ProfileSummary } from '../../../app/profile.js';
import { showDiagnostics } from '../diagnostics-dialog.js';
import { editProfile, type EditorValues } from './profile-editor.js';
import { folderTree, matchesSearch, recentProfiles, type FolderNode } from './profile-filter.js';

export interface ProfilesPanelDeps {
  api: PortholeApi;
  connect(source: SessionSource): Promise<void>;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
}

function button(text: string, label: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

export class ProfilesPanel {
  private profiles: ProfileSummary[] = [];
  private readonly search: HTMLInputElement;
  private readonly list: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly deps: ProfilesPanelDeps,
  ) {
    const heading = document.createElement('h2');
    heading.textContent = 'Profiles';
    const searchLabel = document.createElement('label');
    searchLabel.className = 'field';
    const searchText = document.createElement('span');
    searchText.textContent = 'Search profiles';
    this.search = document.createElement('input');
    this.search.type = 'search';
    this.search.addEventListener('input', () => this.render());
    searchLabel.append(searchText, this.search);

    const actions = document.createElement('div');
    actions.className = 'profile-actions';
    const importInput = document.createElement('input');
    importInput.type = 'file';
    importInput.accept = 'application/json,.json';
    importInput.hidden = true;
    importInput.addEventListener('change', () => void this.importFile(importInput));
    actions.append(
      button('New profile', 'New profile', () => void this.edit(undefined)),
      button('Export', 'Export profiles', () => void this.exportAll()),
      button('Import', 'Import profiles', () => importInput.click()),
      importInput,
    );

    this.list = document.createElement('nav');
    this.list.className = 'profile-list';
    this.list.setAttribute('aria-label', 'Saved profiles');
    root.replaceChildren(heading, searchLabel, actions, this.list);
  }

  async refresh(): Promise<void> {
    const result = await this.deps.api.call('profiles.list', {});
    if (!result.ok) return this.deps.showError(result.error);
    this.profiles = result.value.profiles;
    if (result.value.notice) this.deps.setStatus(result.value.notice);
    this.render();
  }

  /** "Save as profile" from quick connect: the editor, prefilled with the pasted URL. */
  async saveAs(initial: EditorValues): Promise<void> {
    await this.edit(undefined, initial);
  }

  private render(): void {
    const query = this.search.value;
    const shown = this.profiles.filter((p) => matchesSearch(p, query));
    const parts: HTMLElement[] = [];
    const recent = query ? [] : recentProfiles(shown);
    if (recent.length) parts.push(this.section('Recent', recent));
    parts.push(this.folder(folderTree(shown), 0));
    if (shown.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = this.profiles.length ? 'No profile matches.' : 'No saved profiles yet.';
      parts.push(empty);
    }
    this.list.replaceChildren(...parts);
  }

  private section(title: string, profiles: ProfileSummary[]): HTMLElement {
    const wrap = document.createElement('section');
    wrap.className = 'recent';
    const h = document.createElement('h3');
    h.textContent = title;
    const ul = document.createElement('ul');
    ul.append(...profiles.map((p) => this.item(p, false)));
    wrap.append(h, ul);
    return wrap;
  }

  private folder(node: FolderNode, depth: number): HTMLElement {
    const ul = document.createElement('ul');
    for (const child of node.folders) {
      const li = document.createElement('li');
      const details = document.createElement('details');
      details.open = true;
      const summary = document.createElement('summary');
      summary.textContent = child.name;
      details.append(summary, this.folder(child, depth + 1));
      li.append(details);
      ul.append(li);
    }
    ul.append(...node.profiles.map((p) => this.item(p, true)));
    if (depth === 0) ul.className = 'tree';
    return ul;
  }

  private item(profile: ProfileSummary, withActions: boolean): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'profile';
    // After connecting, refresh so "Recent" shows it.
    const connect = button(profile.name, profile.name, () => void this.deps.connect({ type: 'profile', profileId: profile.id }).then(() => this.refresh()), 'profile-name');
    connect.title = profile.endpoint.address;
    li.append(connect);
    if (profile.tls.allowInsecure) {
      const badge = document.createElement('span');
      badge.className = 'badge insecure';
      badge.textContent = 'TLS checks off';
      li.append(badge);
    }
    if (withActions) {
      const actions = document.createElement('div');
      actions.className = 'actions';
      actions.append(
        button('Test', `Test connection ${profile.name}`, () => void this.test(profile), 'small'),
        button('Edit', `Edit ${profile.name}`, () => void this.edit(profile), 'small'),
        button('Duplicate', `Duplicate ${profile.name}`, () => void this.duplicate(profile), 'small'),
        button('Delete', `Delete ${profile.name}`, () => void this.remove(profile), 'small'),
      );
      li.append(actions);
    }
    return li;
  }

  private async edit(profile: ProfileSummary | undefined, initial?: EditorValues): Promise<void> {
    const input = await editProfile(document.body, profile, initial);
    if (!input) return;
    const saved = await this.deps.api.call('profiles.save', { profile: input });
    if (!saved.ok) return this.deps.showError(saved.error);
    const notSaved = saved.value.warnings.includes('secret-not-saved');
    this.deps.setStatus(
      notSaved
        ? `Saved “${saved.value.profile.name}”, but its secret is kept in memory only: the keychain was unavailable.`
        : `Saved “${saved.value.profile.name}”.`,
    );
    await this.refresh();
  }

  private async test(profile: ProfileSummary): Promise<void> {
    await showDiagnostics({ ...this.deps, trusted: () => void this.refresh() }, { type: 'profile', profileId: profile.id }, profile.name);
  }

  private async duplicate(profile: ProfileSummary): Promise<void> {
    const result = await this.deps.api.call('profiles.duplicate', { profileId: profile.id });
    if (!result.ok) return this.deps.showError(result.error);
    await this.refresh();
  }

  private async remove(profile: ProfileSummary): Promise<void> {
    if (!window.confirm(`Delete the profile “${profile.name}” and its saved secrets from the keychain?`)) return;
    const result = await this.deps.api.call('profiles.delete', { profileId: profile.id });
    if (!result.ok) return this.deps.showError(result.error);
    this.deps.setStatus(`Deleted “${profile.name}”.`);
    await this.refresh();
  }

  private async exportAll(): Promise<void> {
    const ids = this.profiles.filter((p) => matchesSearch(p, this.search.value)).map((p) => p.id);
    const result = await this.deps.api.call('profiles.export', { profileIds: ids });
    if (!result.ok) return this.deps.showError(result.error);
    const blob = new Blob([JSON.stringify(result.value, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'porthole-profiles.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    this.deps.setStatus(`Exported ${result.value.profiles.length} profile(s), without secrets.`);
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    let bundle: unknown;
    try {
      bundle = JSON.parse(await file.text());
    } catch {
      this.deps.setStatus('That file is not a Porthole profile export (not JSON).');
      return;
    }
    const preview = await this.deps.api.call('profiles.importPreview', { bundle });
    if (!preview.ok) return this.deps.showError(preview.error);
    const { add, update, unchanged } = preview.value;
    const lines = [
      `Add ${add.length}: ${add.map((p) => p.name).join(', ') || '—'}`,
      `Update ${update.length}: ${update.map((p) => `${p.name} (${p.changes.join(', ')})`).join('; ') || '—'}`,
      `Unchanged: ${unchanged}`,
    ];
    if (add.length + update.length === 0) {
      this.deps.setStatus('Nothing to import: every profile is already here.');
      return;
    }
    if (!window.confirm(`Import these profiles?\n\n${lines.join('\n')}`)) return;
    const applied = await this.deps.api.call('profiles.importApply', { bundle });
    if (!applied.ok) return this.deps.showError(applied.error);
    this.deps.setStatus(`Imported: ${applied.value.added} added, ${applied.value.updated} updated.`);
    await this.refresh();
  }
}
