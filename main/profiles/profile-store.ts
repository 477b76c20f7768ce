// Connection profiles: CRUD, duplicate, export and import over the profile file (profile-file.ts),
// with every secret in the SecretStore. The file only ever holds slot NAMES (secretSlots), never a
// secret; the "Console URL" is stored as the resolver's secret-free address.
//
// secretSlots lists the slots whose secret is in the keychain. A secret the keychain would not take
// is held in memory for this run (status 'memory-only', warning 'secret-not-saved') and is not
// listed, so a later run does not claim a secret it does not have.
//
// Every secret is bound to the endpoint it was saved for (secretBindings: slot → "scheme://host:port",
// app/secret-binding.ts). readSecret() checks the binding against the profile's current address on
// every read, whatever the renderer sent; save() and applyImport() drop the secrets whose endpoint
// changes (unless the user re-entered them or explicitly kept them) and list them in missingSecrets.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import {
  ExportBundle,
  Profile,
  ProfileInput,
  cloudProfileAddress,
  type CloudReference,
  type EndpointKind,
  type ImportPreview,
  type ProfileDocument,
  type ProfileSummary,
  type SecretState,
  PROFILE_SCHEMA_VERSION,
} from '../../app/profile.js';
import { parseConsoleAddress } from '../../app/console-address.js';
import { endpointOf, secretMayBeSent } from '../../app/secret-binding.js';
import { headerSlot, isSecretSlotName, type SecretSlotName, type SecretStore } from '../secrets/secret-store.js';
import { fieldChanges } from './field-changes.js';
import type { Migration } from './migrations.js';
import { describeNotice, nodeFsOps, ProfileFile, type FsOps, type StoreNotice } from './profile-file.js';
import { UndoJournal, type UndoEntry, type UndoRecord } from './undo-journal.js';

export type AddressResolution =
  | { ok: true; kind: EndpointKind; /** secret-free */ address: string; token?: string; password?: string; username?: string }
  | { ok: false; error: PortholeErrorShape };
export type AddressResolver = (address: string) => AddressResolution;

/** What save() accepts: the contract's ProfileInput, before or after its defaults are applied. */
export type ProfileInputDraft = z.input<typeof ProfileInput>;

export type SaveWarning = 'secret-not-saved';

export interface ProfileStoreOptions {
  dataDir: string;
  secrets: SecretStore;
  now?: () => Date;
  /** File-system boundary (tests inject failures here). */
  fs?: FsOps;
  /** Migration table (tests only; defaults to migrations.ts). */
  migrations?: readonly Migration[];
  lockStaleMs?: number;
  lockTimeoutMs?: number;
  /** How long Undo stays possible after a delete or import (default 60 s). */
  undoWindowMs?: number;
}

export interface SaveResult {
  profile: ProfileSummary;
  warnings: SaveWarning[];
  /** Slots whose secret was removed because the endpoint changed (not re-entered, not kept). */
  droppedSecrets: string[];
}

export interface ProfileStore {
  readonly dataDir: string;
  readonly filePath: string;
  /** What happened when the file was loaded (set aside, restored from backup, newer version). */
  notice(): StoreNotice | undefined;
  clearNotice(): void;
  list(): Promise<{ profiles: ProfileSummary[]; notice?: string }>;
  /** undefined when there is no such profile. */
  get(id: string): Promise<ProfileSummary | undefined>;
  /**
   * A profile's secret for connecting: undefined when it has none, or when the secret was saved for
   * another endpoint than the profile's current one (then it is never read from the keychain).
   */
  readSecret(profileId: string, slot: SecretSlotName): Promise<string | undefined>;
  save(input: ProfileInputDraft, resolveAddress: AddressResolver): Promise<SaveResult>;
  /** A new profile of kind `cloud`: the account and server by reference; no address, no secret. */
  saveCloud(name: string, cloud: CloudReference): Promise<ProfileSummary>;
  /** Deletes the profile and its secrets; the token undoes it for a short while (undo()). */
  delete(id: string): Promise<{ undoToken: string }>;
  duplicate(id: string): Promise<ProfileSummary>;
  /** Sets lastUsedAt; a profile deleted meanwhile is ignored. */
  touch(id: string): Promise<void>;
  exportBundle(ids?: readonly string[]): Promise<ExportBundle>;
  previewImport(bundle: unknown): Promise<ImportPreview>;
  applyImport(bundle: unknown): Promise<{ added: number; updated: number; undoToken?: string }>;
  /** Reverts a delete or an import (profiles and the secrets it removed). */
  undo(token: string): Promise<{ restored: number }>;
  /** Waits for pending writes. Does not close the SecretStore (the caller owns it). */
  close(): Promise<void>;
}

