// OpenStack behind the provider interface: Keystone token (cached, re-authenticated once on a 401),
// compute endpoint from the catalog, microversion from the version document, then the console.
import type { OpenStackSettings } from '../../../app/cloud-account.js';
import { parseConsoleAddress } from '../../../app/console-address.js';
import { PortholeError } from '../../../app/errors.js';
import { apiRequest, type ApiResponse } from '../api-client.js';
import { timedStep, type AccountCredential, type ConsoleProvider, type MintedConsole } from '../provider.js';
import { createConsole, discoverVersion, findServer, listServers, type ComputeCall } from './compute.js';
import { computeEndpoint, KeystoneSessions, tlsFor, type KeystoneToken } from './keystone.js';
import type { CloudTestStep } from '../../../app/cloud-account.js';

type Account = AccountCredential<OpenStackSettings>;

const VERSION_TTL_MS = 60 * 60_000;

export class OpenStackProvider implements ConsoleProvider<OpenStackSettings> {
  private readonly keystone = new KeystoneSessions();
  private readonly versions = new Map<string, { at: number; value: [number, number] | undefined }>();

  /** An authenticated caller for one account: on a 401 it re-authenticates and tries once more. */
  private async session(account: Account): Promise<{ call: ComputeCall; endpoint: URL; token: KeystoneToken }> {
    let token = await this.keystone.token(account);
    const endpoint = computeEndpoint(token.catalog, account.settings);
    const tls = tlsFor(account.settings);
    const send = (t: KeystoneToken, method: 'GET' | 'POST', url: URL, opts: { json?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> =>
      apiRequest({ method, url, tls, headers: { ...opts.headers, 'X-Auth-Token': t.value }, ...(opts.json !== undefined ? { json: opts.json } : {}) });
    const call: ComputeCall = async (method, url, opts) => {
      const res = await send(token, method, url, opts);
      if (res.status !== 401) return res;
      this.keystone.invalidate(account.id, token);
      token = await this.keystone.token(account);
      return send(token, method, url, opts);
    };
    return { call, endpoint, token };
  }

  async list(account: Account) {
    const { call, endpoint } = await this.session(account);
    return listServers(call, endpoint);
  }

  async mint(account: Account, server: string): Promise<MintedConsole> {
    const { call, endpoint } = await this.session(account);
    const tls = tlsFor(account.settings);
    const [version, found] = await Promise.all([this.version(endpoint, tls), findServer(call, endpoint, server)]);
    const url = await createConsole(call, endpoint, found.id, version);
    const parsed = parseConsoleAddress(url);
    // The URL comes from the network: it must parse like a pasted one, and carry a token.
    if (!parsed.ok || parsed.target.kind !== 'websocket' || parsed.target.token === undefined) {
      throw new PortholeError('console-unavailable', 'Nova returned a console URL Porthole cannot use');
    }
    return { target: { ...parsed.target, flavour: 'nova' }, tls, title: found.name || found.id };
  }

  async test(account: Account): Promise<CloudTestStep[]> {
    const steps: CloudTestStep[] = [];
    const token = await timedStep(steps, 'Keystone authentication', async () => {
      const t = await this.keystone.token(account);
      return { value: t, detail: `token valid until ${new Date(t.expiresAt).toISOString()}${t.projectName ? `, project ${t.projectName}` : ''}` };
    });
    if (!token) return steps;
    const endpoint = await timedStep(steps, 'Compute endpoint from the catalog', async () => {
      const e = computeEndpoint(token.catalog, account.settings);
      return { value: e, detail: `${account.settings.interface}${account.settings.region ? `, region ${account.settings.region}` : ''}: ${e.origin}${e.pathname}` };
    });
    if (!endpoint) return steps;
    const version = await timedStep(steps, 'Compute API version', async () => {
      const v = await discoverVersion(endpoint, tlsFor(account.settings));
      return { value: v ?? null, detail: v ? `microversions up to ${v.join('.')}${v[0] === 2 && v[1] < 6 ? ' (older than 2.6: the os-getVNCConsole action is used)' : ''}` : 'no microversions (2.1 only)' };
    });
    if (version === undefined) return steps;
    await timedStep(steps, 'Servers', async () => {
      const servers = await this.list(account);
      const sample = servers.slice(0, 5).map((s) => `${s.name} (${s.status})`).join(', ');
      return { value: servers, detail: `${servers.length} server${servers.length === 1 ? '' : 's'}${sample ? `: ${sample}` : ''}` };
    });
    return steps;
  }

  /** The endpoint's microversion range changes only with an upgrade: asked once per endpoint and hour. */
  private async version(endpoint: URL, tls: ReturnType<typeof tlsFor>): Promise<[number, number] | undefined> {
    const cached = this.versions.get(endpoint.href);
    if (cached && Date.now() - cached.at < VERSION_TTL_MS) return cached.value;
    const value = await discoverVersion(endpoint, tls);
    this.versions.set(endpoint.href, { at: Date.now(), value });
    return value;
  }

  forget(accountId: string): void {
    this.keystone.forget(accountId);
  }
}
