// Which endpoint a saved secret belongs to. A token, password or secret header is saved for one
// endpoint, "scheme://host:port" of the console address, and main sends it nowhere else: when a
// profile's address moves to another scheme, host or port, its secrets are dropped unless the user
// re-enters them or explicitly keeps them. A secret header is also bound to its header name (its
// slot is "header:<Name>"), so renaming the header drops it too. The path and query may change
// freely (same server). Pure: shared by main (which enforces it) and the editor (which explains it).
import { parseConsoleAddress } from './console-address.js';
import type { Profile } from './profile.js';

/** "wss://host:port" (IPv6 in brackets, host lower-cased) for a console address; undefined when it does not parse. */
export function endpointOf(address: string): string | undefined {
  const parsed = parseConsoleAddress(address);
  if (!parsed.ok) return undefined;
  const t = parsed.target;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host.toLowerCase();
  const scheme = t.kind === 'websocket' ? (t.secure ? 'wss' : 'ws') : t.tls ? 'vnc+tls' : 'vnc';
  return `${scheme}://${host}:${t.port}`;
}

/**
 * The endpoint a slot's secret was saved for. A profile written before bindings existed has none
 * recorded: its secrets count as saved for its current address (the store records that on load).
 */
export function boundEndpoint(profile: Pick<Profile, 'secretBindings' | 'endpoint'>, slot: string): string | undefined {
  return profile.secretBindings?.[slot] ?? endpointOf(profile.endpoint.address);
}

/** Whether a slot's secret may be sent to the profile's current endpoint. */
export function secretMayBeSent(profile: Pick<Profile, 'secretBindings' | 'endpoint'>, slot: string): boolean {
  const now = endpointOf(profile.endpoint.address);
  if (now === undefined || profile.secretBindings?.[slot] !== now) return false;
  if (slot.startsWith('header:')) {
    const name = slot.slice('header:'.length);
    return profile.endpoint.secretHeaders.includes(name);
  }
  return true;
}
