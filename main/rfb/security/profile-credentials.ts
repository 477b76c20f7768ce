// A profile console's VNC credentials: the password (and user name) from the profile's keychain
// slots (the password is already on the target for vnc:// profiles), and "Remember in the keychain" saving what the user typed into the
// profile's own slots — through the profile store, so the file lists the slot and never the secret.
import type { ConsoleTarget } from '../../../app/console-target.js';
import type { AddressResolver, ProfileStore } from '../../profiles/profile-store.js';
import { saveProfileSecrets } from '../../profiles/save-profile-secrets.js';
import type { SessionCredentials } from './session-credentials.js';
import type { VncCredentials } from './upstream-security.js';

export function profileVncCredentials(target: ConsoleTarget, profileId: string, profiles: () => Promise<ProfileStore>, resolveAddress: AddressResolver): SessionCredentials {
  return {
    // Read at the moment of use, through the store (which checks the secret's endpoint binding).
    known: async () => {
      const store = await profiles();
      const password = target.kind === 'vnc-tcp' && target.password !== undefined ? target.password : await store.readSecret(profileId, 'password');
      if (password === undefined) return undefined;
      const username = await store.readSecret(profileId, 'username');
      return { password, ...(username !== undefined ? { username } : {}) };
    },
    remember: async (credentials: VncCredentials) => {
      const secrets = { password: credentials.password, ...(credentials.username !== undefined ? { username: credentials.username } : {}) };
      await saveProfileSecrets(await profiles(), profileId, secrets, resolveAddress);
    },
  };
}
