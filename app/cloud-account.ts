// Cloud accounts: a durable credential for an OpenStack or Proxmox VE API, from which main mints a
// fresh console on every connect. The account file holds no secret: the application credential
// secret, password or API token secret lives in the keychain, bound to the endpoint it was saved for.
import { z } from 'zod';
import { SecretStatus } from './profile.js';

const Id = z.string().min(1).max(128);
const Name = z.string().trim().min(1).max(200);
const Short = z.string().trim().min(1).max(255);

/** An http(s) API address without credentials or fragment. */
export const ApiUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && u.hash === '' && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// address without user, password or #fragment');

export const CaPem = z
  .string()
  .max(256 * 1024)
  .regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, 'must be one or more PEM certificates');

export const OpenStackAuth = z.discriminatedUnion('method', [
  /** Application credential by id (the usual form; the secret is in the keychain). */
  z.object({ method: z.literal('application-credential'), credentialId: Short }).strict(),
  /** Application credential by name: Keystone then needs its owner. */
  z.object({ method: z.literal('application-credential-name'), credentialName: Short, userName: Short, userDomain: Short.default('Default') }).strict(),
  /** Password authentication (the password in the keychain). */
  z.object({ method: z.literal('password'), userName: Short, userDomain: Short.default('Default'), projectName: Short, projectDomain: Short.default('Default') }).strict(),
]);
export type OpenStackAuth = z.infer<typeof OpenStackAuth>;

export const OpenStackSettings = z
  .object({
    type: z.literal('openstack'),
    /** Keystone, with or without /v3. */
    authUrl: ApiUrl,
    auth: OpenStackAuth,
    region: Short.optional(),
    interface: z.enum(['public', 'internal', 'admin']).default('public'),
    caPem: CaPem.optional(),
  })
  .strict();
export type OpenStackSettings = z.infer<typeof OpenStackSettings>;

export const ProxmoxAuth = z.discriminatedUnion('method', [
  /** API token: Authorization: PVEAPIToken=<tokenId>=<secret>. */
  z.object({ method: z.literal('token'), tokenId: z.string().trim().regex(/^[^\s@!=]+@[^\s@!=]+![A-Za-z][A-Za-z0-9._-]{0,63}$/, 'must look like user@realm!name') }).strict(),
  /** User name and password: a ticket with its CSRF token (no two-factor login). */
  z.object({ method: z.literal('password'), userName: z.string().trim().regex(/^[^\s@!=:]+$/, 'a user name without @realm'), realm: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/).default('pam') }).strict(),
]);
export type ProxmoxAuth = z.infer<typeof ProxmoxAuth>;

export const ProxmoxSettings = z
  .object({
    type: z.literal('proxmox'),
    /** https://host:8006 */
    apiUrl: ApiUrl,
    auth: ProxmoxAuth,
    caPem: CaPem.optional(),
    /** Trust on first use: base64 SHA-256 of the API server's public key. */
    pinSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/).optional(),
  })
  .strict();
export type ProxmoxSettings = z.infer<typeof ProxmoxSettings>;

export const CloudSettings = z.discriminatedUnion('type', [OpenStackSettings, ProxmoxSettings]);
export type CloudSettings = z.infer<typeof CloudSettings>;

/** What the renderer sends to save an account; `secret` goes to the keychain and nowhere else. */
export const CloudAccountInput = z
  .object({
    id: Id.optional(),
    name: Name,
    settings: CloudSettings,
    /** New secret; omitted = keep the saved one (only while the endpoint and credential stay the same). */
    secret: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type CloudAccountInput = z.infer<typeof CloudAccountInput>;
export type CloudAccountDraft = z.input<typeof CloudAccountInput>;

/** An account as stored in clouds.json and shown to the renderer (no secret). */
export const CloudAccount = z.object({
  id: Id,
  name: Name,
  settings: CloudSettings,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** A secret was put in the keychain for these settings (the file never holds the secret itself). */
  secretSaved: z.boolean().default(false),
});
export type CloudAccount = z.infer<typeof CloudAccount>;

export const CloudAccountSummary = CloudAccount.extend({ secretStatus: SecretStatus });
export type CloudAccountSummary = z.infer<typeof CloudAccountSummary>;

/** One server / VM / container of an account, as the browse list shows it. */
export const CloudServer = z.object({
  /** Nova server UUID, or Proxmox "<node>/<qemu|lxc>/<vmid>". */
  id: z.string().min(1).max(256),
  name: z.string().max(512),
  /** The cloud's own word (ACTIVE, SHUTOFF, running, stopped…). */
  status: z.string().max(64),
  /** Whether a console can be asked for now. */
  console: z.enum(['available', 'stopped', 'unavailable']),
  addresses: z.array(z.string().max(256)).max(64),
  node: z.string().max(128).optional(),
  kind: z.enum(['server', 'qemu', 'lxc']),
});
export type CloudServer = z.infer<typeof CloudServer>;

/** One timed step of "Test connection" on an account; texts are secret-free. */
export const CloudTestStep = z.object({
  name: z.string(),
  ok: z.boolean(),
  ms: z.number().nonnegative(),
  detail: z.string(),
});
export type CloudTestStep = z.infer<typeof CloudTestStep>;

export const CLOUD_EXPORT_FORMAT = 'porthole-clouds';
export const CLOUD_SCHEMA_VERSION = 1;

/** The account file and the export share this shape: never a secret in either. */
export const CloudAccountDocument = z.object({
  format: z.literal(CLOUD_EXPORT_FORMAT),
  version: z.literal(CLOUD_SCHEMA_VERSION),
  accounts: z.array(CloudAccount).max(10_000),
});
export type CloudAccountDocument = z.infer<typeof CloudAccountDocument>;

/** The result of reading a clouds.yaml (+ secure.yaml). */
export const CloudsYamlImport = z.object({
  added: z.array(CloudAccountSummary),
  /** Password clouds whose password is in neither file: ask, then import again with `passwords`. */
  needPassword: z.array(z.string()),
  refused: z.array(z.object({ cloud: z.string(), reason: z.string() })),
});
export type CloudsYamlImport = z.infer<typeof CloudsYamlImport>;

/** The endpoint a secret belongs to: changing it (or the credential's identity) drops the secret. */
export function secretBinding(settings: CloudSettings): string {
  if (settings.type === 'openstack') {
    const a = settings.auth;
    const who = a.method === 'application-credential' ? a.credentialId : a.method === 'application-credential-name' ? `${a.credentialName}/${a.userName}@${a.userDomain}` : `${a.userName}@${a.userDomain}`;
    return `openstack ${settings.authUrl.replace(/\/+$/, '')} ${a.method} ${who}`;
  }
  const a = settings.auth;
  return `proxmox ${settings.apiUrl.replace(/\/+$/, '')} ${a.method} ${a.method === 'token' ? a.tokenId : `${a.userName}@${a.realm}`}`;
}
