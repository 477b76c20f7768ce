// The contract's implementation, transport-free. Arguments arrive already validated by the core.
import type { CallArgs, CallName, CallResult, OpenedSession, SessionSource, SessionWarning } from '../app/contract.js';
import { describeTarget, isEncrypted, upstreamWebSocketUrl, type ConsoleTarget, type TcpTarget, type WebSocketTarget } from '../app/console-target.js';
import { parseConsoleAddress } from '../app/console-address.js';
import { addressChoices } from './address-choices.js';
import type { LinkRequests } from './links/link-requests.js';
import { PortholeError, type PortholeErrorShape } from '../app/errors.js';
import type { DisplayOptions, EndpointKind, ProfileSummary } from '../app/profile.js';
import type { CallerContext } from './core-types.js';
import { inspectCertificate } from './diagnostics/certificate.js';
import { formatReport } from './diagnostics/format-report.js';
import { runDiagnostics } from './diagnostics/run-diagnostics.js';
import type { TlsPolicy } from './proxy/tls-policy.js';
import type { SessionManager } from './sessions.js';
import { createCloudHandlers } from './api/clouds.js';
import type { CloudService } from './clouds/cloud-service.js';
import { profileVncCredentials } from './rfb/security/profile-credentials.js';
import { inputFromProfile } from './profiles/input-from-profile.js';
import type { ProfileStore } from './profiles/profile-store.js';
import { SuppliedSecrets } from './profiles/supplied-secrets.js';
import type { SecretSlotName, SecretStore } from './secrets/secret-store.js';

export type Handlers = { [N in CallName]: (args: CallArgs<N>, caller: CallerContext) => Promise<CallResult<N>> };

export interface ApiDeps {
  version: string;
  shell: 'browser' | 'electron';
  sessions: SessionManager;
  profiles: () => Promise<ProfileStore>;
  secrets: SecretStore;
  /** Starts the built-in demo server on first use and returns its loopback port. */
  demoPort: () => Promise<number>;
  /** Cloud accounts and console minting (main/clouds). */
  clouds: CloudService;
  /** Deep links and .vv files waiting for the user's answer (both shells submit to the core's one registry). */
  links: LinkRequests;
}

/** What a profile's "Console URL" resolves to when saved: the address without its secrets. */
export function resolveProfileAddress(
  address: string,
): { ok: true; kind: EndpointKind; address: string; token?: string; password?: string } | { ok: false; error: PortholeErrorShape } {
  const parsed = parseConsoleAddress(address);
  if (!parsed.ok) return parsed;
  const t = parsed.target;
  if (t.kind === 'websocket') {
    // A noVNC page's `password` becomes the profile's password secret, never part of its address.
    const { token, password, username: _username, ...rest } = t;
    return {
      ok: true,
      kind: parsed.kind,
      address: upstreamWebSocketUrl({ ...rest }),
      ...(token !== undefined ? { token } : {}),
      ...(password !== undefined ? { password } : {}),
    };
  }
  if (t.kind === 'vnc-tcp') {
    const { password, ...rest } = t;
    return { ok: true, kind: parsed.kind, address: describeTarget(rest), ...(password !== undefined ? { password } : {}) };
  }
  throw new PortholeError('url-invalid', 'the demo cannot be saved as a profile');
}

function warningsFor(target: ConsoleTarget, allowInsecure: boolean): SessionWarning[] {
  const warnings: SessionWarning[] = [];
  if (!isEncrypted(target)) warnings.push('unencrypted-upstream');
  if (allowInsecure && isEncrypted(target) && target.kind !== 'demo') warnings.push('tls-verification-off');
  return warnings;
}

function titleFor(target: ConsoleTarget): string {
  return target.kind === 'demo' ? 'Demo' : target.host;
}

