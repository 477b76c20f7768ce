// Connection profiles: the schema of what is stored on disk (never a secret) and of what crosses
// the contract. Secrets live in the keychain; a profile only names its secret slots.
import { z } from 'zod';
import { duplicateHeaderName, HeaderName, HeaderValue, OriginOverride } from './http-fields.js';

export const PROFILE_SCHEMA_VERSION = 1;

export const EndpointKind = z.enum(['nova', 'websockify', 'proxmox', 'vnc-tcp', 'vnc-tls', 'cloud']);
export type EndpointKind = z.infer<typeof EndpointKind>;

export const SecretSlot = z.enum(['token', 'password', 'username']);
export type SecretSlot = z.infer<typeof SecretSlot>;

/** Text shown in the UI (names, tags, folders): no control characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const ShortText = z.string().max(200).regex(NO_CONTROL, 'contains a control character');

/**
 * A stored console address: no secret, no space or control character, one of the schemes the
 * address parser accepts. The full parse happens on save, on import and on every connect.
 */
const StoredAddress = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^(?:https?|wss?|vnc|vnc\+tls|vncs|cloud):\/\/[\x21-\x7e]+$/i, 'not a console address (http(s)://, ws(s):// or vnc:// with no spaces or control characters)');

/**
 * A profile of kind `cloud`: a server of a cloud account, by reference (never a console URL or a
 * token). Opening it mints a fresh console through the account, as a click in the Clouds list does.
 * The names are what the list showed when it was saved, for display only.
 */
export const CloudReference = z
  .object({
    accountId: z.string().min(1).max(128).regex(NO_CONTROL, 'contains a control character'),
    /** Nova server UUID, or Proxmox "<node>/<qemu|lxc>/<vmid>". */
    serverId: z.string().min(1).max(256).regex(/^[\x21-\x7e]+$/, 'not a server id'),
    serverName: z.string().max(512).regex(NO_CONTROL, 'contains a control character'),
    cloudName: ShortText,
    cloudType: z.enum(['openstack', 'proxmox']),
  })
  .strict();
export type CloudReference = z.infer<typeof CloudReference>;

/** The stored address of a cloud profile: the reference itself, so lists and exports read it back. */
export function cloudProfileAddress(ref: Pick<CloudReference, 'accountId' | 'serverId'>): string {
  return `cloud://${encodeURIComponent(ref.accountId)}/${encodeURIComponent(ref.serverId)}`;
}

const HeaderMap = z
  .record(HeaderName, HeaderValue)
  .refine((h) => Object.keys(h).length <= 32, 'at most 32 extra headers')
  .refine((h) => duplicateHeaderName(Object.keys(h)) === undefined, 'the same header is named twice (names are case-insensitive)');

/** One or more PEM certificates, nothing else (it becomes a TLS trust anchor). */
const CaPem = z
  .string()
  .max(256 * 1024)
  .regex(/^\s*(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/, 'not a PEM certificate (-----BEGIN CERTIFICATE----- …)');

/** A secret slot's name as it appears in the profile file. */
export const SecretSlotName = z.string().regex(/^(?:token|password|username|header:[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64})$/, 'not a secret slot name');

/**
 * Where a secret may be sent: "scheme://host:port" of the endpoint it was saved for
 * (see app/secret-binding.ts). Not a secret.
 */
export const BoundEndpoint = z.string().max(600).regex(/^[a-z+]+:\/\/[\x21-\x7e]+$/);

export const Endpoint = z
  .object({
    kind: EndpointKind,
    /** The console address without any secret: a ws(s):// URL, an http(s) console page, or vnc://host:port. */
    address: StoredAddress,
    /** An Origin header to send upstream, for gateways that demand one (Nova sends none by default). */
    originOverride: OriginOverride.optional(),
    /** Older Nova consoles read the token from a `token` cookie instead of the query string. */
    tokenIn: z.enum(['query', 'cookie']).default('query'),
    /** Extra non-secret headers; secret ones are named in secretHeaders and kept in the keychain. */
    headers: HeaderMap.default({}),
    secretHeaders: z
      .array(HeaderName)
      .max(32)
      .refine((names) => duplicateHeaderName(names) === undefined, 'a secret header is named twice')
      .default([]),
    /** Only for kind `cloud`: the account and server it opens (then `address` is cloudProfileAddress(cloud)). */
    cloud: CloudReference.optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.kind === 'cloud') !== (e.cloud !== undefined)) ctx.addIssue({ code: 'custom', path: ['cloud'], message: 'a cloud profile names its account and server, and only a cloud profile does' });
    else if (e.cloud && e.address !== cloudProfileAddress(e.cloud)) ctx.addIssue({ code: 'custom', path: ['address'], message: 'a cloud profile\'s address must be its cloud:// reference' });
    else if (!e.cloud && /^cloud:/i.test(e.address)) ctx.addIssue({ code: 'custom', path: ['address'], message: 'only a cloud profile has a cloud:// address' });
  });
