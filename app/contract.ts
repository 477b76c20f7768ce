// The one typed contract between the renderer and main. Every call is name → argument schema →
// result schema; every event is name → payload schema. Main validates every argument with these
// schemas (the renderer is never trusted); both transports (Electron IPC and the browser-mode
// WebSocket) carry exactly these messages, so the preload, the handlers and the renderer cannot drift.
import { z } from 'zod';
import type { CALL_NAMES, EVENT_NAMES } from './contract-names.js';
import { CertificateInfo, DiagnosticReport } from './diagnostics.js';
import { PortholeErrorShape } from './errors.js';
import { PasswordProtection } from './password-protection.js';
import { DisplayOptions, ProfileInput, ProfileSummary, ExportBundle, ImportPreview, SecretSlotName } from './profile.js';
import { ApiUrl, CaPem, CloudAccountDocument, CloudAccountInput, CloudAccountSummary, CloudServer, CloudsYamlImport, CloudTestStep } from './cloud-account.js';

const Id = z.string().min(1).max(128);

export const SessionSource = z.discriminatedUnion('type', [
  /** A console URL pasted into quick connect (may carry a token; main keeps it). */
  z.object({
    type: z.literal('url'),
    url: z.string().min(1).max(8192),
    /** Trust for this console only: the SPKI pin the user accepted after seeing the certificate (quick connect). */
    pinSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/).optional(),
  }),
  /** The built-in demo console. */
  z.object({ type: z.literal('demo') }),
  /** A saved profile; its secrets come from the keychain in main. */
  z.object({ type: z.literal('profile'), profileId: Id }),
  /** A server of a cloud account: main mints a fresh console for it on every connect and reconnect. */
  z.object({ type: z.literal('cloud'), accountId: Id, serverId: z.string().min(1).max(512) }),
  /** A deep link or .vv file the user confirmed (link.accept opens this); main keeps what it names. */
  z.object({ type: z.literal('link'), requestId: Id }),
]);
export type SessionSource = z.infer<typeof SessionSource>;

export const SessionWarning = z.enum(['unencrypted-upstream', 'tls-verification-off', 'secret-not-saved']);
export type SessionWarning = z.infer<typeof SessionWarning>;

export const OpenedSession = z.object({
  sessionId: Id,
  /** ws://127.0.0.1:<port>/session/<ticket> — loopback only, single use, expires if unused. */
  wsUrl: z.string(),
  title: z.string(),
  /** Where the console lives, without any secret (for display). */
  displayAddress: z.string(),
  warnings: z.array(SessionWarning),
  /** A profile's display choices (scaling, view only, quality, compression, shared), to start the console with. */
  display: DisplayOptions.optional(),
  /** Remarks about the pasted address: parameters Porthole did not use, rules it applied. Secret-free. */
  notices: z.array(z.string()).optional(),
});
export type OpenedSession = z.infer<typeof OpenedSession>;

export const SessionState = z.enum(['connecting', 'connected', 'closed', 'failed']);
export type SessionState = z.infer<typeof SessionState>;

