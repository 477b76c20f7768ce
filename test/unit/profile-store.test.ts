import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeError, PortholeError } from '../../app/errors.js';
import { ProfileDocument } from '../../app/profile.js';
import { migrateDocument, type Migration } from '../../main/profiles/migrations.js';
import { BACKUP_FILE, LOCK_FILE, nodeFsOps, PROFILE_FILE, readProfileDocument, type FsOps } from '../../main/profiles/profile-file.js';
import { openProfileStore, type AddressResolver, type ProfileInputDraft, type ProfileStore } from '../../main/profiles/profile-store.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';

/** A stand-in for the lead's Console URL resolver: moves ?token= out of the address. */
const resolve: AddressResolver = (address) => {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { ok: false, error: makeError('url-invalid') };
  }
  const token = url.searchParams.get('token') ?? undefined;
  url.searchParams.delete('token');
  return { ok: true, kind: 'websockify', address: url.toString(), ...(token ? { token } : {}) };
};

const TOKEN = 'tok-3c9f1e5a-very-secret';

let dir: string;
let secrets: InMemoryTestSecretStore;
const stores: ProfileStore[] = [];

async function open(extra: Partial<Parameters<typeof openProfileStore>[0]> = {}): Promise<ProfileStore> {
  const store = await openProfileStore({ dataDir: dir, secrets, ...extra });
  stores.push(store);
  return store;
}

function input(over: Partial<ProfileInputDraft> = {}): ProfileInputDraft {
  return { name: 'Lab VM', address: 'wss://console.example.test/websockify', ...over };
}

function fileText(name = PROFILE_FILE): string {
  return readFileSync(join(dir, name), 'utf8');
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PortholeError);
  expect((err as PortholeError).code).toBe(code);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-profiles-'));
  secrets = new InMemoryTestSecretStore();
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('profile store: CRUD and secrets', () => {
  it('starts empty without a file, creates, reads, updates and deletes', async () => {
    const store = await open();
    expect(await store.list()).toEqual({ profiles: [] });

    const { profile, warnings } = await store.save(input({ address: `wss://console.example.test/websockify?token=${TOKEN}`, tags: ['lab'] }), resolve);
    expect(warnings).toEqual([]);
    expect(profile.endpoint.address).toBe('wss://console.example.test/websockify');
    expect(profile.secretSlots).toEqual(['token']);
    expect(profile.secretStatus).toMatchObject({ token: 'saved', password: 'none', username: 'none' });
    expect(await secrets.get(profile.id, 'token')).toBe(TOKEN);
    expect(fileText()).not.toContain(TOKEN);
    expect((await store.get(profile.id))?.name).toBe('Lab VM');
    expect(await store.get('nope')).toBeUndefined();

    // Update: new name, keep token (absent), then clear it (null).
    const renamed = await store.save(input({ id: profile.id, name: 'Renamed' }), resolve);
    expect(renamed.profile.createdAt).toBe(profile.createdAt);
    expect(renamed.profile.secretSlots).toEqual(['token']);
    const cleared = await store.save(input({ id: profile.id, name: 'Renamed', secrets: { token: null } }), resolve);
    expect(cleared.profile.secretSlots).toEqual([]);
    expect(await secrets.get(profile.id, 'token')).toBeUndefined();

    await store.touch(profile.id);
    expect((await store.get(profile.id))?.lastUsedAt).toBeDefined();
    await store.touch('gone'); // ignored

    await store.save(input({ id: profile.id, secrets: { password: 'pw-1', headers: { 'X-Auth': 'hdr-secret' } } }), resolve);
    await store.delete(profile.id);
    expect((await store.list()).profiles).toEqual([]);
    expect(secrets.keychain.size).toBe(0);
  });

  it('lets the secrets field win over a token in the URL; secret headers are stored as names only', async () => {
    const store = await open();
    const { profile } = await store.save(
      input({ address: 'wss://h.test/ws?token=from-url', headers: { 'X-Plain': 'v', 'x-auth': 'dup' }, secrets: { token: 'from-field', headers: { 'X-Auth': 'hdr-secret' } } }),
      resolve,
    );
    expect(await secrets.get(profile.id, 'token')).toBe('from-field');
    expect(profile.endpoint.secretHeaders).toEqual(['X-Auth']);
    expect(profile.endpoint.headers).toEqual({ 'X-Plain': 'v' });
    expect(profile.secretStatus['header:X-Auth']).toBe('saved');
    const text = fileText();
    for (const secret of ['from-url', 'from-field', 'hdr-secret']) expect(text).not.toContain(secret);
  });

  it('keeps a secret memory-only when the keychain is down, with a warning and no slot on disk', async () => {
    const store = await open();
    secrets.keychainDown = true;
    const { profile, warnings } = await store.save(input({ secrets: { token: TOKEN } }), resolve);
    expect(warnings).toEqual(['secret-not-saved']);
    expect(profile.secretStatus.token).toBe('memory-only');
    expect(profile.secretSlots).toEqual([]);
    expect(secrets.notice()?.code).toBe('keychain-unavailable');
    expect(await secrets.get(profile.id, 'token')).toBe(TOKEN);
    expect(fileText()).not.toContain(TOKEN);
  });

  it('rejects bad input with typed errors and writes nothing', async () => {
    const store = await open();
    await expectCode(store.save({ name: '', address: 'wss://h.test/' }, resolve), 'bad-request');
    await expectCode(store.save({ name: 'x', address: 'wss://h.test/', bogus: 1 } as unknown as ProfileInputDraft, resolve), 'bad-request');
    await expectCode(store.save(input({ address: 'not a url' }), resolve), 'url-invalid');
    await expectCode(store.save(input({ id: 'missing' }), resolve), 'profile-not-found');
    await expectCode(store.delete('missing'), 'profile-not-found');
    await expectCode(store.duplicate('missing'), 'profile-not-found');
    await expectCode(store.exportBundle(['missing']), 'profile-not-found');
    const err = await store.save(input({ secrets: { token: 5 as unknown as string } }), resolve).catch((e: unknown) => e);
    expect((err as PortholeError).shape.detail).not.toContain('5');
    expect(existsSync(join(dir, PROFILE_FILE))).toBe(false);
    expect(secrets.keychain.size).toBe(0);
  });

  it('duplicates a profile with its secrets under a new id', async () => {
    const store = await open();
    const { profile } = await store.save(input({ secrets: { token: TOKEN, username: 'admin' } }), resolve);
    const copy = await store.duplicate(profile.id);
    expect(copy.id).not.toBe(profile.id);
    expect(copy.name).toBe('Lab VM (copy)');
    expect(copy.lastUsedAt).toBeUndefined();
    expect(await secrets.get(copy.id, 'token')).toBe(TOKEN);
    expect(await secrets.get(copy.id, 'username')).toBe('admin');
    expect((await store.list()).profiles.map((p) => p.name)).toEqual(['Lab VM', 'Lab VM (copy)']);
  });
});

