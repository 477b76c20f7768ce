// Bare viewer targets as TigerVNC's vncviewer reads them (common/network/TcpSocket.cxx,
// getHostAndPort): "host" (port 5900), "host:N" (a display number below 100 means port 5900+N,
// otherwise N is the port), "host::port", ":N" (localhost), "[ipv6]:N", "[ipv6]::port". Without
// brackets, text with a ":" before the last one (other than "host::port") is an IPv6 address taken
// whole as the host, port 5900: "2001:db8::10". Like vncviewer, "fe80::1" therefore reads as host
// "fe80", port 1: write IPv6 addresses in brackets.
import type { TcpTarget } from '../console-target.js';
import { checkHost, checkPort, must, reject } from './common.js';
import type { ParsedAddress } from './types.js';

function notATarget(text: string, scheme: string | undefined): never {
  if (scheme !== undefined && /^[a-z]+:\/?[^/]/i.test(text) && ['http', 'https', 'ws', 'wss', 'vnc'].includes(scheme)) {
    reject(`the address is missing "//" after "${scheme}:"`);
  }
  return reject('the address is not a URL: start it with https://, wss://, ws:// or vnc://, or write host:display');
}

/** Splits host and the part after ":" / "::" the way getHostAndPort does. */
function split(text: string): { host: string; colons: '' | ':' | '::'; port: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) reject('the IPv6 address is missing its closing "]"');
    const rest = text.slice(close + 1);
    const colons = rest.startsWith('::') ? '::' : rest.startsWith(':') ? ':' : '';
    if (rest !== '' && colons === '') reject('unexpected text after the IPv6 address');
    return { host: text.slice(1, close), colons, port: rest.slice(colons.length) };
  }
  const last = text.lastIndexOf(':');
  if (last < 0) return { host: text, colons: '', port: '' };
  const hostEnd = last > 0 && text[last - 1] === ':' ? last - 1 : last;
  if (text.indexOf(':') !== hostEnd) return { host: text, colons: '', port: '' };
  return { host: text.slice(0, hostEnd), colons: hostEnd === last ? ':' : '::', port: text.slice(last + 1) };
}

export function parseViewerTarget(text: string, scheme: string | undefined): ParsedAddress {
  if (text === '' || /[\s/?#@]/.test(text)) notATarget(text, scheme);
  const { host: hostRaw, colons, port: portText } = split(text);
  if (colons !== '' && portText === '') reject('the display number or port after ":" is missing');
  if (colons !== '' && !/^[0-9]+$/.test(portText)) notATarget(text, scheme);
  const host = hostRaw === '' ? 'localhost' : must(checkHost(hostRaw, { bareIpv6: true }));
  let port = 5900;
  if (colons === ':' && Number(portText) < 100) port = 5900 + Number(portText);
  else if (colons !== '') port = must(checkPort(portText));
  const target: TcpTarget = { kind: 'vnc-tcp', tls: false, host, port };
  return { target, notices: [] };
}
