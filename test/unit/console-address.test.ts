import { describe, expect, it } from 'vitest';
import { parseConsoleAddress, type ParsedTarget } from '../../app/console-address.js';
import { describeTarget } from '../../app/console-target.js';
import type { EndpointKind } from '../../app/profile.js';

const T = '6b1a3c2e-8f4d-4e57-9c1a-2f3e4d5c6b7a';
const P = `path=%3Ftoken%3D${T}`;

const nova = (secure: boolean, host: string, port: number, path = '/', query: Array<[string, string]> = []): ParsedTarget => ({
  kind: 'websocket', flavour: 'nova', secure, host, port, path, query, token: T, tokenIn: 'query',
});
const wsk = (secure: boolean, host: string, port: number, path: string, query: Array<[string, string]> = [], token: string | null = T): ParsedTarget => ({
  kind: 'websocket', flavour: 'websockify', secure, host, port, path, query, ...(token === null ? {} : { token, tokenIn: 'query' as const }),
});
const tcp = (host: string, port: number, tls = false, password?: string): ParsedTarget => ({
  kind: 'vnc-tcp', tls, host, port, ...(password === undefined ? {} : { password }),
});

// Each row: [input, target, kind, unencrypted warning]. The rule each group follows is named above it.
const okRows: Array<[string, ParsedTarget, EndpointKind, boolean]> = [
  // noVNC vnc_lite.html: "/" + path on the page's host and port, scheme from the page.
  [`https://nova.example.com:6080/vnc_lite.html?${P}`, nova(true, 'nova.example.com', 6080), 'nova', false],
  [`https://nova.example.com:6080/vnc_lite.html?path=websockify%3Ftoken%3D${T}`, nova(true, 'nova.example.com', 6080, '/websockify'), 'nova', false],
  // "/" + "/websockify": the page asks for "//websockify", and so does Porthole.
  [`https://nova.example.com:6080/vnc_lite.html?path=%2Fwebsockify%3Ftoken%3D${T}`, nova(true, 'nova.example.com', 6080, '//websockify'), 'nova', false],
  [`https://cloud.example.org/novnc/vnc_lite.html?path=novnc%2Fwebsockify%3Ftoken%3D${T}%26lang%3Den`, nova(true, 'cloud.example.org', 443, '/novnc/websockify', [['lang', 'en']]), 'nova', false],
  [`https://cloud.example.org/vnc_lite.html?${P}&title=vm1(3f2a)&autoconnect=true&reconnect=1&resize=scale`, nova(true, 'cloud.example.org', 443), 'nova', false],
  [`https://NOVA.Example.COM:6080/vnc_lite.html?${P}`, nova(true, 'nova.example.com', 6080), 'nova', false],
  [`https://[2001:DB8::10]:6080/vnc_lite.html?${P}`, nova(true, '2001:db8::10', 6080), 'nova', false],
  ['https://nova.example.com:6080/vnc_lite.html?title=vm1', wsk(true, 'nova.example.com', 6080, '/websockify', [], null), 'websockify', false],
  // noVNC ≥ 1.5 app/ui.js (vnc.html; Debian's vnc_auto.html is vnc.html): path relative to the page.
  [`https://nova.example.com:6080/vnc_auto.html?${P}`, nova(true, 'nova.example.com', 6080, '/vnc_auto.html'), 'nova', false],
  [`https://nova.example.com:6080/vnc.html?${P}`, nova(true, 'nova.example.com', 6080, '/vnc.html'), 'nova', false],
  [`https://203.0.113.7:6080/vnc_auto.html?${P}#fragment`, nova(true, '203.0.113.7', 6080, '/vnc_auto.html'), 'nova', false],
  [`  https://nova.example.com:6080/vnc_auto.html?${P}\n`, nova(true, 'nova.example.com', 6080, '/vnc_auto.html'), 'nova', false],
  ['https://nova.example.com:6080/vnc_auto.html', wsk(true, 'nova.example.com', 6080, '/websockify', [], null), 'websockify', false],
  ['https://example.com/index.html', wsk(true, 'example.com', 443, '/websockify', [], null), 'websockify', false],
  // noVNC ≤ 1.0: the page's own token goes into the WebSocket query.
  [`http://controller:6080/vnc_auto.html?token=${T}`, nova(false, 'controller', 6080, '/websockify'), 'nova', true],
  [`http://controller/vnc_auto.html?path=websockify&token=${T}`, nova(false, 'controller', 80, '/websockify'), 'nova', true],
  // websockify: the token is optional.
  [`wss://console.example.net:6080/websockify?token=${T}`, wsk(true, 'console.example.net', 6080, '/websockify'), 'websockify', false],
  [`ws://10.0.0.5:6080/?token=${T}`, wsk(false, '10.0.0.5', 6080, '/'), 'websockify', true],
  [`wss://gw.example.net/ws/console?lang=en&token=${T}&mode=shared`, wsk(true, 'gw.example.net', 443, '/ws/console', [['lang', 'en'], ['mode', 'shared']]), 'websockify', false],
  ['wss://gw.example.net:8443/websockify', wsk(true, 'gw.example.net', 8443, '/websockify', [], null), 'websockify', false],
  ['ws://gw.example.net', wsk(false, 'gw.example.net', 80, '/', [], null), 'websockify', true],
  [`wss://[::1]:6080/websockify?token=${T}`, wsk(true, '::1', 6080, '/websockify'), 'websockify', false],
  [
    'wss://pve.example.com:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900',
    { kind: 'websocket', flavour: 'proxmox', secure: true, host: 'pve.example.com', port: 8006, path: '/api2/json/nodes/pve1/qemu/100/vncwebsocket', query: [['port', '5900']] },
    'proxmox',
    false,
  ],
  // RFC 7869 vnc://, the macOS form, and TLS-wrapped listeners.
  ['vnc://vnc.example.com:5901', tcp('vnc.example.com', 5901), 'vnc-tcp', true],
  ['vnc://vnc.example.com', tcp('vnc.example.com', 5900), 'vnc-tcp', true],
  ['VNC://Vnc.Example.com:5900/', tcp('vnc.example.com', 5900), 'vnc-tcp', true],
  ['vnc://:s3cret%21@vnc.example.com:5902', tcp('vnc.example.com', 5902, false, 's3cret!'), 'vnc-tcp', true],
  ['vnc://alice:pw@h.example', { kind: 'vnc-tcp', tls: false, host: 'h.example', port: 5900, username: 'alice', password: 'pw' }, 'vnc-tcp', true],
  ['vnc://[::1]:5901', tcp('::1', 5901), 'vnc-tcp', true],
  ['vnc+tls://secure.example.com:5901', tcp('secure.example.com', 5901, true), 'vnc-tls', false],
  ['vncs://secure.example.com', tcp('secure.example.com', 5900, true), 'vnc-tls', false],
  // TigerVNC vncviewer targets.
  ['10.0.0.5:1', tcp('10.0.0.5', 5901), 'vnc-tcp', true],
  ['vnchost::5901', tcp('vnchost', 5901), 'vnc-tcp', true],
  ['vnchost:5902', tcp('vnchost', 5902), 'vnc-tcp', true],
  ['vnchost', tcp('vnchost', 5900), 'vnc-tcp', true],
  [':3', tcp('localhost', 5903), 'vnc-tcp', true],
  ['[fe80::1]:2', tcp('fe80::1', 5902), 'vnc-tcp', true],
  ['fe80::1', tcp('fe80', 1), 'vnc-tcp', true],
];

