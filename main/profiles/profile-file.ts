// The profile file on disk: one JSON document, `profiles.json`, in the data directory.
//
// Durability rules (see the invariant below):
// - A write never modifies an existing file: the new document goes to a temporary file in the same
//   directory, is fsynced, and is renamed over profiles.json; then the directory is fsynced.
// - The replaced file becomes profiles.json.bak: before the rename it gets a second name (a hard
//   link to its inode, or a fsynced copy where links are not supported), which is renamed over
//   profiles.json.bak right after. Files are never modified in place, so the link is a snapshot.
//   Invariant: at every instant profiles.json is a complete, valid document (or absent, if it never
//   was written), and profiles.json.bak, when present, is a complete, strictly older version.
// - Loading: a missing file is an empty store. An unreadable, corrupt or invalid file is renamed
//   aside (profiles.json.corrupt-<timestamp>) and the store starts from the backup if that is valid,
//   otherwise empty; a notice says what happened. A file from a newer Porthole is left untouched and
//   the store is read-only.
// - Writes are serialised within the process by a promise queue and across processes by a lock file
//   (profiles.lock, created exclusively, holding pid + nonce). A lock whose pid is dead, or older than
//   lockStaleMs, is broken. Each write is read-modify-write under the lock.
// All file-system calls go through FsOps, so tests can inject failures (ENOSPC, EIO) at that boundary.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PortholeError } from '../../app/errors.js';
import { PROFILE_SCHEMA_VERSION, Profile, ProfileDocument } from '../../app/profile.js';
import { migrateDocument, migrations as defaultMigrations, type Migration } from './migrations.js';

