// Everything a profile puts into an HTTP request is checked by the schema wherever profiles enter:
// profiles.save, import, and the profile file. Crafted values get a typed error, never a crash.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls } from '../../app/contract.js';
import { PortholeError } from '../../app/errors.js';
import { headerValueProblem, isSerializedOrigin } from '../../app/http-fields.js';
import { resolveProfileAddress } from '../../main/api.js';
import { PROFILE_FILE, readProfileDocument } from '../../main/profiles/profile-file.js';
import { openProfileStore, type ProfileStore } from '../../main/profiles/profile-store.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';

const BAD_VALUES: Array<[string, string]> = [
  ['CR LF (header injection)', 'a\r\nX-Injected: 1'],
  ['a lone LF', 'a\nb'],
  ['NUL', 'a\u0000b'],
  ['DEL', 'a\u007fb'],
  ['a C1 control', 'a\u0085b'],
  ['unicode', 'caf\u00e9'],
  ['an emoji', 'ok \u{1F600}'],
  ['a leading space', ' value'],
  ['a trailing tab', 'value\t'],
];
const BAD_NAMES = ['X Bad', 'X:Colon', 'X\r\nY', 'Ünïcode', '', 'Host', 'connection', 'Upgrade', 'Sec-WebSocket-Key', 'sec-websocket-protocol', 'Content-Length', 'Transfer-Encoding', 'Origin', 'Proxy-Authorization', 'TE'];
const BAD_ORIGINS = ['https://ok.test/', 'https://ok.test/path', 'https://OK.test', 'https://ok.test:443', 'ftp://ok.test', 'https://ok.test\r\nX: 1', 'https://ok.test\u0000', 'javascript:alert(1)', 'https://user@ok.test', '*'];

let dir: string;
let store: ProfileStore;

