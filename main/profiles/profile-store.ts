// Connection profiles: CRUD, duplicate, export and import over the profile file (profile-file.ts),
// with every secret in the SecretStore. The file only ever holds slot NAMES (secretSlots), never a
// secret; the "Console URL" is stored as the resolver's secret-free address.
//
// secretSlots lists the slots whose secret is in the keychain. A secret the keychain would not take
// is held in memory for this run (status 'memory-only', warning 'secret-not-saved') and is not
// listed, so a later run does not claim a secret it does not have.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import {
  ExportBundle,
  Profile,
  ProfileInput,
  type EndpointKind,
  type ImportPreview,
  type ProfileDocument,
  type ProfileSummary,
  type SecretStatus,
  PROFILE_SCHEMA_VERSION,
} from '../../app/profile.js';
import { headerSlot, isSecretSlotName, type SecretSlotName, type SecretStore } from '../secrets/secret-store.js';
import type { Migration } from './migrations.js';
import { describeNotice, nodeFsOps, ProfileFile, type FsOps, type StoreNotice } from './profile-file.js';

export type AddressResolution =
  | { ok: true; kind: EndpointKind; /** secret-free */ address: string; token?: string; password?: string }
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
  save(input: ProfileInputDraft, resolveAddress: AddressResolver): Promise<{ profile: ProfileSummary; warnings: SaveWarning[] }>;
  delete(id: string): Promise<void>;
  duplicate(id: string): Promise<ProfileSummary>;
  /** Sets lastUsedAt; a profile deleted meanwhile is ignored. */
  touch(id: string): Promise<void>;
  exportBundle(ids?: readonly string[]): Promise<ExportBundle>;
  previewImport(bundle: unknown): Promise<ImportPreview>;
  applyImport(bundle: unknown): Promise<{ added: number; updated: number }>;
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
      return path.startsWith('secrets') ? `${path}: ${i.code ?? 'invalid'}` : `${path}: ${i.message}`;
    })
    .join('; ');
}

/** Every slot a profile can have a secret in. */
function candidateSlots(p: Profile): SecretSlotName[] {
  const slots = new Set<SecretSlotName>(BASE_SLOTS);
  for (const name of p.endpoint.secretHeaders) slots.add(headerSlot(name));
  for (const s of p.secretSlots) if (isSecretSlotName(s)) slots.add(s);
  return [...slots];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields that are local to this machine and never changed by an import. */
const LOCAL_FIELDS = new Set(['id', 'createdAt', 'lastUsedAt', 'secretSlots']);
/** Records compared as a whole (their keys are data, not fields). */
const WHOLE = new Set(['endpoint.headers']);

/** Changed field names, dotted one level deep ("endpoint.address", "tls.allowInsecure"). */
export function changedFields(before: Profile, after: Profile): string[] {
  const changes: string[] = [];
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string, depth: number): void => {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (depth === 0 && LOCAL_FIELDS.has(key)) continue;
      const va = a[key];
      const vb = b[key];
      if (depth === 0 && isPlainObject(va) && isPlainObject(vb) && !WHOLE.has(path)) walk(va, vb, path, 1);
      else if (canonical(va) !== canonical(vb)) changes.push(path);
    }
  };
  walk(before as Record<string, unknown>, after as Record<string, unknown>, '', 0);
  return changes;
}

function copyName(name: string): string {
  const suffix = ' (copy)';
  return name.length + suffix.length <= 200 ? `${name}${suffix}` : `${name.slice(0, 200 - suffix.length - 1)}…${suffix}`;
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
  for (const p of parsed.data.profiles) {
    if (ids.has(p.id)) throw new PortholeError('bad-request', 'the export lists the same profile id twice');
    ids.add(p.id);
  }
  return parsed.data;
}

class FileProfileStore implements ProfileStore {
  readonly dataDir: string;
  readonly filePath: string;

  constructor(
    private readonly file: ProfileFile,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
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
    const secretStatus: Record<string, SecretStatus> = {};
    for (const slot of candidateSlots(p)) {
      const known = this.secrets.status(p.id, slot);
      secretStatus[slot] = known === 'memory-only' ? 'memory-only' : p.secretSlots.includes(slot) ? 'saved' : 'none';
    }
    return { ...structuredClone(p), secretStatus };
  }

