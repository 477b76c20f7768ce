// What the password prompt is told (issue 10 polish): how the password will travel with the chosen
// security type (in clear for VeNCrypt Plain without TLS), and a user name to pre-fill only when
// the address the user typed carried it: never one from the profile's keychain slot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConsoleAddress } from '../../app/console-address.js';
import { CredentialsRequest } from '../../app/contract.js';
import { protectionWarning } from '../../app/password-protection.js';
import { resolveProfileAddress } from '../../main/api/profile-address.js';
import { openProfileStore } from '../../main/profiles/profile-store.js';
import { addressSessionCredentials } from '../../main/rfb/security/address-credentials.js';
import { profileVncCredentials } from '../../main/rfb/security/profile-credentials.js';
import { passwordProtection } from '../../main/rfb/security/protection.js';
import { CredentialMemory, SessionCredentialBroker, type PromptRequest, type SessionCredentials } from '../../main/rfb/security/session-credentials.js';
import { SecType, SubType } from '../../main/rfb/security/types.js';
import { InMemoryTestSecretStore } from '../../main/secrets/memory-secret-store.js';

const tcp = { encrypted: false, verified: false, allowInsecure: false };
const verifiedWss = { encrypted: true, verified: true, allowInsecure: false };
const insecureTls = { encrypted: true, verified: false, allowInsecure: true };

function targetOf(address: string) {
  const parsed = parseConsoleAddress(address);
  if (!parsed.ok) throw new Error(`${address} did not parse`);
  return parsed.target;
}

/** The prompt requests a broker makes for `source` (the user cancels each). */
async function promptsFor(source: SessionCredentials, need: { username: boolean }): Promise<PromptRequest[]> {
  const asked: PromptRequest[] = [];
  const broker = new SessionCredentialBroker(new CredentialMemory(source), (request) => (asked.push(request), Promise.resolve(undefined)));
  expect(await broker.get({ ...need, protection: 'password-in-clear' })).toMatchObject({ ok: false, error: { code: 'vnc-auth-cancelled' } });
  return asked;
}

describe('passwordProtection: how the password travels with the chosen type', () => {
  it('VeNCrypt Plain on a plain TCP stream sends it in clear; VNC authentication there is a challenge on an unencrypted stream', () => {
    expect(passwordProtection(SubType.Plain, tcp)).toBe('password-in-clear');
    expect(passwordProtection(SecType.VncAuth, tcp)).toBe('not-encrypted');
    expect(passwordProtection(SecType.None, tcp)).toBe('not-encrypted');
  });

  it('inside TLS: verified for X509 subtypes and a verified wss stream; not verified for anonymous TLS or with certificate checks off', () => {
    for (const t of [SubType.X509Plain, SubType.X509Vnc, SubType.X509None]) expect(passwordProtection(t, tcp)).toBe('encrypted');
    expect(passwordProtection(SubType.Plain, verifiedWss)).toBe('encrypted');
    expect(passwordProtection(SecType.VncAuth, verifiedWss)).toBe('encrypted');
    for (const t of [SubType.TLSPlain, SubType.TLSVnc]) expect(passwordProtection(t, tcp)).toBe('encrypted-unverified');
    expect(passwordProtection(SubType.X509Plain, insecureTls)).toBe('encrypted-unverified');
    expect(passwordProtection(SubType.Plain, insecureTls)).toBe('encrypted-unverified');
  });

  it('the words say it plainly, and nothing is said for a verified TLS connection', () => {
    expect(protectionWarning('password-in-clear')).toBe('This server will receive your password unencrypted: anyone on the network path can read it.');
    expect(protectionWarning('not-encrypted')).toContain('not encrypted');
    expect(protectionWarning('encrypted-unverified')).toContain('not verified');
    expect(protectionWarning('encrypted')).toBeUndefined();
  });
});

describe('the user name a prompt is pre-filled with', () => {
  it('comes from a typed vnc://user@host (the address carries no password, so the user is asked)', async () => {
    const source = addressSessionCredentials(targetOf('vnc://alice-8c1@127.0.0.1:5901'));
    expect(source).toEqual({ addressUsername: 'alice-8c1' });
    const [request] = await promptsFor(source, { username: true });
    expect(request).toEqual({ username: true, canRemember: false, protection: 'password-in-clear', usernameFromAddress: 'alice-8c1' });
  });

  it('is not sent when the server wants no user name, nor when the address has none', async () => {
    const [noUserNeeded] = await promptsFor(addressSessionCredentials(targetOf('vnc://alice-8c1@127.0.0.1:5901')), { username: false });
    expect(noUserNeeded).not.toHaveProperty('usernameFromAddress');
    const [noUser] = await promptsFor(addressSessionCredentials(targetOf('vnc://127.0.0.1:5901')), { username: true });
    expect(noUser).not.toHaveProperty('usernameFromAddress');
  });

  it('after a wrong password from vnc://user:password@host the prompt comes back pre-filled with that user name (never the password)', async () => {
    const source = addressSessionCredentials(targetOf('vnc://alice-8c1:pw-WRONG-3@127.0.0.1:5901'));
    expect(source).toEqual({ known: { username: 'alice-8c1', password: 'pw-WRONG-3' }, addressUsername: 'alice-8c1' });
    const asked: PromptRequest[] = [];
    const broker = new SessionCredentialBroker(new CredentialMemory(source), (request) => (asked.push(request), Promise.resolve(undefined)));
    expect(await broker.get({ username: true, protection: 'encrypted' })).toMatchObject({ ok: true });
    expect(broker.rejected()).toBe(true);
    await broker.get({ username: true, protection: 'encrypted' }, { code: 'vnc-auth-failed', message: 'm', hint: 'h' });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.usernameFromAddress).toBe('alice-8c1');
    expect(JSON.stringify(asked)).not.toContain('pw-WRONG-3');
  });

  it('never comes from a profile’s keychain slot: a saved user name does not reach the prompt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-prompt-prefill-'));
    const store = await openProfileStore({ dataDir: dir, secrets: new InMemoryTestSecretStore() });
    try {
      // A profile with a saved user name and no password: the user is asked for the password.
      const { profile } = await store.save({ name: 'Plain VM', address: 'vnc://127.0.0.1:5901', secrets: { username: 'saved-user-4d2' } }, resolveProfileAddress);
      expect(await store.readSecret(profile.id, 'username')).toBe('saved-user-4d2');
      const source = profileVncCredentials(targetOf(profile.endpoint.address), profile.id, () => Promise.resolve(store), resolveProfileAddress);
      const asked = await promptsFor(source, { username: true });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ username: true, canRemember: true });
      expect(JSON.stringify(asked)).not.toContain('saved-user-4d2');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the contract event', () => {
  const base = { sessionId: 's-1', username: true, canRemember: false, timeoutMs: 120_000 };
  it('carries how the password travels (required, one of the named values) and an optional pre-filled user name', () => {
    expect(CredentialsRequest.safeParse({ ...base, protection: 'password-in-clear', usernameFromAddress: 'alice' }).success).toBe(true);
    expect(CredentialsRequest.safeParse(base).success).toBe(false);
    expect(CredentialsRequest.safeParse({ ...base, protection: 'in-clear' }).success).toBe(false);
    expect(CredentialsRequest.safeParse({ ...base, protection: 'encrypted', usernameFromAddress: '' }).success).toBe(false);
  });
});