/** A profile's secret: the store reads it only when it has one, saved for the profile's current endpoint. */
async function readSecret(profile: ProfileSummary, slot: SecretSlotName, store: ProfileStore, supplied?: SuppliedSecrets): Promise<string | undefined> {
  // What the user just typed for this connect comes first (the keychain may be the reason it was asked).
  return supplied?.peek(profile, slot) ?? store.readSecret(profile.id, slot);
}

async function targetForProfile(profile: ProfileSummary, secrets: ProfileStore, supplied: SuppliedSecrets): Promise<ConsoleTarget> {
  const parsed = parseConsoleAddress(profile.endpoint.address);
  if (!parsed.ok) throw new PortholeError(parsed.error.code, parsed.error.detail);
  const target = parsed.target;
  if (target.kind === 'websocket') {
    const token = await readSecret(profile, 'token', secrets, supplied);
    const flavour = profile.endpoint.kind === 'nova' || profile.endpoint.kind === 'proxmox' ? profile.endpoint.kind : target.flavour;
    return { ...target, flavour, ...(token !== undefined ? { token, tokenIn: profile.endpoint.tokenIn } : {}) };
  }
  if (target.kind === 'vnc-tcp') {
    const password = await readSecret(profile, 'password', secrets);
    return { ...target, tls: target.tls || profile.endpoint.kind === 'vnc-tls', ...(password !== undefined ? { password } : {}) };
  }
  return target;
}

/** Everything needed to reach a console, resolved in main (secrets included). */
interface ResolvedSource {
  target: ConsoleTarget;
  title: string;
  tls: TlsPolicy;
  originOverride?: string;
  headers?: Record<string, string>;
  profileId?: string;
  display?: DisplayOptions;
  /** Secret-free remarks about a pasted address (parameters not used…), shown with the console. */
  notices?: string[];
}

