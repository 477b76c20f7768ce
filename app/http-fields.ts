// What may end up in an HTTP request Porthole sends upstream, checked where profiles enter (save,
// import, file load): header names and values (RFC 9110 §5), and the Origin override (a serialized
// origin, RFC 6454 §6.2). A value that passes here can be given to Node's http and ws without throwing.
import { z } from 'zod';

/** RFC 9110 token: the characters a field name may use. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const MAX_HEADER_NAME = 64;
export const MAX_HEADER_VALUE = 4096;

/**
 * Names the proxy sets itself or that change how the request is framed or routed: hop-by-hop fields
 * (RFC 9110 §7.6.1), the WebSocket handshake's own fields, and Origin (set through the Origin
 * override, so it is checked as an origin).
 */
const FORBIDDEN = new Set([
  'host',
  'connection',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'content-length',
  'content-encoding',
  'expect',
  'origin',
  'http2-settings',
]);
const FORBIDDEN_PREFIXES = ['sec-websocket-', 'proxy-'];

export function forbiddenHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN.has(lower) || FORBIDDEN_PREFIXES.some((p) => lower.startsWith(p));
}

export const HeaderName = z
  .string()
  .min(1, 'a header name is empty')
  .max(MAX_HEADER_NAME, `a header name is longer than ${MAX_HEADER_NAME} characters`)
  .regex(TOKEN, 'not a valid HTTP header name (letters, digits and !#$%&\'*+.^_`|~- only)')
  .refine((n) => !forbiddenHeaderName(n), 'Porthole sets this header itself (Host, Connection, Upgrade, Origin, Sec-WebSocket-*, Content-Length… cannot be overridden)');

/**
 * Visible ASCII, space and tab, with no space or tab at either end. Stricter than RFC 9110 (which
 * tolerates obs-text): a non-ASCII value would be sent as Latin-1 by Node, i.e. not what was typed.
 */
export function headerValueProblem(value: string): string | undefined {
  if (value.length > MAX_HEADER_VALUE) return `longer than ${MAX_HEADER_VALUE} characters`;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c === 0x7f) return 'contains a control character (line break, NUL, DEL…)';
    if (c > 0x7e) return 'contains a character outside ASCII';
  }
  if (/^[ \t]|[ \t]$/.test(value)) return 'starts or ends with a space';
  return undefined;
}

/** A header value as stored in a profile. The message never repeats the value (it may be a secret). */
export const HeaderValue = z.string().superRefine((value, ctx) => {
  const problem = headerValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `a header value ${problem}` });
});

/** Header names compared as HTTP does: case-insensitively. */
export function duplicateHeaderName(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) return name;
    seen.add(lower);
  }
  return undefined;
}

/** "scheme://host[:port]" exactly as a browser serializes it (lower-case, default port omitted, no path). */
export function isSerializedOrigin(value: string): boolean {
  if (value === 'null') return true;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[\x21-\x7e]+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export const OriginOverride = z
  .string()
  .max(512)
  .refine(isSerializedOrigin, 'the Origin header must be an origin such as https://console.example.com (scheme, host and port only)');
