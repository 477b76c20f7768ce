// A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { trackTempDir } from './procs.mjs';

function openssl(args, cwd) {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/openssl', args, { cwd, timeout: 20_000 }, (err, _o, stderr) => (err ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const serial = () => `0x${randomBytes(8).toString('hex')}`;

export async function makePki() {
  const dir = trackTempDir(mkdtempSync(path.join(tmpdir(), 'porthole-bench-pki-')));
  await openssl(['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-set_serial', serial(), '-subj', '/CN=Porthole Bench CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', '-x509', ...key, '-keyout', 'server.key', '-out', 'server.crt', '-days', '30', '-set_serial', serial(), '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth'], dir);
  return {
    dir,
    caPath: path.join(dir, 'ca.crt'),
    caPem: readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    certPath: path.join(dir, 'server.crt'),
    keyPath: path.join(dir, 'server.key'),
  };
}
