// The credentials an address carries reach the security stage whole: a VeNCrypt Plain / X509Plain
// server needs the user name with the password (a real Xvnc proves it in
// test/integration/rfb-security-plain.test.ts); before, the user name was dropped and Porthole asked,
// and a profile saved from such an address lost it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConsoleAddress } from '../../app/console-address.js';
import { resolveProfileAddress } from '../../main/api/profile-address.js';
import { PROFILE_FILE } from '../../main/profiles/profile-file.js';
import { openProfileStore } from '../../main/profiles/profile-store.js';
import { addressCredentials } from '../../main/rfb/security/address-credentials.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';
import { CredentialMemory, SessionCredentialBroker } from '../../main/rfb/security/session-credentials.js';

function credentialsOf(address: string) {
  const parsed = parseConsoleAddress(address);
  if (!parsed.ok) throw new Error(`${address} did not parse`);
  return addressCredentials(parsed.target);
}

describe('addressCredentials', () => {
  it('keeps the user name with the password: vnc://user:password@host and RFC 7869 parameters', () => {
    expect(credentialsOf('vnc://alice:s3cret%40x@127.0.0.1:5901')).toEqual({ username: 'alice', password: 's3cret@x' });
    expect(credentialsOf('vnc://127.0.0.1:5901?VncUsername=bob&VncPassword=pw-1')).toEqual({ username: 'bob', password: 'pw-1' });
    expect(credentialsOf('vnc://:only-pw@127.0.0.1:5901')).toEqual({ password: 'only-pw' });
  });

  it('takes a noVNC page’s password; nothing without a password (a user name alone is not credentials)', () => {
    expect(credentialsOf('http://127.0.0.1:6080/vnc.html?host=127.0.0.1&port=6080&password=pw-2')).toEqual({ password: 'pw-2' });
    expect(credentialsOf('vnc://alice@127.0.0.1:5901')).toBeUndefined();
    expect(credentialsOf('vnc://127.0.0.1:5901')).toBeUndefined();
  });

  it('a Plain server’s need for a user name is met from the address, without a prompt', async () => {
    const known = credentialsOf('vnc://alice:s3cret@127.0.0.1:5901');
    let asked = 0;
    const broker = new SessionCredentialBroker(new CredentialMemory({ ...(known ? { known } : {}) }), () => ((asked += 1), Promise.resolve(undefined)));
    expect(await broker.get({ username: true, protection: 'encrypted' })).toEqual({ ok: true, credentials: { username: 'alice', password: 's3cret' } });
    expect(asked).toBe(0);
  });
});

describe('a profile saved from vnc://user:password@host', () => {
  it('keeps the user name in its keychain slot next to the password, neither in the file or the address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-address-creds-'));
    const store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
    try {
      const { profile } = await store.save({ name: 'Plain VM', address: 'vnc://alice-7f3:pw-SECRET-9@127.0.0.1:5901' }, resolveProfileAddress);
      expect(profile.endpoint.address).toBe('vnc://127.0.0.1:5901');
      expect(await store.readSecret(profile.id, 'username')).toBe('alice-7f3');
      expect(await store.readSecret(profile.id, 'password')).toBe('pw-SECRET-9');
      const file = readFileSync(join(dir, PROFILE_FILE), 'utf8');
      expect(file).not.toContain('alice-7f3');
      expect(file).not.toContain('pw-SECRET-9');
      // A user name typed in the editor wins over the address's.
      await store.save({ id: profile.id, name: 'Plain VM', address: 'vnc://alice-7f3@127.0.0.1:5901', secrets: { username: 'bob-typed' } }, resolveProfileAddress);
      expect(await store.readSecret(profile.id, 'username')).toBe('bob-typed');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
