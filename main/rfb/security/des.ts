// The VNC authentication response (RFC 6143 §7.2.2 with erratum 4951): each 8-byte half of the
// server's challenge DES-ECB-encrypted with the password as key, the bits of every key byte
// reversed. Single DES is missing from OpenSSL 3's default provider, but two-key triple DES with
// both keys equal is the same cipher and exists on Node's OpenSSL and Electron's BoringSSL under
// the name "des-ede" (ECB).
import { createCipheriv } from 'node:crypto';

/** The password as a DES key: its first 8 UTF-8 bytes, zero-padded, each byte bit-reversed. */
export function vncAuthKey(password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'utf8').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    let b = key[i]!;
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  return key;
}

/** The 16-byte answer to a 16-byte VNC authentication challenge. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  if (challenge.length !== 16) throw new RangeError('a VNC challenge has 16 bytes');
  const key = vncAuthKey(password);
  const cipher = createCipheriv('des-ede', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(challenge), cipher.final()]);
  key.fill(0);
  return out;
}
