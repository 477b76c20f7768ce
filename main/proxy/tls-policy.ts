// Certificate verification for upstream TLS: on by default against the system store plus the
// profile's CA bundle; allowInsecure is an explicit per-profile choice that the caller logs.
import tls from 'node:tls';
import { isIP } from 'node:net';

export interface TlsPolicy {
  caPem?: string;
  allowInsecure: boolean;
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

export function tlsOptionsFor(host: string, policy: TlsPolicy): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { rejectUnauthorized: !policy.allowInsecure };
  if (!isIP(host)) options.servername = host;
  // Passing `ca` replaces Node's default store, so only do it when there is something to add.
  if (policy.caPem) options.ca = [...baseCertificates(), policy.caPem];
  return options;
}
