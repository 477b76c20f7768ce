// The one parser for console addresses: what the user pastes becomes a ConsoleTarget or a precise error.
// Never throws. Error details are secret-free: they name hosts, ports and parameter names, never values
// of tokens or passwords.
//
// Accepted shapes and the choices made where there was room for them:
// - Nova noVNC pages (http[s]://host[:port]/…/vnc_lite.html | vnc_auto.html | vnc.html):
//   the `path` parameter (encoded once or twice) gives the WebSocket path and token, as noVNC reads it;
//   the page's own directory is ignored, as noVNC does ('wss://host:port/' + path). With no `path`,
//   noVNC's default path "websockify" is used, and a page-level `token=` (the older form) is added to it
//   as a query parameter, as old noVNC did (injectParamIfMissing); Nova reads the token from the query.
//   Other page parameters (title, autoconnect, host, port, password…) are dropped. Fragments are ignored.
// - websockify: ws[s]://host[:port]/path?token=…; the token is optional, other parameters are kept.
// - Proxmox: the web UI page (?console=kvm&novnc=1…) is recognised but refused. A vncwebsocket URL is
//   accepted only without its one-time `vncticket` (which is both a secret and short-lived): the
//   connector is expected to get a fresh ticket and port from the API with the profile's PVEAPIToken
//   secret header. A URL that still carries a vncticket is refused, so a ticket never lands in `query`.
// - vnc://[:password@]host[:port] (RFC 7869, default port 5900; a user name is refused; query ignored),
//   vnc+tls:// and vncs:// (a TLS-wrapped listener such as stunnel, kind 'vnc-tls'), and bare
//   host:display / host::port as TigerVNC reads them (a display below 100 means port 5900 + display).
// - Query parameters named like secrets (password, vncticket, ticket, secret…) are refused.
import { type TcpTarget, type WebSocketTarget, isEncrypted } from './console-target.js';
import { type PortholeErrorShape, makeError } from './errors.js';
import type { EndpointKind } from './profile.js';

export const MAX_ADDRESS_LENGTH = 8192;

export type AddressWarning = 'unencrypted-upstream';
export type ParsedTarget = WebSocketTarget | TcpTarget;
export type AddressOutcome =
  | { ok: true; target: ParsedTarget; kind: EndpointKind; warnings: AddressWarning[] }
  | { ok: false; error: PortholeErrorShape };
export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

export const SPICE_DETAIL = 'SPICE consoles are not supported: Porthole speaks VNC only';
const PROXMOX_UI_DETAIL =
  'this is the Proxmox web console page: Porthole needs the vncwebsocket URL ' +
  '(wss://host:8006/api2/json/nodes/<node>/qemu/<vmid>/vncwebsocket?port=…) plus a Proxmox API token (PVEAPIToken) saved in the profile';
const PROXMOX_TICKET_DETAIL =
  'the vncticket in this Proxmox URL is a one-time secret Porthole does not take from a URL: ' +
  'remove the vncticket parameter and save a Proxmox API token (PVEAPIToken) in the profile';
