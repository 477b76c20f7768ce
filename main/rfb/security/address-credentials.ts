// The VNC credentials a console address carries itself: vnc://user:password@host (RFC 7869, also
// its VncUsername / VncPassword parameters and .vv files) or a noVNC page's `password`. The user
// name belongs with the password: VeNCrypt Plain / X509Plain need both.
import type { ConsoleTarget } from '../../../app/console-target.js';
import type { VncCredentials } from './upstream-security.js';

export function addressCredentials(target: ConsoleTarget): VncCredentials | undefined {
  if (target.kind === 'demo' || target.password === undefined) return undefined;
  return { password: target.password, ...(target.username !== undefined ? { username: target.username } : {}) };
}
