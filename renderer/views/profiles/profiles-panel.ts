// The profiles sidebar: search (name, address, folder, tags, notes), sort (name or last used),
// Recent, folders; compact rows (profile-row.ts) whose name connects and whose actions sit in a
// menu; export and import with a preview; Undo after Delete and Import. Every change goes through
// main, which keeps secrets in the keychain. Redrawing the list keeps the keyboard focus where it was.
import type { PortholeApi, SessionSource } from '../../../app/contract.js';
import { makeError, type PortholeErrorShape } from '../../../app/errors.js';
import type { ProfileSummary } from '../../../app/profile.js';
import { button, el, field } from '../../ui/dom.js';
import { showDiagnostics } from '../diagnostics-dialog.js';
import { confirmImport } from './import-dialog.js';
import { editProfile, type EditorValues } from './profile-editor.js';
import { folderTree, matchesSearch, recentProfiles, type FolderNode, type SortOrder } from './profile-filter.js';
import { focusKey, profileRow, type RowActions } from './profile-row.js';
import { UndoBar } from './undo-bar.js';
import { downloadJson, readChosenJson } from '../../ui/json-file.js';

export interface ProfilesPanelDeps {
  api: PortholeApi;
  connect(source: SessionSource): Promise<unknown>;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
}

const SORT_KEY = 'porthole.profiles.sort';

function storedSort(): SortOrder {
  try {
    return localStorage.getItem(SORT_KEY) === 'last-used' ? 'last-used' : 'name';
  } catch {
    return 'name';
  }
}

const SLOT_TEXT: Record<string, string> = { token: 'token', password: 'password', username: 'user name' };
const slotText = (slot: string): string => SLOT_TEXT[slot] ?? `${slot.slice('header:'.length)} header`;

export class ProfilesPanel {
  private profiles: ProfileSummary[] = [];
  private readonly search: HTMLInputElement;
  private readonly sort: HTMLSelectElement;
  private readonly list: HTMLElement;
  private readonly undoBar = new UndoBar();
  private readonly rowActions: RowActions;

  constructor(
    root: HTMLElement,
    private readonly deps: ProfilesPanelDeps,
  ) {
    this.search = el('input', { type: 'search' });
    this.search.addEventListener('input', () => this.render());
    this.sort = el('select', {}, el('option', { value: 'name' }, 'Name'), el('option', { value: 'last-used' }, 'Last used'));
    this.sort.value = storedSort();
    this.sort.addEventListener('change', () => {
      try {
        localStorage.setItem(SORT_KEY, this.sort.value);
      } catch {
        // Not remembered; the choice still applies now.
      }
      this.render();
    });

    const importInput = el('input', { type: 'file', accept: 'application/json,.json', hidden: true, className: 'profile-import-file' });
    importInput.addEventListener('change', () => void this.importFile(importInput));
    const actions = el(
      'div',
      { className: 'profile-actions' },
      button('New profile', {}, () => void this.edit(undefined)),
      button('Export', { 'aria-label': 'Export profiles' }, () => void this.exportProfiles(this.profiles.filter((p) => matchesSearch(p, this.search.value)))),
      button('Import', { 'aria-label': 'Import profiles' }, () => importInput.click()),
      importInput,
    );

    this.list = el('nav', { className: 'profile-list', 'aria-label': 'Saved profiles' });
    this.rowActions = {
      connect: (p) => void this.connect(p),
      test: (p) => void this.test(p),
      edit: (p) => void this.edit(p),
      duplicate: (p) => void this.duplicate(p),
      exportOne: (p) => void this.exportProfiles([p]),
      remove: (p) => void this.remove(p),
    };
    const searchField = field('Search profiles', this.search, undefined);
    searchField.classList.add('profile-search');
    const sortField = field('Sort by', this.sort);
    sortField.classList.add('profile-sort');
    root.replaceChildren(el('h2', {}, 'Profiles'), searchField, sortField, actions, this.undoBar.element, this.list);
  }

  async refresh(): Promise<void> {
    const result = await this.deps.api.call('profiles.list', {});
    if (!result.ok) return this.deps.showError(result.error);
    this.profiles = result.value.profiles;
    if (result.value.notice) this.deps.setStatus(result.value.notice);
    this.render();
  }

  /** Opens the editor for one saved profile (e.g. "Edit profile" on a console tab that failed). */
  async editById(profileId: string): Promise<void> {
    await this.refresh();
    const profile = this.profiles.find((p) => p.id === profileId);
    if (!profile) return this.deps.showError(makeError('profile-not-found'));
    await this.edit(profile);
  }

  /** "Save as profile" from quick connect: the editor, prefilled with the pasted URL. */
  async saveAs(initial: EditorValues): Promise<void> {
    await this.edit(undefined, initial);
  }

  /** Redraws the list; a control that had the focus gets it back (same profile, same place), or its neighbour. */
  private render(focusProfileId?: string): void {
    const active = document.activeElement;
    const hadFocus = active instanceof HTMLElement && this.list.contains(active);
    const key = hadFocus ? active.closest<HTMLElement>('[data-focus-key]')?.dataset.focusKey : undefined;
    const position = hadFocus ? [...this.list.querySelectorAll('[data-focus-key]')].indexOf(active) : -1;

    const query = this.search.value;
    const order = this.sort.value === 'last-used' ? 'last-used' : 'name';
    const shown = this.profiles.filter((p) => matchesSearch(p, query));
    const parts: HTMLElement[] = [];
    const recent = query || order === 'last-used' ? [] : recentProfiles(shown);
    if (recent.length) parts.push(this.section('Recent', recent));
    parts.push(this.folder(folderTree(shown, order), 0));
    if (shown.length === 0) parts.push(el('p', { className: 'empty' }, this.profiles.length ? 'No profile matches.' : 'No saved profiles yet.'));
    this.list.replaceChildren(...parts);

    const target = focusProfileId ? focusKey('tree', focusProfileId, 'open') : key;
    if (!target && !hadFocus) return;
    const controls = [...this.list.querySelectorAll<HTMLElement>('[data-focus-key]')];
    const again = controls.find((c) => c.dataset.focusKey === target) ?? (hadFocus ? controls[Math.min(Math.max(position, 0), controls.length - 1)] : undefined);
    (again ?? this.search).focus();
  }

