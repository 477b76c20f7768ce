// ws:// and wss:// addresses: websockify (token optional, as in password-only websockify, KubeVirt
// or cookie gateways), Proxmox vncwebsocket, and Nova's serial console, which is recognised and
// refused before anything connects (its token is single use).
//
// Rules followed: websockify's TokenFile plugins read `token` from the query string (parse_qs,
// decoded once); Nova's serial proxy listens on 6083 and hands out ws://host:6083/?token=<uuid>
// (nova.conf [serial_console] base_url); Proxmox's vncwebsocket needs `port` and a one-time
// `vncticket` that Porthole never takes from a URL.
import type { WebSocketTarget } from '../console-target.js';
import { type Authority, hasControlChar, must, checkPort, noCredentials, quote, refuseRecognised, reject } from './common.js';
import type { ParsedAddress } from './types.js';

const SECRET_PARAMS = new Set(['password', 'passwd', 'pwd', 'vncticket', 'ticket', 'secret', 'access_token', 'auth', 'authorization', 'api_key', 'apikey']);
const PROXMOX_WS_PATH = /^\/api2\/json\/nodes\/[^/]+\/(?:qemu|lxc)\/\d+\/vncwebsocket$/;
const PROXMOX_TICKET_DETAIL =
  'the vncticket in this Proxmox URL is a one-time secret Porthole does not take from a URL: ' +
  'remove the vncticket parameter and save a Proxmox API token (PVEAPIToken) in the profile, or add a Proxmox cloud account';
export const NOVA_SERIAL_PORT = 6083;

/** Takes the single token out of the parameters and checks the rest carry no secret. */
export function splitToken(params: URLSearchParams): { token: string | undefined; query: Array<[string, string]> } {
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

/** The path as a WebSocket client sends it: dot segments resolved, percent-escapes kept as they are. */
export function normalisePath(path: string): string {
  if (hasControlChar(path) || path.includes('#')) reject('the WebSocket path contains characters that are not allowed');
  return new URL(`http://h${path.startsWith('/') ? path : `/${path}`}`).pathname;
}

export function parseWebSocketUrl(secure: boolean, a: Authority, path: string, query: string): ParsedAddress {
  noCredentials(a);
  const wsPath = normalisePath(path || '/');
  const params = new URLSearchParams(query);
  const port = a.port ?? (secure ? 443 : 80);
  if (port === NOVA_SERIAL_PORT && wsPath === '/' && params.has('token')) {
    refuseRecognised(
      { kind: 'nova-serial', host: a.host, port },
      `this is a Nova serial console (nova-serialproxy on port ${NOVA_SERIAL_PORT}), a text console, not a VNC one. ` +
        'Porthole did not connect, so its one-time token is still unused. Porthole has no serial console yet: ' +
        'ask for a VNC console instead (openstack console url show --novnc <server>)',
    );
  }
  const proxmox = PROXMOX_WS_PATH.test(wsPath);
  if (proxmox) {
    if (params.has('vncticket')) reject(PROXMOX_TICKET_DETAIL, 'url-unsupported');
    const vncPort = params.get('port');
    if (vncPort === null) reject('the Proxmox vncwebsocket URL has no port parameter');
    must(checkPort(vncPort));
  }
  const { token, query: rest } = splitToken(params);
  if (token === '') reject('the token parameter is empty');
  const target: WebSocketTarget = { kind: 'websocket', flavour: proxmox ? 'proxmox' : 'websockify', secure, host: a.host, port, path: wsPath, query: rest };
  return { target: token === undefined ? target : { ...target, token, tokenIn: 'query' }, notices: [] };
}