export type Endpoint = z.infer<typeof Endpoint>;

export const TlsOptions = z.object({
  caPem: CaPem.optional(),
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

/**
 * What the profile list shows for a slot: SecretStatus, or 'missing' (the profile needs it but has
 * none: imported without secrets, or dropped when its endpoint changed) or 'unavailable' (saved, but
 * the keychain cannot be reached right now).
 */
export const SecretState = z.enum(['saved', 'memory-only', 'none', 'missing', 'unavailable']);
export type SecretState = z.infer<typeof SecretState>;

const Folder = z
  .string()
  .max(512)
  .regex(/^(?:[^/]+(?:\/[^/]+)*)?$/, 'folders are names separated by "/"');

/** One stored profile, as it is written to the profile file. */
export const Profile = z.object({
  id: z.string().min(1).max(128).regex(NO_CONTROL, 'contains a control character'),
  name: z.string().trim().min(1).max(200).regex(NO_CONTROL, 'contains a control character'),
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
  secretSlots: z.array(SecretSlotName).max(40).default([]),
  /** For each slot with a secret: the endpoint it was saved for. Main sends a secret nowhere else. */
  secretBindings: z.record(SecretSlotName, BoundEndpoint).optional(),
  /** Slots this profile needs but has no secret for (imported without secrets, or dropped when the endpoint changed). */
  missingSecrets: z.array(SecretSlotName).max(40).optional(),
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
    name: z.string().trim().min(1, 'a profile needs a name').max(200).regex(NO_CONTROL, 'a name cannot contain control characters'),
    folder: Folder.default(''),
    tags: z.array(ShortText).max(64).default([]),
    /** The "Console URL" field; a token inside it is moved to the token slot. */
    address: z.string().trim().min(1, 'a profile needs a console URL').max(8192),
    kind: EndpointKind.optional(),
    originOverride: OriginOverride.optional(),
    tokenIn: z.enum(['query', 'cookie']).default('query'),
    headers: HeaderMap.default({}),
    tls: TlsOptions.partial().default({}),
    display: DisplayOptions.partial().default({}),
    notes: z.string().max(16 * 1024).default(''),
    secrets: z
      .object({
        token: SecretEdit,
        password: SecretEdit,
        username: SecretEdit,
        headers: z
          .record(HeaderName, SecretEdit)
          .refine((h) => duplicateHeaderName(Object.keys(h)) === undefined, 'the same secret header is named twice')
          .optional(),
      })
      .strict()
      .superRefine((secrets, ctx) => {
        // Secret header values go into a request too; the message never repeats the value.
        for (const [name, value] of Object.entries(secrets.headers ?? {})) {
          if (typeof value !== 'string' || value === '') continue;
          const checked = HeaderValue.safeParse(value);
          if (!checked.success) ctx.addIssue({ code: 'custom', path: ['headers', name], message: checked.error.issues[0]?.message ?? 'invalid header value' });
        }
      })
      .default({}),
    /**
     * The endpoint changed and the user chose to keep the saved secrets: `from` is the endpoint they
     * were saved for, `to` the new one, both as the editor showed them. Main keeps them only when
     * both match what it computes itself.
     */
    keepSecrets: z.object({ from: BoundEndpoint, to: BoundEndpoint }).strict().optional(),
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

/** A profile as the renderer sees it: everything but secrets, plus where each secret is. */
export const ProfileSummary = Profile.extend({
  secretStatus: z.record(z.string(), SecretState),
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

/** One changed field of an import update, with both values as short display text (never a secret). */
export const FieldChange = z.object({ field: z.string(), before: z.string(), after: z.string() });
export type FieldChange = z.infer<typeof FieldChange>;

export const ImportPreview = z.object({
  add: z.array(z.object({ id: z.string(), name: z.string() })),
  update: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      changes: z.array(FieldChange),
      /** Saved secrets the update removes, because the endpoint they were saved for changes. */
      dropsSecrets: z.array(z.string()),
    }),
  ),
  unchanged: z.number().int().nonnegative(),
});
export type ImportPreview = z.infer<typeof ImportPreview>;
