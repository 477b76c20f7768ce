// Property tests for the two address parsers: they never throw, always return a well-formed
// outcome quickly, round-trip websockify targets, and keep tokens out of describeTarget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddressOutcome, endpointKindOf, parseConsoleAddress } from '../../app/console-address.js';
import { type WebSocketTarget, describeTarget, upstreamWebSocketUrl } from '../../app/console-target.js';
import { PortholeErrorShape } from '../../app/errors.js';
import { type VirtViewerOutcome, parseVirtViewerFile } from '../../app/virt-viewer-file.js';

// A guard against pathological (super-linear) parsing, not a speed figure: generous, so a busy CI
// machine cannot trip it, yet far below what catastrophic backtracking on 8 KiB would take.
const SLOW_MS = 1000;

function timed<T>(f: () => T): T {
  const start = performance.now();
  const out = f();
  expect(performance.now() - start).toBeLessThan(SLOW_MS);
  return out;
}

function expectWellFormed(out: AddressOutcome | VirtViewerOutcome): void {
  if (!out.ok) {
    expect(PortholeErrorShape.safeParse(out.error).success).toBe(true);
    expect(['url-invalid', 'url-unsupported']).toContain(out.error.code);
    expect(out.error.detail?.length).toBeGreaterThan(0);
    return;
  }
  const t = out.target;
  expect(out.kind).toBe(endpointKindOf(t));
  expect(Number.isInteger(t.port) && t.port >= 1 && t.port <= 65535).toBe(true);
  expect(t.host.length).toBeGreaterThan(0);
  expect(t.host).toBe(t.host.toLowerCase());
  expect(out.warnings).toEqual((t.kind === 'websocket' ? t.secure : t.tls) ? [] : ['unencrypted-upstream']);
  if ('notices' in out) for (const n of out.notices) expect(typeof n).toBe('string');
  if (t.kind === 'websocket') {
    expect(t.path.startsWith('/')).toBe(true);
    expect(t.query.map(([k]) => k)).not.toContain('token');
    if (t.token !== undefined) expect(t.token.length).toBeGreaterThan(0);
  }
}

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((l) => l.slice(2, 4) !== '--');
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const host = fc.oneof(domain, fc.ipV4(), fc.constantFrom('::1', '2001:db8::10', 'fe80::1:2'));
const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`);
const token = fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 64 });
const queryPair = fc.tuple(fc.constantFrom('lang', 'mode', 'shared', 'view', 'id'), fc.string({ maxLength: 20 }));

const websockifyTarget: fc.Arbitrary<WebSocketTarget> = fc.record({
  kind: fc.constant('websocket' as const),
  flavour: fc.constant('websockify' as const),
  secure: fc.boolean(),
  host,
  port: fc.integer({ min: 1, max: 65535 }),
  path,
  query: fc.array(queryPair, { maxLength: 3 }),
  token,
  tokenIn: fc.constant('query' as const),
}).filter((t) => !(t.port === 6083 && t.path === '/')); // that shape is Nova's serial console, refused by design

const urlish = fc
  .tuple(
    fc.constantFrom('http', 'https', 'ws', 'wss', 'vnc', 'vnc+tls', 'vncs', 'ftp', 'spice', 'file', 'javascript', 'HTTPS', ''),
    fc.constantFrom('://', ':', ':/', ''),
    fc.option(fc.constantFrom('user@', ':pw@', 'a:b@', '@', ':%zz@')),
    fc.oneof(host, host.map((h) => `[${h}]`), fc.string({ maxLength: 12 })),
    fc.option(fc.oneof(fc.integer({ min: -10, max: 100_000 }).map((n) => `:${n}`), fc.constantFrom(':', '::', '::5901'))),
    fc.oneof(path, fc.constantFrom('/vnc_lite.html', '/vnc_auto.html', '/vnc.html', '/api2/json/nodes/n/qemu/1/vncwebsocket', '/spice_auto.html')),
    fc.option(fc.oneof(fc.webQueryParameters(), fc.constantFrom('path=%3Ftoken%3Dabc', 'path=%253Ftoken%253D', 'token=x&token=y', 'port=5900&vncticket=x', 'console=kvm&novnc=1'))),
    fc.option(fc.webFragments()),
  )
  .map(([s, sep, user, h, port, p, q, f]) => `${s}${sep}${user ?? ''}${h}${port ?? ''}${p}${q === null ? '' : `?${q}`}${f === null ? '' : `#${f}`}`);

describe('parseConsoleAddress properties', () => {
  it('never throws and returns a well-formed outcome for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })), (s) => {
        expectWellFormed(timed(() => parseConsoleAddress(s)));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws and returns a well-formed outcome for URL-ish strings', () => {
    fc.assert(
      fc.property(fc.oneof(urlish, fc.webUrl({ withQueryParameters: true, withFragments: true })), (s) => {
        expectWellFormed(timed(() => parseConsoleAddress(s)));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays fast on long hostile input', () => {
    for (const s of ['wss://' + '['.repeat(8000), 'a:'.repeat(4000), `https://h/vnc.html?path=${'%25'.repeat(2600)}`, `${'1.'.repeat(4000)}:1`]) {
      expectWellFormed(timed(() => parseConsoleAddress(s)));
    }
  });

  it('round-trips websockify targets through upstreamWebSocketUrl', () => {
    fc.assert(
      fc.property(websockifyTarget, (target) => {
        const out = parseConsoleAddress(upstreamWebSocketUrl(target));
        expect(out).toEqual({ ok: true, target, kind: 'websockify', warnings: target.secure ? [] : ['unencrypted-upstream'], notices: [] });
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the token out of describeTarget', () => {
    fc.assert(
      fc.property(websockifyTarget, (target) => {
        const out = parseConsoleAddress(upstreamWebSocketUrl(target));
        if (!out.ok || out.target.kind !== 'websocket') throw new Error('expected a websocket target');
        const { token: t = '', tokenIn: _tokenIn, ...withoutToken } = out.target;
        fc.pre(!describeTarget(withoutToken).includes(t)); // the token must not already be there by chance
        expect(describeTarget(out.target)).not.toContain(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the token of generated Nova pages and keeps it out of describeTarget', () => {
    const tokenChars = fc.stringMatching(/^[A-Za-z0-9-]{8,40}$/);
    fc.assert(
      fc.property(host, fc.constantFrom('vnc_lite.html', 'vnc_auto.html', 'vnc.html'), tokenChars, fc.boolean(), (h, page, t, twice) => {
        const hostPart = h.includes(':') ? `[${h}]` : h;
        const enc = twice ? encodeURIComponent(encodeURIComponent(`?token=${t}`)) : encodeURIComponent(`?token=${t}`);
        const out = parseConsoleAddress(`https://${hostPart}:6080/${page}?path=${enc}&title=x`);
        if (twice) {
          // Decoded once, as noVNC does, "%253F" stays "%3F" in the path: refused, never a token in a path.
          expect(out).toMatchObject({ ok: false, error: { code: 'url-invalid' } });
          expect(JSON.stringify(out)).not.toContain(t);
          return;
        }
        // vnc_lite.html: "/" + path; vnc.html (ui.js ≥ 1.5): "?token=…" relative to the page itself.
        const path = page === 'vnc_lite.html' ? '/' : `/${page}`;
        expect(out).toMatchObject({ ok: true, kind: 'nova', target: { token: t, path, port: 6080, secure: true } });
        if (out.ok) expect(describeTarget(out.target)).not.toContain(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe('noVNC pages never connect anywhere the page would not', () => {
  const pageName = fc.constantFrom('vnc_lite.html', 'vnc.html', 'vnc_auto.html', '', 'index.html', 'console.html');
  const dir = fc.array(segment, { maxLength: 3 }).map((s) => (s.length ? `/${s.join('/')}/` : '/'));
  const pathParam = fc.oneof(fc.constant(null), path.map((p) => p.slice(1)), fc.constantFrom('websockify', '?token=abc', 'a/b?x=1', '//evil.example/x', '../up'));
  const hostName = fc.oneof(domain, fc.ipV4());

  it('without a host parameter, the console is on the page’s own host (and, for vnc_lite.html, its port)', () => {
    fc.assert(
      fc.property(hostName, fc.integer({ min: 1, max: 65535 }), dir, pageName, pathParam, fc.boolean(), (h, port, d, name, p, secure) => {
        const q = p === null ? '' : `?path=${encodeURIComponent(p)}`;
        const out = parseConsoleAddress(`${secure ? 'https' : 'http'}://${h}:${port}${d}${name}${q}`);
        expectWellFormed(out);
        if (!out.ok) return;
        // noVNC ≥ 1.5 resolves a path like "//evil.example/x" against the page, as a browser would: the
        // result names that host in the address the user sees. Anything else stays on the page's host.
        if (p !== null && p.startsWith('//') && name !== 'vnc_lite.html') return;
        expect(out.target.host).toBe(h);
        if (name === 'vnc_lite.html' || !(p ?? '').startsWith('//')) expect(out.target.port).toBe(port);
        if (out.target.kind === 'websocket') expect(out.target.secure).toBe(secure);
      }),
      { numRuns: 1500 },
    );
  });

  it('with a host parameter, the console is on that host (hash over query for vnc.html, last one for vnc_lite.html)', () => {
    fc.assert(
      fc.property(hostName, hostName, hostName, (pageHost, q, hash) => {
        fc.pre(q !== hash);
        const page = `https://${pageHost}/vnc.html?host=${q}#x=1&host=${hash}`;
        const out = parseConsoleAddress(page);
        expect(out).toMatchObject({ ok: true, target: { host: hash } });
        const lite = parseConsoleAddress(`https://${pageHost}/vnc_lite.html?host=${q}&path=websockify&host=${hash}`);
        expect(lite).toMatchObject({ ok: true, target: { host: hash } });
      }),
      { numRuns: 500 },
    );
  });
});

describe('vnc:// credentials (RFC 7869, macOS)', () => {
  const secretText = fc.string({ unit: 'grapheme-ascii', minLength: 6, maxLength: 30 });
  it('keeps the user name and password on the target only, never in the display address or notices', () => {
    fc.assert(
      fc.property(host, secretText, secretText, fc.boolean(), (h, user, password, asQuery) => {
        const hostPart = h.includes(':') ? `[${h}]` : h;
        const address = asQuery
          ? `vnc://${hostPart}:5901?VncUsername=${encodeURIComponent(user)}&VncPassword=${encodeURIComponent(password)}&Extra=1`
          : `vnc://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostPart}:5901?Extra=1`;
        const out = parseConsoleAddress(address);
        expectWellFormed(out);
        if (!out.ok) return; // a control character in the secret is refused, naming no value
        expect(out.target).toMatchObject({ username: user, password });
        const shown = [describeTarget(out.target), ...out.notices].join('\n');
        fc.pre(!`vnc://${hostPart}:5901 the parameter "Extra" is not used by Porthole`.includes(password));
        expect(shown).not.toContain(password);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseVirtViewerFile properties', () => {
  const line = fc.oneof(
    fc.constantFrom('[virt-viewer]', '[ovirt]', '[', '#c', ';c', '', 'type=vnc', 'type=spice', 'tls-port=-1', 'delete-this-file=1'),
    fc.tuple(fc.constantFrom('type', 'host', 'port', 'tls-port', 'password', 'title', 'ca', 'host-subject', 'x[fr]'), fc.string({ maxLength: 30 })).map(([k, v]) => `${k}=${v}`),
    fc.string({ maxLength: 40 }),
  );
  const iniish = fc.tuple(fc.array(line, { maxLength: 20 }), fc.constantFrom('\n', '\r\n', '\r')).map(([ls, nl]) => ls.join(nl));

  it('never throws and returns a well-formed outcome', () => {
    fc.assert(
      fc.property(fc.oneof(iniish, fc.string(), fc.string({ unit: 'binary', maxLength: 500 })), (text) => {
        expectWellFormed(timed(() => parseVirtViewerFile(text)));
      }),
      { numRuns: 2000 },
    );
  });
});
