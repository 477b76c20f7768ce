// How Node, TLS and ws failures map to Porthole's codes, including the errno variants the
// integration tests cannot all provoke on one machine (EAI_AGAIN, EHOSTUNREACH, expired certificates).
import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from '../../main/proxy/classify-error.js';
import { PinMismatchError } from '../../main/proxy/tls-policy.js';

function err(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyUpstreamError', () => {
  const table: Array<[Error, string]> = [
    [err('ENOTFOUND', 'getaddrinfo ENOTFOUND console.example'), 'dns-failed'],
    [err('EAI_AGAIN'), 'dns-failed'],
    [err('ECONNREFUSED'), 'tcp-refused'],
    [err('ETIMEDOUT'), 'tcp-timeout'],
    [err('EHOSTUNREACH'), 'tcp-timeout'],
    [new Error('Opening handshake has timed out'), 'tcp-timeout'],
    [err('SELF_SIGNED_CERT_IN_CHAIN'), 'tls-untrusted'],
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls-untrusted'],
    [err('CERT_HAS_EXPIRED'), 'tls-untrusted'],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls-hostname-mismatch'],
    [new PinMismatchError(), 'tls-pin-mismatch'],
    [new Error('Server sent no subprotocol'), 'ws-upgrade-rejected'],
    [err('ECONNRESET', 'socket hang up'), 'remote-closed'],
    [err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), 'tls-handshake-failed'],
    [err('ERR_SSL_WRONG_VERSION_NUMBER', 'SSL routines:ssl3_get_record:wrong version number'), 'tls-handshake-failed'],
    [new Error('something odd'), 'remote-closed'],
  ];
  for (const [error, code] of table) {
    it(`${(error as { code?: string }).code ?? error.message} → ${code}`, () => {
      expect(classifyUpstreamError(error).code).toBe(code);
    });
  }
  it('keeps only safe details, never the message (it may carry a URL with a token)', () => {
    const e = classifyUpstreamError(err('ENOTFOUND', 'getaddrinfo ENOTFOUND host?token=secret'));
    expect(JSON.stringify(e)).not.toContain('secret');
  });
});
