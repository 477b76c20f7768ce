// The cloud account store: the file never holds a secret; a secret stays bound to the endpoint and
// credential it was saved for; exports carry no secret; a corrupt file is set aside.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudAccountStore } from '../../../main/clouds/account-store.js';
import { InMemoryTestSecretStore } from '../../../main/secrets/memory-secret-store.js';

const SECRET = 'app-cred-secret-7f3a9c';
const settings = { type: 'openstack' as const, authUrl: 'https://keystone.example.com/v3', auth: { method: 'application-credential' as const, credentialId: 'abc123' } };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): { store: CloudAccountStore; secrets: InMemoryTestSecretStore; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-cloud-store-'));
  dirs.push(dir);
  const secrets = new InMemoryTestSecretStore();
  return { store: new CloudAccountStore(dir, secrets), secrets, dir };
}

describe('cloud account store', () => {
  it('keeps the secret in the keychain only, and reads it back for a provider call', async () => {
    const { store: s, secrets, dir } = store();
    const { account, secretKept } = await s.save({ name: 'prod', settings, secret: SECRET });
    expect(secretKept).toBe('saved');
    expect(account.secretStatus).toBe('saved');
    expect([...secrets.keychain.values()]).toEqual([SECRET]);
    for (const f of readdirSync(dir)) expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain(SECRET);
    expect((await s.credential(account.id)).secret).toBe(SECRET);
    expect(JSON.stringify(await s.exportDocument())).not.toContain(SECRET);
  });

  it('refuses to move a saved secret to another endpoint or credential without a new secret', async () => {
    const { store: s } = store();
    const { account } = await s.save({ name: 'prod', settings, secret: SECRET });
    await expect(s.save({ id: account.id, name: 'prod', settings: { ...settings, authUrl: 'https://evil.example.com/v3' } })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(s.save({ id: account.id, name: 'prod', settings: { ...settings, auth: { method: 'application-credential', credentialId: 'other' } } })).rejects.toMatchObject({ code: 'bad-request' });
    // A rename or a region change keeps it.
    const renamed = await s.save({ id: account.id, name: 'production', settings: { ...settings, region: 'RegionTwo' } });
    expect(renamed.account.secretStatus).toBe('saved');
    expect((await s.credential(account.id)).settings).toMatchObject({ region: 'RegionTwo' });
  });

  it('imports an export as new accounts that need their secret, and deletes the secret with the account', async () => {
    const { store: s, secrets } = store();
    const { account } = await s.save({ name: 'prod', settings, secret: SECRET });
    const bundle = JSON.parse(JSON.stringify(await s.exportDocument()));
    expect(await s.importDocument(bundle)).toEqual({ added: 1 });
    const { accounts } = await s.list();
    expect(accounts.map((a) => [a.name, a.secretStatus])).toEqual([
      ['prod', 'saved'],
      ['prod', 'none'],
    ]);
    await expect(s.credential(accounts[1]!.id)).rejects.toMatchObject({ code: 'cloud-auth-failed' });
    await s.delete(account.id);
    expect(secrets.keychain.size).toBe(0);
    await expect(s.importDocument({ format: 'porthole-clouds', version: 99, accounts: [] })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(s.importDocument({ hello: 1 })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('sets a corrupt file aside and starts from the backup', async () => {
    const { store: s, dir } = store();
    await s.save({ name: 'one', settings, secret: SECRET });
    await s.save({ name: 'two', settings, secret: SECRET });
    writeFileSync(path.join(dir, 'clouds.json'), '{ not json');
    const { accounts, notice } = await s.list();
    expect(accounts.map((a) => a.name)).toEqual(['one']);
    expect(notice).toMatch(/set aside/);
    expect(readdirSync(dir).some((f) => f.startsWith('clouds.json.unreadable-'))).toBe(true);
  });
});
