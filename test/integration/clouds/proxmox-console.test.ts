// Proxmox VE accounts against the TLS stand-in (test/fixtures/proxmox-standin.ts), whose REST half is
// checked here with Debian's python3-proxmoxer: VMs and containers listed; a console minted by
// vncproxy, reached by the vncwebsocket upgrade with the same credential, and the VNC password
// answered in main (the renderer side sees None) up to Xvnc's ServerInit; every connect mints again.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAccountSummary, CloudServer } from '../../../app/cloud-account.js';
import type { CallName, OpenedSession, SessionStateEvent } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import type { ProfileSummary } from '../../../app/profile.js';
import { startProxmoxStandin, type ProxmoxStandin } from '../../fixtures/proxmox-standin.js';
import { rfbServerInit } from '../../fixtures/rfb-over-ws.js';
import { sharedPeers } from '../../fixtures/shared-peers.js';
import { startTestCore, type TestCore } from '../helpers/test-core.js';

const pki = sharedPeers().pki;
const appOrigin = 'http://127.0.0.1:3';
const caller = { id: 'window-pve' };
const TOKEN_ID = 'porthole@pve!console';
const TOKEN_SECRET = `7d1c2b3a-${Math.random().toString(16).slice(2, 10)}-4e5f-8a9b-0c1d2e3f4a5b`;
const PASSWORD = `alice-pw-${Math.random().toString(36).slice(2)}`;
let standin: ProxmoxStandin;
let t: TestCore;
const events: SessionStateEvent[] = [];

beforeAll(async () => {
  standin = await startProxmoxStandin({
    cert: pki.server,
    tokens: { [TOKEN_ID]: TOKEN_SECRET },
    users: { 'alice@pve': PASSWORD },
    vms: [
      { node: 'pve1', type: 'qemu', vmid: 100, name: 'web', status: 'running' },
      { node: 'pve1', type: 'lxc', vmid: 101, name: 'ct', status: 'running' },
      { node: 'pve2', type: 'qemu', vmid: 102, name: 'off', status: 'stopped' },
    ],
  });
  // No Secret Service in this process: secrets are held in memory for the run.
  t = await startTestCore({ dataDirPrefix: 'porthole-pve-data-', appOrigin, caller, events });
}, 60_000);

afterAll(async () => {
  await t?.close([TOKEN_SECRET, PASSWORD]);
  await standin?.stop();
  expect(t?.logs() ?? '').not.toMatch(/PVEVNC:/);
});

const call = <T,>(name: CallName, args: unknown): Promise<T> => t.call<T>(name, args);
const failure = (name: CallName, args: unknown): Promise<PortholeErrorShape> => t.failure(name, args);
const waitForEnd = (sessionId: string): Promise<SessionStateEvent> => t.waitForEnd(sessionId);

async function account(auth: unknown, secret: string): Promise<CloudAccountSummary> {
  const caPem = readFileSync(pki.ca.certPath, 'utf8');
  return (await call<{ account: CloudAccountSummary }>('clouds.save', { account: { name: 'pve', settings: { type: 'proxmox', apiUrl: standin.url, auth, caPem }, secret } })).account;
}

