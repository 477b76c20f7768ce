// The one parser for console addresses: what the user pastes becomes a ConsoleTarget or a precise,
// secret-free error. Never throws. Each source kind follows the rules of the software that produced
// it, in its own file under app/address/:
//   novnc-page.ts     http(s) noVNC pages (vnc_lite.html, vnc.html / ui.js, any directory)
//   websocket-url.ts  ws(s):// websockify, Proxmox vncwebsocket, Nova serial (refused)
//   vnc-uri.ts        vnc:// (RFC 7869, macOS), vnc+tls://, vncs://
//   viewer-target.ts  host, host:display, host::port, :display (TigerVNC vncviewer)
//   nova-consoles.ts  Nova SPICE / xvpvnc / RDP / WebMKS consoles (recognised, refused)
//   proxmox-link.ts   Proxmox VE web UI console links (recognised, typed, refused with what to add)
//   pasted-output.ts  the URL out of a pasted `openstack console url show` table, JSON or value output
// A refusal of a recognised console carries `recognised`, the hook for cloud accounts.
import { hasControlChar, MAX_ADDRESS_LENGTH, parseAuthority, quote, refuseRecognised, Rejected, reject } from './address/common.js';
import { parseNoVncPage } from './address/novnc-page.js';
import { unwrapPastedOutput } from './address/pasted-output.js';
import { SPICE_DETAIL } from './address/nova-consoles.js';
import type { AddressDisplay, ParsedAddress, ParsedTarget, RecognisedConsole } from './address/types.js';
import { parseViewerTarget } from './address/viewer-target.js';
import { parseVncUri } from './address/vnc-uri.js';
import { parseWebSocketUrl } from './address/websocket-url.js';
import { isEncrypted } from './console-target.js';
import { type PortholeErrorShape, makeError } from './errors.js';
import type { EndpointKind } from './profile.js';

export { checkHost, checkPort, hasControlChar, MAX_ADDRESS_LENGTH, quote, type Checked } from './address/common.js';
export { SPICE_DETAIL } from './address/nova-consoles.js';
export type { AddressDisplay, ParsedTarget, RecognisedConsole } from './address/types.js';

export type AddressWarning = 'unencrypted-upstream';
export type AddressOutcome =
  | {
      ok: true;
      target: ParsedTarget;
      kind: EndpointKind;
      warnings: AddressWarning[];
      /** Secret-free remarks: parameters not used, rules applied. */
      notices: string[];
      /** Display choices the address carries (view only…). */
      display?: AddressDisplay;
      /** A display name from the address itself (RFC 7869 ConnectionName). */
      title?: string;
    }
  | { ok: false; error: PortholeErrorShape; recognised?: RecognisedConsole };

const UNSAFE_SCHEMES = new Set(['javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'filesystem']);
const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

export function endpointKindOf(t: ParsedTarget): EndpointKind {
  return t.kind === 'websocket' ? t.flavour : t.tls ? 'vnc-tls' : 'vnc-tcp';
}

export function parseConsoleAddress(input: string): AddressOutcome {
  try {
    const parsed = parseAddress(input);
    const { target } = parsed;
    const warnings: AddressWarning[] = isEncrypted(target) ? [] : ['unencrypted-upstream'];
    return {
      ok: true,
      target,
      kind: endpointKindOf(target),
      warnings,
      notices: parsed.notices,
      ...(parsed.display ? { display: parsed.display } : {}),
      ...(parsed.title !== undefined ? { title: parsed.title } : {}),
    };
  } catch (e) {
    if (e instanceof Rejected) {
      return { ok: false, error: makeError(e.code, e.detail), ...(e.recognised ? { recognised: e.recognised } : {}) };
    }
    return { ok: false, error: makeError('url-invalid', 'the address could not be parsed') };
  }
}

function parseAddress(input: unknown): ParsedAddress {
  if (typeof input !== 'string') reject('the address is not text');
  if (input.length > MAX_ADDRESS_LENGTH * 2) reject(`the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  const text = unwrapPastedOutput(input).trim();
  if (text === '') reject('the address is empty');
  if (text.length > MAX_ADDRESS_LENGTH) reject(`the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (hasControlChar(text)) reject('the address contains control characters');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && UNSAFE_SCHEMES.has(scheme)) reject(`${scheme}: addresses are not console addresses`);
  const m = URL_SHAPE.exec(text);
  if (!m) return parseViewerTarget(text, scheme);
  const [, , authorityText = '', path = '', query = ''] = m;
  const authority = () => {
    const a = parseAuthority(authorityText);
    if (/\s/.test(text)) reject('the address contains a space');
    return a;
  };
  switch (scheme) {
    case 'http':
    case 'https':
      return parseNoVncPage(text, authority());
    case 'ws':
    case 'wss':
      return parseWebSocketUrl(scheme === 'wss', authority(), path, query);
    case 'vnc':
    case 'vnc+tls':
    case 'vncs':
      return parseVncUri(scheme !== 'vnc', authority(), path, query);
    case 'spice':
    case 'spice+tls': {
      const a = authority();
      return refuseRecognised({ kind: 'spice', host: a.host, port: a.port ?? 5900 }, `this is a SPICE address. ${SPICE_DETAIL}: open it with remote-viewer, or ask for a VNC console`);
    }
    case 'rdp': {
      const a = authority();
      return refuseRecognised({ kind: 'rdp', host: a.host, port: a.port ?? 3389 }, 'RDP consoles are not supported: Porthole speaks VNC only; open it with an RDP client');
    }
    default:
      return reject(`${quote(`${scheme}://`)} is not a console address scheme: use https://, wss://, ws:// or vnc://`);
  }
}
