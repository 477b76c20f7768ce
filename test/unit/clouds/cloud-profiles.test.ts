// Profiles of kind `cloud` (a cloud account's server by reference: no URL, no token) and Proxmox VE
// web UI console links opened through a matching account.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudAccount } from '../../../app/cloud-account.js';
import { parseConsoleAddress } from '../../../app/console-address.js';
import { makeError } from '../../../app/errors.js';
import { cloudProfileAddress, Profile, type CloudReference } from '../../../app/profile.js';
import { accountForProxmoxLink } from '../../../main/clouds/proxmox-link-account.js';
import { PROFILE_FILE } from '../../../main/profiles/profile-file.js';
import { openProfileStore, type AddressResolver, type ProfileStore } from '../../../main/profiles/profile-store.js';
import { InMemoryTestSecretStore } from '../../../main/secrets/memory-secret-store.js';

const REF: CloudReference = { accountId: 'acc-1', serverId: 'pve1/qemu/100', serverName: 'web', cloudName: 'Lab cluster', cloudType: 'proxmox' };
// Every console address is refused: a cloud profile's edits must never go through the resolver.
const refuseAll: AddressResolver = () => ({ ok: false, error: makeError('url-invalid', 'resolver called') });

let dir: string;
let store: ProfileStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-cloud-profiles-'));
  store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cloud profile', () => {
  it('stores the account and server by reference, with no console URL and no secret slot', async () => {
    const saved = await store.saveCloud('web (Lab cluster)', REF);
    expect(saved.endpoint).toMatchObject({ kind: 'cloud', address: 'cloud://acc-1/pve1%2Fqemu%2F100', cloud: REF });
    expect(saved.secretSlots).toEqual([]);
    const file = JSON.parse(readFileSync(join(dir, PROFILE_FILE), 'utf8')) as { profiles: Profile[] };
    expect(file.profiles[0]?.endpoint.cloud).toEqual(REF);
    expect(JSON.stringify(file)).not.toMatch(/wss?:\/\/|https?:\/\/|token=/);
  });

  it('keeps its reference when renamed or re-filed in the editor (the resolver is never asked)', async () => {
    const saved = await store.saveCloud('web', REF);
    const { profile } = await store.save({ id: saved.id, name: 'Web server', folder: 'Lab', address: saved.endpoint.address, display: { viewOnly: true } }, refuseAll);
    expect(profile).toMatchObject({ name: 'Web server', folder: 'Lab', endpoint: { kind: 'cloud', cloud: REF }, display: { viewOnly: true } });
  });

  it('becomes an ordinary console profile when the editor gives it a console URL', async () => {
    const saved = await store.saveCloud('web', REF);
    const { profile } = await store.save({ id: saved.id, name: 'web', kind: 'cloud', address: 'wss://console.example.test/websockify' }, (a) => ({ ok: true, kind: 'websockify', address: a }));
    expect(profile.endpoint).toMatchObject({ kind: 'websockify', address: 'wss://console.example.test/websockify' });
    expect(profile.endpoint.cloud).toBeUndefined();
  });

  it('is refused when the reference and the kind disagree, or a console profile claims a cloud:// address', () => {
    const base = { id: 'p', name: 'x', createdAt: '2026-01-01T00:00:00Z' };
    expect(Profile.safeParse({ ...base, endpoint: { kind: 'cloud', address: cloudProfileAddress(REF) } }).success).toBe(false);
    expect(Profile.safeParse({ ...base, endpoint: { kind: 'cloud', address: 'cloud://acc-2/x', cloud: REF } }).success).toBe(false);
    expect(Profile.safeParse({ ...base, endpoint: { kind: 'websockify', address: cloudProfileAddress(REF) } }).success).toBe(false);
    expect(Profile.safeParse({ ...base, endpoint: { kind: 'cloud', address: cloudProfileAddress(REF), cloud: { ...REF, serverName: 'a\u0007b' } } }).success).toBe(false);
    expect(Profile.safeParse({ ...base, endpoint: { kind: 'cloud', address: cloudProfileAddress(REF), cloud: REF } }).success).toBe(true);
  });

  it('survives export and import with its reference and nothing else', async () => {
    await store.saveCloud('web', REF);
    const bundle = await store.exportBundle();
    expect(bundle.profiles[0]?.endpoint.cloud).toEqual(REF);
    const other = mkdtempSync(join(tmpdir(), 'porthole-cloud-profiles-import-'));
    const target = await openProfileStore({ dataDir: other, secrets: new InMemoryTestSecretStore() });
    try {
      expect(await target.previewImport(bundle)).toMatchObject({ add: [{ name: 'web' }] });
      expect(await target.applyImport(bundle)).toMatchObject({ added: 1 });
      expect((await target.list()).profiles[0]?.endpoint).toMatchObject({ kind: 'cloud', cloud: REF });
    } finally {
      await target.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('is loaded beside console profiles from an existing file (the new kind is additive)', async () => {
    await store.save({ name: 'plain', address: 'wss://console.example.test/websockify' }, (a) => ({ ok: true, kind: 'websockify', address: a }));
    await store.saveCloud('web', REF);
    await store.close();
    store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
    const { profiles, notice } = await store.list();
    expect(notice).toBeUndefined();
    expect(profiles.map((p) => p.endpoint.kind).sort()).toEqual(['cloud', 'websockify']);
  });
});

describe('a Proxmox VE web UI console link and the cloud accounts (pve-manager openVNCViewer links)', () => {
  const pve = (id: string, apiUrl: string): Pick<CloudAccount, 'id' | 'name' | 'settings'> => ({
    id,
    name: `pve ${id}`,
    settings: { type: 'proxmox', apiUrl, auth: { method: 'token', tokenId: 'root@pam!porthole' } },
  });
  const os = { id: 'os', name: 'os', settings: { type: 'openstack', authUrl: 'https://pve.example.test:8006/v3', auth: { method: 'application-credential', credentialId: 'x' }, interface: 'public' } } as const;
  function link(url: string) {
    const parsed = parseConsoleAddress(url);
    if (parsed.ok || parsed.recognised?.kind !== 'proxmox') throw new Error(`not a recognised Proxmox link: ${url}`);
    return parsed.recognised;
  }

  it('finds the account saved for the link\'s API host and port, and the VM or container it names', () => {
    const accounts = [os, pve('other', 'https://pve.example.test:8007'), pve('lab', 'https://PVE.example.test:8006/')];
    expect(accountForProxmoxLink(link('https://pve.example.test:8006/?console=kvm&novnc=1&vmid=100&node=pve1'), accounts)).toEqual({
      accountId: 'lab',
      accountName: 'pve lab',
      serverId: 'pve1/qemu/100',
    });
    expect(accountForProxmoxLink(link('https://pve.example.test:8006/?console=lxc&novnc=1&vmid=201&node=pve2'), accounts)?.serverId).toBe('pve2/lxc/201');
  });

  it('matches IPv6 hosts and the default port of https', () => {
    expect(accountForProxmoxLink(link('https://[fd00::5]/?console=kvm&novnc=1&vmid=100&node=pve1'), [pve('v6', 'https://[FD00::5]')])?.accountId).toBe('v6');
  });

  it('finds nothing without a Proxmox account on that host and port, or for a node shell or an xterm.js console', () => {
    const accounts = [os, pve('lab', 'https://pve.example.test:8006')];
    expect(accountForProxmoxLink(link('https://pve.example.test:8443/?console=kvm&novnc=1&vmid=100&node=pve1'), accounts)).toBeUndefined();
    expect(accountForProxmoxLink(link('https://other.example.test:8006/?console=kvm&novnc=1&vmid=100&node=pve1'), accounts)).toBeUndefined();
    expect(accountForProxmoxLink(link('https://pve.example.test:8006/?console=shell&novnc=1&node=pve1'), accounts)).toBeUndefined();
    expect(accountForProxmoxLink(link('https://pve.example.test:8006/?console=kvm&xtermjs=1&vmid=100&node=pve1'), accounts)).toBeUndefined();
  });

  it('leaves the refusal that says what to add when nothing matches', () => {
    const parsed = parseConsoleAddress('https://pve.example.test:8006/?console=kvm&novnc=1&vmid=100&node=pve1');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.detail).toContain('add one for https://pve.example.test:8006');
  });
});

