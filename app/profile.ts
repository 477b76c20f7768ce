// Connection profiles: the schema of what is stored on disk (never a secret) and of what crosses
// the contract. Secrets live in the keychain; a profile only names its secret slots.
import { z } from 'zod';

export const PROFILE_SCHEMA_VERSION = 1;

export const EndpointKind = z.enum(['nova', 'websockify', 'proxmox', 'vnc-tcp', 'vnc-tls']);
export type EndpointKind = z.infer<typeof EndpointKind>;

export const SecretSlot = z.enum(['token', 'password', 'username']);
export type SecretSlot = z.infer<typeof SecretSlot>;

const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'not a valid HTTP header name');
const ShortText = z.string().max(200);

export const Endpoint = z.object({
  kind: EndpointKind,
  /** The console address without any secret: a ws(s):// URL, an http(s) console page, or vnc://host:port. */
  address: z.string().min(1).max(2048),
  /** An Origin header to send upstream, for gateways that demand one (Nova sends none by default). */
  originOverride: z.string().max(512).optional(),
  /** Older Nova consoles read the token from a `token` cookie instead of the query string. */
  tokenIn: z.enum(['query', 'cookie']).default('query'),
  /** Extra non-secret headers; secret ones are named in secretHeaders and kept in the keychain. */
  headers: z.record(HeaderName, z.string().max(4096)).default({}),
  secretHeaders: z.array(HeaderName).max(32).default([]),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const TlsOptions = z.object({
  caPem: z.string().max(256 * 1024).optional(),
  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
  pinSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'not a base64 SHA-256 pin').optional(),
  allowInsecure: z.boolean().default(false),
});

export const DisplayOptions = z.object({
  scaling: z.enum(['fit', 'actual', 'remote']).default('fit'),
  viewOnly: z.boolean().default(false),
  quality: z.number().int().min(0).max(9).default(6),
  compression: z.number().int().min(0).max(9).default(2),
  shared: z.boolean().default(true),
  confirmCtrlAltDel: z.boolean().default(false),
  /** Copy text the remote machine puts on its clipboard to this computer's clipboard (opt-in: a guest could plant a command to paste). */
  copyClipboard: z.boolean().optional(),
});
export type DisplayOptions = z.infer<typeof DisplayOptions>;

/** Where a secret is: saved in the keychain, held in memory for this run only, or absent. */
export const SecretStatus = z.enum(['saved', 'memory-only', 'none']);
export type SecretStatus = z.infer<typeof SecretStatus>;

const Folder = z
  .string()
  .max(512)
  .regex(/^(?:[^/]+(?:\/[^/]+)*)?$/, 'folders are names separated by "/"');

/** One stored profile, as it is written to the profile file. */
export const Profile = z.object({
  id: z.string().min(1).max(128),
  name: z.string().trim().min(1).max(200),
  folder: Folder.default(''),
  tags: z.array(ShortText).max(64).default([]),
  endpoint: Endpoint,
  tls: TlsOptions.default({ allowInsecure: false }),
  display: DisplayOptions.default({
    scaling: 'fit',
    viewOnly: false,
    quality: 6,
    compression: 2,
    shared: true,
    confirmCtrlAltDel: false,
  }),
  notes: z.string().max(16 * 1024).default(''),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
  /** Names of the slots that have a secret in the keychain (never the secret itself). */
  secretSlots: z.array(z.union([SecretSlot, z.string().regex(/^header:[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/)])).default([]),
});
export type Profile = z.infer<typeof Profile>;

/**
 * A secret as the editor sends it: a new value, `null` to clear it, or absent to keep what is saved.
 * The value goes straight to the keychain in main.
 */
const SecretEdit = z.union([z.string().max(16 * 1024), z.null()]).optional();

/** What the editor sends to save (create when id is absent). */
export const ProfileInput = z
  .object({
    id: z.string().min(1).max(128).optional(),
    name: z.string().trim().min(1, 'a profile needs a name').max(200),
    folder: Folder.default(''),
    tags: z.array(ShortText).max(64).default([]),
    /** The "Console URL" field; a token inside it is moved to the token slot. */
    address: z.string().trim().min(1, 'a profile needs a console URL').max(8192),
    kind: EndpointKind.optional(),
    originOverride: z.string().max(512).optional(),
    tokenIn: z.enum(['query', 'cookie']).default('query'),
    headers: z.record(HeaderName, z.string().max(4096)).default({}),
    tls: TlsOptions.partial().default({}),
    display: DisplayOptions.partial().default({}),
    notes: z.string().max(16 * 1024).default(''),
    secrets: z
      .object({
        token: SecretEdit,
        password: SecretEdit,
        username: SecretEdit,
        headers: z.record(HeaderName, SecretEdit).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

/** A profile as the renderer sees it: everything but secrets, plus where each secret is. */
export const ProfileSummary = Profile.extend({
  secretStatus: z.record(z.string(), SecretStatus),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

/** The profile file. */
export const ProfileDocument = z.object({
  version: z.literal(PROFILE_SCHEMA_VERSION),
  profiles: z.array(Profile),
});
export type ProfileDocument = z.infer<typeof ProfileDocument>;

/** An export: profiles without secrets (secret slots as names only). */
export const ExportBundle = z.object({
  format: z.literal('porthole-profiles'),
  version: z.literal(PROFILE_SCHEMA_VERSION),
  exportedAt: z.string(),
  profiles: z.array(Profile),
});
export type ExportBundle = z.infer<typeof ExportBundle>;

export const ImportPreview = z.object({
  add: z.array(z.object({ id: z.string(), name: z.string() })),
  update: z.array(z.object({ id: z.string(), name: z.string(), changes: z.array(z.string()) })),
  unchanged: z.number().int().nonnegative(),
});
export type ImportPreview = z.infer<typeof ImportPreview>;