describe('profile store: durability', () => {
  it('keeps the previous version as profiles.json.bak', async () => {
    const store = await open();
    await store.save(input({ name: 'one' }), resolve);
    expect(existsSync(join(dir, BACKUP_FILE))).toBe(false);
    await store.save(input({ name: 'two' }), resolve);
    const backup = ProfileDocument.parse(JSON.parse(fileText(BACKUP_FILE)));
    expect(backup.profiles.map((p) => p.name)).toEqual(['one']);
    expect(readdirSync(dir).sort()).toEqual([PROFILE_FILE, BACKUP_FILE].sort());
  });

  it('sets a corrupt file aside, restores the backup, and says so', async () => {
    const first = await open();
    await first.save(input({ name: 'one' }), resolve);
    await first.save(input({ name: 'two' }), resolve);
    writeFileSync(join(dir, PROFILE_FILE), '{"version":1,"profiles":[{"id":'); // torn write by some other tool
    const store = await open();
    const listed = await store.list();
    expect(listed.profiles.map((p) => p.name)).toEqual(['one']);
    expect(listed.notice).toMatch(/restored the previous copy/);
    const notice = store.notice();
    expect(notice).toMatchObject({ kind: 'restored-from-backup', reason: 'not-json' });
    const aside = notice && 'setAsidePath' in notice ? notice.setAsidePath : undefined;
    expect(aside).toMatch(/profiles\.json\.corrupt-/);
    expect(readFileSync(aside ?? '', 'utf8')).toContain('"profiles":[{"id":');
    expect((await readProfileDocument(join(dir, PROFILE_FILE))).state).toBe('ok');
  });

  it('starts empty (never throws) when both the file and the backup are unusable', async () => {
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify({ version: 1, profiles: [{ id: 'x' }] }));
    writeFileSync(join(dir, BACKUP_FILE), '\u0000\u0001garbage');
    const store = await open();
    const listed = await store.list();
    expect(listed.profiles).toEqual([]);
    expect(store.notice()).toMatchObject({ kind: 'started-empty', reason: 'invalid' });
    expect(listed.notice).toMatch(/started with no profiles/);
    expect(readdirSync(dir).some((n) => n.startsWith('profiles.json.corrupt-'))).toBe(true);
    await store.save(input(), resolve); // and the store works
    expect((await store.list()).profiles).toHaveLength(1);
  });

  it('leaves a file from a newer Porthole untouched and refuses to write it', async () => {
    const newer = JSON.stringify({ version: 99, profiles: [{ id: 'future' }] });
    writeFileSync(join(dir, PROFILE_FILE), newer);
    const store = await open();
    expect((await store.list()).notice).toMatch(/newer version/);
    await expectCode(store.save(input(), resolve), 'profile-store-failed');
    expect(fileText()).toBe(newer);
  });

  it('reports ENOSPC as profile-store-failed and keeps the old file intact', async () => {
    let full = false;
    const fs: FsOps = {
      ...nodeFsOps,
      async writeNewFile(path, data, mode) {
        if (full) {
          // A real full disk: the file gets created and partly written, then the write fails.
          writeFileSync(path, String(data).slice(0, 10));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return nodeFsOps.writeNewFile(path, data, mode);
      },
    };
    const store = await open({ fs });
    await store.save(input({ name: 'kept' }), resolve);
    const before = fileText();
    full = true;
    const err = await store.save(input({ name: 'lost', secrets: { token: TOKEN } }), resolve).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortholeError);
    expect((err as PortholeError).shape).toMatchObject({ code: 'profile-store-failed', detail: 'ENOSPC while writing the new profile file' });
    expect(fileText()).toBe(before);
    expect(readdirSync(dir).sort()).toEqual([PROFILE_FILE]); // no temp file, no lock left behind
    expect([...secrets.keychain.values()]).not.toContain(TOKEN); // the new profile's secret was rolled back
    full = false;
    expect((await store.list()).profiles.map((p) => p.name)).toEqual(['kept']);
  });

  it('lands 100 parallel saves from one process', async () => {
    const store = await open();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.save(input({ name: `vm-${i}` }), resolve)));
    expect(new Set(results.map((r) => r.profile.id)).size).toBe(100);
    const names = (await store.list()).profiles.map((p) => p.name).sort();
    expect(names).toEqual(Array.from({ length: 100 }, (_, i) => `vm-${i}`).sort());
  });

  it('does not lose edits between two store instances on the same directory', async () => {
    const a = await open();
    const b = await open();
    const { profile } = await a.save(input({ name: 'shared' }), resolve);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.save(input({ name: `a-${i}` }), resolve)),
      ...Array.from({ length: 20 }, (_, i) => b.save(input({ name: `b-${i}` }), resolve)),
      b.save(input({ id: profile.id, name: 'shared-renamed-by-b' }), resolve),
    ]);
    for (const store of [a, b]) {
      const names = (await store.list()).profiles.map((p) => p.name);
      expect(names).toHaveLength(41);
      expect(names).toContain('shared-renamed-by-b');
    }
  });

  it('breaks a lock left by a dead process, and waits for a live one', async () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, nonce: 'dead', at: Date.now() }));
    const store = await open();
    await store.save(input(), resolve);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, nonce: 'live', at: Date.now() }));
    const impatient = await open({ lockTimeoutMs: 150 });
    await expectCode(impatient.save(input(), resolve), 'profile-store-failed');
    rmSync(join(dir, LOCK_FILE));
    await impatient.save(input(), resolve);
    expect((await impatient.list()).profiles).toHaveLength(2);
  });
});

