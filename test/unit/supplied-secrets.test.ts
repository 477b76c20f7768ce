// A token typed when opening a profile that lacks it: kept in the keychain with Remember, else held
// for the next connect only and only for the address it was typed for; never for a slot the profile
// has no use for; a refused value is never repeated in the error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeError, PortholeError } from '../../app/errors.js';
import { PROFILE_FILE } from '../../main/profiles/profile-file.js';
import { openProfileStore, type AddressResolver, type ProfileStore } from '../../main/profiles/profile-store.js';
import { SuppliedSecrets } from '../../main/profiles/supplied-secrets.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';

const resolve: AddressResolver = (address) => {
  try {
    return { ok: true, kind: 'websockify', address: new URL(address).toString() };
  } catch {
    return { ok: false, error: makeError('url-invalid') };
  }
};

const TYPED = 'typed-token-7d1e0c-secret';
let dir: string;
let secrets: InMemoryTestSecretStore;
let store: ProfileStore;
let profileId: string;

async function failure(p: Promise<unknown>): Promise<PortholeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PortholeError);
  return err as PortholeError;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-supplied-'));
  secrets = new InMemoryTestSecretStore();
  store = await openProfileStore({ dataDir: dir, secrets });
  profileId = (await store.save({ name: 'Lab VM', address: 'ws://127.0.0.1:6080/websockify' }, resolve)).profile.id;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SuppliedSecrets', () => {
  it('without Remember: held for the next connect of this address only, never in the keychain or the file', async () => {
    const supplied = new SuppliedSecrets();
    expect(await supplied.supply(store, profileId, { token: TYPED }, false, resolve)).toBe('next-connect');
    const profile = (await store.get(profileId))!;
    expect(supplied.peek(profile, 'token')).toBe(TYPED);
    expect(await store.readSecret(profileId, 'token')).toBeUndefined();
    expect(readFileSync(join(dir, PROFILE_FILE), 'utf8')).not.toContain(TYPED);
    // Pointing elsewhere now: not sent there.
    expect(supplied.peek({ ...profile, endpoint: { ...profile.endpoint, address: 'ws://127.0.0.2:6080/websockify' } }, 'token')).toBeUndefined();
    supplied.forget(profileId);
    expect(supplied.peek(profile, 'token')).toBeUndefined();
  });

  it('with Remember: saved in the profile token slot through the store (the file names the slot only)', async () => {
    const supplied = new SuppliedSecrets();
    expect(await supplied.supply(store, profileId, { token: TYPED }, true, resolve)).toBe('saved');
    expect(await store.readSecret(profileId, 'token')).toBe(TYPED);
    expect(supplied.peek((await store.get(profileId))!, 'token')).toBeUndefined();
    const file = readFileSync(join(dir, PROFILE_FILE), 'utf8');
    expect(file).not.toContain(TYPED);
    expect(file).toContain('"token"');
  });

  it('refuses a slot the profile has no use for, without repeating the value', async () => {
    const supplied = new SuppliedSecrets();
    const notAHeader = await failure(supplied.supply(store, profileId, { 'header:X-Auth': TYPED }, false, resolve));
    expect(notAHeader.code).toBe('bad-request');
    expect(JSON.stringify(notAHeader.shape) + notAHeader.message).not.toContain(TYPED);
    const password = await failure(supplied.supply(store, profileId, { password: TYPED }, true, resolve));
    expect(password.code).toBe('bad-request');
    expect(await store.readSecret(profileId, 'password')).toBeUndefined();
    expect(await failure(supplied.supply(store, 'no-such-profile', { token: TYPED }, false, resolve))).toHaveProperty('code', 'profile-not-found');
  });

  it('takes a secret header the profile names, and refuses a value that cannot go into a request', async () => {
    const withHeader = (await store.save({ name: 'Proxmox VM', address: 'wss://127.0.0.1:8006/vncwebsocket', secrets: { headers: { Authorization: 'old' } } }, resolve)).profile;
    expect(withHeader.endpoint.secretHeaders).toEqual(['Authorization']);
    const supplied = new SuppliedSecrets();
    const crlf = `${TYPED}\r\nX-Injected: 1`;
    const refused = await failure(supplied.supply(store, withHeader.id, { 'header:Authorization': crlf }, false, resolve));
    expect(refused.code).toBe('bad-request');
    expect(JSON.stringify(refused.shape) + refused.message).not.toContain(TYPED);
    expect(await supplied.supply(store, withHeader.id, { 'header:Authorization': TYPED }, false, resolve)).toBe('next-connect');
    expect(supplied.peek(withHeader, 'header:Authorization')).toBe(TYPED);
  });
});
