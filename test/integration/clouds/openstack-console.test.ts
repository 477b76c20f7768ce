// Cloud consoles against real OpenStack (Keystone + Nova's own code + nova-novncproxy + Xvnc, shared
// by the run): an account in Porthole's core, a console minted in main and reached through the
// loopback proxy up to Xvnc's ServerInit; reconnects mint again; a stale token gets one more mint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAccountInput, CloudAccountSummary, CloudServer } from '../../../app/cloud-account.js';
import type { CallName, OpenedSession, Outcome, SessionStateEvent } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { apiRequest } from '../../../main/providers/api-client.js';
import { createConsole, discoverVersion, type ComputeCall } from '../../../main/providers/openstack/compute.js';
import { computeEndpoint, KeystoneSessions } from '../../../main/providers/openstack/keystone.js';
import { createServer, newCloud, openstackPeers, type TestCloud } from '../../fixtures/openstack/peers.js';
import type { OpenStackPeers } from '../../fixtures/openstack/stack.js';
import { rfbServerInit } from '../../fixtures/rfb-over-ws.js';
import { startTestCore, type TestCore } from '../helpers/test-core.js';

const appOrigin = 'http://127.0.0.1:3';
const caller = { id: 'window-1' };
let peers: OpenStackPeers;
let t: TestCore;
const events: SessionStateEvent[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  peers = await openstackPeers();
  // No Secret Service in this process: secrets are held in memory for the run.
  t = await startTestCore({ dataDirPrefix: 'porthole-clouds-data-', appOrigin, caller, events });
}, 400_000);

afterAll(async () => {
  // Nothing secret in the data directory or the logs, whatever the tests did.
  await t?.close(secrets);
});

const logs = (): string => t.logs();
const call = <T,>(name: CallName, args: unknown): Promise<T> => t.call<T>(name, args);
const failure = (name: CallName, args: unknown): Promise<PortholeErrorShape> => t.failure(name, args);
const waitForEnd = (sessionId: string): Promise<SessionStateEvent> => t.waitForEnd(sessionId);

async function addAccount(cloud: TestCloud, extra: Partial<Extract<CloudAccountInput['settings'], { type: 'openstack' }>> = {}, secret = cloud.credential.secret): Promise<CloudAccountSummary> {
  secrets.push(secret);
  const { account } = await call<{ account: CloudAccountSummary }>('clouds.save', {
    account: {
      name: cloud.tenant.projectName,
      // Given without /v3, as clouds.yaml files often do.
      settings: { type: 'openstack', authUrl: peers.keystoneUrl.replace(/\/v3$/, ''), auth: { method: 'application-credential', credentialId: cloud.credential.id }, region: 'RegionOne', ...extra },
      secret,
    },
  });
  return account;
}

/** Every token Porthole minted is in Nova's console URL; the logs must not have any "token=<value>". */
function expectNoTokenInLogs(): void {
  expect(logs()).not.toMatch(/token(=|%3D|%253D)(?!…|\[redacted\])[0-9a-f-]{8,}/i);
}

