// Proxmox VE behind the provider interface: an API token (Authorization: PVEAPIToken=…) or a ticket
// from user name + password (cookie + CSRF token, renewed well before its 2-hour life); the VMs and
// containers from /cluster/resources; a console from vncproxy (websocket=1), reached through the
// vncwebsocket upgrade with the same credential within its 10-second window, the VNC password
// answered in main by the RFB security stage. The ticket and password never leave main.
import { z } from 'zod';
import type { CloudServer, CloudTestStep, ProxmoxSettings } from '../../../app/cloud-account.js';
import { PortholeError } from '../../../app/errors.js';
import type { TlsPolicy } from '../../proxy/tls-policy.js';
import { apiRequest, statusError, type ApiResponse } from '../api-client.js';
import { timedStep, type AccountCredential, type ConsoleProvider, type MintedConsole } from '../provider.js';

type Account = AccountCredential<ProxmoxSettings>;

/** Renew a password ticket this long after it was issued (PVE tickets live 2 hours). */
const TICKET_RENEW_MS = 90 * 60_000;

const Ticket = z.object({ data: z.object({ ticket: z.string().min(1), CSRFPreventionToken: z.string().min(1), username: z.string() }) });
const Resources = z.object({
  data: z.array(
    z.object({
      type: z.string(),
      node: z.string().optional(),
      vmid: z.number().int().optional(),
      name: z.string().optional(),
      status: z.string().optional(),
      template: z.number().optional(),
    }),
  ),
});
const VncProxy = z.object({
  data: z.object({ port: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number), ticket: z.string().min(1), password: z.string().min(1).optional(), user: z.string().optional() }),
});

const NODE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

export function tlsFor(settings: ProxmoxSettings): TlsPolicy {
  return { allowInsecure: false, ...(settings.caPem ? { caPem: settings.caPem } : {}), ...(settings.pinSha256 ? { pinSha256: settings.pinSha256 } : {}) };
}

/** "<node>/<qemu|lxc>/<vmid>" → its parts, or a typed error (ids come from the renderer). */
export function parseVmRef(ref: string): { node: string; type: 'qemu' | 'lxc'; vmid: number } {
  const m = /^([^/]+)\/(qemu|lxc)\/(\d{1,9})$/.exec(ref);
  if (!m || !NODE.test(m[1]!)) throw new PortholeError('server-not-found', 'not a Proxmox VM reference (node/qemu|lxc/vmid)');
  return { node: m[1]!, type: m[2] as 'qemu' | 'lxc', vmid: Number(m[3]) };
}

function api(settings: ProxmoxSettings, path: string): URL {
  const base = new URL(settings.apiUrl);
  base.pathname = `/api2/json${path}`;
  base.search = '';
  return base;
}

function check(res: ApiResponse): void {
  if (res.status >= 200 && res.status < 300) return;
  if (res.status === 401) throw statusError('cloud-auth-failed', res.status, res.body);
  if (res.status === 403) throw statusError('cloud-forbidden', res.status, res.body);
  if (res.status === 404) throw statusError('server-not-found', res.status, res.body);
  // PVE says "VM 100 not running" (and the like) with a 500.
  const reason = JSON.stringify(res.body ?? '');
  if (/not running|is locked|does not exist/i.test(reason)) throw statusError(/does not exist/i.test(reason) ? 'server-not-found' : 'console-unavailable', res.status, res.body);
  throw statusError('cloud-unreachable', res.status, res.body);
}

