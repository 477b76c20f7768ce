// Nova: version discovery, the server list (paginated), finding one server by id or exact name,
// and minting a noVNC console: remote-consoles at microversion 2.6, or the os-getVNCConsole action
// on clouds older than that.
import { z } from 'zod';
import type { CloudServer } from '../../../app/cloud-account.js';
import { PortholeError } from '../../../app/errors.js';
import { apiRequest, statusError, type ApiResponse } from '../api-client.js';
import type { TlsPolicy } from '../../proxy/tls-policy.js';

/** Sends one authenticated request; the caller re-authenticates on 401 and tries once more. */
export type ComputeCall = (method: 'GET' | 'POST', url: URL, opts?: { json?: unknown; headers?: Record<string, string> }) => Promise<ApiResponse>;

const VersionDoc = z.union([
  z.object({ version: z.object({ version: z.string().optional(), min_version: z.string().optional() }) }),
  z.object({ versions: z.array(z.object({ status: z.string().optional(), version: z.string().optional() })) }),
]);

/** "2.93" → [2, 93]; anything else → undefined. */
export function parseMicroversion(text: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function atLeast(v: [number, number] | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

/** The highest microversion the endpoint offers (its version document needs no token); undefined = none (2.1 only). */
export async function discoverVersion(endpoint: URL, tls: TlsPolicy): Promise<[number, number] | undefined> {
  const res = await apiRequest({ method: 'GET', url: endpoint, tls });
  if (res.status >= 500) throw statusError('cloud-unreachable', res.status, res.body);
  const doc = VersionDoc.safeParse(res.body);
  if (!doc.success) return undefined;
  if ('version' in doc.data) return parseMicroversion(doc.data.version.version);
  const current = doc.data.versions.find((v) => v.status === 'CURRENT') ?? doc.data.versions[0];
  return parseMicroversion(current?.version);
}

const Address = z.object({ addr: z.string() });
const Server = z.object({
  id: z.string().min(1).max(256),
  name: z.string().max(512).default(''),
  status: z.string().max(64).default('UNKNOWN'),
  addresses: z.record(z.string(), z.array(Address)).default({}),
});
const ServerList = z.object({
  servers: z.array(Server),
  servers_links: z.array(z.object({ rel: z.string(), href: z.string() })).optional(),
});

const RUNNING = new Set(['ACTIVE', 'RESCUE', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING', 'REBOOT', 'HARD_REBOOT', 'PASSWORD', 'REBUILD']);
const STOPPED = new Set(['SHUTOFF', 'SUSPENDED', 'PAUSED', 'SHELVED', 'SHELVED_OFFLOADED', 'STOPPED']);

export function toCloudServer(s: z.infer<typeof Server>): CloudServer {
  const addresses = Object.entries(s.addresses).flatMap(([net, list]) => list.map((a) => `${net}: ${a.addr}`)).slice(0, 64);
  const console = RUNNING.has(s.status) ? 'available' : STOPPED.has(s.status) ? 'stopped' : 'unavailable';
  return { id: s.id, name: s.name, status: s.status, console, addresses, kind: 'server' };
}

/** Resolves a path under the compute endpoint (which may end in /v2.1 or /v2.1/<project>). */
export function under(endpoint: URL, path: string): URL {
  const url = new URL(endpoint.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

function check(res: ApiResponse, notFound: 'server-not-found' | 'cloud-unreachable' = 'server-not-found'): void {
  if (res.status >= 200 && res.status < 300) return;
  if (res.status === 401) throw statusError('cloud-auth-failed', res.status, res.body);
  if (res.status === 403) throw statusError('cloud-forbidden', res.status, res.body);
  if (res.status === 404) throw statusError(notFound, res.status, res.body);
  if (res.status === 409 || res.status === 400 || res.status === 501) throw statusError('console-unavailable', res.status, res.body);
  throw statusError('cloud-unreachable', res.status, res.body);
}

const MAX_PAGES = 50;

/** Every server, page by page (Nova links the next page when a page is full; pageSize asks for smaller pages). */
export async function listServers(call: ComputeCall, endpoint: URL, pageSize?: number): Promise<CloudServer[]> {
  const out: CloudServer[] = [];
  let url: URL | undefined = under(endpoint, '/servers/detail');
  if (pageSize) url.searchParams.set('limit', String(pageSize));
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const res = await call('GET', url);
    check(res, 'cloud-unreachable');
    const parsed = ServerList.safeParse(res.body);
    if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Nova answered the server list in an unexpected shape');
    out.push(...parsed.data.servers.map(toCloudServer));
    const next = parsed.data.servers_links?.find((l) => l.rel === 'next')?.href;
    url = undefined;
    if (next && parsed.data.servers.length > 0) {
      const candidate = new URL(next, endpoint);
      // A "next" link is data from the network: follow it only on the same origin.
      if (candidate.origin === endpoint.origin) url = candidate;
    }
  }
  return out;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** By id first; else by exact name (Nova's name filter is a regular expression, so filter again here). */
export async function findServer(call: ComputeCall, endpoint: URL, ref: string): Promise<{ id: string; name: string; status: string }> {
  const byId = await call('GET', under(endpoint, `/servers/${encodeURIComponent(ref)}`));
  if (byId.status === 200) {
    const parsed = z.object({ server: Server }).safeParse(byId.body);
    if (parsed.success) return parsed.data.server;
  } else if (byId.status !== 404 && byId.status !== 400) check(byId);
  const url = under(endpoint, '/servers');
  url.searchParams.set('name', `^${escapeRegex(ref)}$`);
  const res = await call('GET', url);
  check(res, 'cloud-unreachable');
  const parsed = ServerList.safeParse(res.body);
  if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Nova answered the server list in an unexpected shape');
  const hits = parsed.data.servers.filter((s) => s.name === ref);
  if (hits.length === 0) throw new PortholeError('server-not-found');
  if (hits.length > 1) throw new PortholeError('server-ambiguous', `${hits.length} servers are named like that`);
  return hits[0]!;
}

const RemoteConsole = z.object({ remote_console: z.object({ url: z.string().max(8192) }) });
const LegacyConsole = z.object({ console: z.object({ url: z.string().max(8192) }) });

/** The console URL (token inside) for a server. */
export async function createConsole(call: ComputeCall, endpoint: URL, serverId: string, version: [number, number] | undefined): Promise<string> {
  if (atLeast(version, 2, 6)) {
    const res = await call('POST', under(endpoint, `/servers/${encodeURIComponent(serverId)}/remote-consoles`), {
      json: { remote_console: { protocol: 'vnc', type: 'novnc' } },
      headers: { 'OpenStack-API-Version': 'compute 2.6', 'X-OpenStack-Nova-API-Version': '2.6' },
    });
    check(res);
    const parsed = RemoteConsole.safeParse(res.body);
    if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Nova answered the console request in an unexpected shape');
    return parsed.data.remote_console.url;
  }
  const res = await call('POST', under(endpoint, `/servers/${encodeURIComponent(serverId)}/action`), { json: { 'os-getVNCConsole': { type: 'novnc' } } });
  check(res);
  const parsed = LegacyConsole.safeParse(res.body);
  if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Nova answered the console request in an unexpected shape');
  return parsed.data.console.url;
}