describe('an OpenStack account', () => {
  it('lists its servers and opens a console that reaches Xvnc through the proxy', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('console');
    const serverId = await createServer(peers, cloud.tenant, 'db1');
    await createServer(peers, cloud.tenant, 'db1-stopped', 'stopped');
    const account = await addAccount(cloud);
    expect(account.secretStatus).not.toBe('none');
    const { servers } = await call<{ servers: CloudServer[] }>('clouds.servers', { accountId: account.id });
    expect(servers.map((s) => [s.name, s.console]).sort()).toEqual([
      ['db1', 'available'],
      ['db1-stopped', 'stopped'],
    ]);
    const t0 = performance.now();
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    expect(opened.title).toBe('db1');
    expect(opened.displayAddress).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/.*token=…/);
    const init = await rfbServerInit(opened.wsUrl, appOrigin);
    console.log(`click → ServerInit including the mint: ${Math.round(performance.now() - t0)} ms`);
    expect(init.width).toBe(640);
    expect(logs()).toMatch(/console minted/);
    expectNoTokenInLogs();
  });

  it('mints again on reconnect, after the first token has expired', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('reconnect');
    const serverId = await createServer(peers, cloud.tenant, 'web');
    const account = await addAccount(cloud);
    const first = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    await rfbServerInit(first.wsUrl, appOrigin);
    await waitForEnd(first.sessionId);
    const minted = (logs().match(/console minted/g) ?? []).length;
    // Past Nova's token_ttl: the first console URL is dead now.
    await new Promise((r) => setTimeout(r, (peers.tokenTtlSeconds + 1) * 1000));
    const again = await call<OpenedSession>('session.reconnect', { sessionId: first.sessionId });
    await rfbServerInit(again.wsUrl, appOrigin);
    expect((logs().match(/console minted/g) ?? []).length).toBe(minted + 1);
  });

  it('treats a refused token as stale once (mint and try again), and stops after a second refusal', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('stale');
    const serverId = await createServer(peers, cloud.tenant, 'app');
    const account = await addAccount(cloud);
    const ttl = (peers.tokenTtlSeconds + 1) * 1000;
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    // The renderer connects only after the token has expired: real novncproxy refuses it.
    await new Promise((r) => setTimeout(r, ttl));
    await expect(rfbServerInit(opened.wsUrl, appOrigin)).rejects.toThrow();
    expect((await waitForEnd(opened.sessionId)).error?.code).toBe('console-token-stale');
    const second = await call<OpenedSession>('session.reconnect', { sessionId: opened.sessionId });
    await new Promise((r) => setTimeout(r, ttl));
    await expect(rfbServerInit(second.wsUrl, appOrigin)).rejects.toThrow();
    expect((await waitForEnd(second.sessionId)).error?.code).toBe('token-rejected-or-expired');
    expect((await failure('session.reconnect', { sessionId: second.sessionId })).code).toBe('session-not-found');
  });

  it('finds a server by exact name, reports duplicates, and does not match a name as a pattern', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('names');
    await createServer(peers, cloud.tenant, 'web10');
    await createServer(peers, cloud.tenant, 'twin');
    await createServer(peers, cloud.tenant, 'twin');
    await createServer(peers, cloud.tenant, 'a.b');
    const account = await addAccount(cloud);
    const open = (serverId: string) => t.core.handle('session.open', { source: { type: 'cloud', accountId: account.id, serverId } }, caller) as Promise<Outcome<OpenedSession>>;
    const byName = await open('web10');
    expect(byName.ok && byName.value.title).toBe('web10');
    if (byName.ok) await call('session.close', { sessionId: byName.value.sessionId });
    const dotted = await open('a.b');
    expect(dotted.ok && dotted.value.title).toBe('a.b');
    if (dotted.ok) await call('session.close', { sessionId: dotted.value.sessionId });
    expect(await open('web1')).toMatchObject({ ok: false, error: { code: 'server-not-found' } });
    expect(await open('a?b')).toMatchObject({ ok: false, error: { code: 'server-not-found' } });
    expect(await open('twin')).toMatchObject({ ok: false, error: { code: 'server-ambiguous' } });
  });

  it('says console-unavailable for a server that is still building (Nova 409)', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('building');
    const serverId = await createServer(peers, cloud.tenant, 'new', 'building');
    const account = await addAccount(cloud);
    const error = await failure('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    expect(error.code).toBe('console-unavailable');
    expect(error.detail).toMatch(/HTTP 409/);
  });

  it('refuses a wrong secret with cloud-auth-failed and Keystone’s reason, and never logs the secret', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('wrong');
    const serverId = await createServer(peers, cloud.tenant, 'vm');
    const account = await addAccount(cloud, {}, `wrong-${cloud.credential.secret}`);
    for (const [name, args] of [
      ['clouds.servers', { accountId: account.id }],
      ['session.open', { source: { type: 'cloud', accountId: account.id, serverId } }],
    ] as const) {
      const error = await failure(name, args);
      expect(error.code).toBe('cloud-auth-failed');
      expect(error.detail).toMatch(/HTTP 401: The request you have made requires authentication/);
    }
  });

  it('uses the region’s compute endpoint: the decoy in RegionTwo is unreachable', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('region');
    const account = await addAccount(cloud, { region: 'RegionTwo' });
    const error = await failure('clouds.servers', { accountId: account.id });
    expect(error.code).toBe('cloud-unreachable');
  });

  it('works with a credential restricted by access rules to the console calls', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('rules');
    const serverId = await createServer(peers, cloud.tenant, 'locked');
    const restricted = await cloud.admin.createAppCredential(cloud.tenant, `restricted-${cloud.tenant.projectName}`, {
      accessRules: [
        { service: 'compute', method: 'GET', path: `/v2.1/servers/${serverId}` },
        { service: 'compute', method: 'POST', path: `/v2.1/servers/${serverId}/remote-consoles` },
      ],
    });
    const account = await addAccount({ ...cloud, credential: restricted }, {}, restricted.secret);
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
    // Listing is not in its rules: Keystone's middleware says 401, which Porthole reports as the credential's limit.
    expect((await failure('clouds.servers', { accountId: account.id })).code).toBe('cloud-auth-failed');
  });

  it('signs in with a user name and password (project-scoped) as well', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('password');
    const serverId = await createServer(peers, cloud.tenant, 'pw-vm');
    secrets.push(cloud.tenant.password);
    const { account } = await call<{ account: CloudAccountSummary }>('clouds.save', {
      account: {
        name: 'password cloud',
        settings: { type: 'openstack', authUrl: peers.keystoneUrl, auth: { method: 'password', userName: cloud.tenant.userName, projectName: cloud.tenant.projectName } },
        secret: cloud.tenant.password,
      },
    });
    const opened = await call<OpenedSession>('session.open', { source: { type: 'cloud', accountId: account.id, serverId } });
    expect((await rfbServerInit(opened.wsUrl, appOrigin)).width).toBe(640);
  });

  it('asks for the console with the os-getVNCConsole action on clouds older than microversion 2.6 (real Nova still answers it)', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('legacy');
    const serverId = await createServer(peers, cloud.tenant, 'old');
    const keystone = new KeystoneSessions();
    const settings = { type: 'openstack' as const, authUrl: peers.keystoneUrl, auth: { method: 'application-credential' as const, credentialId: cloud.credential.id }, interface: 'public' as const, region: 'RegionOne' };
    const token = await keystone.token({ id: 'legacy', settings, secret: cloud.credential.secret });
    const endpoint = computeEndpoint(token.catalog, settings);
    const sent: string[] = [];
    const call: ComputeCall = (method, url, opts) => {
      sent.push(`${method} ${url.pathname} ${opts?.headers?.['OpenStack-API-Version'] ?? '-'}`);
      return apiRequest({ method, url, tls: { allowInsecure: false }, headers: { ...opts?.headers, 'X-Auth-Token': token.value }, ...(opts?.json !== undefined ? { json: opts.json } : {}) });
    };
    const url = await createConsole(call, endpoint, serverId, [2, 5]);
    expect(sent).toEqual([`POST /v2.1/servers/${serverId}/action -`]);
    expect(url).toMatch(/token(=|%3D)/);
    expect(await discoverVersion(endpoint, { allowInsecure: false })).toEqual([2, expect.any(Number)]);
  });

  it('tests the connection step by step, with a report that holds no secret', { timeout: 180_000 }, async () => {
    const cloud = await newCloud('test');
    await createServer(peers, cloud.tenant, 'sample');
    const account = await addAccount(cloud);
    const { steps, text } = await call<{ steps: Array<{ name: string; ok: boolean; detail: string }>; text: string }>('clouds.test', { accountId: account.id });
    expect(steps.map((s) => [s.name, s.ok])).toEqual([
      ['Keystone authentication', true],
      ['Compute endpoint from the catalog', true],
      ['Compute API version', true],
      ['Servers', true],
    ]);
    expect(text).toMatch(/microversions up to 2\.\d+/);
    expect(text).toMatch(/1 server: sample \(ACTIVE\)/);
    expect(text).not.toContain(cloud.credential.secret);
  });
});
