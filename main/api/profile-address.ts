// What a profile's "Console URL" becomes when saved.
import { parseConsoleAddress } from '../../app/console-address.js';
import { describeTarget, upstreamWebSocketUrl } from '../../app/console-target.js';
import { PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import type { EndpointKind } from '../../app/profile.js';

/** What a profile's "Console URL" resolves to when saved: the address without its secrets. */
export function resolveProfileAddress(
  address: string,
): { ok: true; kind: EndpointKind; address: string; token?: string; password?: string; username?: string } | { ok: false; error: PortholeErrorShape } {
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
    // vnc://user:password@host: both go to the profile's keychain slots (VeNCrypt Plain needs the user name).
    const { password, username, ...rest } = t;
    return { ok: true, kind: parsed.kind, address: describeTarget(rest), ...(password !== undefined ? { password } : {}), ...(username !== undefined ? { username } : {}) };
  }
  throw new PortholeError('url-invalid', 'the demo cannot be saved as a profile');
}
