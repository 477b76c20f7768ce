// Keystone v3: application-credential or password authentication. The token is cached per account
// until shortly before its expires_at and dropped on a 401; it and the secret stay in this module's
// memory and in request headers, nowhere else.
import { z } from 'zod';
import type { OpenStackSettings } from '../../../app/cloud-account.js';
import { PortholeError } from '../../../app/errors.js';
import { apiRequest, statusError } from '../api-client.js';
import type { AccountCredential } from '../provider.js';
import type { TlsPolicy } from '../../proxy/tls-policy.js';

const CatalogEntry = z.object({
  type: z.string(),
  endpoints: z.array(z.object({ interface: z.string(), region: z.string().nullish(), region_id: z.string().nullish(), url: z.string() })),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

const TokenBody = z.object({
  token: z.object({
    expires_at: z.string(),
    catalog: z.array(CatalogEntry).default([]),
    project: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  }),
});

export interface KeystoneToken {
  value: string;
  expiresAt: number;
  catalog: CatalogEntry[];
  projectName?: string;
}

/** Refresh this long before Keystone's expires_at, so a request never carries a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

export function tlsFor(settings: OpenStackSettings): TlsPolicy {
  return { allowInsecure: false, ...(settings.caPem ? { caPem: settings.caPem } : {}) };
}

/** ".../v3/auth/tokens" for an auth URL given with or without /v3. */
export function tokensUrl(authUrl: string): URL {
  const base = authUrl.replace(/\/+$/, '');
  return new URL(`${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`);
}

function identity(settings: OpenStackSettings, secret: string): unknown {
  const a = settings.auth;
  if (a.method === 'application-credential') {
    return { auth: { identity: { methods: ['application_credential'], application_credential: { id: a.credentialId, secret } } } };
  }
  if (a.method === 'application-credential-name') {
    return { auth: { identity: { methods: ['application_credential'], application_credential: { name: a.credentialName, secret, user: { name: a.userName, domain: { name: a.userDomain } } } } } };
  }
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: a.userName, domain: { name: a.userDomain }, password: secret } } },
      scope: { project: { name: a.projectName, domain: { name: a.projectDomain } } },
    },
  };
}

export class KeystoneSessions {
  private readonly tokens = new Map<string, { key: string; token: Promise<KeystoneToken> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A valid token for the account: cached, or fresh from Keystone. */
  async token(account: AccountCredential<OpenStackSettings>): Promise<KeystoneToken> {
    // The cache key covers everything the token depends on, secret included (kept in memory only).
    const key = JSON.stringify([account.settings.authUrl, account.settings.auth, account.secret, account.settings.caPem ?? '']);
    const cached = this.tokens.get(account.id);
    if (cached && cached.key === key) {
      const token = await cached.token.catch(() => undefined);
      if (token && token.expiresAt - EXPIRY_MARGIN_MS > this.now()) return token;
    }
    const token = this.authenticate(account);
    this.tokens.set(account.id, { key, token });
    token.catch(() => {
      if (this.tokens.get(account.id)?.token === token) this.tokens.delete(account.id);
    });
    return token;
  }

  /** The API said 401 to this token: the next call authenticates again. */
  invalidate(accountId: string, token: KeystoneToken): void {
    const cached = this.tokens.get(accountId);
    if (cached) void cached.token.then((t) => t === token && this.tokens.get(accountId) === cached && this.tokens.delete(accountId), () => undefined);
  }

  forget(accountId: string): void {
    this.tokens.delete(accountId);
  }

  private async authenticate(account: AccountCredential<OpenStackSettings>): Promise<KeystoneToken> {
    const res = await apiRequest({ method: 'POST', url: tokensUrl(account.settings.authUrl), json: identity(account.settings, account.secret), tls: tlsFor(account.settings) });
    // Keystone answers a wrong secret with 401 and an unknown credential id with 404.
    if (res.status === 401 || res.status === 404 || res.status === 400) throw statusError('cloud-auth-failed', res.status, res.body);
    if (res.status === 403) throw statusError('cloud-forbidden', res.status, res.body);
    if (res.status !== 201 && res.status !== 200) throw statusError('cloud-unreachable', res.status, res.body);
    const value = res.headers['x-subject-token'];
    const body = TokenBody.safeParse(res.body);
    if (typeof value !== 'string' || !value || !body.success) throw new PortholeError('cloud-unreachable', 'Keystone answered without a token or catalog');
    const expiresAt = Date.parse(body.data.token.expires_at);
    return {
      value,
      expiresAt: Number.isFinite(expiresAt) ? expiresAt : this.now() + 5 * 60_000,
      catalog: body.data.token.catalog,
      ...(body.data.token.project?.name ? { projectName: body.data.token.project.name } : {}),
    };
  }
}

/** The compute endpoint from the catalog: type compute, the account's interface and (if set) region. */
export function computeEndpoint(catalog: CatalogEntry[], settings: OpenStackSettings): URL {
  const entry = catalog.find((c) => c.type === 'compute');
  if (!entry) throw new PortholeError('console-unavailable', 'the catalog has no compute service');
  const match = entry.endpoints.find((e) => e.interface === settings.interface && (!settings.region || e.region_id === settings.region || e.region === settings.region));
  if (!match) throw new PortholeError('console-unavailable', `no ${settings.interface} compute endpoint${settings.region ? ` in region ${settings.region}` : ''}`);
  let url: URL;
  try {
    url = new URL(match.url);
  } catch {
    throw new PortholeError('cloud-unreachable', 'the catalog lists a malformed compute URL');
  }
  // A catalog URL is data from the network: only http(s), never with credentials in it.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) throw new PortholeError('cloud-unreachable', 'the catalog lists an unusable compute URL');
  return url;
}