const errRows: Array<[string, 'url-invalid' | 'url-unsupported', string]> = [
  ['', 'url-invalid', 'the address is empty'],
  ['   \t ', 'url-invalid', 'the address is empty'],
  ['not a url', 'url-invalid', 'the address is not a URL'],
  ['nova.example.com:6080/vnc_lite.html', 'url-invalid', 'the address is not a URL'],
  ['https:/nova.example.com/vnc_lite.html', 'url-invalid', 'missing "//" after "https:"'],
  ['ftp://files.example.com/console', 'url-invalid', '"ftp://" is not a console address scheme'],
  ['javascript:alert(1)', 'url-invalid', 'javascript: addresses are not console addresses'],
  ['data:text/html,<b>x</b>', 'url-invalid', 'data: addresses are not console addresses'],
  ['file:///etc/passwd', 'url-invalid', 'file: addresses are not console addresses'],
  [`wss://h.example:99999/?token=${T}`, 'url-invalid', 'the port 99999 is out of range'],
  ['wss://h.example:0/', 'url-invalid', 'the port 0 is out of range'],
  ['wss://h.example:/', 'url-invalid', 'the port is empty'],
  ['wss://h.example:80a/', 'url-invalid', 'the port "80a" is not a number'],
  ['vnchost:70000', 'url-invalid', 'the port 70000 is out of range'],
  ['vnchost:', 'url-invalid', 'after ":" is missing'],
  [`wss://:6080/?token=${T}`, 'url-invalid', 'the address has no host'],
  ['https://nova.example.com:6080/vnc_lite.html?path=%3Ftoken%3D', 'url-invalid', 'the token parameter is empty'],
  [`https://nova.example.com:6080/vnc_lite.html?path=%253Ftoken%253D${T}`, 'url-invalid', 'percent-encoded twice'],
  ['https://h.example/vnc.html?path=%E0%A4%A', 'url-invalid', 'the "path" parameter is not validly percent-encoded'],
  ['wss://my host:6080/', 'url-invalid', 'the host "my host" contains a space'],
  [`wss://h.example/ws?token=${T}&x=a b`, 'url-invalid', 'the address contains a space'],
  [`https://admin:pw@nova.example.com/vnc_lite.html?${P}`, 'url-invalid', 'credentials in URLs are not accepted'],
  [`wss://admin@h.example/?token=${T}`, 'url-invalid', 'credentials in URLs are not accepted'],
  ['wss://::1:6080/', 'url-invalid', 'must be written in brackets'],
  ['wss://[::1/', 'url-invalid', 'missing its closing "]"'],
  ['wss://[nonsense]/', 'url-invalid', 'the IPv6 address "[nonsense]" is not valid'],
  ['wss://300.1.1.1/', 'url-invalid', 'the IPv4 address "300.1.1.1" is not valid'],
  ['wss://bad!.example/', 'url-invalid', 'contains the character "!"'],
  ['wss://a..b/', 'url-invalid', 'empty part between dots'],
  ['wss://0x7f.1/', 'url-invalid', 'is not a valid host name'],
  [`wss://h.example/?token=a&token=${T}`, 'url-invalid', 'more than one token'],
  ['wss://h.example/?token=', 'url-invalid', 'the token parameter is empty'],
  ['wss://h.example/\u0000', 'url-invalid', 'control characters'],
  [`wss://h.example/${'a'.repeat(9000)}`, 'url-invalid', 'longer than 8192 characters'],
  ['vnc://h.example:5900/desktop', 'url-invalid', 'a vnc:// address has no path'],
  ['vnc://:%E0%A4%A@h.example', 'url-invalid', 'password in the address is not validly percent-encoded'],
  ['vnc://h.example?ViewOnly=maybe', 'url-invalid', 'must be true or false'],
  ['https://pve.example.com:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900', 'url-invalid', 'write it with wss://'],
  ['wss://pve.example.com:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket', 'url-invalid', 'has no port parameter'],
  ['https://pve.example.com:8006/?console=kvm&novnc=1&vmid=100&node=pve1', 'url-unsupported', 'Proxmox VE VNC console link for VM 100 on node pve1'],
  ['https://pve.example.com:8006/?console=kvm&novnc=1&vmid=100&node=pve1', 'url-unsupported', 'add one for https://pve.example.com:8006'],
  ['https://pve.example.com:8006/?console=qemu&novnc=1&vmid=100&node=pve1', 'url-invalid', 'console type "qemu"'],
  ['https://pve.example.com:8006/?console=kvm&novnc=1&node=pve1', 'url-invalid', 'no valid vmid'],
  ['wss://pve.example.com:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900&vncticket=PVEVNC%3A6650ABCD', 'url-unsupported', 'vncticket'],
  ['spice://h.example:5900', 'url-unsupported', 'SPICE consoles are not supported: Porthole speaks VNC only'],
  [`http://nova.example.com:6082/spice_auto.html?token=${T}`, 'url-unsupported', 'SPICE consoles are not supported'],
  [`ws://nova.example.com:6083/?token=${T}`, 'url-unsupported', 'Nova serial console'],
  ['rdp://h.example', 'url-unsupported', 'RDP consoles are not supported'],
  [`wss://h.example/?token=${T}&password=hunter22`, 'url-unsupported', 'secret in its "password" parameter'],
];