export class ProxmoxProvider implements ConsoleProvider<ProxmoxSettings> {
  private readonly tickets = new Map<string, { key: string; at: number; value: Promise<{ cookie: string; csrf: string }> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Headers that authenticate a request (and the vncwebsocket upgrade) as this account. */
  private async auth(account: Account, write: boolean): Promise<Record<string, string>> {
    const a = account.settings.auth;
    if (a.method === 'token') return { Authorization: `PVEAPIToken=${a.tokenId}=${account.secret}` };
    const key = JSON.stringify([account.settings.apiUrl, a, account.secret]);
    let cached = this.tickets.get(account.id);
    if (!cached || cached.key !== key || this.now() - cached.at > TICKET_RENEW_MS) {
      const value = this.login(account);
      cached = { key, at: this.now(), value };
      this.tickets.set(account.id, cached);
      value.catch(() => this.tickets.get(account.id) === cached && this.tickets.delete(account.id));
    }
    const { cookie, csrf } = await cached.value;
    return { Cookie: `PVEAuthCookie=${cookie}`, ...(write ? { CSRFPreventionToken: csrf } : {}) };
  }

  private async login(account: Account): Promise<{ cookie: string; csrf: string }> {
    const a = account.settings.auth;
    if (a.method !== 'password') throw new PortholeError('internal');
    const res = await apiRequest({ method: 'POST', url: api(account.settings, '/access/ticket'), form: { username: `${a.userName}@${a.realm}`, password: account.secret }, tls: tlsFor(account.settings) });
    check(res);
    const parsed = Ticket.safeParse(res.body);
    if (!parsed.success) {
      // A two-factor account answers with a challenge ticket instead.
      if (JSON.stringify(res.body ?? '').includes('NeedTFA')) throw new PortholeError('cloud-auth-failed', 'this account uses two-factor login: use an API token instead');
      throw new PortholeError('cloud-unreachable', 'Proxmox answered the login in an unexpected shape');
    }
    return { cookie: parsed.data.data.ticket, csrf: parsed.data.data.CSRFPreventionToken };
  }

  async list(account: Account): Promise<CloudServer[]> {
    const url = api(account.settings, '/cluster/resources');
    url.searchParams.set('type', 'vm');
    const res = await apiRequest({ method: 'GET', url, headers: await this.auth(account, false), tls: tlsFor(account.settings) });
    check(res);
    const parsed = Resources.safeParse(res.body);
    if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Proxmox answered the resource list in an unexpected shape');
    return parsed.data.data
      .filter((r): r is typeof r & { node: string; vmid: number; type: 'qemu' | 'lxc' } => (r.type === 'qemu' || r.type === 'lxc') && r.node !== undefined && r.vmid !== undefined && !r.template)
      .map((r) => ({
        id: `${r.node}/${r.type}/${r.vmid}`,
        name: r.name ?? `${r.type === 'lxc' ? 'CT' : 'VM'} ${r.vmid}`,
        status: r.status ?? 'unknown',
        console: r.status === 'running' ? 'available' : r.status === 'stopped' ? 'stopped' : 'unavailable',
        addresses: [],
        node: r.node,
        kind: r.type,
      }));
  }

  async mint(account: Account, server: string): Promise<MintedConsole> {
    const { node, type, vmid } = parseVmRef(server);
    const path = `/nodes/${node}/${type}/${vmid}`;
    const headers = await this.auth(account, true);
    const res = await apiRequest({ method: 'POST', url: api(account.settings, `${path}/vncproxy`), form: { websocket: '1' }, headers, tls: tlsFor(account.settings) });
    check(res);
    const parsed = VncProxy.safeParse(res.body);
    if (!parsed.success) throw new PortholeError('cloud-unreachable', 'Proxmox answered vncproxy in an unexpected shape');
    const { port, ticket, password } = parsed.data.data;
    const base = new URL(account.settings.apiUrl);
    const { Cookie, Authorization } = headers as { Cookie?: string; Authorization?: string };
    return {
      target: {
        kind: 'websocket',
        flavour: 'proxmox',
        secure: base.protocol === 'https:',
        host: base.hostname.replace(/^\[|\]$/g, ''),
        port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
        path: `/api2/json${path}/vncwebsocket`,
        // vncticket is a secret: the session's display address is built without it (see displayAddress).
        query: [
          ['port', String(port)],
          ['vncticket', ticket],
        ],
      },
      displayAddress: `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/api2/json${path}/vncwebsocket?port=${port}&vncticket=…`,
      tls: tlsFor(account.settings),
      headers: { ...(Authorization ? { Authorization } : {}), ...(Cookie ? { Cookie } : {}) },
      // Since qemu-server 9.1.7 a password comes back; before, the ticket's first 8 bytes are the VNC password.
      rfbPassword: password ?? ticket.slice(0, 8),
      title: `${type === 'lxc' ? 'CT' : 'VM'} ${vmid} on ${node}`,
    };
  }

  async test(account: Account): Promise<CloudTestStep[]> {
    const steps: CloudTestStep[] = [];
    const ok = await timedStep(steps, account.settings.auth.method === 'token' ? 'API token' : 'Login (ticket)', async () => {
      await this.auth(account, false);
      const res = await apiRequest({ method: 'GET', url: api(account.settings, '/version'), headers: await this.auth(account, false), tls: tlsFor(account.settings) });
      check(res);
      const v = z.object({ data: z.object({ version: z.string().optional(), release: z.string().optional() }) }).safeParse(res.body);
      return { value: true, detail: v.success ? `Proxmox VE ${v.data.data.version ?? v.data.data.release ?? '?'}` : 'authenticated' };
    });
    if (!ok) return steps;
    await timedStep(steps, 'VMs and containers', async () => {
      const vms = await this.list(account);
      const sample = vms.slice(0, 5).map((s) => `${s.name} (${s.status})`).join(', ');
      return { value: vms, detail: `${vms.length} found${sample ? `: ${sample}` : ''}` };
    });
    return steps;
  }

  forget(accountId: string): void {
    this.tickets.delete(accountId);
  }
}
