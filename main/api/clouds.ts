// The contract's clouds.* calls (arguments already validated by the core).
import type { CallArgs, CallResult } from '../../app/contract.js';
import type { CloudService } from '../clouds/cloud-service.js';
import type { ProfileStore } from '../profiles/profile-store.js';

type CloudCall =
  | 'clouds.list'
  | 'clouds.save'
  | 'clouds.delete'
  | 'clouds.servers'
  | 'clouds.test'
  | 'clouds.export'
  | 'clouds.import'
  | 'clouds.importYaml'
  | 'clouds.saveAsProfile'
  | 'clouds.certificate';
export type CloudHandlers = { [N in CloudCall]: (args: CallArgs<N>) => Promise<CallResult<N>> };

export function createCloudHandlers(clouds: CloudService, profiles: () => Promise<ProfileStore>): CloudHandlers {
  return {
    'clouds.list': () => clouds.store.list(),
    'clouds.save': ({ account }) => clouds.save(account),
    'clouds.delete': async ({ accountId }) => {
      await clouds.delete(accountId);
      return {};
    },
    'clouds.servers': async ({ accountId }) => ({ servers: await clouds.servers(accountId) }),
    'clouds.test': ({ accountId }) => clouds.test(accountId),
    'clouds.export': () => clouds.store.exportDocument(),
    'clouds.import': ({ bundle }) => clouds.store.importDocument(bundle),
    'clouds.importYaml': (args) => clouds.importYaml(args),
    'clouds.certificate': ({ apiUrl, caPem }) => clouds.certificate(apiUrl, caPem),
    'clouds.saveAsProfile': async ({ accountId, serverId, serverName }) => {
      const reference = await clouds.profileReference(accountId, serverId, serverName);
      const name = `${reference.serverName || reference.serverId} (${reference.cloudName})`.slice(0, 200);
      return { profile: await (await profiles()).saveCloud(name, reference) };
    },
  };
}