describe('profile store: migrations', () => {
  const fakeV0toV1: Migration = {
    from: 0,
    migrate(doc) {
      const old = (doc.hosts ?? []) as Array<{ key: string; title: string; url: string }>;
      return {
        profiles: old.map((h) => ({
          id: h.key,
          name: h.title,
          endpoint: { kind: 'websockify', address: h.url },
          createdAt: '2020-01-01T00:00:00.000Z',
        })),
      };
    },
  };
  const v0 = { hosts: [{ key: 'h1', title: 'Old host', url: 'ws://127.0.0.1:6080/' }] };

  it('migrates step by step and refuses what it cannot', () => {
    const out = migrateDocument(v0, [fakeV0toV1]);
    expect(out).toMatchObject({ ok: true, fromVersion: 0, doc: { version: 1 } });
    expect(migrateDocument(v0, [])).toMatchObject({ ok: false, reason: 'no-migration' });
    expect(migrateDocument({ version: 7 }, [])).toMatchObject({ ok: false, reason: 'too-new' });
    expect(migrateDocument({ version: 'x' }, [])).toMatchObject({ ok: false, reason: 'bad-version' });
    expect(migrateDocument([], [])).toMatchObject({ ok: false, reason: 'not-an-object' });
  });

  it('opens a v0 file through the table, writes v1, and keeps the v0 original', async () => {
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify(v0));
    const store = await open({ migrations: [fakeV0toV1] });
    const listed = await store.list();
    expect(listed.notice).toBeUndefined();
    expect(listed.profiles.map((p) => [p.id, p.name])).toEqual([['h1', 'Old host']]);
    await store.touch('h1');
    expect(JSON.parse(fileText())).toMatchObject({ version: 1 });
    expect(JSON.parse(fileText(`${PROFILE_FILE}.v0`))).toEqual(v0);
  });
});

