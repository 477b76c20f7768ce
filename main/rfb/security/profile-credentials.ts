// A profile console's VNC credentials: the password (and user name) from the profile's keychain
// slots (the password is already on the target for vnc:// profiles), and "Remember in the keychain" saving what the user typed into the
// profile's own slots — through the profile store, so the file lists the slot and never the secret.
import type { ConsoleTarget } from '../../../app/console-target.js';
import { PortholeError } from '../../../app/errors.js';
import type { AddressResolver, ProfileStore } from '../../profiles/profile-store.js';
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
      const store = await profiles();
      const p = await store.get(profileId);
      if (!p) throw new PortholeError('profile-not-found');
      await store.save(
        {
          id: p.id,
          name: p.name,
          folder: p.folder,
          tags: p.tags,
          address: p.endpoint.address,
          kind: p.endpoint.kind,
          ...(p.endpoint.originOverride ? { originOverride: p.endpoint.originOverride } : {}),
          tokenIn: p.endpoint.tokenIn,
          headers: p.endpoint.headers,
          tls: p.tls,
          display: p.display,
          notes: p.notes,
          secrets: { password: credentials.password, ...(credentials.username !== undefined ? { username: credentials.username } : {}) },
        },
        resolveAddress,
      );
    },
  };
}