const BASE_SLOTS: readonly SecretSlotName[] = ['token', 'password', 'username'];
const MAX_IMPORT = 10_000;

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.map(String).join('.') || '(input)';
      // Never echo anything about a secret's value.
      return path.startsWith('secrets') ? `${path}: ${i.code ?? 'invalid'}${i.code === 'custom' ? ` (${i.message})` : ''}` : `${path}: ${i.message}`;
    })
    .join('; ');
}

/** Every slot a profile can have a secret in. */
function candidateSlots(p: Profile): SecretSlotName[] {
  const slots = new Set<SecretSlotName>(BASE_SLOTS);
  for (const name of p.endpoint.secretHeaders) slots.add(headerSlot(name));
  for (const s of [...p.secretSlots, ...(p.missingSecrets ?? []), ...Object.keys(p.secretBindings ?? {})]) if (isSecretSlotName(s)) slots.add(s);
  return [...slots];
}

function copyName(name: string): string {
  const suffix = ' (copy)';
  return name.length + suffix.length <= 200 ? `${name}${suffix}` : `${name.slice(0, 200 - suffix.length - 1)}…${suffix}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseBundle(bundle: unknown): ExportBundle {
  if (isPlainObject(bundle) && bundle.format === 'porthole-profiles' && typeof bundle.version === 'number' && bundle.version > PROFILE_SCHEMA_VERSION) {
    throw new PortholeError('bad-request', `this export was made by a newer Porthole (format ${bundle.version})`);
  }
  if (isPlainObject(bundle) && Array.isArray(bundle.profiles) && bundle.profiles.length > MAX_IMPORT) {
    throw new PortholeError('bad-request', `an import holds at most ${MAX_IMPORT} profiles`);
  }
  const parsed = ExportBundle.safeParse(bundle);
  if (!parsed.success) throw new PortholeError('bad-request', `not a Porthole profile export: ${describeIssues(parsed.error.issues)}`);
  const ids = new Set<string>();
  for (const [i, p] of parsed.data.profiles.entries()) {
    if (ids.has(p.id)) throw new PortholeError('bad-request', 'the export lists the same profile id twice');
    ids.add(p.id);
    if (p.endpoint.kind === 'cloud') continue; // a reference to a cloud account's server (the schema checked it)
    const address = parseConsoleAddress(p.endpoint.address);
    if (!address.ok) throw new PortholeError('bad-request', `not a Porthole profile export: profiles.${i}.endpoint.address: ${address.error.detail ?? 'not a console address'}`);
  }
  return parsed.data;
}

/** Slots that hold a secret now: listed in the file, or held in memory this run. */
function heldSlots(p: Profile, secrets: SecretStore): SecretSlotName[] {
  return candidateSlots(p).filter((slot) => p.secretSlots.includes(slot) || secrets.status(p.id, slot) === 'memory-only');
}

/** The secrets a profile loses when it becomes `next`: saved for another endpoint, or a secret header it no longer names. */
function slotsDroppedBy(before: Profile, next: Pick<Profile, 'endpoint'>, held: readonly SecretSlotName[]): SecretSlotName[] {
  const endpoint = endpointOf(next.endpoint.address);
  return held.filter((slot) => {
    if ((before.secretBindings?.[slot] ?? endpointOf(before.endpoint.address)) !== endpoint) return true;
    return slot.startsWith('header:') && !next.endpoint.secretHeaders.includes(slot.slice('header:'.length));
  });
}

function without<T>(list: readonly T[], remove: Iterable<T>): T[] {
  const gone = new Set(remove);
  return list.filter((x) => !gone.has(x));
}

class FileProfileStore implements ProfileStore {
  readonly dataDir: string;
  readonly filePath: string;

  constructor(
    private readonly file: ProfileFile,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
    private readonly journal: UndoJournal,
  ) {
    this.dataDir = file.dataDir;
    this.filePath = file.path;
  }

  notice(): StoreNotice | undefined {
    return this.file.notice;
  }

  clearNotice(): void {
    this.file.clearNotice();
  }

  private summarize(p: Profile): ProfileSummary {
    const secretStatus: Record<string, SecretState> = {};
    const keychainTrouble = this.secrets.notice() !== undefined;
    for (const slot of candidateSlots(p)) {
      const known = this.secrets.status(p.id, slot);
      let state: SecretState = 'none';
      if (known === 'memory-only') state = secretMayBeSent(p, slot) ? 'memory-only' : 'missing';
      else if (p.secretSlots.includes(slot)) state = !secretMayBeSent(p, slot) ? 'missing' : keychainTrouble && known !== 'saved' ? 'unavailable' : 'saved';
      else if (p.missingSecrets?.includes(slot)) state = 'missing';
      secretStatus[slot] = state;
    }
    return { ...structuredClone(p), secretStatus };
  }

  private async profiles(): Promise<ProfileDocument['profiles']> {
    return (await this.file.load()).doc.profiles;
  }

  /**
   * Profiles saved before bindings existed: their secrets count as saved for their current address,
   * recorded once so that every later change of address is seen.
   */
  async bindLegacySecrets(): Promise<void> {
    const unbound = (p: Profile): SecretSlotName[] => p.secretSlots.filter((s): s is SecretSlotName => isSecretSlotName(s) && p.secretBindings?.[s] === undefined);
    if (!(await this.profiles()).some((p) => unbound(p).length > 0)) return;
    await this.file.update((doc) => {
      for (const p of doc.profiles) {
        const endpoint = endpointOf(p.endpoint.address);
        const slots = unbound(p);
        if (endpoint === undefined || slots.length === 0) continue;
        p.secretBindings = { ...p.secretBindings, ...Object.fromEntries(slots.map((s) => [s, endpoint])) };
      }
      return { result: undefined, next: doc };
    });
  }

  async list(): Promise<{ profiles: ProfileSummary[]; notice?: string }> {
    const profiles = (await this.profiles()).map((p) => this.summarize(p));
    const notice = this.file.notice;
    return notice ? { profiles, notice: describeNotice(notice) } : { profiles };
  }

  async get(id: string): Promise<ProfileSummary | undefined> {
    const p = (await this.profiles()).find((x) => x.id === id);
    return p ? this.summarize(p) : undefined;
  }

  async readSecret(profileId: string, slot: SecretSlotName): Promise<string | undefined> {
    const p = (await this.profiles()).find((x) => x.id === profileId);
    if (!p) throw new PortholeError('profile-not-found');
    const held = p.secretSlots.includes(slot) || this.secrets.status(p.id, slot) === 'memory-only';
    if (!held || !secretMayBeSent(p, slot)) return undefined;
    return this.secrets.get(p.id, slot);
  }

  async save(raw: ProfileInputDraft, resolveAddress: AddressResolver): Promise<SaveResult> {
    const parsed = ProfileInput.safeParse(raw);
    if (!parsed.success) throw new PortholeError('bad-request', describeIssues(parsed.error.issues));
    const input = parsed.data;
    // A cloud profile keeps its reference while its name, folder, tags, display or notes change.
    const cloudBefore = input.id === undefined ? undefined : (await this.profiles()).find((p) => p.id === input.id && p.endpoint.kind === 'cloud');
    if (cloudBefore?.endpoint.cloud && input.address === cloudBefore.endpoint.address) return this.saveCloudFields(input, cloudBefore);
    const resolved = resolveAddress(input.address);
    if (!resolved.ok) throw new PortholeError(resolved.error.code, resolved.error.detail);
    const endpoint = endpointOf(resolved.address);
    if (endpoint === undefined) throw new PortholeError('url-invalid', 'the console address could not be read back');

    const isNew = input.id === undefined;
    const before = isNew ? undefined : (await this.profiles()).find((p) => p.id === input.id);
    if (!isNew && !before) throw new PortholeError('profile-not-found');
    const id = input.id ?? randomUUID();

    // Secret edits: a value, null to clear, absent to keep. The input's own fields win over a
    // token / password / user name found in the URL. An empty string clears.
    const edits = new Map<SecretSlotName, string | null>();
    const edit = (slot: SecretSlotName, value: string | null | undefined): void => {
      if (value !== undefined) edits.set(slot, value === '' ? null : value);
    };
    edit('token', input.secrets.token !== undefined ? input.secrets.token : resolved.token);
    edit('password', input.secrets.password !== undefined ? input.secrets.password : resolved.password);
    edit('username', input.secrets.username !== undefined ? input.secrets.username : resolved.username);
    for (const [name, value] of Object.entries(input.secrets.headers ?? {})) edit(headerSlot(name), value);

    const headerChanges = new Map<string, 'add' | 'remove'>();
    for (const [name, value] of Object.entries(input.secrets.headers ?? {})) {
      if (value !== undefined) headerChanges.set(name, value === null || value === '' ? 'remove' : 'add');
    }

    // Secrets saved for another endpoint: dropped, unless re-entered (an edit) or explicitly kept
    // for exactly this change of endpoint.
    const dropped: SecretSlotName[] = [];
    const rebound: SecretSlotName[] = [];
    if (before) {
      const keep = input.keepSecrets;
      for (const slot of heldSlots(before, this.secrets)) {
        if (edits.has(slot)) continue;
        const bound = before.secretBindings?.[slot] ?? endpointOf(before.endpoint.address);
        if (bound === endpoint) continue;
        if (keep && keep.from === bound && keep.to === endpoint) rebound.push(slot);
        else dropped.push(slot);
      }
    }

    // New values go to the keychain before the file names them; removals happen after the file no
    // longer does, so a failed write never leaves the file pointing at a deleted secret.
    const slotChanges = new Map<SecretSlotName, 'add' | 'remove'>();
    const written: SecretSlotName[] = [];
    const removals: SecretSlotName[] = [...dropped];
    let notSaved = false;
    for (const [slot, value] of edits) {
      if (value === null) {
        removals.push(slot);
        slotChanges.set(slot, 'remove');
        continue;
      }
      const result = await this.secrets.set(id, slot, value);
      written.push(slot);
      if (result === 'saved') slotChanges.set(slot, 'add');
      else {
        slotChanges.set(slot, 'remove');
        notSaved = true;
      }
    }
    for (const slot of dropped) slotChanges.set(slot, 'remove');

    const now = this.now().toISOString();
    let stored: Profile;
    try {
      stored = await this.file.update((doc) => {
        const index = doc.profiles.findIndex((p) => p.id === id);
        const existing = index >= 0 ? doc.profiles[index] : undefined;
        if (!isNew && !existing) throw new PortholeError('profile-not-found');
        const slots = new Set(existing?.secretSlots ?? []);
        for (const [slot, change] of slotChanges) {
          if (change === 'add') slots.add(slot);
          else slots.delete(slot);
        }
        const bindings: Record<string, string> = { ...existing?.secretBindings };
        for (const slot of [...written, ...rebound]) bindings[slot] = endpoint;
        for (const slot of removals) delete bindings[slot];
        const missing = new Set(without(existing?.missingSecrets ?? [], [...written, ...edits.keys()]));
        for (const slot of dropped) missing.add(slot);
        const secretHeaders = new Set(existing?.endpoint.secretHeaders ?? []);
        for (const [name, change] of headerChanges) {
          if (change === 'add') secretHeaders.add(name);
          else secretHeaders.delete(name);
        }
        const secretLower = new Set([...secretHeaders].map((h) => h.toLowerCase()));
        const headers = Object.fromEntries(Object.entries(input.headers).filter(([name]) => !secretLower.has(name.toLowerCase())));
        const candidate = {
          id,
          name: input.name,
          folder: input.folder,
          tags: input.tags,
          endpoint: {
            // A cloud profile given a console URL in the editor becomes an ordinary console profile.
            kind: input.kind === undefined || input.kind === 'cloud' ? resolved.kind : input.kind,
            address: resolved.address,
            ...(input.originOverride ? { originOverride: input.originOverride } : {}),
            tokenIn: input.tokenIn,
            headers,
            secretHeaders: [...secretHeaders],
          },
          tls: input.tls,
          display: input.display,
          notes: input.notes,
          createdAt: existing?.createdAt ?? now,
          ...(existing?.lastUsedAt !== undefined ? { lastUsedAt: existing.lastUsedAt } : {}),
          secretSlots: [...slots],
          secretBindings: bindings,
          missingSecrets: [...missing],
        };
        const valid = Profile.safeParse(candidate);
        if (!valid.success) throw new PortholeError('bad-request', describeIssues(valid.error.issues));
        if (existing) doc.profiles[index] = valid.data;
        else doc.profiles.push(valid.data);
        return { result: valid.data, next: doc };
      });
    } catch (err) {
      // A new profile that did not make it to disk must not leave secrets behind.
      if (isNew || (err instanceof PortholeError && err.code === 'profile-not-found')) {
        await this.secrets.deleteAll(id, written).catch(() => undefined);
      }
      throw err;
    }
    await this.secrets.deleteAll(id, removals);
    return { profile: this.summarize(stored), warnings: notSaved ? ['secret-not-saved'] : [], droppedSecrets: dropped };
  }

  async saveCloud(name: string, cloud: CloudReference): Promise<ProfileSummary> {
    const candidate = Profile.safeParse({
      id: randomUUID(),
      name,
      endpoint: { kind: 'cloud', address: cloudProfileAddress(cloud), cloud },
      createdAt: this.now().toISOString(),
    });
    if (!candidate.success) throw new PortholeError('bad-request', describeIssues(candidate.error.issues));
    const stored = await this.file.update((doc) => {
      doc.profiles.push(candidate.data);
      return { result: candidate.data, next: doc };
    });
    return this.summarize(stored);
  }

  /** An edit of a cloud profile: everything but its endpoint (which is the reference) and its TLS (the account's). */
  private async saveCloudFields(input: ProfileInput, before: Profile): Promise<SaveResult> {
    const stored = await this.file.update((doc) => {
      const index = doc.profiles.findIndex((p) => p.id === before.id);
      const existing = doc.profiles[index];
      if (index < 0 || !existing) throw new PortholeError('profile-not-found');
      const valid = Profile.safeParse({ ...existing, name: input.name, folder: input.folder, tags: input.tags, display: input.display, notes: input.notes });
      if (!valid.success) throw new PortholeError('bad-request', describeIssues(valid.error.issues));
      doc.profiles[index] = valid.data;
      return { result: valid.data, next: doc };
    });
    return { profile: this.summarize(stored), warnings: [], droppedSecrets: [] };
  }

  /** Reads the secrets a change is about to remove, so Undo can restore them (unreadable ones are lost). */
  private async capture(profileId: string, slots: readonly SecretSlotName[]): Promise<UndoEntry['secrets']> {
    const out: UndoEntry['secrets'] = [];
    for (const slot of slots) {
      try {
        const value = await this.secrets.get(profileId, slot);
        if (value !== undefined) out.push({ profileId, slot, value });
      } catch {
        // Keychain unreadable: this secret cannot come back with Undo.
      }
    }
    return out;
  }

  async delete(id: string): Promise<{ undoToken: string }> {
    const current = (await this.profiles()).find((p) => p.id === id);
    if (!current) throw new PortholeError('profile-not-found');
    const held = heldSlots(current, this.secrets);
    const kept = await this.capture(id, held);
    const removed = await this.file.update((doc) => {
      const index = doc.profiles.findIndex((p) => p.id === id);
      const profile = doc.profiles[index];
      if (index < 0 || !profile) throw new PortholeError('profile-not-found');
      doc.profiles.splice(index, 1);
      return { result: { profile, index }, next: doc };
    });
    await this.secrets.deleteAll(id, candidateSlots(removed.profile));
    return { undoToken: this.journal.add({ records: [{ id, before: removed.profile, index: removed.index, removedSlots: held }], secrets: kept }) };
  }

  async duplicate(id: string): Promise<ProfileSummary> {
    const source = (await this.profiles()).find((p) => p.id === id);
    if (!source) throw new PortholeError('profile-not-found');
    const newId = randomUUID();
    const copied: SecretSlotName[] = [];
    const savedSlots: SecretSlotName[] = [];
    for (const slot of heldSlots(source, this.secrets)) {
      if (!secretMayBeSent(source, slot)) continue;
      let value: string | undefined;
      try {
        value = await this.secrets.get(id, slot);
      } catch {
        continue; // Keychain unreadable: the copy simply lacks this secret (the notice says why).
      }
      if (value === undefined) continue;
      copied.push(slot);
      if ((await this.secrets.set(newId, slot, value)) === 'saved') savedSlots.push(slot);
    }
    try {
      const copy = await this.file.update((doc) => {
        const index = doc.profiles.findIndex((p) => p.id === id);
        const current = doc.profiles[index];
        if (index < 0 || !current) throw new PortholeError('profile-not-found');
        const { lastUsedAt: _unused, ...rest } = current;
        const bindings = Object.fromEntries(copied.flatMap((slot) => (current.secretBindings?.[slot] ? [[slot, current.secretBindings[slot]]] : [])));
        const made: Profile = {
          ...rest,
          id: newId,
          name: copyName(current.name),
          createdAt: this.now().toISOString(),
          secretSlots: savedSlots,
          secretBindings: bindings,
          missingSecrets: without(candidateSlots(current).filter((s) => current.secretSlots.includes(s) || current.missingSecrets?.includes(s)), copied),
        };
        doc.profiles.splice(index + 1, 0, made);
        return { result: made, next: doc };
      });
      return this.summarize(copy);
    } catch (err) {
      await this.secrets.deleteAll(newId, copied).catch(() => undefined);
      throw err;
    }
  }

  async touch(id: string): Promise<void> {
    const at = this.now().toISOString();
    await this.file.update((doc) => {
      const profile = doc.profiles.find((p) => p.id === id);
      if (!profile) return { result: undefined };
      profile.lastUsedAt = at;
      return { result: undefined, next: doc };
    });
  }

  async exportBundle(ids?: readonly string[]): Promise<ExportBundle> {
    const all = await this.profiles();
    let chosen = all;
    if (ids !== undefined) {
      const byId = new Map(all.map((p) => [p.id, p]));
      chosen = [...new Set(ids)].map((pid) => {
        const p = byId.get(pid);
        if (!p) throw new PortholeError('profile-not-found', `no profile with id ${pid.slice(0, 64)}`);
        return p;
      });
    }
    // Profiles as stored: no secret is in them (slot names and endpoints only).
    return { format: 'porthole-profiles', version: PROFILE_SCHEMA_VERSION, exportedAt: this.now().toISOString(), profiles: structuredClone(chosen) };
  }

  /** What an import does to each profile, and the profile it leaves. */
  private plan(bundle: ExportBundle, current: readonly Profile[]): { preview: ImportPreview; steps: Array<{ id: string; next: Profile; drops: SecretSlotName[] }> } {
    const byId = new Map(current.map((p) => [p.id, p]));
    const preview: ImportPreview = { add: [], update: [], unchanged: 0 };
    const steps: Array<{ id: string; next: Profile; drops: SecretSlotName[] }> = [];
    for (const incoming of bundle.profiles) {
      const existing = byId.get(incoming.id);
      if (!existing) {
        preview.add.push({ id: incoming.id, name: incoming.name });
        // Secrets are never in an export: an imported profile starts without any, and says which it needs.
        const { lastUsedAt: _drop, ...fields } = incoming;
        const needs = [...new Set([...incoming.secretSlots, ...(incoming.missingSecrets ?? [])])];
        steps.push({ id: incoming.id, next: { ...fields, secretSlots: [], secretBindings: {}, missingSecrets: needs }, drops: [] });
        continue;
      }
      const changes = fieldChanges(existing, incoming);
      if (changes.length === 0) {
        preview.unchanged++;
        continue;
      }
      const drops = slotsDroppedBy(existing, incoming, heldSlots(existing, this.secrets));
      preview.update.push({ id: incoming.id, name: incoming.name, changes, dropsSecrets: drops });
      const { lastUsedAt: _drop, ...fields } = incoming;
      const bindings = { ...existing.secretBindings };
      for (const slot of drops) delete bindings[slot];
      steps.push({
        id: incoming.id,
        next: {
          ...fields,
          createdAt: existing.createdAt,
          ...(existing.lastUsedAt !== undefined ? { lastUsedAt: existing.lastUsedAt } : {}),
          secretSlots: without(existing.secretSlots, drops),
          secretBindings: bindings,
          missingSecrets: [...new Set([...(existing.missingSecrets ?? []), ...drops])],
        },
        drops,
      });
    }
    return { preview, steps };
  }

  async previewImport(bundle: unknown): Promise<ImportPreview> {
    const parsed = parseBundle(bundle);
    return this.plan(parsed, await this.profiles()).preview;
  }

  async applyImport(bundle: unknown): Promise<{ added: number; updated: number; undoToken?: string }> {
    const parsed = parseBundle(bundle);
    // Secrets the import will drop are read first, so Undo can put them back.
    const draft = this.plan(parsed, await this.profiles());
    const kept = (await Promise.all(draft.steps.map((s) => this.capture(s.id, s.drops)))).flat();
    const outcome = await this.file.update((doc) => {
      const { steps } = this.plan(parsed, doc.profiles);
      const records: UndoRecord[] = [];
      let added = 0;
      let updated = 0;
      for (const step of steps) {
        const index = doc.profiles.findIndex((p) => p.id === step.id);
        const existing = doc.profiles[index];
        records.push({ id: step.id, before: existing, index: existing ? index : doc.profiles.length, removedSlots: step.drops });
        if (existing) {
          doc.profiles[index] = step.next;
          updated++;
        } else {
          doc.profiles.push(step.next);
          added++;
        }
      }
      const result = { added, updated, records, drops: steps.flatMap((s) => s.drops.map((slot) => ({ id: s.id, slot }))) };
      return added + updated > 0 ? { result, next: doc } : { result };
    });
    for (const { id, slot } of outcome.drops) await this.secrets.delete(id, slot);
    if (outcome.added + outcome.updated === 0) return { added: 0, updated: 0 };
    const undoToken = this.journal.add({ records: outcome.records, secrets: kept.filter((k) => outcome.drops.some((d) => d.id === k.profileId && d.slot === k.slot)) });
    return { added: outcome.added, updated: outcome.updated, undoToken };
  }

  async undo(token: string): Promise<{ restored: number }> {
    const entry = this.journal.take(token);
    if (!entry) throw new PortholeError('bad-request', 'this change can no longer be undone');
    // Secrets first, then the file names them again.
    const back = new Set<string>();
    for (const { profileId, slot, value } of entry.secrets) {
      if ((await this.secrets.set(profileId, slot, value)) === 'saved') back.add(`${profileId}/${slot}`);
    }
    const restored = await this.file.update((doc) => {
      let count = 0;
      for (const record of [...entry.records].reverse()) {
        const index = doc.profiles.findIndex((p) => p.id === record.id);
        if (!record.before) {
          if (index >= 0) doc.profiles.splice(index, 1);
          count++;
          continue;
        }
        const before = structuredClone(record.before);
        // A removed secret that did not make it back into the keychain is missing now, not "saved".
        const lost = record.removedSlots.filter((slot) => !back.has(`${record.id}/${slot}`));
        before.secretSlots = without(before.secretSlots, lost);
        before.missingSecrets = [...new Set([...(before.missingSecrets ?? []), ...lost.filter((slot) => this.secrets.status(record.id, slot) !== 'memory-only')])];
        if (index >= 0) doc.profiles[index] = before;
        else doc.profiles.splice(Math.min(record.index, doc.profiles.length), 0, before);
        count++;
      }
      return { result: count, next: doc };
    });
    return { restored };
  }

  async close(): Promise<void> {
    this.journal.clear();
    await this.file.drain();
  }
}

/** Opens the store. Never rejects: a damaged file is set aside (see notice()); I/O trouble surfaces per call. */
export async function openProfileStore(options: ProfileStoreOptions): Promise<ProfileStore> {
  const fs = options.fs;
  const file = new ProfileFile({
    dataDir: options.dataDir,
    ...(fs ? { fs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.lockStaleMs !== undefined ? { lockStaleMs: options.lockStaleMs } : {}),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
  });
  const store = new FileProfileStore(file, options.secrets, options.now ?? (() => new Date()), new UndoJournal(options.undoWindowMs));
  try {
    await (fs ?? nodeFsOps).mkdir(options.dataDir);
    await file.load();
    await store.bindLegacySecrets();
  } catch {
    // Reported by the first call that needs the file; unbound legacy secrets are then refused.
  }
  return store;
}
