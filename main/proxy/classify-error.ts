// Maps what Node, TLS and ws report about an upstream failure to one Porthole error code.
// Only safe details (an errno code, an HTTP status) are kept; messages may carry URLs.
import { makeError, type PortholeErrorShape } from '../../app/errors.js';

const tlsUntrusted = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
]);

export function classifyUpstreamError(err: unknown): PortholeErrorShape {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return makeError('dns-failed', code);
  if (code === 'ECONNREFUSED') return makeError('tcp-refused', code);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return makeError('tcp-timeout', code);
  if (tlsUntrusted.has(code)) return makeError('tls-untrusted', code);
  if (code === 'PORTHOLE_TLS_PIN_MISMATCH') return makeError('tls-pin-mismatch');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return makeError('tls-hostname-mismatch', code);
  if (/Opening handshake has timed out/.test(message)) return makeError('tcp-timeout', 'no answer to the WebSocket upgrade');
  if (/Server sent no subprotocol|Server sent an invalid subprotocol|Invalid Sec-WebSocket-Accept/.test(message)) {
    return makeError('ws-upgrade-rejected', 'the server did not complete the WebSocket handshake');
  }
  // Node's words for a peer that hung up before the TLS handshake finished (same text in Node 20 and 22).
  if (/before secure TLS connection was established/.test(message)) return makeError('tls-handshake-failed', 'the server closed the connection during the TLS handshake');
  if (code === 'ECONNRESET' || code === 'EPIPE') return makeError('remote-closed', code);
  if (/^ERR_SSL_|^ERR_TLS_/.test(code) || /SSL routines|wrong version number|packet length too long/i.test(message)) return makeError('tls-handshake-failed', code || 'TLS handshake failed');
  return makeError('remote-closed', code || undefined);
}

/** A typed error for a request Node refused to build; the message is not copied (it may quote the URL, token included). */
export function classifyRequestError(err: unknown): PortholeErrorShape {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : '';
  // Node names the header in brackets; only a well-formed name is repeated.
  const name = /\["([A-Za-z0-9!#$%&'*+.^_`|~-]{1,64})"\]/.exec(message)?.[1];
  if (code === 'ERR_INVALID_CHAR') return makeError('upstream-request-invalid', name ? `the value of ${name} contains a character HTTP does not allow` : 'a header value contains a character HTTP does not allow');
  if (code === 'ERR_INVALID_HTTP_TOKEN') return makeError('upstream-request-invalid', 'a header name is not a valid HTTP token');
  if (err instanceof SyntaxError) return makeError('url-invalid', 'the WebSocket URL is malformed');
  return makeError('upstream-request-invalid', code || undefined);
}