export function createHandlers(deps: ApiDeps): Handlers {
  /** Secrets typed when opening a profile that lacks them, held for its next connect only. */
  const supplied = new SuppliedSecrets();
  async function resolveSource(source: SessionSource): Promise<ResolvedSource> {
    if (source.type === 'demo') return { target: { kind: 'demo' }, title: 'Demo', tls: { allowInsecure: false } };
    // A cloud server: a freshly minted console (diagnostics; session.open mints through clouds.open).
    if (source.type === 'cloud') return deps.clouds.request(source.accountId, source.serverId, 'diagnostics');
    if (source.type === 'link') return resolveLink(source.requestId);
    if (source.type === 'url') {
      const parsed = parseConsoleAddress(source.url);
      if (!parsed.ok) throw new PortholeError(parsed.error.code, parsed.error.detail);
      // A pin accepted in quick connect holds for this source only; it is never stored.
      return { target: parsed.target, title: titleFor(parsed.target), tls: { allowInsecure: false, ...(source.pinSha256 ? { pinSha256: source.pinSha256 } : {}) } };
    }
    const store = await deps.profiles();
    const profile = await store.get(source.profileId);
    if (!profile) throw new PortholeError('profile-not-found');
    const cloud = profile.endpoint.cloud;
    if (cloud) return deps.clouds.request(cloud.accountId, cloud.serverId, 'diagnostics', { title: profile.name, display: profile.display });
    const headers: Record<string, string> = { ...profile.endpoint.headers };
    for (const name of profile.endpoint.secretHeaders) {
      const value = await readSecret(profile, `header:${name}`, store, supplied);
      if (value !== undefined) headers[name] = value;
    }
    return {
      target: await targetForProfile(profile, store, supplied),
      title: profile.name,
      tls: {
        allowInsecure: profile.tls.allowInsecure,
        ...(profile.tls.caPem ? { caPem: profile.tls.caPem } : {}),
        ...(profile.tls.pinSha256 ? { pinSha256: profile.tls.pinSha256 } : {}),
      },
      ...(profile.endpoint.originOverride ? { originOverride: profile.endpoint.originOverride } : {}),
      headers,
      profileId: profile.id,
      display: profile.display,
    };
  }

  /** A cloud profile opens like a click in the Clouds list (a fresh console at every connect and reconnect), under the profile's name and display choices. */
  async function openCloudProfile(profileId: string, callerId: string): Promise<OpenedSession | undefined> {
    const store = await deps.profiles();
    const profile = await store.get(profileId);
    const cloud = profile?.endpoint.cloud;
    if (!profile || !cloud) return undefined;
    const opened = await deps.clouds.open(cloud.accountId, cloud.serverId, callerId, { title: profile.name, display: profile.display });
    await store.touch(profile.id);
    return opened;
  }

  /** The demo is reached like any VNC server: over TCP to its loopback port. */
  async function reachable(resolved: ResolvedSource): Promise<ResolvedSource & { target: WebSocketTarget | TcpTarget }> {
    const { target } = resolved;
    if (target.kind === 'demo') return { ...resolved, target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: await deps.demoPort() } };
    return { ...resolved, target };
  }

  /** A confirmed deep link or .vv file (its file deleted now, if it asked): an ordinary source, or the file's console with its CA. */
  async function resolveLink(requestId: string): Promise<ResolvedSource> {
    const open = await deps.links.accept(requestId);
    if (open === undefined) throw new PortholeError('session-not-found', 'that link request is no longer pending');
    if (open.type === 'source') return { ...(await resolveSource(open.source)), ...addressChoices(open.source) };
    return {
      target: open.target,
      title: open.title ?? titleFor(open.target),
      tls: { allowInsecure: false, ...(open.caPem !== undefined ? { caPem: open.caPem } : {}) },
    };
  }

  const handlers: Handlers = {
    'app.info': async () => ({ name: 'Porthole', version: deps.version, shell: deps.shell }),
    ...createCloudHandlers(deps.clouds, deps.profiles),

    'session.open': async ({ source }, caller) => {
      if (source.type === 'cloud') return deps.clouds.open(source.accountId, source.serverId, caller.id);
      if (source.type === 'profile') {
        const opened = await openCloudProfile(source.profileId, caller.id);
        if (opened) return opened;
      }
      if (source.type === 'url') {
        const viaAccount = await deps.clouds.openProxmoxLink(source.url, caller.id);
        if (viaAccount) return viaAccount;
      }
      const resolved = { ...(await resolveSource(source)), ...addressChoices(source) };
      const displayAddress = describeTarget(resolved.target);
      const warnings = warningsFor(resolved.target, resolved.tls.allowInsecure);
      const { target } = await reachable(resolved);
      const { sessionId, wsUrl } = deps.sessions.open({
        callerId: caller.id,
        target,
        title: resolved.title,
        displayAddress,
        tls: resolved.tls,
        warnings,
        ...(resolved.originOverride ? { originOverride: resolved.originOverride } : {}),
        ...(resolved.headers ? { headers: resolved.headers } : {}),
        ...(resolved.display ? { display: resolved.display } : {}),
        ...(resolved.profileId ? { credentials: profileVncCredentials(resolved.target, resolved.profileId, deps.profiles, resolveProfileAddress) } : {}),
      });
      if (resolved.profileId) {
        supplied.forget(resolved.profileId);
        await (await deps.profiles()).touch(resolved.profileId);
      }
      return {
        sessionId,
        wsUrl,
        title: resolved.title,
        displayAddress,
        warnings,
        ...(resolved.display ? { display: resolved.display } : {}),
        ...(resolved.notices?.length ? { notices: resolved.notices } : {}),
      };
    },

    'diagnostics.run': async ({ source }) => {
      const { target, tls, originOverride, headers } = await reachable(await resolveSource(source));
      const report = await runDiagnostics(target, { tls, ...(originOverride ? { originOverride } : {}), ...(headers ? { headers } : {}) });
      return { report, text: formatReport(report) };
    },

    'diagnostics.certificate': async ({ source }) => {
      const { target, tls } = await reachable(await resolveSource(source));
      const secure = target.kind === 'websocket' ? target.secure : target.tls;
      if (!secure) throw new PortholeError('url-unsupported', 'this console does not use TLS, so it has no certificate');
      return inspectCertificate(target.host, target.port, undefined, {
        ...(tls.caPem ? { caPem: tls.caPem } : {}),
        ...(tls.pinSha256 ? { pinSha256: tls.pinSha256 } : {}),
      });
    },

    'session.reconnect': async ({ sessionId }, caller) => {
      const { sessionId: id, wsUrl, request } = await deps.sessions.reopen(sessionId, caller.id);
      return {
        sessionId: id,
        wsUrl,
        title: request.title,
        displayAddress: request.displayAddress,
        warnings: request.warnings,
        ...(request.display ? { display: request.display } : {}),
      };
    },

    'session.answerCredentials': async ({ sessionId, password, username, remember }, caller) => {
      const credentials = { password, ...(username !== undefined ? { username } : {}) };
      if (!deps.sessions.answerCredentials(sessionId, caller.id, { credentials, remember })) throw new PortholeError('session-not-found', 'this console is not asking for a password');
      return {};
    },

    'session.cancelCredentials': async ({ sessionId }, caller) => {
      if (!deps.sessions.cancelCredentials(sessionId, caller.id)) throw new PortholeError('session-not-found', 'this console is not asking for a password');
      return {};
    },

    'session.list': async (_args, caller) => ({
      sessions: deps.sessions.stats(caller.id).map(({ sessionId, title, displayAddress, state, bytesIn, bytesOut, durationMs }) => ({
        sessionId,
        title,
        displayAddress,
        state,
        bytesIn,
        bytesOut,
        durationMs,
      })),
    }),

    'session.close': async ({ sessionId }, caller) => {
      if (!deps.sessions.close(sessionId, caller.id)) throw new PortholeError('session-not-found');
      return {};
    },

    // The desktop app's shell answers this itself; a browser tab uses the page's own fullscreen.
    'window.fullscreen': async () => {
      throw new PortholeError('bad-request', 'only the desktop app controls its window');
    },

    // Deep links and .vv files (either shell): nothing connects until the user answers the confirmation.
    'link.pending': async () => ({ requests: deps.links.list() }),
    'link.accept': async ({ requestId }, caller) => handlers['session.open']({ source: { type: 'link', requestId } }, caller),
    'link.dismiss': async ({ requestId }) => {
      if (!(await deps.links.dismiss(requestId))) throw new PortholeError('session-not-found', 'that link request is no longer pending');
      return {};
    },

    'profiles.list': async () => (await deps.profiles()).list(),
    'profiles.save': async ({ profile }) => (await deps.profiles()).save(profile, resolveProfileAddress),
    'profiles.trustCertificate': async ({ profileId, pinSha256 }) => {
      const store = await deps.profiles();
      const p = await store.get(profileId);
      if (!p) throw new PortholeError('profile-not-found');
      const { profile } = await store.save(inputFromProfile(p, { tls: { ...p.tls, pinSha256 } }), resolveProfileAddress);
      return { profile };
    },

    'profiles.delete': async ({ profileId }) => (await deps.profiles()).delete(profileId),
    'profiles.duplicate': async ({ profileId }) => ({ profile: await (await deps.profiles()).duplicate(profileId) }),
    'profiles.export': async ({ profileIds }) => (await deps.profiles()).exportBundle(profileIds),
    'profiles.importPreview': async ({ bundle }) => (await deps.profiles()).previewImport(bundle),
    'profiles.importApply': async ({ bundle }) => (await deps.profiles()).applyImport(bundle),
    'profiles.supplySecrets': async ({ profileId, secrets, remember }) => ({
      kept: await supplied.supply(await deps.profiles(), profileId, secrets, remember, resolveProfileAddress),
    }),
    'profiles.undo': async ({ undoToken }) => (await deps.profiles()).undo(undoToken),
  };
  return handlers;
}
