// Saved secrets are bound to the endpoint (scheme, host, port) they were saved for: a change of
// endpoint drops them unless re-entered or explicitly kept, every read checks the binding, and
// imports and undo respect it. Against the real address resolver and profile file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortholeError } from '../../app/errors.js';
import { endpointOf } from '../../app/secret-binding.js';
import { resolveProfileAddress } from '../../main/api.js';
import { PROFILE_FILE } from '../../main/profiles/profile-file.js';
import { openProfileStore, type ProfileInputDraft, type ProfileStore } from '../../main/profiles/profile-store.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';

const TOKEN = 'tok-binding-5f0e2c-secret';
let dir: string;
let secrets: InMemoryTestSecretStore;
const stores: ProfileStore[] = [];

async function open(): Promise<ProfileStore> {
  const store = await openProfileStore({ dataDir: dir, secrets });
  stores.push(store);
  return store;
}

function input(over: Partial<ProfileInputDraft> = {}): ProfileInputDraft {
  return { name: 'Nova VM', address: 'wss://a.example.test:6080/websockify', ...over };
}

async function saved(store: ProfileStore, over: Partial<ProfileInputDraft> = {}): Promise<string> {
  const { profile } = await store.save(input({ secrets: { token: TOKEN }, ...over }), resolveProfileAddress);
  return profile.id;
}

async function rejection(p: Promise<unknown>): Promise<PortholeError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PortholeError);
  return err as PortholeError;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-binding-'));
  secrets = new InMemoryTestSecretStore();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('endpointOf', () => {
  it('is scheme://host:port of the console address, whatever the path, page or query', () => {
    expect(endpointOf('https://Nova.Example.test/vnc_auto.html?path=%3Ftoken%3Dx')).toBe('wss://nova.example.test:443');
    expect(endpointOf('ws://10.0.0.1:6080/websockify?token=x')).toBe('ws://10.0.0.1:6080');
    expect(endpointOf('vnc://[::1]:5901')).toBe('vnc://[::1]:5901');
    expect(endpointOf('vnc+tls://h.test')).toBe('vnc+tls://h.test:5900');
    expect(endpointOf('not an address')).toBeUndefined();
  });
});