const NOVNC_PAGES = new Set(['vnc_lite.html', 'vnc_auto.html', 'vnc.html']);
const SPICE_PAGES = new Set(['spice_auto.html', 'spice.html']);
const UNSAFE_SCHEMES = new Set(['javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'filesystem']);
const SECRET_PARAMS = new Set(['password', 'passwd', 'pwd', 'vncticket', 'ticket', 'secret', 'access_token', 'auth', 'authorization', 'api_key', 'apikey']);
const PROXMOX_WS_PATH = /^\/api2\/json\/nodes\/[^/]+\/(?:qemu|lxc)\/\d+\/vncwebsocket$/;
const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;
const BARE_SHAPE = /^(\[[^\]]*\]|[^:[\]]*)(::?)([0-9]+)$/;

class Rejected extends Error {
  constructor(
    readonly code: 'url-invalid' | 'url-unsupported',
    readonly detail: string,
  ) {
    super(detail);
  }
}

function reject(detail: string, code: 'url-invalid' | 'url-unsupported' = 'url-invalid'): never {
  throw new Rejected(code, detail);
}

function must<T>(c: Checked<T>): T {
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

export function endpointKindOf(t: ParsedTarget): EndpointKind {
  return t.kind === 'websocket' ? t.flavour : t.tls ? 'vnc-tls' : 'vnc-tcp';
}

export function parseConsoleAddress(input: string): AddressOutcome {
  try {
    const target = parseTarget(input);
    const warnings: AddressWarning[] = isEncrypted(target) ? [] : ['unencrypted-upstream'];
    return { ok: true, target, kind: endpointKindOf(target), warnings };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, error: makeError(e.code, e.detail) };
    return { ok: false, error: makeError('url-invalid', 'the address could not be parsed') };
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

type Authority = { userinfo: string | undefined; host: string; port: number | undefined };

function parseAuthority(authority: string): Authority {
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

function parseTarget(input: unknown): ParsedTarget {
  if (typeof input !== 'string') reject('the address is not text');
  const text = input.trim();
  if (text === '') reject('the address is empty');
  if (text.length > MAX_ADDRESS_LENGTH) reject(`the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (hasControlChar(text)) reject('the address contains control characters');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && UNSAFE_SCHEMES.has(scheme)) reject(`${scheme}: addresses are not console addresses`);
  const m = URL_SHAPE.exec(text);
  if (!m) return parseBare(text, scheme);
  const [, , authorityText = '', path = '', query = ''] = m;
  const parse = (): Authority => {
    const a = parseAuthority(authorityText);
    if (/\s/.test(text)) reject('the address contains a space');
    return a;
  };
  switch (scheme) {
    case 'http':
    case 'https':
      return parsePage(scheme === 'https', parse(), path, query);
    case 'ws':
    case 'wss':
      return parseWebSocket(scheme === 'wss', parse(), path, query);
    case 'vnc':
    case 'vnc+tls':
    case 'vncs':
      return parseVnc(scheme !== 'vnc', parse(), path);
    case 'spice':
    case 'spice+tls':
      return reject(SPICE_DETAIL, 'url-unsupported');
    case 'rdp':
      return reject('RDP consoles are not supported: Porthole speaks VNC only', 'url-unsupported');
    default:
      return reject(`${quote(`${scheme}://`)} is not a console address scheme: use https://, wss://, ws:// or vnc://`);
  }
}

/** host:display or host::port (TigerVNC), or an explanation of why the text is no address. */
function parseBare(text: string, scheme: string | undefined): TcpTarget {
  const m = BARE_SHAPE.exec(text);
  if (!m) {
    if (scheme !== undefined && /^[a-z]+:\/?[^/]/i.test(text) && ['http', 'https', 'ws', 'wss', 'vnc'].includes(scheme)) {
      reject(`the address is missing "//" after "${scheme}:"`);
    }
    return reject('the address is not a URL: start it with https://, wss://, ws:// or vnc://, or write host:display');
  }
  const [, hostRaw = '', colons, digits = ''] = m;
  const host = must(checkHost(hostRaw));
  const n = Number(digits);
  const port = colons === ':' && n < 100 ? 5900 + n : n;
  return { kind: 'vnc-tcp', tls: false, host, port: must(checkPort(String(port))) };
}

function noCredentials(a: Authority): void {
  if (a.userinfo !== undefined) {
    reject('credentials in URLs are not accepted: remove the "user:password@" part and save the secret in the profile');
  }
}

/** Takes the single token out of the parameters and checks the rest carry no secret. */
function splitToken(params: URLSearchParams): { token: string | undefined; query: Array<[string, string]> } {
  const tokens = params.getAll('token');
  if (tokens.length > 1) reject('the URL has more than one token');
  const token = tokens[0];
  if (token !== undefined && hasControlChar(token)) reject('the token contains control characters');
  const query = [...params].filter(([k]) => k !== 'token');
  for (const [k] of query) {
    if (SECRET_PARAMS.has(k.toLowerCase())) {
      reject(`the URL carries a secret in its ${quote(k)} parameter: Porthole keeps secrets out of console addresses; remove it and save the secret in the profile`, 'url-unsupported');
    }
  }
  return { token, query };
}

function normalisePath(path: string): string {
  if (hasControlChar(path) || path.includes('#')) reject('the WebSocket path contains characters that are not allowed');
  return new URL(`http://h${path.startsWith('/') ? path : `/${path}`}`).pathname;
}

function lastSegment(path: string): string {
  return (path.split('/').pop() ?? '').toLowerCase();
}

function parsePage(secure: boolean, a: Authority, path: string, query: string): WebSocketTarget {
  noCredentials(a);
  const page = new URLSearchParams(query);
  if (page.has('console') && (page.has('novnc') || page.has('xtermjs') || page.has('vmid'))) {
    reject(PROXMOX_UI_DETAIL, 'url-unsupported');
  }
  if (SPICE_PAGES.has(lastSegment(path))) reject(SPICE_DETAIL, 'url-unsupported');
  if (!NOVNC_PAGES.has(lastSegment(path))) {
    reject('an http(s) address must be a noVNC console page (…/vnc_lite.html, vnc_auto.html or vnc.html)');
  }
  let wsPath = '/websockify';
  let wsParams = new URLSearchParams();
  let pathParam = page.get('path');
  if (pathParam !== null) {
    // Some deployments encode the path twice (%253Ftoken%253D…): decode again if no "?" shows yet.
    if (!pathParam.includes('?') && /%[0-9A-Fa-f]{2}/.test(pathParam)) {
      try {
        pathParam = decodeURIComponent(pathParam);
      } catch {
        reject('the path parameter is not validly percent-encoded');
      }
    }
    const q = pathParam.indexOf('?');
    wsPath = normalisePath(`/${(q < 0 ? pathParam : pathParam.slice(0, q)).replace(/^\/+/, '')}`);
    wsParams = new URLSearchParams(q < 0 ? '' : pathParam.slice(q + 1));
  }
  const pageToken = page.get('token');
  if (!wsParams.has('token') && pageToken) wsParams.append('token', pageToken);
  const { token, query: rest } = splitToken(wsParams);
  if (!token) reject('the URL has no console token');
  const port = a.port ?? (secure ? 443 : 80);
  return { kind: 'websocket', flavour: 'nova', secure, host: a.host, port, path: wsPath, query: rest, token, tokenIn: 'query' };
}

function parseWebSocket(secure: boolean, a: Authority, path: string, query: string): WebSocketTarget {
  noCredentials(a);
  const wsPath = normalisePath(path || '/');
  const params = new URLSearchParams(query);
  const proxmox = PROXMOX_WS_PATH.test(wsPath);
  if (proxmox) {
    if (params.has('vncticket')) reject(PROXMOX_TICKET_DETAIL, 'url-unsupported');
    const port = params.get('port');
    if (port === null) reject('the Proxmox vncwebsocket URL has no port parameter');
    must(checkPort(port));
  }
  const { token, query: rest } = splitToken(params);
  if (token === '') reject('the token parameter is empty');
  const target: WebSocketTarget = {
    kind: 'websocket',
    flavour: proxmox ? 'proxmox' : 'websockify',
    secure,
    host: a.host,
    port: a.port ?? (secure ? 443 : 80),
    path: wsPath,
    query: rest,
  };
  return token === undefined ? target : { ...target, token, tokenIn: 'query' };
}

function parseVnc(tls: boolean, a: Authority, path: string): TcpTarget {
  if (path !== '' && path !== '/') reject('a vnc:// address has no path: write vnc://host:port');
  const target: TcpTarget = { kind: 'vnc-tcp', tls, host: a.host, port: a.port ?? 5900 };
  if (a.userinfo === undefined) return target;
  const colon = a.userinfo.indexOf(':');
  if ((colon < 0 ? a.userinfo : a.userinfo.slice(0, colon)) !== '') {
    reject('VNC user names are not supported: write vnc://:password@host:port', 'url-unsupported');
  }
  if (colon < 0 || colon === a.userinfo.length - 1) return target;
  try {
    return { ...target, password: decodeURIComponent(a.userinfo.slice(colon + 1)) };
  } catch {
    return reject('the password in the address is not validly percent-encoded');
  }
}
