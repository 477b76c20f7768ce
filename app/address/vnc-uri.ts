// vnc:// addresses: RFC 7869 (vnc://[userinfo@]host[:port][?params], port default 5900, parameters
// such as VncUsername, VncPassword, SecurityType, ViewOnly, ConnectionName) and the macOS Screen
// Sharing form vnc://user:password@host[:port]. vnc+tls:// and vncs:// name a TLS-wrapped listener
// (stunnel), like websockify's --ssl-target. A user name or password stays on the target (main only);
// it never reaches a display address. Unknown parameters are named in a notice, never silently dropped.
import type { TcpTarget } from '../console-target.js';
import { type Authority, decodeOnce, hasControlChar, quote, reject } from './common.js';
import type { AddressDisplay, ParsedAddress } from './types.js';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function flag(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return reject(`the ${quote(name)} parameter must be true or false`);
}

function secret(value: string, what: string): string {
  if (hasControlChar(value)) reject(`the ${what} contains control characters`);
  return value;
}

export function parseVncUri(tls: boolean, a: Authority, path: string, query: string): ParsedAddress {
  if (path !== '' && path !== '/') reject('a vnc:// address has no path: write vnc://host:port');
  let target: TcpTarget = { kind: 'vnc-tcp', tls, host: a.host, port: a.port ?? 5900 };
  const notices: string[] = [];
  const display: AddressDisplay = {};
  let title: string | undefined;
  if (a.port !== undefined && a.port < 100) {
    notices.push(`port ${a.port} is taken as a TCP port (RFC 7869); for display :${a.port} write vnc://${a.host.includes(':') ? `[${a.host}]` : a.host}:${5900 + a.port}`);
  }
  if (a.userinfo !== undefined) {
    const colon = a.userinfo.indexOf(':');
    const user = decodeOnce(colon < 0 ? a.userinfo : a.userinfo.slice(0, colon), 'the user name in the address');
    const password = colon < 0 ? '' : decodeOnce(a.userinfo.slice(colon + 1), 'the password in the address');
    if (user !== '') target = { ...target, username: secret(user, 'user name') };
    if (password !== '') target = { ...target, password: secret(password, 'password') };
  }
  for (const [name, value] of new URLSearchParams(query)) {
    switch (name.toLowerCase()) {
      case 'vncpassword':
        if (value !== '') target = { ...target, password: secret(value, 'password') };
        break;
      case 'vncusername':
        if (value !== '') target = { ...target, username: secret(value, 'user name') };
        break;
      case 'viewonly':
        display.viewOnly = flag(name, value);
        break;
      case 'connectionname':
        if (value.trim() !== '' && !hasControlChar(value)) title = value.trim().slice(0, 200);
        break;
      case 'securitytype':
      case 'securitytypes':
        notices.push(`the ${quote(name)} parameter was not applied: Porthole agrees on the security type with the server itself`);
        break;
      default:
        notices.push(`the parameter ${quote(name)} is not used by Porthole`);
    }
  }
  return { target, notices, ...(Object.keys(display).length > 0 ? { display } : {}), ...(title !== undefined ? { title } : {}) };
}
