// The keychain against a REAL Secret Service: a private D-Bus session with gnome-keyring
// (test/fixtures/keyring.ts), no DISPLAY, throwaway HOME. The code under test runs in a child
// process (test/integration/helpers/keychain-child.ts, bundled with esbuild) that drives the real
// KeychainSecretStore and ProfileStore. After each run every file under the session's directory
// (HOME with the keyring files, and the profile data dir) is searched for the secret.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInKeyringSession } from '../fixtures/keyring.js';
import { bundleHelper, repoRoot, type BundledHelper } from './helpers/bundle.js';

let child: BundledHelper;
let dir: string;
let dataDir: string;
let secret: string;

beforeAll(async () => {
  child = await bundleHelper(join(repoRoot, 'test/integration/helpers/keychain-child.ts'));
});
afterAll(() => child?.cleanup());

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-keychain-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  secret = `porthole-secret-${randomBytes(12).toString('hex')}`;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every regular file under root that contains needle (the keyring file is encrypted, so it must not). */
function filesContaining(root: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && readFileSync(path).includes(needle)) hits.push(path);
    }
  };
  walk(root);
  return hits;
}

type Result = Record<string, unknown> & { notices: Array<{ code: string; message: string; detail?: string }> };

function parse(stdout: string, stderr: string): Result {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result from the child\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  // Nothing the child or the keyring printed may contain the secret.
  expect(stdout.includes(secret) || stderr.includes(secret)).toBe(false);
  return JSON.parse(line.slice('RESULT '.length)) as Result;
}

async function inSession(scenario: string, opts: { password?: string } = {}): Promise<Result> {
  const run = await runInKeyringSession(child.path, [scenario, dataDir, secret], {}, { dir, timeoutMs: 20_000, ...opts });
  expect(run.code, run.stderr).toBe(0);
  return parse(run.stdout, run.stderr);
}

function withoutSecretService(scenario: string, bus: string | undefined): Result {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), LANG: 'C.UTF-8' };
  if (bus !== undefined) env.DBUS_SESSION_BUS_ADDRESS = bus;
  mkdirSync(join(dir, 'home'), { recursive: true });
  const run = spawnSync(process.execPath, [child.path, scenario, dataDir, secret], { env, encoding: 'utf8', timeout: 20_000 });
  expect(run.status, run.stderr).toBe(0);
  return parse(run.stdout, run.stderr);
}

describe('keychain (real Secret Service)', () => {
  it('round-trips set / get / delete through the keyring itself', async () => {
    const r = await inSession('roundtrip');
    expect(r).toMatchObject({
      set: 'saved',
      status: 'saved',
      get: { matches: true },
      inKeyring: true, // secret-tool sees it: service=Porthole username=p1/token
      header: 'saved',
      headerInKeyring: true,
      freshGet: { matches: true },
      freshStatus: 'saved',
      afterDelete: { undefined: true },
      inKeyringAfterDelete: false,
    });
    expect(r.notices).toEqual([]);
    expect(filesContaining(dir, secret)).toEqual([]);
  });

  it('keeps a profile token in the keychain and out of every file; a later run reads it back', async () => {
    const r = await inSession('profile');
    expect(r).toMatchObject({ warnings: [], secretStatus: { token: 'saved' }, inKeyring: true, copyInKeyring: true, copyGone: true, exportHasSecret: false });
    expect(readdirSync(dataDir)).toContain('profiles.json');
    expect(filesContaining(dir, secret)).toEqual([]);

    const again = await inSession('read-back');
    expect(again).toMatchObject({ secretStatus: { token: 'saved' }, get: { matches: true } });
  });

  it('locked keyring: typed keychain-unavailable, memory-only, nothing in plaintext', async () => {
    await inSession('profile'); // creates the login keyring with the right password
    const r = await inSession('locked', { password: 'not-the-password' });
    expect(r.readExisting).toMatchObject({ error: 'keychain-unavailable', detail: 'the keychain is locked and was not unlocked' });
    expect(r).toMatchObject({ warnings: ['secret-not-saved'], secretStatus: { token: 'memory-only' }, secretSlots: [], memoryGet: { matches: true }, inKeyring: false });
    expect(r.lastNotice).toMatchObject({ code: 'keychain-unavailable', detail: 'the keychain is locked and was not unlocked' });
    expect(r.saveMs).toBeLessThan(5000);
    expect(filesContaining(dir, secret)).toEqual([]);
  });

  it('hung Secret Service: the call times out, later calls fail fast, and the keychain is used again once it answers', async () => {
    const r = await inSession('hang');
    expect(r.before).toBe('saved');
    const first = r.first as { result: string; ms: number };
    expect(first.result).toBe('memory-only');
    expect(first.ms).toBeGreaterThanOrEqual(700);
    expect(first.ms).toBeLessThan(1900); // our 800 ms timeout, not D-Bus's own
    const second = r.second as { result: string; ms: number; detail: string };
    expect(second).toMatchObject({ result: 'memory-only', detail: expect.stringContaining('still busy') });
    expect(second.ms).toBeLessThan(300);
    expect(r.read).toMatchObject({ error: 'keychain-unavailable' });
    expect(r.memoryRead).toMatchObject({ matches: true });
    expect(r.notices.map((n) => n.detail)).toContain('the keychain did not answer in time');
    expect(r).toMatchObject({ recovered: 'saved', recoveredInKeyring: true });
    expect(filesContaining(dir, secret)).toEqual([]);
  });

  it('keyring daemon killed mid-session: the next call falls back cleanly', async () => {
    const r = await inSession('kill-daemon');
    expect(r.before).toBe('saved');
    const after = r.after as { result: string; ms: number };
    expect(after.result).toBe('memory-only');
    expect(after.ms).toBeLessThan(5500);
    expect(r.memoryRead).toMatchObject({ matches: true });
    expect(r.savedRead).toMatchObject({ error: 'keychain-unavailable' });
    expect(r.lastNotice).toMatchObject({ code: 'keychain-unavailable' });
    expect(filesContaining(dir, secret)).toEqual([]);
  });

  it('no Secret Service at all (dead bus socket, or no bus): memory-only with a typed notice, nothing on disk', () => {
    for (const bus of [`unix:path=${join(dir, 'dead-bus-socket')}`, undefined]) {
      const r = withoutSecretService('no-service', bus);
      expect(r).toMatchObject({ warnings: ['secret-not-saved'], secretStatus: { token: 'memory-only' }, secretSlots: [], memoryGet: { matches: true } });
      expect(r.notices[0]).toMatchObject({ code: 'keychain-unavailable', detail: 'no keychain service is running' });
      expect(r.saveMs).toBeLessThan(5000);
      expect(filesContaining(dir, secret)).toEqual([]);
    }
  });
});