describe('parseConsoleAddress accepts', () => {
  it.each(okRows)('%s', (input, target, kind, unencrypted) => {
    expect(parseConsoleAddress(input)).toMatchObject({ ok: true, target, kind, warnings: unencrypted ? ['unencrypted-upstream'] : [] });
    const out = parseConsoleAddress(input);
    if (out.ok) expect(out.target).toEqual(target);
  });
});

describe('parseConsoleAddress rejects', () => {
  it.each(errRows)('%s', (input, code, detail) => {
    const out = parseConsoleAddress(input);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe(code);
    expect(out.error.detail).toContain(detail);
  });
});

describe('secrets', () => {
  it('never puts a token in describeTarget or in query', () => {
    for (const [input, target] of okRows) {
      const out = parseConsoleAddress(input);
      if (!out.ok || target.kind !== 'websocket' || target.token === undefined) continue;
      expect(describeTarget(out.target)).not.toContain(T);
      expect(JSON.stringify(out.target.kind === 'websocket' && out.target.query)).not.toContain(T);
    }
  });
  it('never echoes a token or password in an error detail', () => {
    const secret = 'Zq9-SECRET-value';
    const inputs = [
      `wss://h.example:99999/?token=${secret}`,
      `wss://u:${secret}@h.example/`,
      `https://nova.example.com:6081/console?token=${secret}`,
      `vnc://alice:${secret}@h.example:99999`,
      `https://h.example/vnc.html?password=${secret}&path=%E0%A4%A`,
      `vnc://h.example?VncPassword=${secret}&ViewOnly=maybe`,
      `https://h.example/vnc_lite.html?path=%253Ftoken%253D${secret}`,
      `ws://h.example:6083/?token=${secret}`,
      `wss://h.example/?token=${secret}&token=${secret}`,
      `wss://h.example/?password=${secret}`,
    ];
    for (const input of inputs) {
      const out = parseConsoleAddress(input);
      expect(out.ok, input).toBe(false);
      expect(JSON.stringify(out), input).not.toContain(secret);
    }
  });
});

describe('an address saved as a profile', () => {
  it('keeps the token, a page’s password and a vnc:// user name and password as secrets, out of the stored address', async () => {
    const { resolveProfileAddress } = await import('../../main/api.js');
    const out = resolveProfileAddress(`https://h.example/novnc/vnc.html?path=websockify%3Ftoken%3D${T}&password=pw-SECRET-1`);
    expect(out).toEqual({ ok: true, kind: 'nova', address: 'wss://h.example:443/novnc/websockify', token: T, password: 'pw-SECRET-1' });
    const vnc = resolveProfileAddress('vnc://alice:pw-SECRET-2@h.example:5901?ViewOnly=true');
    expect(vnc).toEqual({ ok: true, kind: 'vnc-tcp', address: 'vnc://h.example:5901', password: 'pw-SECRET-2', username: 'alice' });
  });
});