describe('secrets bound to their endpoint', () => {
  it('records the endpoint next to the slot, and sends the secret there', async () => {
    const store = await open();
    const id = await saved(store);
    const p = await store.get(id);
    expect(p?.secretBindings).toEqual({ token: 'wss://a.example.test:6080' });
    expect(await store.readSecret(id, 'token')).toBe(TOKEN);
    expect(readFileSync(join(dir, PROFILE_FILE), 'utf8')).not.toContain(TOKEN);
  });

  it('keeps secrets when only the path or query changes (same server)', async () => {
    const store = await open();
    const id = await saved(store);
    const r = await store.save(input({ id, address: 'wss://a.example.test:6080/other-path?x=1' }), resolveProfileAddress);
    expect(r.droppedSecrets).toEqual([]);
    expect(await store.readSecret(id, 'token')).toBe(TOKEN);
  });

  for (const [what, address] of [
    ['host', 'wss://b.example.test:6080/websockify'],
    ['port', 'wss://a.example.test:6443/websockify'],
    ['scheme (downgrade to ws)', 'ws://a.example.test:6080/websockify'],
  ] as const) {
    it(`drops the token when the ${what} changes, from the keychain too`, async () => {
      const store = await open();
      const id = await saved(store, { secrets: { token: TOKEN, password: 'pw-7' } });
      const r = await store.save(input({ id, address }), resolveProfileAddress);
      expect(r.droppedSecrets.sort()).toEqual(['password', 'token']);
      expect(secrets.keychain.has(`${id}/token`)).toBe(false);
      expect(secrets.keychain.has(`${id}/password`)).toBe(false);
      expect(await store.readSecret(id, 'token')).toBeUndefined();
      expect(r.profile.secretSlots).toEqual([]);
      expect(r.profile.secretStatus.token).toBe('missing');
      expect(r.profile.missingSecrets?.sort()).toEqual(['password', 'token']);
    });
  }

  it('keeps them when the user explicitly keeps them for exactly this change', async () => {
    const store = await open();
    const id = await saved(store);
    const r = await store.save(
      input({ id, address: 'wss://b.example.test:6080/websockify', keepSecrets: { from: 'wss://a.example.test:6080', to: 'wss://b.example.test:6080' } }),
      resolveProfileAddress,
    );
    expect(r.droppedSecrets).toEqual([]);
    expect(r.profile.secretBindings).toEqual({ token: 'wss://b.example.test:6080' });
    expect(await store.readSecret(id, 'token')).toBe(TOKEN);
  });

  it('drops them when "keep" names another change than the one made (a stale or lying editor)', async () => {
    const store = await open();
    const id = await saved(store);
    const r = await store.save(
      input({ id, address: 'wss://evil.example.test:6080/', keepSecrets: { from: 'wss://a.example.test:6080', to: 'wss://b.example.test:6080' } }),
      resolveProfileAddress,
    );
    expect(r.droppedSecrets).toEqual(['token']);
    expect(await store.readSecret(id, 'token')).toBeUndefined();
  });

  it('a re-entered secret is saved for the new endpoint and clears "missing"', async () => {
    const store = await open();
    const id = await saved(store);
    await store.save(input({ id, address: 'wss://b.example.test:6080/' }), resolveProfileAddress);
    const r = await store.save(input({ id, address: 'wss://b.example.test:6080/', secrets: { token: 'new-token' } }), resolveProfileAddress);
    expect(r.profile.secretStatus.token).toBe('saved');
    expect(r.profile.missingSecrets).toEqual([]);
    expect(await store.readSecret(id, 'token')).toBe('new-token');
  });

  it('binds a secret header to the endpoint and its name', async () => {
    const store = await open();
    const { profile } = await store.save(input({ address: 'wss://pve.test:8006/api2/json/nodes/n/qemu/1/vncwebsocket?port=5900', secrets: { headers: { Authorization: 'PVEAPIToken=x' } } }), resolveProfileAddress);
    expect(await store.readSecret(profile.id, 'header:Authorization')).toBe('PVEAPIToken=x');
    const moved = await store.save(input({ id: profile.id, address: 'wss://other.test:8006/api2/json/nodes/n/qemu/1/vncwebsocket?port=5900' }), resolveProfileAddress);
    expect(moved.droppedSecrets).toEqual(['header:Authorization']);
    expect(moved.profile.secretStatus['header:Authorization']).toBe('missing');
    expect(secrets.keychain.size).toBe(0);
  });

  it('checks the binding on every read: an address changed behind the store is never sent the secret', async () => {
    const store = await open();
    const id = await saved(store);
    await store.close();
    // Something other than save() moves the profile (a hand edit, a bug, a future code path).
    const file = join(dir, PROFILE_FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('wss://a.example.test:6080/websockify', 'wss://attacker.test:6080/websockify'));
    const again = await open();
    expect(await again.readSecret(id, 'token')).toBeUndefined();
    expect((await again.get(id))?.secretStatus.token).toBe('missing');
    expect(secrets.keychain.get(`${id}/token`)).toBe(TOKEN); // still there, but never read for this address
  });

  it('binds the secrets of a profile file from before bindings to its address when opened', async () => {
    const doc = {
      version: 1,
      profiles: [{ id: 'old-1', name: 'Old', endpoint: { kind: 'websockify', address: 'wss://a.example.test:6080/websockify' }, createdAt: '2025-01-01T00:00:00.000Z', secretSlots: ['token'] }],
    };
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify(doc));
    secrets.keychain.set('old-1/token', TOKEN);
    const store = await open();
    expect((await store.get('old-1'))?.secretBindings).toEqual({ token: 'wss://a.example.test:6080' });
    expect(await store.readSecret('old-1', 'token')).toBe(TOKEN);
    const r = await store.save(input({ id: 'old-1', address: 'wss://b.example.test/' }), resolveProfileAddress);
    expect(r.droppedSecrets).toEqual(['token']);
  });

  it('marks a saved secret "unavailable" once the keychain cannot be read, and "missing" is kept apart', async () => {
    const doc = {
      version: 1,
      profiles: [{ id: 'k-1', name: 'K', endpoint: { kind: 'websockify', address: 'wss://a.example.test:6080/' }, createdAt: 'x', secretSlots: ['token'], missingSecrets: ['password'] }],
    };
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify(doc));
    const store = await open();
    expect((await store.get('k-1'))?.secretStatus).toMatchObject({ token: 'saved', password: 'missing' });
    secrets.keychainDown = true;
    expect((await rejection(store.readSecret('k-1', 'token'))).code).toBe('keychain-unavailable');
    expect((await store.get('k-1'))?.secretStatus).toMatchObject({ token: 'unavailable', password: 'missing' });
  });

  it('a duplicate carries the secrets with their binding', async () => {
    const store = await open();
    const id = await saved(store);
    const copy = await store.duplicate(id);
    expect(copy.secretBindings).toEqual({ token: 'wss://a.example.test:6080' });
    expect(await store.readSecret(copy.id, 'token')).toBe(TOKEN);
  });
});

