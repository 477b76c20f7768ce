// How the password will travel with the security type Porthole chose: inside TLS (verified or not),
// or on an unencrypted stream, where VNC authentication sends a DES challenge answer but VeNCrypt
// Plain sends the user name and password as they are.
import type { PasswordProtection } from '../../../app/password-protection.js';
import { knownSubtypes } from './types.js';

export interface StreamSecurity {
  /** The stream itself is TLS or wss. */
  encrypted: boolean;
  /** …with certificate verification on. */
  verified: boolean;
  /** The profile's "allow insecure": a VeNCrypt X509 certificate is not checked either. */
  allowInsecure: boolean;
}

/** `chosen`: the VeNCrypt subtype, else the top-level type. */
export function passwordProtection(chosen: number, stream: StreamSecurity): PasswordProtection {
  const info = knownSubtypes.get(chosen);
  if (info?.tls === 'x509') return stream.allowInsecure ? 'encrypted-unverified' : 'encrypted';
  if (info?.tls === 'anonymous') return 'encrypted-unverified';
  if (stream.encrypted) return stream.verified ? 'encrypted' : 'encrypted-unverified';
  return info?.inner === 'plain' ? 'password-in-clear' : 'not-encrypted';
}
