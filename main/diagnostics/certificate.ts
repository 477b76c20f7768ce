// Reading a TLS peer's certificate for diagnostics and "trust on first use": the facts a user
// needs to decide (subject, issuer, validity, names, fingerprints) and the verdicts of each check
// (chain, host name, pin), captured from a handshake that does not abort on a bad certificate.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { makeError, PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import { cleanServerText } from '../../app/server-text.js';
import { classifyUpstreamError } from '../proxy/classify-error.js';
import { spkiSha256, tlsOptionsFor, type TlsPolicy } from '../proxy/tls-policy.js';
import type { CertificateInfo } from './types.js';

function isoDate(text: string): string {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? cleanServerText(text) : d.toISOString();
}

// Certificate fields are the server's words: cleaned and cut here (app/server-text.ts), quoted where shown.
function distinguishedName(text: string): string {
  return cleanServerText(
    text
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .join(', '),
  );
}

/** More names than this are summarised; a real certificate rarely has more than a handful. */
const MAX_ALT_NAMES = 20;

function altNames(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const names = text
    .split(/,\s*(?=[A-Za-z][A-Za-z ]*:)/)
    .map((s) => cleanServerText(s.trim().replace(/^IP Address:/, 'IP:')))
    .filter((s) => s.length > 0);
  return names.length <= MAX_ALT_NAMES ? names : [...names.slice(0, MAX_ALT_NAMES), `… and ${names.length - MAX_ALT_NAMES} more`];
}

function authorizationErrorCode(socket: tls.TLSSocket): string | undefined {
  // Node stores a string (the OpenSSL code) here although the typings say Error.
  const value: unknown = socket.authorizationError;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return code ?? value.message;
  }
  return String(value);
}

/**
 * The certificate a connected TLS socket received, with the chain verdict (from OpenSSL's
 * verification against the socket's CA set), the host name check for `hostname`, and the pin
 * check when `pin` is given. Undefined when the peer sent no certificate.
 */
export function captureCertificate(socket: tls.TLSSocket, hostname: string, pin?: string): CertificateInfo | undefined {
  const peer = socket.getPeerCertificate(false);
  const raw: unknown = (peer as { raw?: unknown }).raw;
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  const x509 = new X509Certificate(raw);
  const pinOfServer = spkiSha256(x509);

  const chainError = socket.authorized ? undefined : (authorizationErrorCode(socket) ?? 'UNABLE_TO_VERIFY');
  const hostError = tls.checkServerIdentity(hostname, peer);
  const hostErrorCode = hostError === undefined ? undefined : ((hostError as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID');
  const info: CertificateInfo = {
    subject: distinguishedName(x509.subject),
    issuer: distinguishedName(x509.issuer),
    validFrom: isoDate(x509.validFrom),
    validTo: isoDate(x509.validTo),
    subjectAltNames: altNames(x509.subjectAltName),
    serialNumber: cleanServerText(x509.serialNumber),
    sha256Fingerprint: x509.fingerprint256,
    spkiSha256: pinOfServer,
    chainTrusted: chainError === undefined,
    hostnameMatches: hostError === undefined,
    trusted: chainError === undefined && hostError === undefined,
  };
  const verifyError = chainError ?? hostErrorCode;
  if (verifyError !== undefined) info.verifyError = verifyError;
  if (pin !== undefined) info.pinMatches = pin === pinOfServer;
  return info;
}

/**
 * Whether a real connection under `policy` would accept this certificate, as a Porthole error
 * when not. A pin, when set, decides alone: the pinned key is accepted (trust on first use of a
 * self-signed certificate), any other key is refused. Without a pin, allowInsecure accepts
 * anything; otherwise chain and host name must both verify.
 */
export function certificateVerdict(cert: CertificateInfo, policy: TlsPolicy): PortholeErrorShape | undefined {
  if (policy.pinSha256 !== undefined) {
    if (cert.pinMatches === true) return undefined;
    return makeError('tls-pin-mismatch', `pinned key sha256/${policy.pinSha256}, server presented sha256/${cert.spkiSha256}`);
  }
  if (policy.allowInsecure) return undefined;
  if (!cert.chainTrusted) {
    const classified = classifyUpstreamError({ code: cert.verifyError });
    return classified.code === 'tls-untrusted' ? classified : makeError('tls-untrusted', cert.verifyError);
  }
  if (!cert.hostnameMatches) return makeError('tls-hostname-mismatch', cert.verifyError);
  return undefined;
}

/**
 * Options for a handshake that always completes (no rejection for a bad certificate, no
 * built-in host name check) but verifies against the same CA set as the real connection,
 * so `captureCertificate` can report every verdict.
 */
export function capturingTlsOptions(host: string, policy: TlsPolicy, servername?: string): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = {
    ...tlsOptionsFor(host, { allowInsecure: false, ...(policy.caPem !== undefined ? { caPem: policy.caPem } : {}) }),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  };
  if (servername !== undefined && !isIP(servername)) options.servername = servername;
  return options;
}

export interface InspectOptions {
  /** The profile's CA bundle, so `trusted` reflects it. */
  caPem?: string;
  /** A pin to compare with. */
  pinSha256?: string;
  /** Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * Connects to host:port over TLS with verification off, captures the server's certificate, and
 * closes: what the "trust on first use" dialog shows. Rejects with a PortholeError when no
 * certificate could be read (nothing listening, not TLS, timeout).
 */
export function inspectCertificate(host: string, port: number, servername?: string, options: InspectOptions = {}): Promise<CertificateInfo> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const policy: TlsPolicy = {
    allowInsecure: false,
    ...(options.caPem !== undefined ? { caPem: options.caPem } : {}),
  };
  return new Promise<CertificateInfo>((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({ host, port, ...capturingTlsOptions(host, policy, servername) });
    const settle = (result: CertificateInfo | PortholeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof PortholeError) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => settle(new PortholeError('tcp-timeout', `no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => {
      const shape = classifyUpstreamError(err);
      settle(new PortholeError(shape.code, shape.detail));
    });
    socket.once('close', () => settle(new PortholeError('remote-closed', 'closed during the TLS handshake')));
    socket.once('secureConnect', () => {
      try {
        const cert = captureCertificate(socket, servername ?? host, options.pinSha256);
        settle(cert ?? new PortholeError('tls-untrusted', 'the server sent no certificate'));
      } catch {
        settle(new PortholeError('tls-untrusted', 'the server’s certificate could not be read'));
      }
    });
  });
}