describe('profile store: export and import', () => {
  it('exports without secrets, previews and applies an import without silent overwrites', async () => {
    const store = await open();
    const { profile } = await store.save(input({ name: 'A', address: `wss://a.test/ws?token=${TOKEN}`, secrets: { password: 'pw-secret-77' } }), resolve);
    await store.save(input({ name: 'B' }), resolve);
    const bundle = await store.exportBundle();
    const json = JSON.stringify(bundle);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain('pw-secret-77');
    expect(bundle.profiles[0]?.secretSlots.sort()).toEqual(['password', 'token']);
    expect((await store.exportBundle([profile.id])).profiles).toHaveLength(1);

    // Another machine: one existing profile changed, one unchanged, one new.
    const edited = structuredClone(bundle);
    const first = edited.profiles[0];
    if (!first) throw new Error('no profile');
    first.name = 'A renamed';
    first.tls.allowInsecure = true;
    edited.profiles.push({ ...first, id: 'brand-new', name: 'C' });

    expect(await store.previewImport(edited)).toEqual({
      add: [{ id: 'brand-new', name: 'C' }],
      update: [
        {
          id: profile.id,
          name: 'A renamed',
          changes: [
            { field: 'name', before: 'A', after: 'A renamed' },
            { field: 'tls.allowInsecure', before: 'false', after: 'true' },
          ],
          dropsSecrets: [],
        },
      ],
      unchanged: 1,
    });
    expect(await store.applyImport(edited)).toMatchObject({ added: 1, updated: 1 });
    const after = await store.list();
    expect(after.profiles.map((p) => p.name)).toEqual(['A renamed', 'B', 'C']);
    expect(after.profiles[0]?.secretSlots.sort()).toEqual(['password', 'token']); // local secrets kept
    expect(after.profiles[2]?.secretSlots).toEqual([]); // an import brings no secrets
    expect(await store.applyImport(edited)).toEqual({ added: 0, updated: 0 });
  });

  it('rejects bad bundles with typed errors', async () => {
    const store = await open();
    await expectCode(store.previewImport(null), 'bad-request');
    await expectCode(store.previewImport({ format: 'porthole-profiles', version: 1, exportedAt: 'x', profiles: [{ id: 1 }] }), 'bad-request');
    await expectCode(store.previewImport({ format: 'porthole-profiles', version: 2, exportedAt: 'x', profiles: [] }), 'bad-request');
    const p = { id: 'dup', name: 'D', endpoint: { kind: 'websockify', address: 'ws://h/' }, createdAt: 'x' };
    await expectCode(store.applyImport({ format: 'porthole-profiles', version: 1, exportedAt: 'x', profiles: [p, p] }), 'bad-request');
    expect(existsSync(join(dir, PROFILE_FILE))).toBe(false);
  });
});
