// Shared pieces of the console-address parsers: the refusal carrier, host and port checks, the
// authority splitter. Pure (no Node, no DOM). Details name hosts, ports and parameter names, never
// the value of a token or password.
import type { RecognisedConsole } from './types.js';

export const MAX_ADDRESS_LENGTH = 8192;

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

/** Thrown inside the parsers, turned into an outcome at the entry point; never escapes it. */
export class Rejected extends Error {
  constructor(
    readonly code: 'url-invalid' | 'url-unsupported',
    readonly detail: string,
    readonly recognised?: RecognisedConsole,
  ) {
    super(detail);
  }
}

export function reject(detail: string, code: 'url-invalid' | 'url-unsupported' = 'url-invalid'): never {
  throw new Rejected(code, detail);
}

/** A refusal of an address we know for what it is (a serial console, a Proxmox page…). */
export function refuseRecognised(recognised: RecognisedConsole, detail: string): never {
  throw new Rejected('url-unsupported', detail, recognised);
}

export function must<T>(c: Checked<T>): T {
  return c.ok ? c.value : reject(c.detail);
}

/** Quotes user text for a detail message, shortened so a huge input cannot flood a message. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** decodeURIComponent, or a refusal naming what was badly encoded (a page would throw here too). */
export function decodeOnce(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return reject(`${what} is not validly percent-encoded`);
  }
}

/** A host name, IPv4 address or bracketed IPv6 literal; returns it lower-cased, IPv6 without brackets. */
export function checkHost(raw: string, opts: { bareIpv6?: boolean } = {}): Checked<string> {
  const bad = (detail: string): Checked<string> => ({ ok: false, detail });
  if (raw === '') return bad('the address has no host');
  if (/\s/.test(raw)) return bad(`the host ${quote(raw)} contains a space`);
  let literal = raw;
  if (opts.bareIpv6 && !raw.startsWith('[') && raw.includes(':')) literal = `[${raw}]`;
  if (literal.startsWith('[')) {
    const inner = literal.endsWith(']') ? literal.slice(1, -1) : '';
    if (!inner.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(inner)) return bad(`the IPv6 address ${quote(raw)} is not valid`);
  } else if (/^[0-9.]+$/.test(raw)) {
    const parts = raw.split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
      return bad(`the IPv4 address ${quote(raw)} is not valid`);
    }
  } else {
    const odd = /[^A-Za-z0-9._\-\u0080-\uffff]/.exec(raw);
    if (odd) return bad(`the host ${quote(raw)} contains the character ${quote(odd[0])}`);
    if (raw.length > 253) return bad('the host name is longer than 253 characters');
    const labels = raw.split('.');
    if (labels.some((l) => l === '')) return bad(`the host ${quote(raw)} has an empty part between dots`);
    if (labels.some((l) => l.length > 63)) return bad(`the host ${quote(raw)} has a part longer than 63 characters`);
  }
  try {
    const host = new URL(`http://${literal}/`).hostname;
    if (/^[0-9.]+$/.test(host) && host !== raw) return bad(`the host ${quote(raw)} is not a valid host name`);
    return { ok: true, value: host.startsWith('[') ? host.slice(1, -1) : host };
  } catch {
    return bad(`the host ${quote(raw)} is not a valid host name`);
  }
}

export function checkPort(raw: string): Checked<number> {
  if (raw === '') return { ok: false, detail: 'the port is empty' };
  if (!/^[0-9]+$/.test(raw)) return { ok: false, detail: `the port ${quote(raw)} is not a number` };
  const n = Number(raw);
  if (n < 1 || n > 65535) return { ok: false, detail: `the port ${raw.length > 12 ? quote(raw) : raw} is out of range (1–65535)` };
  return { ok: true, value: n };
}

export type Authority = { userinfo: string | undefined; host: string; port: number | undefined };

/** [userinfo@]host[:port] with IPv6 in brackets; the host checked and lower-cased. */
export function parseAuthority(authority: string): Authority {
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = authority.slice(at + 1);
  let hostRaw = hostPort;
  let portRaw: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) reject('the IPv6 address is missing its closing "]"');
    hostRaw = hostPort.slice(0, close + 1);
    const rest = hostPort.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) reject(`unexpected text ${quote(rest)} after the IPv6 address`);
    if (rest !== '') portRaw = rest.slice(1);
  } else if (hostPort.indexOf(':') !== hostPort.lastIndexOf(':')) {
    reject('an IPv6 address must be written in brackets, like [::1]');
  } else if (hostPort.includes(':')) {
    hostRaw = hostPort.slice(0, hostPort.indexOf(':'));
    portRaw = hostPort.slice(hostPort.indexOf(':') + 1);
  }
  const host = must(checkHost(hostRaw));
  return { userinfo, host, port: portRaw === undefined ? undefined : must(checkPort(portRaw)) };
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function noCredentials(a: Authority): void {
  if (a.userinfo !== undefined) {
    reject('credentials in URLs are not accepted: remove the "user:password@" part and save the secret in the profile');
  }
}
