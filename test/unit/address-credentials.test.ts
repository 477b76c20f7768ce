// The credentials an address carries reach the security stage whole: a VeNCrypt Plain / X509Plain
// server needs the user name with the password (a real Xvnc proves it in
// test/integration/rfb-security-plain.test.ts); before, the user name was dropped and Porthole asked.
import { describe, expect, it } from 'vitest';
import { parseConsoleAddress } from '../../app/console-address.js';
import { addressCredentials } from '../../main/rfb/security/address-credentials.js';
import { CredentialMemory, SessionCredentialBroker } from '../../main/rfb/security/session-credentials.js';

function credentialsOf(address: string) {
  const parsed = parseConsoleAddress(address);
  if (!parsed.ok) throw new Error(`${address} did not parse`);
  return addressCredentials(parsed.target);
}

describe('addressCredentials', () => {
  it('keeps the user name with the password: vnc://user:password@host and RFC 7869 parameters', () => {
    expect(credentialsOf('vnc://alice:s3cret%40x@127.0.0.1:5901')).toEqual({ username: 'alice', password: 's3cret@x' });
    expect(credentialsOf('vnc://127.0.0.1:5901?VncUsername=bob&VncPassword=pw-1')).toEqual({ username: 'bob', password: 'pw-1' });
    expect(credentialsOf('vnc://:only-pw@127.0.0.1:5901')).toEqual({ password: 'only-pw' });
  });

  it('takes a noVNC page’s password; nothing without a password (a user name alone is not credentials)', () => {
    expect(credentialsOf('http://127.0.0.1:6080/vnc.html?host=127.0.0.1&port=6080&password=pw-2')).toEqual({ password: 'pw-2' });
    expect(credentialsOf('vnc://alice@127.0.0.1:5901')).toBeUndefined();
    expect(credentialsOf('vnc://127.0.0.1:5901')).toBeUndefined();
  });

  it('a Plain server’s need for a user name is met from the address, without a prompt', async () => {
    const known = credentialsOf('vnc://alice:s3cret@127.0.0.1:5901');
    let asked = 0;
    const broker = new SessionCredentialBroker(new CredentialMemory({ ...(known ? { known } : {}) }), () => ((asked += 1), Promise.resolve(undefined)));
    expect(await broker.get({ username: true })).toEqual({ ok: true, credentials: { username: 'alice', password: 's3cret' } });
    expect(asked).toBe(0);
  });
});
