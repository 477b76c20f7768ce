// virt-viewer connection files (.vv, as oVirt / libvirt tools hand out): an INI file whose
// [virt-viewer] section names the console. Only type=vnc is opened. Never throws.
//
// Choices: values are unescaped like GKeyFile does (\n \s \t \r \\), so `ca` becomes real PEM.
// When `tls-port` is given (and not -1) it wins over `port` and the target is TLS-wrapped TCP;
// -1 means "not set", as virt-viewer writes it. Later duplicate keys win; malformed lines and
// localised keys (title[fr]) are skipped. Booleans (fullscreen, delete-this-file) are GKeyFile
// booleans or 0/1, as virt-viewer's remote-viewer reads them. A `proxy` (an HTTP CONNECT proxy
// remote-viewer would tunnel through) is refused: Porthole cannot use one, and connecting around it
// would reach the host by another route than the file says. type=spice is recognised and explained.
import { type AddressWarning, type RecognisedConsole, SPICE_DETAIL, checkHost, checkPort, quote } from './console-address.js';
import type { TcpTarget } from './console-target.js';
import { type PortholeErrorShape, makeError } from './errors.js';

export const MAX_VV_BYTES = 64 * 1024;

export type VirtViewerOutcome =
  | {
      ok: true;
      target: TcpTarget;
      kind: 'vnc-tcp' | 'vnc-tls';
      warnings: AddressWarning[];
      title?: string;
      caPem?: string;
      hostSubject?: string;
      deleteThisFile: boolean;
      fullscreen: boolean;
    }
  | { ok: false; error: PortholeErrorShape; recognised?: RecognisedConsole };

const fail = (code: 'url-invalid' | 'url-unsupported', detail: string): VirtViewerOutcome => ({ ok: false, error: makeError(code, detail) });

const ESCAPES: Record<string, string> = { n: '\n', s: ' ', t: '\t', r: '\r', '\\': '\\' };

const isTrue = (v: string | undefined): boolean => ['1', 'true', 'yes'].includes((v ?? '').toLowerCase());

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, (all, c: string) => ESCAPES[c] ?? all);
}

/** The keys of one section, or undefined when the file has no such section. */
function readSection(text: string, name: string): Map<string, string> | undefined {
  let current: string | undefined;
  let found = false;
  const keys = new Map<string, string>();
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      current = close > 0 ? line.slice(1, close).trim() : undefined;
      found ||= current === name;
      continue;
    }
    const eq = line.indexOf('=');
    if (current !== name || eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!key.includes('[')) keys.set(key, unescapeValue(line.slice(eq + 1).trim()));
  }
  return found ? keys : undefined;
}

export function parseVirtViewerFile(text: string): VirtViewerOutcome {
  try {
    return parse(text);
  } catch {
    return fail('url-invalid', 'the file could not be read');
  }
}

function parse(text: unknown): VirtViewerOutcome {
  if (typeof text !== 'string') return fail('url-invalid', 'the file is not text');
  if (text.length > MAX_VV_BYTES || new TextEncoder().encode(text).length > MAX_VV_BYTES) {
    return fail('url-invalid', 'the file is larger than 64 KiB');
  }
  const keys = readSection(text.replace(/^\uFEFF/, ''), 'virt-viewer');
  if (keys === undefined) return fail('url-invalid', 'the file has no [virt-viewer] section');
  const type = keys.get('type')?.toLowerCase();
  if (!type) return fail('url-invalid', 'the [virt-viewer] section has no "type" key');
  if (type === 'spice') {
    const host = checkHost(keys.get('host') ?? '', { bareIpv6: true });
    const port = Number(keys.get('tls-port') ?? keys.get('port') ?? 0);
    const detail = `this .vv file is for a SPICE console (type=spice). ${SPICE_DETAIL}: open it with remote-viewer, or ask for a VNC console file (oVirt: Console Options → VNC)`;
    const error = makeError('url-unsupported', detail);
    return host.ok && port >= 1 && port <= 65535 ? { ok: false, error, recognised: { kind: 'spice', host: host.value, port } } : { ok: false, error };
  }
  if (type !== 'vnc') return fail('url-unsupported', `the console type ${quote(type)} is not supported: Porthole speaks VNC only`);

  const hostRaw = keys.get('host');
  if (!hostRaw) return fail('url-invalid', 'the file has no "host" key');
  const host = checkHost(hostRaw, { bareIpv6: true });
  if (!host.ok) return fail('url-invalid', `the "host" key is not valid: ${host.detail}`);

  const given = (key: string): string | undefined => {
    const v = keys.get(key);
    return v === undefined || v === '' || v === '-1' ? undefined : v;
  };
  const tls = given('tls-port') !== undefined;
  const portKey = tls ? 'tls-port' : 'port';
  const portRaw = given(portKey);
  if (portRaw === undefined) return fail('url-invalid', 'the file has no "port" key');
  const port = checkPort(portRaw);
  if (!port.ok) return fail('url-invalid', `the "${portKey}" key is not valid: ${port.detail}`);

  const proxy = keys.get('proxy');
  if (proxy) {
    let proxyHost = 'a proxy';
    try {
      proxyHost = new URL(proxy).host || proxyHost;
    } catch {
      // keep the generic name: the value may hold credentials, so it is never quoted
    }
    return fail('url-unsupported', `this file asks to connect through the proxy ${quote(proxyHost)}: Porthole cannot use an HTTP proxy for a console, so it did not connect`);
  }

  const caPem = keys.get('ca') || undefined;
  if (caPem !== undefined && !caPem.includes('-----BEGIN ')) return fail('url-invalid', 'the "ca" key is not a PEM certificate');

  const password = keys.get('password') || undefined;
  const target: TcpTarget = { kind: 'vnc-tcp', tls, host: host.value, port: port.value, ...(password ? { password } : {}) };
  const title = keys.get('title') || undefined;
  const hostSubject = keys.get('host-subject') || undefined;
  return {
    ok: true,
    target,
    kind: tls ? 'vnc-tls' : 'vnc-tcp',
    warnings: tls ? [] : ['unencrypted-upstream'],
    ...(title ? { title } : {}),
    ...(caPem ? { caPem } : {}),
    ...(hostSubject ? { hostSubject } : {}),
    deleteThisFile: isTrue(keys.get('delete-this-file')),
    fullscreen: isTrue(keys.get('fullscreen')),
  };
}
