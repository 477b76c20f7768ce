// The contract's link.* calls. Deep links and .vv files (either shell): nothing connects until the
// user answers the confirmation.
import { PortholeError } from '../../app/errors.js';
import type { LinkRequests } from '../links/link-requests.js';
import type { HandlersFor } from './handler-types.js';

export function createLinkHandlers(links: LinkRequests, openSession: HandlersFor<'session.open'>['session.open']): HandlersFor<'link.pending' | 'link.accept' | 'link.dismiss'> {
  return {
    'link.pending': async () => ({ requests: links.list() }),
    'link.accept': async ({ requestId }, caller) => openSession({ source: { type: 'link', requestId } }, caller),
    'link.dismiss': async ({ requestId }) => {
      if (!(await links.dismiss(requestId))) throw new PortholeError('session-not-found', 'that link request is no longer pending');
      return {};
    },
  };
}
