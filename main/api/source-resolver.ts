// Turns a session source (demo, URL, profile, cloud server, confirmed link) into everything needed to
// reach its console, secrets included; shared by session.open and the diagnostics calls.
import type { SessionSource } from '../../app/contract.js';
import { parseConsoleAddress } from '../../app/console-address.js';
import type { ConsoleTarget, TcpTarget, WebSocketTarget } from '../../app/console-target.js';
import { PortholeError } from '../../app/errors.js';
import type { DisplayOptions, ProfileSummary } from '../../app/profile.js';
import { addressChoices } from '../address-choices.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { SuppliedSecrets } from '../profiles/supplied-secrets.js';
import type { TlsPolicy } from '../proxy/tls-policy.js';
import type { SecretSlotName } from '../secrets/secret-store.js';
import type { ApiDeps } from './handler-types.js';

/** Everything needed to reach a console, resolved in main (secrets included). */
export interface ResolvedSource {
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

export interface SourceResolver {
  resolve(source: SessionSource): Promise<ResolvedSource>;
  /** The demo is reached like any VNC server: over TCP to its loopback port. */
  reachable(resolved: ResolvedSource): Promise<ResolvedSource & { target: WebSocketTarget | TcpTarget }>;
}

export function titleFor(target: ConsoleTarget): string {
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
    // With the password, the user name a Plain server needs (Test connection authenticates with both).
    const username = password !== undefined ? await readSecret(profile, 'username', secrets) : undefined;
    return { ...target, tls: target.tls || profile.endpoint.kind === 'vnc-tls', ...(password !== undefined ? { password } : {}), ...(username !== undefined ? { username } : {}) };
  }
  return target;
}

export function createSourceResolver(deps: Pick<ApiDeps, 'profiles' | 'clouds' | 'links' | 'demoPort'>, supplied: SuppliedSecrets): SourceResolver {
  async function resolve(source: SessionSource): Promise<ResolvedSource> {
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

  async function reachable(resolved: ResolvedSource): Promise<ResolvedSource & { target: WebSocketTarget | TcpTarget }> {
    const { target } = resolved;
    if (target.kind === 'demo') return { ...resolved, target: { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: await deps.demoPort() } };
    return { ...resolved, target };
  }

  /** A confirmed deep link or .vv file (its file deleted now, if it asked): an ordinary source, or the file's console with its CA. */
  async function resolveLink(requestId: string): Promise<ResolvedSource> {
    const open = await deps.links.accept(requestId);
    if (open === undefined) throw new PortholeError('session-not-found', 'that link request is no longer pending');
    if (open.type === 'source') return { ...(await resolve(open.source)), ...addressChoices(open.source) };
    return {
      target: open.target,
      title: open.title ?? titleFor(open.target),
      tls: { allowInsecure: false, ...(open.caPem !== undefined ? { caPem: open.caPem } : {}), ...(open.hostSubject !== undefined ? { hostSubject: open.hostSubject } : {}) },
    };
  }

  return { resolve, reachable };
}
