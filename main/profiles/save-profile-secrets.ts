// Saves secrets the user typed elsewhere than the editor (a VNC password prompt, a missing token
// asked for on open) into a profile's own slots, through the store's ordinary save: the file lists
// the slot, the keychain holds the value, bound to the profile's current endpoint.
import { PortholeError } from '../../app/errors.js';
import type { ProfileInput } from '../../app/profile.js';
import { inputFromProfile } from './input-from-profile.js';
import type { AddressResolver, ProfileStore, SaveResult } from './profile-store.js';

export async function saveProfileSecrets(store: ProfileStore, profileId: string, secrets: ProfileInput['secrets'], resolveAddress: AddressResolver): Promise<SaveResult> {
  const p = await store.get(profileId);
  if (!p) throw new PortholeError('profile-not-found');
  return store.save(inputFromProfile(p, { secrets }), resolveAddress);
}