describe('import updates and undo', () => {
  it('previews old → new values and the secrets an update drops; apply drops them; undo brings all back', async () => {
    const store = await open();
    const id = await saved(store, { notes: 'rack 4' });
    const bundle = await store.exportBundle();
    const first = bundle.profiles[0]!;
    first.endpoint.address = 'wss://b.example.test:6080/websockify';
    first.notes = 'rack 5';

    const preview = await store.previewImport(bundle);
    expect(preview.update).toEqual([
      {
        id,
        name: 'Nova VM',
        changes: [
          { field: 'endpoint.address', before: 'wss://a.example.test:6080/websockify', after: 'wss://b.example.test:6080/websockify' },
          { field: 'notes', before: 'rack 4', after: 'rack 5' },
        ],
        dropsSecrets: ['token'],
      },
    ]);
    expect(JSON.stringify(preview)).not.toContain(TOKEN);

    const applied = await store.applyImport(bundle);
    expect(applied).toMatchObject({ added: 0, updated: 1 });
    expect(secrets.keychain.has(`${id}/token`)).toBe(false);
    expect(await store.readSecret(id, 'token')).toBeUndefined();
    expect((await store.get(id))?.secretStatus.token).toBe('missing');

    expect(await store.undo(applied.undoToken!)).toEqual({ restored: 1 });
    const back = await store.get(id);
    expect(back?.endpoint.address).toBe('wss://a.example.test:6080/websockify');
    expect(back?.secretStatus.token).toBe('saved');
    expect(await store.readSecret(id, 'token')).toBe(TOKEN);
    expect((await rejection(store.undo(applied.undoToken!))).code).toBe('bad-request');
  });

  it('an imported profile says which secrets it needs (exported slots become "missing")', async () => {
    const store = await open();
    await saved(store);
    const bundle = await store.exportBundle();
    const other = mkdtempSync(join(tmpdir(), 'porthole-binding-other-'));
    const fresh = await openProfileStore({ dataDir: other, secrets: new InMemoryTestSecretStore() });
    try {
      const applied = await fresh.applyImport(bundle);
      const [p] = (await fresh.list()).profiles;
      expect(p?.secretSlots).toEqual([]);
      expect(p?.secretStatus.token).toBe('missing');
      expect(await fresh.undo(applied.undoToken!)).toEqual({ restored: 1 });
      expect((await fresh.list()).profiles).toEqual([]);
    } finally {
      await fresh.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('delete can be undone once: the profile returns in place with its secret', async () => {
    const store = await open();
    await store.save(input({ name: 'First' }), resolveProfileAddress);
    const id = await saved(store, { name: 'Second' });
    await store.save(input({ name: 'Third' }), resolveProfileAddress);
    const { undoToken } = await store.delete(id);
    expect(secrets.keychain.has(`${id}/token`)).toBe(false);
    expect(await store.undo(undoToken)).toEqual({ restored: 1 });
    expect((await store.list()).profiles.map((p) => p.name)).toEqual(['First', 'Second', 'Third']);
    expect(await store.readSecret(id, 'token')).toBe(TOKEN);
    expect((await rejection(store.undo(undoToken))).code).toBe('bad-request');
  });
});
