// Which security type to pick from what a server offers. Order (issue 10): a verified certificate
// (X509 subtypes) first; then None / VNC authentication when the byte stream is already a verified
// TLS or wss connection; then anonymous TLS (encrypted, server not verified) where this runtime
// has the cipher suites; then plain None / VNC authentication; Plain (password in clear) last.
// Within a tier a type that needs nothing from the user comes before one that needs a password.
import { knownSubtypes, SecType, SubType } from './types.js';

export interface ChoiceContext {
  /** The stream itself is TLS or wss with certificate verification on (not "allow insecure"). */
  transportVerified: boolean;
  /** The TLS library has anonymous (aNULL) cipher suites (Node's OpenSSL does; BoringSSL does not). */
  anonymousTls: boolean;
  /** VeNCrypt was tried on this server and none of its subtypes is usable: pick a plain type instead. */
  withoutVeNCrypt?: boolean;
}

const x509 = [SubType.X509None, SubType.X509Vnc, SubType.X509Plain];
const plainTypes = [SecType.None, SecType.VncAuth];
const anonymous = [SubType.TLSNone, SubType.TLSVnc, SubType.TLSPlain];

/** Subtypes (and plain types) in the order Porthole prefers them in this context. */
export function subtypePreference(ctx: ChoiceContext): number[] {
  const order: number[] = [...x509];
  if (ctx.transportVerified) order.push(...plainTypes, SubType.Plain);
  if (ctx.anonymousTls) order.push(...anonymous);
  order.push(...plainTypes, SubType.Plain);
  return [...new Set(order)];
}

export type SubtypeChoice = { ok: true; subtype: number } | { ok: false; why: 'nothing-supported' | 'anonymous-tls-unavailable' };

export function chooseSubtype(offered: readonly number[], ctx: ChoiceContext): SubtypeChoice {
  for (const t of subtypePreference(ctx)) if (offered.includes(t)) return { ok: true, subtype: t };
  if (!ctx.anonymousTls && offered.some((t) => anonymous.includes(t as (typeof anonymous)[number]))) return { ok: false, why: 'anonymous-tls-unavailable' };
  return { ok: false, why: 'nothing-supported' };
}

/**
 * The top-level type: VeNCrypt whenever offered (its subtypes include X509 and, on TigerVNC, the
 * plain types too), else None, else VNC authentication. Undefined when none of them is offered.
 * `withoutVeNCrypt`: a first connection found no usable VeNCrypt subtype (see fallbackAfterVeNCrypt).
 */
export function chooseTopLevel(offered: readonly number[], withoutVeNCrypt = false): number | undefined {
  for (const t of [SecType.VeNCrypt, SecType.None, SecType.VncAuth]) if (offered.includes(t) && !(withoutVeNCrypt && t === SecType.VeNCrypt)) return t;
  return undefined;
}

/**
 * Whether a server whose VeNCrypt subtypes are all unusable here may be asked again for a plain
 * top-level type: only when it offers one. Nothing stronger works on this runtime then, so this
 * is never a downgrade from something that would have worked.
 */
export function fallbackAfterVeNCrypt(offered: readonly number[]): boolean {
  return offered.includes(SecType.None) || offered.includes(SecType.VncAuth);
}

export function isKnownSubtype(n: number): boolean {
  return knownSubtypes.has(n);
}
