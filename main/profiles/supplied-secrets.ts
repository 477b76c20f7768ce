// Secrets a profile needs but has not (imported without them, dropped when its address changed, the
// keychain unavailable), typed by the user when opening it. "Remember" saves them into the profile's
// slots (keychain, bound to the endpoint); otherwise main holds them for the profile's next connect
// only, and only while the profile still points at the address they were typed for.
import { parseConsoleAddress } from '../../app/console-address.js';
import { PortholeError } from '../../app/errors.js';
import { ProfileInput, type ProfileSummary } from '../../app/profile.js';
import type { AddressResolver, ProfileStore } from './profile-store.js';
import { saveProfileSecrets } from './save-profile-secrets.js';

export type SuppliedKept = 'saved' | 'memory-only' | 'next-connect';

interface Held {
  address: string;
  values: Map<string, string>;
}

/** The slots a profile's connection can use: its token (WebSocket consoles) and its secret headers. */
function usableSlots(profile: ProfileSummary): Set<string> {
  const slots = new Set(profile.endpoint.secretHeaders.map((name) => `header:${name}`));
  const parsed = parseConsoleAddress(profile.endpoint.address);
  if (parsed.ok && parsed.target.kind === 'websocket') slots.add('token');
  return slots;
}

export class SuppliedSecrets {
  private readonly held = new Map<string, Held>();

  async supply(store: ProfileStore, profileId: string, secrets: Record<string, string>, remember: boolean, resolveAddress: AddressResolver): Promise<SuppliedKept> {
    const profile = await store.get(profileId);
    if (!profile) throw new PortholeError('profile-not-found');
    const usable = usableSlots(profile);
    const headers: Record<string, string> = {};
    let token: string | undefined;
    for (const [slot, value] of Object.entries(secrets)) {
      // The slot name is safe to repeat; the value never is.
      if (!usable.has(slot)) throw new PortholeError('bad-request', `this profile has no secret "${slot}"`);
      if (slot === 'token') token = value;
      else headers[slot.slice('header:'.length)] = value;
    }
    // The editor's own rules for secret values (header values that cannot go into a request are refused).
    const checked = ProfileInput.shape.secrets.safeParse({ ...(token !== undefined ? { token } : {}), ...(Object.keys(headers).length ? { headers } : {}) });
    if (!checked.success) throw new PortholeError('bad-request', checked.error.issues[0]?.message ?? 'invalid secret');
    if (remember) {
      const saved = await saveProfileSecrets(store, profileId, checked.data, resolveAddress);
      return saved.warnings.includes('secret-not-saved') ? 'memory-only' : 'saved';
    }
    this.held.set(profileId, { address: profile.endpoint.address, values: new Map(Object.entries(secrets)) });
    return 'next-connect';
  }

  /** What was typed for this profile, if it still points where it did then. */
  peek(profile: ProfileSummary, slot: string): string | undefined {
    const held = this.held.get(profile.id);
    if (!held || held.address !== profile.endpoint.address) return undefined;
    return held.values.get(slot);
  }

  /** A connect used them: they are gone from main's memory (the session keeps its own copy for reconnects). */
  forget(profileId: string): void {
    this.held.delete(profileId);
  }
}