  private async profiles(): Promise<ProfileDocument['profiles']> {
    return (await this.file.load()).doc.profiles;
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

  async save(raw: ProfileInputDraft, resolveAddress: AddressResolver): Promise<{ profile: ProfileSummary; warnings: SaveWarning[] }> {
    const parsed = ProfileInput.safeParse(raw);
    if (!parsed.success) throw new PortholeError('bad-request', describeIssues(parsed.error.issues));
    const input = parsed.data;
    const resolved = resolveAddress(input.address);
    if (!resolved.ok) throw new PortholeError(resolved.error.code, resolved.error.detail);

    const isNew = input.id === undefined;
    if (!isNew && !(await this.profiles()).some((p) => p.id === input.id)) throw new PortholeError('profile-not-found');
    const id = input.id ?? randomUUID();

    // Secret edits: a value, null to clear, absent to keep. The input's own fields win over a
    // token / password found in the URL. An empty string clears.
    const edits = new Map<SecretSlotName, string | null>();
    const edit = (slot: SecretSlotName, value: string | null | undefined): void => {
      if (value !== undefined) edits.set(slot, value === '' ? null : value);
    };
    edit('token', input.secrets.token !== undefined ? input.secrets.token : resolved.token);
    edit('password', input.secrets.password !== undefined ? input.secrets.password : resolved.password);
    edit('username', input.secrets.username);
    for (const [name, value] of Object.entries(input.secrets.headers ?? {})) edit(headerSlot(name), value);

    const slotChanges = new Map<SecretSlotName, 'add' | 'remove'>();
    const headerChanges = new Map<string, 'add' | 'remove'>();
    for (const [name, value] of Object.entries(input.secrets.headers ?? {})) {
      if (value !== undefined) headerChanges.set(name, value === null || value === '' ? 'remove' : 'add');
    }
    const written: SecretSlotName[] = [];
    let notSaved = false;
    for (const [slot, value] of edits) {
      if (value === null) {
        await this.secrets.delete(id, slot);
        slotChanges.set(slot, 'remove');
      } else {
        const result = await this.secrets.set(id, slot, value);
        written.push(slot);
        if (result === 'saved') slotChanges.set(slot, 'add');
        else {
          slotChanges.set(slot, 'remove');
          notSaved = true;
        }
      }
    }

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
            kind: input.kind ?? resolved.kind,
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
    return { profile: this.summarize(stored), warnings: notSaved ? ['secret-not-saved'] : [] };
  }

  async delete(id: string): Promise<void> {
    const removed = await this.file.update((doc) => {
      const index = doc.profiles.findIndex((p) => p.id === id);
      const profile = doc.profiles[index];
      if (index < 0 || !profile) throw new PortholeError('profile-not-found');
      doc.profiles.splice(index, 1);
      return { result: profile, next: doc };
    });
    await this.secrets.deleteAll(id, candidateSlots(removed));
  }

  async duplicate(id: string): Promise<ProfileSummary> {
    const source = (await this.profiles()).find((p) => p.id === id);
    if (!source) throw new PortholeError('profile-not-found');
    const newId = randomUUID();
    const copied: SecretSlotName[] = [];
    const savedSlots: SecretSlotName[] = [];
    for (const slot of candidateSlots(source)) {
      if (!source.secretSlots.includes(slot) && this.secrets.status(id, slot) !== 'memory-only') continue;
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
        const made: Profile = { ...rest, id: newId, name: copyName(current.name), createdAt: this.now().toISOString(), secretSlots: savedSlots };
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
    // Profiles as stored: no secret is in them (slot names only).
    return { format: 'porthole-profiles', version: PROFILE_SCHEMA_VERSION, exportedAt: this.now().toISOString(), profiles: structuredClone(chosen) };
  }

  private plan(bundle: ExportBundle, current: readonly Profile[]): { preview: ImportPreview; apply: (doc: ProfileDocument) => { added: number; updated: number } } {
    const byId = new Map(current.map((p) => [p.id, p]));
    const preview: ImportPreview = { add: [], update: [], unchanged: 0 };
    for (const incoming of bundle.profiles) {
      const existing = byId.get(incoming.id);
      if (!existing) preview.add.push({ id: incoming.id, name: incoming.name });
      else {
        const changes = changedFields(existing, incoming);
        if (changes.length > 0) preview.update.push({ id: incoming.id, name: incoming.name, changes });
        else preview.unchanged++;
      }
    }
    const apply = (doc: ProfileDocument): { added: number; updated: number } => {
      let added = 0;
      let updated = 0;
      for (const incoming of bundle.profiles) {
        const index = doc.profiles.findIndex((p) => p.id === incoming.id);
        const existing = doc.profiles[index];
        if (!existing) {
          // Secrets are never in an export: an imported profile starts without any.
          doc.profiles.push({ ...incoming, secretSlots: [] });
          added++;
        } else if (changedFields(existing, incoming).length > 0) {
          const { lastUsedAt: _drop, ...fields } = incoming;
          doc.profiles[index] = {
            ...fields,
            createdAt: existing.createdAt,
            ...(existing.lastUsedAt !== undefined ? { lastUsedAt: existing.lastUsedAt } : {}),
            secretSlots: existing.secretSlots,
          };
          updated++;
        }
      }
      return { added, updated };
    };
    return { preview, apply };
  }

  async previewImport(bundle: unknown): Promise<ImportPreview> {
    const parsed = parseBundle(bundle);
    return this.plan(parsed, await this.profiles()).preview;
  }

  async applyImport(bundle: unknown): Promise<{ added: number; updated: number }> {
    const parsed = parseBundle(bundle);
    return this.file.update((doc) => {
      const counts = this.plan(parsed, doc.profiles).apply(doc);
      return counts.added + counts.updated > 0 ? { result: counts, next: doc } : { result: counts };
    });
  }

  async close(): Promise<void> {
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
  const store = new FileProfileStore(file, options.secrets, options.now ?? (() => new Date()));
  try {
    await (fs ?? nodeFsOps).mkdir(options.dataDir);
    await file.load();
  } catch {
    // Reported by the first call that needs the file.
  }
  return store;
}
