// The contract's implementation, transport-free: the handlers of each domain (main/api/), assembled.
// Arguments arrive already validated by the core.
import type { CallName } from '../app/contract.js';
import { PortholeError } from '../app/errors.js';
import { createCloudHandlers } from './api/clouds.js';
import { createDiagnosticsHandlers } from './api/diagnostics.js';
import type { ApiDeps, HandlersFor } from './api/handler-types.js';
import { createLinkHandlers } from './api/links.js';
import { createProfileHandlers } from './api/profiles.js';
import { createSessionHandlers } from './api/sessions.js';
import { createSourceResolver } from './api/source-resolver.js';
import { SuppliedSecrets } from './profiles/supplied-secrets.js';

export type { ApiDeps } from './api/handler-types.js';
export { resolveProfileAddress } from './api/profile-address.js';

export type Handlers = HandlersFor<CallName>;

export function createHandlers(deps: ApiDeps): Handlers {
  /** Secrets typed when opening a profile that lacks them, held for its next connect only. */
  const supplied = new SuppliedSecrets();
  const sources = createSourceResolver(deps, supplied);
  const sessions = createSessionHandlers(deps, sources, supplied);
  return {
    'app.info': async () => ({ name: 'Porthole', version: deps.version, shell: deps.shell }),
    // The desktop app's shell answers this itself; a browser tab uses the page's own fullscreen.
    'window.fullscreen': async () => {
      throw new PortholeError('bad-request', 'only the desktop app controls its window');
    },
    ...sessions,
    ...createDiagnosticsHandlers(sources),
    ...createLinkHandlers(deps.links, sessions['session.open']),
    ...createProfileHandlers(deps.profiles, supplied),
    ...createCloudHandlers(deps.clouds, deps.profiles),
  };
}