  private section(title: string, profiles: ProfileSummary[]): HTMLElement {
    return el('section', { className: 'recent' }, el('h3', {}, title), el('ul', {}, ...profiles.map((p) => profileRow(p, 'recent', this.rowActions))));
  }

  private folder(node: FolderNode, depth: number): HTMLElement {
    const ul = el('ul', depth === 0 ? { className: 'tree' } : {});
    for (const child of node.folders) {
      const details = el('details', { open: true }, el('summary', {}, child.name), this.folder(child, depth + 1));
      ul.append(el('li', {}, details));
    }
    ul.append(...node.profiles.map((p) => profileRow(p, 'tree', this.rowActions)));
    return ul;
  }

  private async connect(profile: ProfileSummary): Promise<void> {
    // A token or secret header it lacks is asked for by the console area (readyToOpen), as for every other way in.
    await this.deps.connect({ type: 'profile', profileId: profile.id });
    // So "Recent" and "Last used" show it; focus stays where the connect left it.
    await this.refresh();
  }

  private async edit(profile: ProfileSummary | undefined, initial?: EditorValues): Promise<void> {
    const input = await editProfile(document.body, profile, initial);
    if (!input) return;
    const saved = await this.deps.api.call('profiles.save', { profile: input });
    if (!saved.ok) return this.deps.showError(saved.error);
    const { profile: stored, warnings, droppedSecrets = [] } = saved.value;
    const notes = [];
    if (warnings.includes('secret-not-saved')) notes.push('its secret is kept in memory only: the keychain was unavailable');
    if (droppedSecrets.length) notes.push(`its saved ${droppedSecrets.map(slotText).join(', ')} ${droppedSecrets.length > 1 ? 'were' : 'was'} removed because the address changed`);
    this.deps.setStatus(notes.length ? `Saved “${stored.name}”, but ${notes.join('; ')}.` : `Saved “${stored.name}”.`);
    await this.refresh();
  }

  private async test(profile: ProfileSummary): Promise<void> {
    await showDiagnostics({ ...this.deps, trusted: () => void this.refresh() }, { type: 'profile', profileId: profile.id }, profile.name);
  }

  private async duplicate(profile: ProfileSummary): Promise<void> {
    const result = await this.deps.api.call('profiles.duplicate', { profileId: profile.id });
    if (!result.ok) return this.deps.showError(result.error);
    const copy = result.value.profile;
    const secrets = Object.values(copy.secretStatus).filter((s) => s === 'saved' || s === 'memory-only').length;
    this.deps.setStatus(`Duplicated “${profile.name}” as “${copy.name}”${secrets ? ', with its saved secrets' : ''}. Edit the copy to change it.`);
    await this.refresh();
    this.render(copy.id);
  }

  private async remove(profile: ProfileSummary): Promise<void> {
    const result = await this.deps.api.call('profiles.delete', { profileId: profile.id });
    if (!result.ok) return this.deps.showError(result.error);
    const token = result.value.undoToken;
    this.undoBar.show(`Deleted “${profile.name}” and its saved secrets.`, token ? () => this.undo(token, profile.id) : undefined);
    await this.refresh();
  }

  private async undo(undoToken: string, focusId?: string): Promise<void> {
    const result = await this.deps.api.call('profiles.undo', { undoToken });
    if (!result.ok) return this.deps.showError(result.error);
    this.deps.setStatus(`Undone: ${result.value.restored} profile(s) back as they were.`);
    await this.refresh();
    if (focusId) this.render(focusId);
  }

  private async exportProfiles(chosen: readonly ProfileSummary[]): Promise<void> {
    const result = await this.deps.api.call('profiles.export', { profileIds: chosen.map((p) => p.id) });
    if (!result.ok) return this.deps.showError(result.error);
    downloadJson(result.value, chosen.length === 1 && chosen[0] ? `porthole-${chosen[0].name.replace(/[^A-Za-z0-9._-]+/g, '-')}.json` : 'porthole-profiles.json');
    this.deps.setStatus(`Exported ${result.value.profiles.length} profile(s), without secrets.`);
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const chosen = await readChosenJson(input);
    if (!chosen) return;
    if (!chosen.json.ok) return this.deps.setStatus('That file is not a Porthole profile export (not JSON).');
    const bundle = chosen.json.value;
    const preview = await this.deps.api.call('profiles.importPreview', { bundle });
    if (!preview.ok) return this.deps.showError(preview.error);
    if (preview.value.add.length + preview.value.update.length === 0) {
      this.deps.setStatus('Nothing to import: every profile is already here.');
      return;
    }
    if (!(await confirmImport(document.body, preview.value))) return;
    const applied = await this.deps.api.call('profiles.importApply', { bundle });
    if (!applied.ok) return this.deps.showError(applied.error);
    const { added, updated, undoToken } = applied.value;
    this.deps.setStatus(`Imported: ${added} added, ${updated} updated.`);
    this.undoBar.show(`Imported: ${added} added, ${updated} updated.`, undoToken ? () => this.undo(undoToken) : undefined);
    await this.refresh();
  }
}