export const PROFILE_FILE = 'profiles.json';
export const BACKUP_FILE = 'profiles.json.bak';
export const LOCK_FILE = 'profiles.lock';
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The file-system primitives the profile file uses. */
export interface FsOps {
  readFile(path: string): Promise<Uint8Array>;
  /** Creates `path` (failing if it exists), writes all of `data`, fsyncs and closes it. */
  writeNewFile(path: string, data: string | Uint8Array, mode: number): Promise<void>;
  /** Creates `path` with `data` atomically and exclusively (EEXIST if it exists); no fsync. */
  createExclusive(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ mtimeMs: number; size: number }>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK', 'EINVAL']);

export const nodeFsOps: FsOps = {
  async readFile(path) {
    return fsp.readFile(path);
  },
  async writeNewFile(path, data, mode) {
    const handle = await fsp.open(path, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async createExclusive(path, data) {
    // Written in full under a private name, then linked into place: link() fails with EEXIST like
    // O_EXCL, and the file is never seen half-written (a writer killed mid-create leaves no empty lock).
    const temp = `${path}.new-${process.pid}-${randomBytes(6).toString('hex')}`;
    await fsp.writeFile(temp, data, { flag: 'wx', mode: 0o600 });
    try {
      await fsp.link(temp, path);
    } catch (err) {
      if (!LINK_UNSUPPORTED.has(errCode(err) ?? '')) throw err;
      await fsp.writeFile(path, data, { flag: 'wx', mode: 0o600 });
    } finally {
      await fsp.unlink(temp).catch(() => undefined);
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  link: (existing, newPath) => fsp.link(existing, newPath),
  unlink: (path) => fsp.unlink(path),
  async stat(path) {
    const s = await fsp.stat(path);
    return { mtimeMs: s.mtimeMs, size: s.size };
  },
  readdir: (dir) => fsp.readdir(dir),
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  },
  async fsyncDir(dir) {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(dir, 'r');
      await handle.sync();
    } catch (err) {
      // Directories cannot be opened or fsynced on Windows; the rename is still atomic there.
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].includes(errCode(err) ?? '')) throw err;
    } finally {
      await handle?.close();
    }
  },
};

export type BadReason = 'unreadable' | 'empty' | 'not-json' | 'invalid' | 'no-migration';

export type ReadOutcome =
  | { state: 'ok'; doc: ProfileDocument; migratedFrom?: number }
  /** Some profiles are not valid (e.g. a value a newer check refuses); `doc` holds the valid ones. */
  | { state: 'partial'; doc: ProfileDocument; invalid: number; migratedFrom?: number }
  | { state: 'missing' }
  | { state: 'bad'; reason: BadReason }
  | { state: 'too-new'; version: number };

/** Errors that mean "try again later", not "this file is broken". */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM', 'EBUSY', 'EINTR', 'ETIMEDOUT']);

/** Reads, parses, migrates and validates one profile document. Never throws for file content. */
export async function readProfileDocument(path: string, fs: FsOps = nodeFsOps, table: readonly Migration[] = defaultMigrations): Promise<ReadOutcome> {
  let bytes: Uint8Array;
  try {
    const size = (await fs.stat(path)).size;
    if (size > MAX_FILE_BYTES) return { state: 'bad', reason: 'unreadable' };
    bytes = await fs.readFile(path);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return { state: 'missing' };
    if (code !== undefined && TRANSIENT.has(code)) throw storeFailed(err, 'reading profiles.json');
    return { state: 'bad', reason: 'unreadable' };
  }
  if (bytes.length === 0) return { state: 'bad', reason: 'empty' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { state: 'bad', reason: 'not-json' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { state: 'bad', reason: 'not-json' };
  }
  const migrated = migrateDocument(raw, table);
  if (!migrated.ok) {
    if (migrated.reason === 'too-new') return { state: 'too-new', version: migrated.fromVersion ?? PROFILE_SCHEMA_VERSION + 1 };
    return { state: 'bad', reason: migrated.reason === 'no-migration' || migrated.reason === 'migration-failed' ? 'no-migration' : 'invalid' };
  }
  const parsed = ProfileDocument.safeParse(migrated.doc);
  if (!parsed.success) return validSubset(migrated.doc, migrated.fromVersion);
  const ids = new Set<string>();
  for (const p of parsed.data.profiles) {
    if (ids.has(p.id)) return { state: 'bad', reason: 'invalid' };
    ids.add(p.id);
  }
  return migrated.fromVersion === PROFILE_SCHEMA_VERSION ? { state: 'ok', doc: parsed.data } : { state: 'ok', doc: parsed.data, migratedFrom: migrated.fromVersion };
}

/**
 * A document whose frame is sound but some of whose profiles are not: the valid ones, so one bad
 * entry (say, a header Porthole now refuses) does not hide all the others. With no valid profile,
 * or duplicate ids, the file counts as bad.
 */
function validSubset(raw: Record<string, unknown>, fromVersion: number): ReadOutcome {
  const frame = ProfileDocument.safeParse({ ...raw, profiles: [] });
  if (!frame.success || !Array.isArray(raw.profiles)) return { state: 'bad', reason: 'invalid' };
  const profiles: ProfileDocument['profiles'] = [];
  for (const entry of raw.profiles as unknown[]) {
    const one = Profile.safeParse(entry);
    if (one.success) profiles.push(one.data);
  }
  const ids = new Set(profiles.map((p) => p.id));
  if (profiles.length === 0 || ids.size !== profiles.length) return { state: 'bad', reason: 'invalid' };
  const doc = { ...frame.data, profiles };
  const invalid = raw.profiles.length - profiles.length;
  return fromVersion === PROFILE_SCHEMA_VERSION ? { state: 'partial', doc, invalid } : { state: 'partial', doc, invalid, migratedFrom: fromVersion };
}

export function serializeDocument(doc: ProfileDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function emptyDocument(): ProfileDocument {
  return { version: PROFILE_SCHEMA_VERSION, profiles: [] };
}

export function storeFailed(err: unknown, doing: string): PortholeError {
  if (err instanceof PortholeError) return err;
  const code = errCode(err);
  return new PortholeError('profile-store-failed', code ? `${code} while ${doing}` : `failed while ${doing}`);
}

export type StoreNotice =
  | { kind: 'restored-from-backup'; reason: BadReason | 'missing'; setAsidePath?: string }
  | { kind: 'started-empty'; reason: BadReason; setAsidePath?: string }
  | { kind: 'newer-version'; version: number }
  | { kind: 'some-invalid'; count: number; setAsidePath?: string };

export function describeNotice(notice: StoreNotice): string {
  const why: Record<BadReason | 'missing', string> = {
    unreadable: 'could not be read',
    empty: 'was empty',
    'not-json': 'was damaged',
    invalid: 'did not contain valid profiles',
    'no-migration': 'was in a format this version cannot convert',
    missing: 'was missing',
  };
  switch (notice.kind) {
    case 'restored-from-backup':
      return `Your profile file ${why[notice.reason]}, so Porthole restored the previous copy of it.${notice.setAsidePath ? ` The damaged file was kept as ${notice.setAsidePath}.` : ''}`;
    case 'started-empty':
      return `Your profile file ${why[notice.reason]} and no usable backup was found, so Porthole started with no profiles.${notice.setAsidePath ? ` The damaged file was kept as ${notice.setAsidePath}.` : ''}`;
    case 'newer-version':
      return `Your profiles were saved by a newer version of Porthole (format ${notice.version}). They were left untouched; this version cannot show or change them.`;
    case 'some-invalid':
      return `${notice.count} profile${notice.count === 1 ? '' : 's'} in your profile file could not be loaded (a value in ${notice.count === 1 ? 'it is' : 'them is'} not allowed, such as a header Porthole sets itself or a control character); the others were loaded.${notice.setAsidePath ? ` The original file was kept as ${notice.setAsidePath}.` : ''}`;
  }
}

export interface ProfileFileOptions {
  dataDir: string;
  fs?: FsOps;
  now?: () => Date;
  migrations?: readonly Migration[];
  /** A lock older than this is broken even if its pid seems alive (pid reuse). Default 10 s. */
  lockStaleMs?: number;
  /** How long to wait for another process's lock before failing. Default 15 s. */
  lockTimeoutMs?: number;
  /** Whether a process exists; injectable for tests. */
  isAlive?: (pid: number) => boolean;
}

export interface LoadedDocument {
  doc: ProfileDocument;
  /** profiles.json exists (so a write first keeps it as the backup). */
  exists: boolean;
  /** Written by a newer Porthole: never written by this one. */
  readOnly: boolean;
  migratedFrom?: number;
}

export interface Mutation<T> {
  result: T;
  /** The new document; absent means "nothing to write". */
  next?: ProfileDocument;
}

export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

class LockLost extends Error {}

const GARBAGE = /^profiles\.(?:json\.tmp|json\.bak\.tmp|lock\.new|lock\.stale)-(\d+)-[0-9a-f]+$/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface HeldLock {
  verify(): Promise<void>;
  release(): Promise<void>;
}

export class ProfileFile {
  readonly dataDir: string;
  readonly path: string;
  readonly backupPath: string;
  readonly lockPath: string;
  private readonly fs: FsOps;
  private readonly now: () => Date;
  private readonly table: readonly Migration[];
  private readonly lockStaleMs: number;
  private readonly lockTimeoutMs: number;
  private readonly isAlive: (pid: number) => boolean;
  private queue: Promise<unknown> = Promise.resolve();
  private cleaned = false;
  private currentNotice: StoreNotice | undefined;

  constructor(options: ProfileFileOptions) {
    this.dataDir = options.dataDir;
    this.path = join(options.dataDir, PROFILE_FILE);
    this.backupPath = join(options.dataDir, BACKUP_FILE);
    this.lockPath = join(options.dataDir, LOCK_FILE);
    this.fs = options.fs ?? nodeFsOps;
    this.now = options.now ?? (() => new Date());
    this.table = options.migrations ?? defaultMigrations;
    this.lockStaleMs = options.lockStaleMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
    this.isAlive = options.isAlive ?? pidAlive;
  }

  /** What happened at load (set aside, restored, newer version), if anything. */
  get notice(): StoreNotice | undefined {
    return this.currentNotice;
  }

  clearNotice(): void {
    this.currentNotice = undefined;
  }

  /** The current document. Recovers (under the lock) from a damaged file; never throws for file content. */
  async load(): Promise<LoadedDocument> {
    const outcome = await readProfileDocument(this.path, this.fs, this.table);
    if (outcome.state === 'ok') return { doc: outcome.doc, exists: true, readOnly: false, ...(outcome.migratedFrom !== undefined ? { migratedFrom: outcome.migratedFrom } : {}) };
    if (outcome.state === 'too-new') {
      this.currentNotice = { kind: 'newer-version', version: outcome.version };
      return { doc: emptyDocument(), exists: true, readOnly: true };
    }
    if (outcome.state === 'missing') {
      const backup = await readProfileDocument(this.backupPath, this.fs, this.table).catch(() => ({ state: 'missing' }) as const);
      if (backup.state !== 'ok' || backup.doc.profiles.length === 0) return { doc: emptyDocument(), exists: false, readOnly: false };
    }
    return this.exclusive(() => this.loadLocked());
  }

  /** Read-modify-write under the in-process queue and the cross-process lock. */
  async update<T>(mutate: (doc: ProfileDocument) => Mutation<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.exclusive(async (lock) => {
          const loaded = await this.loadLocked();
          if (loaded.readOnly) throw new PortholeError('profile-store-failed', 'the profile file was written by a newer Porthole; it is left unchanged');
          const { result, next } = mutate(structuredClone(loaded.doc));
          if (next !== undefined) {
            const valid = ProfileDocument.safeParse(next);
            if (!valid.success) throw new PortholeError('internal', 'refused to write an invalid profile document');
            if (loaded.migratedFrom !== undefined) await this.keepPreMigrationCopy(loaded.migratedFrom);
            await this.writeLocked(valid.data, loaded.exists, lock);
          }
          return result;
        });
      } catch (err) {
        // Another process broke our lock as stale (we were very slow): redo the whole read-modify-write.
        if (err instanceof LockLost && attempt < 3) continue;
        if (err instanceof LockLost) throw new PortholeError('profile-store-failed', 'lost the profile lock repeatedly');
        throw err;
      }
    }
  }

  /** Waits for queued work (tests and shutdown). */
  async drain(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  private exclusive<T>(fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const lock = await this.acquireLock();
      try {
        if (!this.cleaned) {
          this.cleaned = true;
          await this.removeGarbage();
        }
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Under the lock: read; if damaged, set it aside and restore from the backup (or start empty). */
  private async loadLocked(): Promise<LoadedDocument> {
    const outcome = await readProfileDocument(this.path, this.fs, this.table);
    if (outcome.state === 'ok') return { doc: outcome.doc, exists: true, readOnly: false, ...(outcome.migratedFrom !== undefined ? { migratedFrom: outcome.migratedFrom } : {}) };
    if (outcome.state === 'too-new') {
      this.currentNotice = { kind: 'newer-version', version: outcome.version };
      return { doc: emptyDocument(), exists: true, readOnly: true };
    }
    let setAsidePath: string | undefined;
    if (outcome.state === 'partial') {
      // Keep the original aside, and from now on the file holds the valid profiles.
      setAsidePath = await this.setAside();
      await this.writeLocked(outcome.doc, false, undefined);
      this.currentNotice = { kind: 'some-invalid', count: outcome.invalid, setAsidePath };
      return { doc: outcome.doc, exists: true, readOnly: false };
    }
    if (outcome.state === 'bad') setAsidePath = await this.setAside();
    const backup = await readProfileDocument(this.backupPath, this.fs, this.table).catch(() => ({ state: 'missing' }) as const);
    if (backup.state === 'ok' && (outcome.state === 'bad' || backup.doc.profiles.length > 0)) {
      // Put the backup back as the current file (the backup itself stays as it is).
      await this.writeLocked(backup.doc, false, undefined);
      this.currentNotice = { kind: 'restored-from-backup', reason: outcome.state === 'bad' ? outcome.reason : 'missing', ...(setAsidePath ? { setAsidePath } : {}) };
      return { doc: backup.doc, exists: true, readOnly: false };
    }
    if (outcome.state === 'bad') this.currentNotice = { kind: 'started-empty', reason: outcome.reason, ...(setAsidePath ? { setAsidePath } : {}) };
    return { doc: emptyDocument(), exists: false, readOnly: false };
  }

  /** Renames the damaged current file to profiles.json.corrupt-<timestamp> (never over an earlier one). */
  private async setAside(): Promise<string> {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    for (let n = 0; n < 100; n++) {
      const target = join(this.dataDir, `${PROFILE_FILE}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}`);
      try {
        await this.fs.link(this.path, target);
        await this.fs.unlink(this.path);
        await this.fs.fsyncDir(this.dataDir);
        return target;
      } catch (err) {
        const code = errCode(err);
        if (code === 'EEXIST') continue;
        if (!LINK_UNSUPPORTED.has(code ?? '')) throw storeFailed(err, 'setting the damaged profile file aside');
        const taken = await this.fs.stat(target).then(
          () => true,
          () => false,
        );
        if (taken) continue;
        try {
          await this.fs.rename(this.path, target);
          await this.fs.fsyncDir(this.dataDir);
          return target;
        } catch (renameErr) {
          throw storeFailed(renameErr, 'setting the damaged profile file aside');
        }
      }
    }
    throw new PortholeError('profile-store-failed', 'too many damaged profile files set aside');
  }

  private tempName(prefix: string): string {
    return join(this.dataDir, `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  private async keepPreMigrationCopy(version: number): Promise<void> {
    const target = join(this.dataDir, `${PROFILE_FILE}.v${version}`);
    try {
      await this.fs.link(this.path, target);
    } catch {
      // Already kept, or links unsupported: the backup still holds the pre-migration file once.
    }
  }

  /**
   * Atomic replace: new document to a temp file + fsync; the current file linked (or copied) to a
   * second temp name; rename the new file over profiles.json; then rename the kept one over
   * profiles.json.bak; fsync the directory. A crash at any point leaves profiles.json complete, and
   * profiles.json.bak (when present) a complete, strictly older version.
   */
  private async writeLocked(doc: ProfileDocument, currentExists: boolean, lock: HeldLock | undefined): Promise<void> {
    const temp = this.tempName(`${PROFILE_FILE}.tmp`);
    let kept: string | undefined;
    let step = 'writing the new profile file';
    try {
      await this.fs.writeNewFile(temp, serializeDocument(doc), 0o600);
      if (currentExists) {
        step = 'keeping the backup';
        kept = await this.keepCurrent();
      }
      step = 'syncing the data directory';
      await this.fs.fsyncDir(this.dataDir);
      if (lock) await lock.verify();
      step = 'replacing the profile file';
      await this.fs.rename(temp, this.path);
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      if (kept) await this.fs.unlink(kept).catch(() => undefined);
      if (err instanceof LockLost) throw err;
      throw storeFailed(err, step);
    }
    // Committed. Failures from here on cannot undo the rename: the backup is best effort, and the
    // next write syncs the directory again.
    if (kept) {
      const keptPath = kept;
      await this.fs.rename(keptPath, this.backupPath).catch(() => this.fs.unlink(keptPath).catch(() => undefined));
    }
    await this.fs.fsyncDir(this.dataDir).catch(() => undefined);
  }

  /** A second name for the current file's content: a hard link, or a fsynced copy. */
  private async keepCurrent(): Promise<string> {
    const temp = this.tempName(`${BACKUP_FILE}.tmp`);
    try {
      await this.fs.link(this.path, temp);
    } catch (err) {
      if (!LINK_UNSUPPORTED.has(errCode(err) ?? '')) throw err;
      try {
        await this.fs.writeNewFile(temp, await this.fs.readFile(this.path), 0o600);
      } catch (copyErr) {
        await this.fs.unlink(temp).catch(() => undefined);
        throw copyErr;
      }
    }
    return temp;
  }

  /** Temp files, half-made locks and broken-lock leftovers of processes that died. */
  private async removeGarbage(): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dataDir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = GARBAGE.exec(name);
      if (m && !this.isAlive(Number(m[1]))) await this.fs.unlink(join(this.dataDir, name)).catch(() => undefined);
    }
  }

  private async acquireLock(): Promise<HeldLock> {
    const mine = JSON.stringify({ pid: process.pid, nonce: randomBytes(8).toString('hex'), at: Date.now() });
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 1;
    let madeDir = false;
    for (;;) {
      try {
        await this.fs.createExclusive(this.lockPath, mine);
        return this.heldLock(mine);
      } catch (err) {
        const code = errCode(err);
        if (code === 'ENOENT' && !madeDir) {
          madeDir = true;
          await this.fs.mkdir(this.dataDir).catch(() => undefined);
          continue;
        }
        if (code !== 'EEXIST') throw storeFailed(err, 'locking the profile file');
      }
      const holder = await this.inspectLock();
      if (holder.state === 'gone') continue;
      if (holder.state === 'stale') {
        await this.breakStaleLock(holder.content);
        continue;
      }
      if (Date.now() > deadline) throw new PortholeError('profile-store-failed', 'the profile file stayed locked by another Porthole process');
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 25);
    }
  }

  private async inspectLock(): Promise<{ state: 'gone' } | { state: 'live' } | { state: 'stale'; content: string }> {
    let content: string;
    let mtimeMs: number;
    try {
      content = Buffer.from(await this.fs.readFile(this.lockPath)).toString('utf8');
      mtimeMs = (await this.fs.stat(this.lockPath)).mtimeMs;
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { state: 'gone' };
      throw storeFailed(err, 'reading the profile lock');
    }
    const age = Date.now() - mtimeMs;
    let pid: number | undefined;
    try {
      const parsed: unknown = JSON.parse(content);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { pid?: unknown }).pid === 'number') pid = (parsed as { pid: number }).pid;
    } catch {
      // Unparseable: created by something else, or by an older writer; judged by age alone.
    }
    const stale = pid === undefined ? age > 2000 : age > this.lockStaleMs || !this.isAlive(pid);
    return stale ? { state: 'stale', content } : { state: 'live' };
  }

  /** Removes a stale lock without ever removing a fresh one taken meanwhile by another process. */
  private async breakStaleLock(content: string): Promise<void> {
    const aside = this.tempName(`${LOCK_FILE}.stale`);
    try {
      await this.fs.rename(this.lockPath, aside);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return;
      throw storeFailed(err, 'breaking a stale profile lock');
    }
    const moved = await this.fs.readFile(aside).then(
      (b) => Buffer.from(b).toString('utf8'),
      () => '',
    );
    if (moved !== content) {
      // Someone replaced the stale lock with a live one between our look and our rename: put it back.
      await this.fs.link(aside, this.lockPath).catch(() => undefined);
    }
    await this.fs.unlink(aside).catch(() => undefined);
  }

  private heldLock(mine: string): HeldLock {
    const read = (): Promise<string> =>
      this.fs.readFile(this.lockPath).then(
        (b) => Buffer.from(b).toString('utf8'),
        () => '',
      );
    return {
      verify: async () => {
        if ((await read()) !== mine) throw new LockLost('profile lock lost');
      },
      release: async () => {
        if ((await read()) === mine) await this.fs.unlink(this.lockPath).catch(() => undefined);
      },
    };
  }
}
