// What the split contract handlers share: the dependencies main gives them and the handler shape.
import type { CallArgs, CallName, CallResult } from '../../app/contract.js';
import type { CloudService } from '../clouds/cloud-service.js';
import type { CallerContext } from '../core-types.js';
import type { LinkRequests } from '../links/link-requests.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SessionManager } from '../sessions.js';

/** The handlers of the calls named N. */
export type HandlersFor<N extends CallName> = { [K in N]: (args: CallArgs<K>, caller: CallerContext) => Promise<CallResult<K>> };

export interface ApiDeps {
  version: string;
  shell: 'browser' | 'electron';
  sessions: SessionManager;
  profiles: () => Promise<ProfileStore>;
  secrets: SecretStore;
  /** Starts the built-in demo server on first use and returns its loopback port. */
  demoPort: () => Promise<number>;
  /** Cloud accounts and console minting (main/clouds). */
  clouds: CloudService;
  /** Deep links and .vv files waiting for the user's answer (both shells submit to the core's one registry). */
  links: LinkRequests;
}
