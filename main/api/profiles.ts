// The contract's profiles.* calls (arguments already validated by the core).
import type { CallName } from '../../app/contract.js';
import { PortholeError } from '../../app/errors.js';
import { inputFromProfile } from '../profiles/input-from-profile.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { SuppliedSecrets } from '../profiles/supplied-secrets.js';
import type { HandlersFor } from './handler-types.js';
import { resolveProfileAddress } from './profile-address.js';

export function createProfileHandlers(profiles: () => Promise<ProfileStore>, supplied: SuppliedSecrets): HandlersFor<Extract<CallName, `profiles.${string}`>> {
  return {
    'profiles.list': async () => (await profiles()).list(),
    'profiles.save': async ({ profile }) => (await profiles()).save(profile, resolveProfileAddress),
    'profiles.trustCertificate': async ({ profileId, pinSha256 }) => {
      const store = await profiles();
      const p = await store.get(profileId);
      if (!p) throw new PortholeError('profile-not-found');
      const { profile } = await store.save(inputFromProfile(p, { tls: { ...p.tls, pinSha256 } }), resolveProfileAddress);
      return { profile };
    },

    'profiles.delete': async ({ profileId }) => (await profiles()).delete(profileId),
    'profiles.duplicate': async ({ profileId }) => ({ profile: await (await profiles()).duplicate(profileId) }),
    'profiles.export': async ({ profileIds }) => (await profiles()).exportBundle(profileIds),
    'profiles.importPreview': async ({ bundle }) => (await profiles()).previewImport(bundle),
    'profiles.importApply': async ({ bundle }) => (await profiles()).applyImport(bundle),
    'profiles.supplySecrets': async ({ profileId, secrets, remember }) => ({
      kept: await supplied.supply(await profiles(), profileId, secrets, remember, resolveProfileAddress),
    }),
    'profiles.undo': async ({ undoToken }) => (await profiles()).undo(undoToken),
  };
}
