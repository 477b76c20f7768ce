// A security-handshake failure as the typed error the user sees. The server's reason is its own
// words: cleaned, cut short and quoted (app/server-text.ts), never Porthole's text.
import { makeError, type PortholeErrorShape } from '../../../app/errors.js';
import { quoteServerText } from '../../../app/server-text.js';
import type { SecurityFailure } from './upstream-security.js';
import { securityName } from './types.js';

/** Reasons that mean "too many attempts / blacklisted" rather than "wrong password". */
const BLOCKED = /too many|blacklist|blocked|try again later/i;

function named(types: readonly number[]): string {
  return types.length ? types.map(securityName).join(', ') : 'nothing';
}

export function failureToError(failure: SecurityFailure): PortholeErrorShape {
  switch (failure.kind) {
    case 'not-rfb':
      return makeError('vnc-protocol-error', 'the server did not answer with an RFB banner');
    case 'unsupported-version':
      return makeError('vnc-protocol-error', failure.detail);
    case 'protocol':
      return makeError('vnc-protocol-error', failure.detail);
    case 'refused': {
      const said = `the server said ${quoteServerText(failure.reason)}`;
      return makeError(BLOCKED.test(failure.reason) ? 'vnc-auth-blocked' : 'vnc-security-unsupported', said);
    }
    case 'unsupported': {
      const what = failure.vencrypt ? `VeNCrypt with ${named(failure.vencrypt)}` : named(failure.offered);
      return makeError(failure.anonymousTlsUnavailable ? 'vnc-tls-anonymous-unavailable' : 'vnc-security-unsupported', `the server offered ${what}`);
    }
    case 'auth-failed': {
      if (failure.tooMany || (failure.reason !== undefined && BLOCKED.test(failure.reason))) {
        return makeError('vnc-auth-blocked', failure.reason ? `the server said ${quoteServerText(failure.reason)}` : 'too many failed attempts');
      }
      return makeError('vnc-auth-failed', failure.reason ? `the server said ${quoteServerText(failure.reason)}` : 'the server gave no reason');
    }
  }
}
