// The VNC credentials a console address carries itself: vnc://user:password@host (RFC 7869, also
// its VncUsername / VncPassword parameters and .vv files) or a noVNC page's `password`. The user
// name belongs with the password: VeNCrypt Plain / X509Plain need both.
import type { ConsoleTarget } from '../../../app/console-target.js';
import type { SessionCredentials } from './session-credentials.js';
import type { VncCredentials } from './upstream-security.js';

export function addressCredentials(target: ConsoleTarget): VncCredentials | undefined {
  if (target.kind === 'demo' || target.password === undefined) return undefined;
  return { password: target.password, ...(target.username !== undefined ? { username: target.username } : {}) };
}

/**
 * A console opened from an address (not a profile): what the address carries is known, and a user
 * name it carries without a password pre-fills the prompt. The user typed or clicked that address,
 * so the name is theirs already; a profile's user name comes from the keychain and never does.
 */
export function addressSessionCredentials(target: ConsoleTarget): SessionCredentials {
  const known = addressCredentials(target);
  const username = target.kind === 'demo' ? undefined : target.username;
  return { ...(known ? { known } : {}), ...(username ? { addressUsername: username } : {}) };
}