export const SessionStateEvent = z.object({
  sessionId: Id,
  state: SessionState,
  error: PortholeErrorShape.optional(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
});
export type SessionStateEvent = z.infer<typeof SessionStateEvent>;

export const AppInfo = z.object({
  name: z.literal('Porthole'),
  version: z.string(),
  shell: z.enum(['browser', 'electron']),
});

const Empty = z.object({}).strict();

/** A deep link or .vv file waiting for the user's confirmation (never connected silently). */
export const LinkRequestView = z.object({
  requestId: Id,
  kind: z.enum(['console-url', 'profile', 'vv-file']),
  /** Where it would connect, without any secret. */
  displayAddress: z.string(),
  title: z.string().optional(),
  profileId: Id.optional(),
  warnings: z.array(SessionWarning),
  /** Secret-free remarks to show before connecting (parameters not used, the file's CA, view only…). */
  notices: z.array(z.string()).optional(),
  /** A .vv file's fullscreen=1. */
  fullscreen: z.boolean().optional(),
});
export type LinkRequestView = z.infer<typeof LinkRequestView>;

/** Console actions from the desktop app's menu, dispatched to the focused window. */
export const MenuAction = z.enum(['connect', 'disconnect', 'send-ctrl-alt-del', 'type-text', 'screenshot', 'fullscreen', 'view-only']);
export type MenuAction = z.infer<typeof MenuAction>;

export const SessionStats = z.object({
  sessionId: Id,
  title: z.string(),
  displayAddress: z.string(),
  state: SessionState,
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
});
export type SessionStats = z.infer<typeof SessionStats>;

/** main → renderer: the VNC server asks for credentials main does not have; answer or cancel. */
export const CredentialsRequest = z.object({
  sessionId: Id,
  /** The server wants a user name too (VeNCrypt Plain). */
  username: z.boolean(),
  /** The console comes from a profile: offer "Remember in the keychain". */
  canRemember: z.boolean(),
  /** How the password will travel with the security type main chose: the dialog warns before the user types. */
  protection: PasswordProtection,
  /** The user name the typed or clicked address carried (vnc://user@host), to pre-fill; never a saved one. */
  usernameFromAddress: z.string().min(1).max(1024).optional(),
  /** Why the last attempt failed (a wrong password), to show in the dialog. */
  failure: PortholeErrorShape.optional(),
  /** The session gives up after this long without an answer. */
  timeoutMs: z.number().int().nonnegative(),
});
export type CredentialsRequest = z.infer<typeof CredentialsRequest>;

/** What the user typed: the only form in which a password passes through the renderer. */
export const CredentialsAnswer = z
  .object({
    sessionId: Id,
    password: z.string().min(1).max(1024),
    username: z.string().min(1).max(1024).optional(),
    remember: z.boolean().default(false),
  })
  .strict();

/** Cloud accounts (OpenStack, Proxmox VE): secrets go to the keychain in main and never come back. */
const cloudCalls = {
  'clouds.list': { args: Empty, result: z.object({ accounts: z.array(CloudAccountSummary), notice: z.string().optional() }) },
  /** secretKept: where the new secret went ('unchanged' when none was given). */
  'clouds.save': {
    args: z.object({ account: CloudAccountInput }).strict(),
    result: z.object({ account: CloudAccountSummary, secretKept: z.enum(['saved', 'memory-only', 'unchanged']) }),
  },
  'clouds.delete': { args: z.object({ accountId: Id }).strict(), result: Empty },
  /** The servers (OpenStack) or VMs and containers (Proxmox) the account can see. */
  'clouds.servers': { args: z.object({ accountId: Id }).strict(), result: z.object({ servers: z.array(CloudServer) }) },
  /** "Test connection" for an account: auth, endpoint, API version, a sample of servers, each timed; `text` is redacted. */
  'clouds.test': { args: z.object({ accountId: Id }).strict(), result: z.object({ steps: z.array(CloudTestStep), text: z.string() }) },
  'clouds.export': { args: Empty, result: CloudAccountDocument },
  'clouds.import': { args: z.object({ bundle: z.unknown() }).strict(), result: z.object({ added: z.number() }) },
  /** An openstack clouds.yaml (+ secure.yaml); `passwords` answers an earlier needPassword, `only` limits to those clouds. */
  'clouds.importYaml': {
    args: z
      .object({
        cloudsYaml: z.string().max(1024 * 1024),
        secureYaml: z.string().max(1024 * 1024).optional(),
        passwords: z.record(z.string().max(255), z.string().min(1).max(4096)).optional(),
        only: z.array(z.string().max(255)).max(1000).optional(),
      })
      .strict(),
    result: CloudsYamlImport,
  },
  /** "Save as profile" on a server or VM: a profile that refers to the account and the server (no URL, no token). */
  'clouds.saveAsProfile': {
    args: z.object({ accountId: Id, serverId: z.string().min(1).max(256), serverName: z.string().max(512) }).strict(),
    result: z.object({ profile: ProfileSummary }),
  },
  /** Trust on first use for a Proxmox account: the certificate its API presents (verification off for this look only). */
  'clouds.certificate': { args: z.object({ apiUrl: ApiUrl, caPem: CaPem.optional() }).strict(), result: CertificateInfo },
} as const;

/** Every renderer → main call. */
export const calls = {
  'app.info': { args: Empty, result: AppInfo },
  ...cloudCalls,
  'session.open': { args: z.object({ source: SessionSource }).strict(), result: OpenedSession },
  'session.close': { args: z.object({ sessionId: Id }).strict(), result: Empty },
  /** The caller's open sessions with their counters (bytes each way, duration, state). */
  'session.list': { args: Empty, result: z.object({ sessions: z.array(SessionStats) }) },
  /** A new session (new ticket) to the same target as an ended one, for reconnecting after a drop. */
  'session.reconnect': { args: z.object({ sessionId: Id }).strict(), result: OpenedSession },
  /** The answer to a session.credentials event. */
  'session.answerCredentials': { args: CredentialsAnswer, result: Empty },
  /** The user closed the password dialog without answering: the session ends. */
  'session.cancelCredentials': { args: z.object({ sessionId: Id }).strict(), result: Empty },
  /** "Test connection": DNS, TCP, TLS, WebSocket upgrade, RFB banner, each timed; `text` is redacted for support. */
  'diagnostics.run': { args: z.object({ source: SessionSource }).strict(), result: z.object({ report: DiagnosticReport, text: z.string() }) },
  /** The certificate a TLS console presents, for trust on first use. */
  'diagnostics.certificate': { args: z.object({ source: SessionSource }).strict(), result: CertificateInfo },
  /** Toggles the desktop window's fullscreen (the page may not ask for the permission itself). */
  'window.fullscreen': { args: Empty, result: z.object({ fullscreen: z.boolean() }) },
  /** Deep links and opened files: the desktop app's, or those on browser mode's command line. */
  'link.pending': { args: Empty, result: z.object({ requests: z.array(LinkRequestView) }) },
  'link.accept': { args: z.object({ requestId: Id }).strict(), result: OpenedSession },
  'link.dismiss': { args: z.object({ requestId: Id }).strict(), result: Empty },
  'profiles.list': { args: Empty, result: z.object({ profiles: z.array(ProfileSummary), notice: z.string().optional() }) },
  /** droppedSecrets: slots removed because the endpoint they were saved for changed (not re-entered, not kept). */
  'profiles.save': {
    args: z.object({ profile: ProfileInput }).strict(),
    result: z.object({ profile: ProfileSummary, warnings: z.array(SessionWarning), droppedSecrets: z.array(z.string()).optional() }),
  },
  /** Trust on first use: pin this certificate's public key for this profile only. */
  'profiles.trustCertificate': {
    args: z.object({ profileId: Id, pinSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/) }).strict(),
    result: z.object({ profile: ProfileSummary }),
  },
  /** undoToken: pass to profiles.undo within a minute to bring the profile and its secrets back. */
  'profiles.delete': { args: z.object({ profileId: Id }).strict(), result: z.object({ undoToken: z.string().optional() }) },
  'profiles.duplicate': { args: z.object({ profileId: Id }).strict(), result: z.object({ profile: ProfileSummary }) },
  'profiles.export': { args: z.object({ profileIds: z.array(Id).max(10_000).optional() }).strict(), result: ExportBundle },
  'profiles.importPreview': { args: z.object({ bundle: z.unknown() }).strict(), result: ImportPreview },
  'profiles.importApply': {
    args: z.object({ bundle: z.unknown() }).strict(),
    result: z.object({ added: z.number(), updated: z.number(), undoToken: z.string().optional() }),
  },
  /**
   * A secret the profile needs but has not (imported without it, dropped by an address change, keychain
   * unavailable), typed when opening it: kept in the keychain with `remember`, else in main's memory
   * for the next session.open of this profile only. Slots: 'token' or 'header:<name>'. Never sent back.
   */
  'profiles.supplySecrets': {
    args: z.object({ profileId: Id, secrets: z.record(SecretSlotName, z.string().min(1).max(16 * 1024)), remember: z.boolean() }).strict(),
    result: z.object({ kept: z.enum(['saved', 'memory-only', 'next-connect']) }),
  },
  /** Reverts a delete or an import (profiles and the secrets it removed), once, within a minute. */
  'profiles.undo': { args: z.object({ undoToken: z.string().min(1).max(64) }).strict(), result: z.object({ restored: z.number() }) },
} as const;

/** Every main → renderer event. */
export const events = {
  'session.state': SessionStateEvent,
  'session.credentials': CredentialsRequest,
  'link.request': LinkRequestView,
  'menu.action': z.object({ action: MenuAction }),
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallArgs<N extends CallName> = z.infer<(typeof calls)[N]['args']>;
export type CallResult<N extends CallName> = z.infer<(typeof calls)[N]['result']>;
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: PortholeErrorShape };

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

// The zod-free name lists (contract-names.ts) must name exactly these calls and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: [Same<CallName, (typeof CALL_NAMES)[number]>, Same<EventName, (typeof EVENT_NAMES)[number]>] = [true, true];
void namesMatch;

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

/** What the renderer sees of main, whatever the transport. */
export interface PortholeApi {
  call<N extends CallName>(name: N, args: CallArgs<N>): Promise<Outcome<CallResult<N>>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
}

// Wire format of the browser-mode WebSocket (the Electron transport uses ipcRenderer.invoke instead).
export const WireRequest = z.object({ id: z.number().int().nonnegative(), call: z.string().max(64), args: z.unknown() }).strict();
export type WireRequest = z.infer<typeof WireRequest>;
export type WireMessage =
  | { kind: 'result'; id: number; outcome: Outcome<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };
