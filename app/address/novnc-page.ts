// noVNC console pages (http[s]://…/<any page or directory>), resolved to the WebSocket URL the page
// itself would open. Two sets of rules, read from noVNC's own code:
//
// - vnc_lite.html (noVNC 1.x): readQueryVariable(name) is the LAST `[?&]name=` in location.href
//   (the fragment included), its value up to the next `&` or `#`, decoded once. host/port default to
//   the page's, path to "websockify"; the URL is `${https ? 'wss' : 'ws'}://host[:port]/` + path.
//   view_only is on for any non-empty value.
// - every other page (vnc.html, Debian's vnc_auto.html → vnc.html, /console/, /novnc/…): app/ui.js of
//   noVNC ≥ 1.5. WebUtil.getConfigVar: a fragment variable (last `[&#]name=` in location.hash, value
//   up to `&`) wins over the query variable. With a `host`: scheme from `encrypt` (default: the page's),
//   `port` if set, and new URL("./" + path, "<scheme>://host[:port]"). Without one: new URL(path,
//   location.href) with the page's scheme, so a reverse-proxy directory is kept and `port`/`encrypt`
//   are not used (a `path` that repeats the page's directory is read from the root, as noVNC < 1.5
//   links were written). Checkbox settings are false only for "0", "no" or "false".
// - the page-level `token` (noVNC ≤ 1.0, Nova ≤ Queens: vnc_auto.html?token=…) is added to the
//   WebSocket query when it has none (WebUtil.injectParamIfMissing).
// Everything is decoded exactly once, as the page does: "%253F" in `path` becomes "%3F", a path
// character. The host is never taken from anywhere but the page's own rules.
import { decodeOnce, hostForUrl, noCredentials, parseAuthority, quote, reject, type Authority } from './common.js';
import { recogniseNovaPage } from './nova-consoles.js';
import { isProxmoxUiLink, refuseProxmoxUiLink } from './proxmox-link.js';
import type { AddressDisplay, ParsedAddress } from './types.js';
import { parseWebSocketUrl } from './websocket-url.js';

type Reader = (name: string) => string | null;

/** The raw (undecoded) value of the last `?name=` / `&name=` in href, as noVNC's regex finds it. */
function lastParam(text: string, starts: readonly string[], name: string, stops: readonly string[]): string | null {
  let at = -1;
  for (const s of starts) at = Math.max(at, text.lastIndexOf(`${s}${name}=`));
  if (at < 0) return null;
  const from = at + 1 + name.length + 1;
  let end = text.length;
  for (const stop of stops) {
    const i = text.indexOf(stop, from);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(from, end);
}

function liteReader(page: URL): Reader {
  return (name) => {
    const raw = lastParam(page.href, ['?', '&'], name, ['&', '#']);
    return raw === null ? null : decodeOnce(raw, `the ${quote(name)} parameter`);
  };
}

function uiReader(page: URL): Reader {
  return (name) => {
    const fromHash = lastParam(page.hash, ['#', '&'], name, ['&']);
    const raw = fromHash ?? lastParam(page.href, ['?', '&'], name, ['&', '#']);
    return raw === null ? null : decodeOnce(raw, `the ${quote(name)} parameter`);
  };
}

const checkbox = (v: string): boolean => !['0', 'no', 'false'].includes(v.toLowerCase());

function level(v: string | null): number | undefined {
  if (v === null || !/^[0-9]$/.test(v)) return undefined;
  return Number(v);
}

function uiDisplay(read: Reader): AddressDisplay {
  const display: AddressDisplay = {};
  const viewOnly = read('view_only') ?? read('view-only');
  if (viewOnly !== null) display.viewOnly = checkbox(viewOnly);
  const shared = read('shared');
  if (shared !== null) display.shared = checkbox(shared);
  const quality = level(read('quality'));
  if (quality !== undefined) display.quality = quality;
  const compression = level(read('compression'));
  if (compression !== undefined) display.compression = compression;
  const resize = read('resize');
  if (resize === 'scale') display.scaling = 'fit';
  else if (resize === 'remote') display.scaling = 'remote';
  else if (resize === 'off') display.scaling = 'actual';
  return display;
}

function parseUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    return reject(`${what} is not a URL a browser could open`);
  }
}

/** The WebSocket URL string the page would hand to noVNC's RFB. */
function webSocketUrlOf(page: URL, lite: boolean, read: Reader, notices: string[]): URL {
  const pageSecure = page.protocol === 'https:';
  const path = read('path') ?? 'websockify';
  if (lite) {
    const host = read('host') ?? page.hostname;
    const port = read('port') ?? page.port;
    return parseUrl(`${pageSecure ? 'wss' : 'ws'}://${host}${port ? `:${port}` : ''}/${path}`, 'the WebSocket address this page builds');
  }
  const host = read('host');
  if (host) {
    const base = parseUrl(`https://${host}`, 'the host parameter');
    const encrypt = read('encrypt');
    base.protocol = (encrypt === null ? pageSecure : checkbox(encrypt)) ? 'wss:' : 'ws:';
    const port = read('port');
    if (port) base.port = port;
    return parseUrl(new URL(`./${path}`, base).href, 'the WebSocket address this page builds');
  }
  if (read('port') !== null) notices.push('the page’s "port" parameter is not used without "host" (noVNC ≥ 1.5 connects back to the page’s own address)');
  if (read('encrypt') !== null) notices.push('the page’s "encrypt" parameter is not used without "host" (noVNC ≥ 1.5 follows the page’s scheme)');
  // Before noVNC 1.5, `path` was taken from the site root, and pages behind a proxy directory were linked
  // as /novnc/vnc.html?path=novnc/websockify. Read relative, that repeats the directory; read it as then.
  const dir = page.pathname.slice(0, page.pathname.lastIndexOf('/') + 1);
  const rooted = dir !== '/' && !path.startsWith('/') && `/${path}`.startsWith(dir);
  if (rooted) notices.push(`the path parameter repeats the page’s directory ${quote(dir)}: it is read from the site root, as noVNC before 1.5 did`);
  const url = parseUrl(new URL(rooted ? `/${path}` : path, page.href).href, 'the WebSocket address this page builds');
  url.protocol = pageSecure ? 'wss:' : 'ws:';
  return url;
}

export function parseNoVncPage(text: string, a: Authority): ParsedAddress {
  noCredentials(a);
  const page = parseUrl(text, 'the page address');
  const params = new URLSearchParams(page.search);
  if (isProxmoxUiLink(params)) refuseProxmoxUiLink(page, params);
  recogniseNovaPage(page, params);
  if (/\/api2\/json\/nodes\/[^/]+\/(?:qemu|lxc)\/\d+\/vncwebsocket$/.test(page.pathname)) {
    reject('this is Proxmox’s vncwebsocket API address, not a page: write it with wss:// instead of https://, or add a Proxmox cloud account');
  }

  const pageName = page.pathname.split('/').pop()?.toLowerCase() ?? '';
  const lite = pageName === 'vnc_lite.html';
  const read = lite ? liteReader(page) : uiReader(page);
  const notices: string[] = [];
  const ws = webSocketUrlOf(page, lite, read, notices);
  if (ws.protocol !== 'ws:' && ws.protocol !== 'wss:') reject('the page’s path parameter does not lead to a WebSocket address');
  if (ws.username !== '' || ws.password !== '') reject('the page’s host parameter carries credentials: Porthole does not take them from a URL');
  if (ws.hash !== '') reject('the WebSocket address this page builds has a "#" in it, which a browser refuses');
  if (/%3Ftoken%3D/i.test(ws.pathname)) {
    reject('the path parameter is percent-encoded twice ("%253F…"): noVNC decodes it once, so the page would ask for a path with the token in it and no token; copy the console URL again as your cloud prints it');
  }

  const secure = ws.protocol === 'wss:';
  const parsed = parseWebSocketUrl(secure, parseAuthority(ws.host), ws.pathname, ws.search.slice(1));
  let target = parsed.target;
  if (target.kind !== 'websocket') return parsed;
  if (target.token === undefined && !lite) {
    // noVNC ≤ 1.0 (and the Nova consoles of that time) took the token from the page's own parameters.
    const token = read('token');
    if (token) target = { ...target, token, tokenIn: 'query' };
  }
  if (target.token !== undefined && target.flavour === 'websockify') target = { ...target, flavour: 'nova' };
  const password = read('password');
  if (password) target = { ...target, password };
  if (target.host !== page.hostname.replace(/^\[|\]$/g, '')) {
    notices.push(`the page’s own parameters send this console to ${hostForUrl(target.host)}:${target.port}, not to the page’s host, as noVNC would`);
  }
  if (read('repeaterID')) notices.push('the UltraVNC repeater ID (repeaterID) is not supported and was not used');
  const display: AddressDisplay = lite ? {} : uiDisplay(read);
  if (lite) {
    const viewOnly = read('view_only') ?? read('view-only');
    if (viewOnly) display.viewOnly = true; // vnc_lite.html: any non-empty value is truthy
  }
  return { target, notices: [...parsed.notices, ...notices], ...(Object.keys(display).length > 0 ? { display } : {}) };
}
