// How well a VNC password is protected on its way to the server, once Porthole knows which security
// type it will use: the password dialog says it before the user types, and Test connection reports
// it. Shared words, so both say the same thing.
import { z } from 'zod';

export const PasswordProtection = z.enum([
  /** Inside TLS with a verified certificate (X509 subtypes, or a verified TLS / wss stream). */
  'encrypted',
  /** Inside TLS whose server is not verified (anonymous TLS, or certificate checks off). */
  'encrypted-unverified',
  /** No TLS, VNC authentication: the password is not sent (a DES challenge), but the connection is not encrypted. */
  'not-encrypted',
  /** No TLS, VeNCrypt Plain: the user name and password are sent as they are. */
  'password-in-clear',
]);
export type PasswordProtection = z.infer<typeof PasswordProtection>;

/** What the dialog and Test connection say; undefined when there is nothing to warn about. */
export function protectionWarning(p: PasswordProtection): string | undefined {
  switch (p) {
    case 'password-in-clear':
      return 'This server will receive your password unencrypted: anyone on the network path can read it.';
    case 'not-encrypted':
      return 'The connection to this server is not encrypted: the password itself is not sent, but VNC password authentication is weak, and what the console shows and what you type can be read on the network path.';
    case 'encrypted-unverified':
      return 'The connection is encrypted, but the server’s identity is not verified.';
    case 'encrypted':
      return undefined;
  }
}
