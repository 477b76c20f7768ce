// Certificate verification for upstream TLS: on by default against the system store plus the
// profile's CA bundle. A profile may instead pin the server's public key (trust on first use):
// then the pin is what is checked, before a single byte (and so the token) is sent.
// allowInsecure is an explicit per-profile choice that the session logs each time.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { hostSubjectCheck } from './certificate-subject.js';

export interface TlsPolicy {
  caPem?: string;
  allowInsecure: boolean;
  /** Base64 SHA-256 of the server certificate's SubjectPublicKeyInfo. */
  pinSha256?: string;
  /** A .vv file's host-subject: the certificate subject that identifies the server instead of its host name. */
  hostSubject?: string;
}

type CaKind = 'default' | 'system' | 'bundled' | 'extra';
const getCACertificates = (tls as { getCACertificates?: (kind: CaKind) => string[] }).getCACertificates;

/** Node's default store (bundled + NODE_EXTRA_CA_CERTS) plus the OS store where this Node can read it. */
function baseCertificates(): string[] {
  if (!getCACertificates) return [...tls.rootCertificates];
  const out = new Set(getCACertificates('default'));
  try {
    for (const c of getCACertificates('system')) out.add(c);
  } catch {
    // Older Node: no OS store access; the default store still applies.
  }
  return [...out];
}

export interface TlsVerifyOptions {
  rejectUnauthorized: boolean;
  servername?: string;
  secureContext?: tls.SecureContext;
  checkServerIdentity?: (host: string, cert: tls.PeerCertificate) => Error | undefined;
}

// Building a context parses every root certificate (tens of ms), so build one per CA bundle, once.
const MAX_CONTEXTS = 32;
const contexts = new Map<string, tls.SecureContext>();

function contextWithCa(caPem: string): tls.SecureContext {
  let context = contexts.get(caPem);
  if (!context) {
    context = tls.createSecureContext({ ca: [...baseCertificates(), caPem] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(caPem, context);
  }
  return context;
}

export function tlsOptionsFor(host: string, policy: TlsPolicy): TlsVerifyOptions {
  // With a pin, the pin decides (checked in checkPin); chain checks would refuse a self-signed server.
  const options: TlsVerifyOptions = { rejectUnauthorized: !policy.allowInsecure && !policy.pinSha256 };
  if (!isIP(host)) options.servername = host;
  // A `ca` replaces Node's default store, so only use our own context when there is something to add.
  if (policy.caPem) options.secureContext = contextWithCa(policy.caPem);
  if (policy.hostSubject) options.checkServerIdentity = hostSubjectCheck(policy.hostSubject);
  return options;
}

export function spkiSha256(cert: { publicKey: { export(options: { type: 'spki'; format: 'der' }): Buffer } }): string {
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/** An Error whose code classify-error maps to tls-pin-mismatch. */
export class PinMismatchError extends Error {
  readonly code = 'PORTHOLE_TLS_PIN_MISMATCH';
  constructor() {
    super('the server certificate does not match the pinned key');
  }
}

/** Checks the pin on an established TLS socket; undefined when there is no pin or it matches. */
export function checkPin(socket: tls.TLSSocket, policy: TlsPolicy): PinMismatchError | undefined {
  if (!policy.pinSha256) return undefined;
  // Runs inside a socket callback: a certificate that cannot be read counts as a mismatch (fail closed), never a throw.
  try {
    const cert = socket.getPeerX509Certificate();
    return cert && spkiSha256(cert) === policy.pinSha256 ? undefined : new PinMismatchError();
  } catch {
    return new PinMismatchError();
  }
}

/**
 * A connection factory for Node's http client (and so for `ws`): completes the TLS handshake and
 * checks the pin before handing the socket over, so no request byte is written to a wrong server.
 */
export function pinnedTlsConnection(policy: TlsPolicy) {
  return (options: tls.ConnectionOptions, done: (err: Error | null, socket?: tls.TLSSocket) => void): undefined => {
    const socket = tls.connect(options);
    const onError = (err: Error): void => done(err);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const mismatch = checkPin(socket, policy);
      if (mismatch) {
        socket.destroy();
        done(mismatch);
      } else done(null, socket);
    });
    return undefined;
  };
}
