// RFB security type and VeNCrypt subtype numbers (RFC 6143 §7.2; rfbproto "VeNCrypt"), with the
// names Porthole shows. Top-level types and VeNCrypt subtypes share one name table: servers may
// list plain types (1, 2) among the VeNCrypt subtypes.
import { securityTypeName } from '../handshake.js';

export const SecType = {
  None: 1,
  VncAuth: 2,
  VeNCrypt: 19,
} as const;

export const SubType = {
  Plain: 256,
  TLSNone: 257,
  TLSVnc: 258,
  TLSPlain: 259,
  X509None: 260,
  X509Vnc: 261,
  X509Plain: 262,
  TLSSASL: 263,
  X509SASL: 264,
} as const;

const subtypeNames: ReadonlyMap<number, string> = new Map([
  [256, 'Plain'],
  [257, 'TLSNone'],
  [258, 'TLSVnc'],
  [259, 'TLSPlain'],
  [260, 'X509None'],
  [261, 'X509Vnc'],
  [262, 'X509Plain'],
  [263, 'TLSSASL'],
  [264, 'X509SASL'],
  [265, 'IdentNone'],
  [266, 'IdentTLS'],
  [267, 'IdentX509'],
]);

/** A name for a security type or VeNCrypt subtype: 2 → "VNC authentication", 261 → "X509Vnc". */
export function securityName(n: number): string {
  return subtypeNames.get(n) ?? securityTypeName(n);
}

/** What the inner step of a type asks of the client once any TLS is up. */
export type InnerAuth = 'none' | 'vnc' | 'plain';

export interface SubtypeInfo {
  tls: 'none' | 'anonymous' | 'x509';
  inner: InnerAuth;
}

/** The subtypes (and plain types listed as subtypes) Porthole can speak. */
export const knownSubtypes: ReadonlyMap<number, SubtypeInfo> = new Map<number, SubtypeInfo>([
  [SecType.None, { tls: 'none', inner: 'none' }],
  [SecType.VncAuth, { tls: 'none', inner: 'vnc' }],
  [SubType.Plain, { tls: 'none', inner: 'plain' }],
  [SubType.TLSNone, { tls: 'anonymous', inner: 'none' }],
  [SubType.TLSVnc, { tls: 'anonymous', inner: 'vnc' }],
  [SubType.TLSPlain, { tls: 'anonymous', inner: 'plain' }],
  [SubType.X509None, { tls: 'x509', inner: 'none' }],
  [SubType.X509Vnc, { tls: 'x509', inner: 'vnc' }],
  [SubType.X509Plain, { tls: 'x509', inner: 'plain' }],
]);
