// Browser mode's sign-in rules on their own (the real server and browser are in
// test/integration/browser-mode*.test.ts and test/e2e/browser-mode-resilience.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserAuth } from '../../main/web/browser-auth.js';
import { FileIdentityStore, MemoryIdentityStore } from '../../main/web/identity-store.js';
import { launchFileHtml } from '../../main/web/launch-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function secretOf(url: string): string {
  return new URL(url).searchParams.get('launch')!;
}

function headersFor(grant: { setCookie: string; key: string }, protocols?: string): Record<string, string> {
  return { cookie: grant.setCookie.split(';')[0]!, 'sec-websocket-protocol': protocols ?? `porthole, porthole.key.${grant.key}` };
}

describe('BrowserAuth', () => {
  it('redeems a launch secret once, and not after it expired', () => {
    let now = 1_000_000;
    const auth = new BrowserAuth(4000, new MemoryIdentityStore(() => now), 60_000, () => now);
    const url = auth.mintLaunchUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4000\/\?launch=[A-Za-z0-9_-]{43}$/);
    expect(auth.redeem(secretOf(url))).toBeDefined();
    expect(auth.redeem(secretOf(url))).toBeUndefined();
    const late = auth.mintLaunchUrl();
    now += 60_000;
    expect(auth.redeem(secretOf(late))).toBeUndefined();
    expect(auth.redeem(null)).toBeUndefined();
    expect(auth.redeem('')).toBeUndefined();
  });

  it('keeps at most 16 unused launch secrets, dropping the oldest', () => {
    const auth = new BrowserAuth(4000, new MemoryIdentityStore());
    const urls = Array.from({ length: 17 }, () => auth.mintLaunchUrl());
    expect(auth.redeem(secretOf(urls[0]!))).toBeUndefined();
    expect(auth.redeem(secretOf(urls[16]!))).toBeDefined();
  });

  it('opens the contract socket only with one identity’s cookie and key together', () => {
    const auth = new BrowserAuth(4000, new MemoryIdentityStore());
    const a = auth.redeem(secretOf(auth.mintLaunchUrl()))!;
    const b = auth.redeem(secretOf(auth.mintLaunchUrl()))!;
    expect(a.setCookie).toMatch(/^porthole-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(a.setCookie).not.toContain('4000');
    expect(auth.apiAllowed(headersFor(a))).toBe(true);
    expect(auth.apiAllowed({ cookie: headersFor(a).cookie })).toBe(false);
    expect(auth.apiAllowed(headersFor(a, `porthole, porthole.key.${b.key}`))).toBe(false);
    expect(auth.apiAllowed(headersFor(a, `porthole.key.${a.key}`))).toBe(false);
    expect(auth.apiAllowed({ ...headersFor(a), cookie: `${headersFor(a).cookie}x` })).toBe(false);
    // Several cookies (other instances, other launches): the one that matches counts.
    expect(auth.apiAllowed({ ...headersFor(b), cookie: `porthole-zzzzzzzzzzzz=1; ${headersFor(a).cookie}; ${headersFor(b).cookie}` })).toBe(true);
  });
});

describe('FileIdentityStore', () => {
  it('keeps only digests, in a 0600 file, and lets the browser back in after a restart on the same port', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-ids-'));
    dirs.push(dir);
    const first = new BrowserAuth(4100, new FileIdentityStore(dir, 4100));
    const grant = first.redeem(secretOf(first.mintLaunchUrl()))!;
    const file = path.join(dir, 'browser-mode-4100.json');
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(grant.key);
    expect(text).not.toContain(grant.setCookie.split(';')[0]!.split('=')[1]!);

    const restarted = new BrowserAuth(4100, new FileIdentityStore(dir, 4100));
    expect(restarted.apiAllowed(headersFor(grant))).toBe(true);
    // Another port is another origin: it trusts nothing from this file.
    writeFileSync(path.join(dir, 'browser-mode-4200.json'), text);
    expect(new BrowserAuth(4200, new FileIdentityStore(dir, 4200)).apiAllowed(headersFor(grant))).toBe(false);
  });

  it('starts empty from a malformed file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-ids-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'browser-mode-4300.json'), '{"version":1,"port":4300,"identities":[{"id":"x"}]}');
    const auth = new BrowserAuth(4300, new FileIdentityStore(dir, 4300));
    expect(auth.identitiesOf({ cookie: 'porthole-x=1' })).toEqual([]);
  });
});

describe('the launch file', () => {
  it('sends the browser on to the launch link, with the link escaped as an attribute', () => {
    const html = launchFileHtml('http://127.0.0.1:1/?launch=a"b<c&d');
    expect(html).toContain('<meta http-equiv="refresh" content="0;url=http://127.0.0.1:1/?launch=a&quot;b&lt;c&amp;d">');
    expect(html).not.toContain('a"b');
  });
});