function bundleWith(endpoint: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return {
    format: 'porthole-profiles',
    version: 1,
    exportedAt: '2026-01-01T00:00:00.000Z',
    profiles: [{ id: 'crafted', name: 'Crafted', endpoint: { kind: 'websockify', address: 'wss://h.test/ws', ...endpoint }, createdAt: 'x', ...extra }],
  };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof PortholeError ? err.code : err === undefined ? undefined : `untyped: ${String(err)}`;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-fields-'));
  store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('header values and names, the Origin override', () => {
  it('knows a good value and a good origin', () => {
    expect(headerValueProblem('PVEAPIToken=root@pam!id=1234-abcd')).toBeUndefined();
    expect(headerValueProblem('a\tb c')).toBeUndefined();
    for (const o of ['https://console.example.com', 'http://10.0.0.1:8080', 'https://[::1]:6080', 'null']) expect(isSerializedOrigin(o), o).toBe(true);
  });

  for (const [what, value] of BAD_VALUES) {
    it(`refuses a header value with ${what}: on save (plain and secret), import and file load`, async () => {
      expect(await code(store.save({ name: 'x', address: 'wss://h.test/', headers: { 'X-Test': value } }, resolveProfileAddress))).toBe('bad-request');
      expect(await code(store.save({ name: 'x', address: 'wss://h.test/', secrets: { headers: { Authorization: value } } }, resolveProfileAddress))).toBe('bad-request');
      expect(await code(store.previewImport(bundleWith({ headers: { 'X-Test': value } })))).toBe('bad-request');
      expect(await code(store.applyImport(bundleWith({ headers: { 'X-Test': value } })))).toBe('bad-request');
      // The contract refuses it before any handler runs.
      expect(calls['profiles.save'].args.safeParse({ profile: { name: 'x', address: 'wss://h.test/', headers: { 'X-Test': value } } }).success).toBe(false);
      // A profile file carrying it is not loaded (it is set aside like any invalid file).
      writeFileSync(join(dir, 'crafted.json'), JSON.stringify({ version: 1, profiles: (bundleWith({ headers: { 'X-Test': value } }) as { profiles: unknown[] }).profiles }));
      expect((await readProfileDocument(join(dir, 'crafted.json'))).state).toBe('bad');
      expect((await store.list()).profiles).toEqual([]);
    });
  }

  it('never repeats a secret header value in the error', async () => {
    const secret = 'sekrit-\r\n-value-91';
    const err = await store.save({ name: 'x', address: 'wss://h.test/', secrets: { headers: { Authorization: secret } } }, resolveProfileAddress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortholeError);
    expect(JSON.stringify((err as PortholeError).shape)).not.toContain('sekrit');
    expect((err as PortholeError).message).not.toContain('sekrit');
  });

  for (const name of BAD_NAMES) {
    it(`refuses the header name ${JSON.stringify(name)}`, async () => {
      expect(await code(store.save({ name: 'x', address: 'wss://h.test/', headers: { [name]: 'v' } }, resolveProfileAddress))).toBe('bad-request');
      expect(await code(store.save({ name: 'x', address: 'wss://h.test/', secrets: { headers: { [name]: 'v' } } }, resolveProfileAddress))).toBe('bad-request');
      expect(await code(store.applyImport(bundleWith({ headers: { [name]: 'v' } })))).toBe('bad-request');
      expect(await code(store.applyImport(bundleWith({ secretHeaders: [name] })))).toBe('bad-request');
    });
  }

  it('refuses the same header twice in different case', async () => {
    expect(await code(store.save({ name: 'x', address: 'wss://h.test/', headers: { 'X-A': '1', 'x-a': '2' } }, resolveProfileAddress))).toBe('bad-request');
  });

  for (const origin of BAD_ORIGINS) {
    it(`refuses the Origin override ${JSON.stringify(origin)}`, async () => {
      expect(await code(store.save({ name: 'x', address: 'wss://h.test/', originOverride: origin }, resolveProfileAddress))).toBe('bad-request');
      expect(await code(store.applyImport(bundleWith({ originOverride: origin })))).toBe('bad-request');
    });
  }
});

describe('a profile file with some profiles that are no longer allowed', () => {
  it('loads the valid ones, keeps the original aside and says so (one bad entry does not hide the rest)', async () => {
    await store.close();
    const good = { id: 'good', name: 'Good', endpoint: { kind: 'websockify', address: 'wss://h.test/ws', headers: { 'X-Tenant': 'acme' } }, createdAt: 'x' };
    const bad = { id: 'bad', name: 'Bad', endpoint: { kind: 'websockify', address: 'wss://h.test/ws', headers: { Host: 'evil.test' } }, createdAt: 'x' };
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify({ version: 1, profiles: [good, bad] }));
    store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
    const listed = await store.list();
    expect(listed.profiles.map((p) => p.id)).toEqual(['good']);
    expect(listed.notice).toMatch(/^1 profile in your profile file could not be loaded .* The original file was kept as .*profiles\.json\.corrupt-/);
    const kept = readdirSync(dir).filter((f) => f.startsWith(`${PROFILE_FILE}.corrupt-`));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toContain('evil.test');
    expect((await readProfileDocument(join(dir, PROFILE_FILE))).state).toBe('ok');
  });
});

describe('other request parts in an import', () => {
  for (const [what, address] of [
    ['CR LF in the address', 'wss://h.test/ws\r\nX: 1'],
    ['a space in the address', 'wss://h.test/w s'],
    ['NUL in the host', 'wss://h\u0000.test/'],
    ['an unknown scheme', 'gopher://h.test/'],
    ['a secret-looking parameter', 'wss://h.test/ws?password=x'],
    ['a unicode host that does not parse', 'wss://h\u00e9\u0301\u200b.test:99999/'],
  ] as const) {
    it(`refuses ${what}`, async () => {
      expect(await code(store.applyImport(bundleWith({ address })))).toBe('bad-request');
    });
  }

  it('refuses a CA that is not PEM certificates, and a name with control characters', async () => {
    expect(await code(store.applyImport(bundleWith({}, { tls: { caPem: 'not a certificate' } })))).toBe('bad-request');
    expect(await code(store.applyImport(bundleWith({}, { name: 'evil\u001b[31mname' })))).toBe('bad-request');
    expect(await code(store.save({ name: 'x', address: 'wss://h.test/', tls: { caPem: '-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----' } }, resolveProfileAddress))).toBe('bad-request');
  });

  it('still takes a well-formed import after all that', async () => {
    expect(await store.applyImport(bundleWith({ headers: { 'X-Tenant': 'acme' }, originOverride: 'https://console.example.com', secretHeaders: ['Authorization'] }))).toMatchObject({ added: 1 });
    expect((await store.list()).profiles.map((p) => p.name)).toEqual(['Crafted']);
  });
});