function proxmoxer(script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('/usr/bin/python3', ['-c', script], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe('the Proxmox stand-in', () => {
  it('answers python3-proxmoxer (token and ticket auth) in the API’s shapes', { timeout: 90_000 }, async () => {
    const [user, token] = TOKEN_ID.split('!');
    const out = await proxmoxer(`
import json
from proxmoxer import ProxmoxAPI
t = ProxmoxAPI('127.0.0.1', port=${standin.port}, user='${user}', token_name='${token}', token_value='${TOKEN_SECRET}', verify_ssl='${pki.ca.certPath}')
p = ProxmoxAPI('127.0.0.1', port=${standin.port}, user='alice@pve', password='${PASSWORD}', verify_ssl='${pki.ca.certPath}')
a = t.nodes('pve1').qemu(100).vncproxy.post(websocket=1)
b = p.nodes('pve1').lxc(101).vncproxy.post(websocket=1)
r = t.cluster.resources.get(type='vm')
print(json.dumps({'a': sorted(a), 'b': sorted(b), 'port': a['port'], 'pw': len(a['password']), 'r': [x['id'] for x in r]}))
`);
    const got = JSON.parse(out) as { a: string[]; b: string[]; port: number; pw: number; r: string[] };
    expect(got.a).toEqual(['cert', 'password', 'port', 'ticket', 'upid', 'user']);
    expect(got.b).toEqual(got.a);
    expect(got.pw).toBe(8);
    expect(got.r).toEqual(['qemu/100', 'lxc/101', 'qemu/102']);
    expect(standin.requests()).toEqual(expect.arrayContaining(['POST /api2/json/nodes/pve1/qemu/100/vncproxy auth=token', 'POST /api2/json/nodes/pve1/lxc/101/vncproxy auth=ticket']));
  });
});

describe('a Proxmox VE account', () => {
  it('lists VMs and containers and opens a console whose VNC password main answers', { timeout: 60_000 }, async () => {
    const a = await account({ method: 'token', tokenId: TOKEN_ID }, TOKEN_SECRET);
    const { servers } = await call<{ servers: CloudServer[] }>('clouds.servers', { accountId: a.id });
    expect(servers.map((s) => [s.id, s.name, s.kind, s.console])).toEqual([
      ['pve1/qemu/100', 'web', 'qemu', 'available'],
      ['pve1/lxc/101', 'ct', 'lxc', 'available'],
      ['pve2/qemu/102', 'off', 'qemu', 'stopped'],
    ]);
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: a.id, serverId: 'pve1/qemu/100' } });
    expect(opened.displayAddress).toMatch(/vncwebsocket\?port=\d+&vncticket=…$/);
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
    // The ticket is single use: a reconnect must mint again to get in.
    await waitForEnd(opened.sessionId);
    const again = await call<OpenedSession>('session.reconnect', { sessionId: opened.sessionId });
    expect((await rfbServerInit(again.wsUrl, appOrigin)).width).toBe(640);
    expect(standin.requests().filter((r) => r.startsWith('UPGRADE') && r.endsWith('auth=token')).length).toBeGreaterThanOrEqual(2);
  });

  it('saves a VM as a profile by reference; the profile mints at every connect and reconnect, and export keeps the reference only', { timeout: 60_000 }, async () => {
    const a = await account({ method: 'token', tokenId: TOKEN_ID }, TOKEN_SECRET);
    const { profile } = await call<{ profile: ProfileSummary }>('clouds.saveAsProfile', { accountId: a.id, serverId: 'pve1/qemu/100', serverName: 'web' });
    expect(profile).toMatchObject({ name: 'web (pve)', endpoint: { kind: 'cloud', cloud: { accountId: a.id, serverId: 'pve1/qemu/100', cloudType: 'proxmox' } }, secretSlots: [] });
    const upgrades = (): number => standin.requests().filter((r) => r.startsWith('UPGRADE')).length;
    const before = upgrades();
    const opened = await call<OpenedSession>('session.open', { source: { type: 'profile', profileId: profile.id } });
    expect(opened.title).toBe('web (pve)');
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
    // The ticket is single use: only a fresh mint lets the reconnect in.
    await waitForEnd(opened.sessionId);
    const again = await call<OpenedSession>('session.reconnect', { sessionId: opened.sessionId });
    expect(again.title).toBe('web (pve)');
    expect((await rfbServerInit(again.wsUrl, appOrigin)).width).toBe(640);
    expect(upgrades() - before).toBe(2);
    const exported = JSON.stringify(await call<unknown>('profiles.export', { profileIds: [profile.id] }));
    expect(exported).toContain('pve1/qemu/100');
    expect(exported).not.toMatch(/vncticket|PVEVNC|wss?:\/\/|https:\/\//);
    expect(exported).not.toContain(TOKEN_SECRET);
    // An account that is gone: a typed error, not a crash.
    const other = await account({ method: 'token', tokenId: TOKEN_ID }, TOKEN_SECRET);
    const orphan = (await call<{ profile: ProfileSummary }>('clouds.saveAsProfile', { accountId: other.id, serverId: 'pve1/qemu/100', serverName: 'web' })).profile;
    await call('clouds.delete', { accountId: other.id });
    expect((await failure('session.open', { source: { type: 'profile', profileId: orphan.id } })).code).toBe('cloud-account-not-found');
    expect((await failure('clouds.saveAsProfile', { accountId: other.id, serverId: 'pve1/qemu/100', serverName: 'web' })).code).toBe('cloud-account-not-found');
  });

  it('opens a Proxmox web UI console link through the account saved for its API host', { timeout: 60_000 }, async () => {
    await account({ method: 'token', tokenId: TOKEN_ID }, TOKEN_SECRET);
    const opened = await call<OpenedSession>('session.open', { source: { type: 'url', url: `${standin.url}/?console=lxc&novnc=1&vmid=101&node=pve1&resize=off` } });
    expect(opened.notices?.[0]).toMatch(/opened through the cloud account “pve”/);
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
    const elsewhere = await failure('session.open', { source: { type: 'url', url: 'https://pve.example.test:8006/?console=kvm&novnc=1&vmid=100&node=pve1' } });
    expect(elsewhere.detail).toContain('add one for https://pve.example.test:8006');
  });

  it('signs in with user name and password (ticket, CSRF token) for a container console', { timeout: 60_000 }, async () => {
    const a = await account({ method: 'password', userName: 'alice', realm: 'pve' }, PASSWORD);
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: a.id, serverId: 'pve1/lxc/101' } });
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
  });

  it('says console-unavailable for a stopped VM and cloud-auth-failed for a wrong token', { timeout: 60_000 }, async () => {
    const a = await account({ method: 'token', tokenId: TOKEN_ID }, TOKEN_SECRET);
    const stopped = await failure('session.open', { source: { type: 'cloud', accountId: a.id, serverId: 'pve2/qemu/102' } });
    expect(stopped.code).toBe('console-unavailable');
    expect(stopped.detail).toMatch(/not running/);
    const wrong = await account({ method: 'token', tokenId: TOKEN_ID }, `x${TOKEN_SECRET}`);
    expect((await failure('clouds.servers', { accountId: wrong.id })).code).toBe('cloud-auth-failed');
    expect((await failure('session.open', { source: { type: 'cloud', accountId: a.id, serverId: '../../etc' } })).code).toBe('server-not-found');
  });
});
