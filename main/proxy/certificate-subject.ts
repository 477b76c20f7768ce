// virt-viewer's `host-subject`: a .vv file may name the server certificate's subject
// ("C=XX,L=city,O=org,CN=host"), and then that subject, not the host name, identifies the server
// (as remote-viewer does for hypervisors reached by an address their certificate does not name).
// The chain must still be trusted; only the name check changes.
import type { PeerCertificate } from 'node:tls';

type Pairs = Map<string, string[]>;

/** Splits "K=V,K=V" at unescaped commas ("\," is a comma inside a value); null when malformed. */
export function parseSubject(text: string): Pairs | null {
  const pairs: Pairs = new Map();
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) current += text[++i];
    else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!/^[A-Za-z][A-Za-z0-9.]*$/.test(key) || value === '') return null;
    pairs.set(key, [...(pairs.get(key) ?? []), value]);
  }
  return pairs;
}

function sorted(values: readonly string[]): string {
  return JSON.stringify([...values].sort());
}

/** True when the certificate's subject holds exactly the attributes `expected` names (order aside). */
export function subjectMatches(subject: PeerCertificate['subject'] | undefined, expected: string): boolean {
  const want = parseSubject(expected);
  if (!want || !subject) return false;
  const have: Pairs = new Map();
  for (const [key, value] of Object.entries(subject)) {
    if (value === undefined) continue;
    have.set(key, Array.isArray(value) ? value.map(String) : [String(value)]);
  }
  if (have.size !== want.size) return false;
  for (const [key, values] of want) {
    const got = have.get(key);
    if (!got || sorted(got) !== sorted(values)) return false;
  }
  return true;
}

/** Node's checkServerIdentity for a policy with a host subject; the error classifies as tls-hostname-mismatch. */
export function hostSubjectCheck(expected: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    if (subjectMatches(cert.subject, expected)) return undefined;
    return Object.assign(new Error('the server certificate subject is not the one the file names'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  };
}
