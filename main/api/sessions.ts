// The contract's session.* calls: open a console (URL, profile, cloud server, demo, confirmed link),
// reconnect, answer or cancel a VNC credential prompt, list and close.
import type { OpenedSession, SessionWarning } from '../../app/contract.js';
import { describeTarget, isEncrypted, type ConsoleTarget } from '../../app/console-target.js';
import { PortholeError } from '../../app/errors.js';
import { addressChoices } from '../address-choices.js';
import type { SuppliedSecrets } from '../profiles/supplied-secrets.js';
import { profileVncCredentials } from '../rfb/security/profile-credentials.js';
import type { ApiDeps, HandlersFor } from './handler-types.js';
import { resolveProfileAddress } from './profile-address.js';
import type { SourceResolver } from './source-resolver.js';

type SessionCall = 'session.open' | 'session.reconnect' | 'session.answerCredentials' | 'session.cancelCredentials' | 'session.list' | 'session.close';

function warningsFor(target: ConsoleTarget, allowInsecure: boolean): SessionWarning[] {
  const warnings: SessionWarning[] = [];
  if (!isEncrypted(target)) warnings.push('unencrypted-upstream');
  if (allowInsecure && isEncrypted(target) && target.kind !== 'demo') warnings.push('tls-verification-off');
  return warnings;
}

export function createSessionHandlers(deps: Pick<ApiDeps, 'sessions' | 'profiles' | 'clouds'>, sources: SourceResolver, supplied: SuppliedSecrets): HandlersFor<SessionCall> {
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

  return {
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
      const resolved = { ...(await sources.resolve(source)), ...addressChoices(source) };
      const displayAddress = describeTarget(resolved.target);
      const warnings = warningsFor(resolved.target, resolved.tls.allowInsecure);
      const { target } = await sources.reachable(resolved);
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
  };
}
