// A .vv file's host-subject (virt-viewer): the named certificate subject identifies the server instead
// of its host name, for hypervisors reached by an address their certificate does not carry. The
// chain must still be trusted through the file's CA, and a certificate with another subject is refused
// even when its host name would match.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';
import { parseSubject, subjectMatches } from '../../main/proxy/certificate-subject.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startTlsFront, type TlsFront } from '../fixtures/tls-front.js';

const appOrigin = 'http://127.0.0.1:2';
const peers = sharedPeers();
let core: Awaited<ReturnType<typeof startCore>>;
let dir: string;
let otherName: TlsFront; // certificate for other.example only, from the test CA
let localName: TlsFront; // certificate for localhost / 127.0.0.1, subject CN=localhost
let caLine: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-host-subject-'));
  core = await startCore({ dataDir: dir, appOrigin, shell: 'browser', version: 'test' }, { logger: silentLogger() });
  [otherName, localName] = await Promise.all([startTlsFront(peers.pki.wrongHost, peers.xvnc.rfbPort), startTlsFront(peers.pki.server, peers.xvnc.rfbPort)]);
  caLine = readFileSync(peers.pki.ca.certPath, 'utf8').trim().replace(/\n/g, '\\n');
});
afterAll(async () => {
  await Promise.all([otherName?.stop(), localName?.stop()]);
  await core?.close();
});

/** Opens a .vv file through the core as a user who presses Connect; resolves with the first RFB bytes or the close reason. */
async function openVv(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, ['[virt-viewer]', 'type=vnc', ...lines, ''].join('\n'));
  const out = await core.submitLink({ kind: 'vv-file', path: file });
  if (!out.ok) throw new Error(out.error.code);
  const opened = (await core.handle('link.accept', { requestId: out.view.requestId }, { id: 'w' })) as Outcome<OpenedSession>;
  if (!opened.ok) throw new Error(opened.error.code);
  const ws = new WebSocket(opened.value.wsUrl, ['binary'], { origin: appOrigin });
  return new Promise<string>((resolve, reject) => {
    ws.once('message', (data: Buffer) => {
      resolve(data.toString('latin1'));
      ws.close();
    });
    ws.once('close', (_code, reason) => resolve(`closed: ${reason.toString()}`));
    ws.once('error', reject);
  });
}

describe('host-subject from a .vv file', () => {
  it('parses virt-viewer subjects and compares them attribute by attribute', () => {
    expect([...(parseSubject('C=GB, O=Example\\, Ltd,CN=kvm01') ?? [])]).toEqual([['C', ['GB']], ['O', ['Example, Ltd']], ['CN', ['kvm01']]]);
    expect(parseSubject('CN')).toBeNull();
    expect(parseSubject('=x')).toBeNull();
    expect(subjectMatches({ CN: 'kvm01', O: 'Example, Ltd', C: 'GB' } as never, 'C=GB,O=Example\\, Ltd,CN=kvm01')).toBe(true);
    expect(subjectMatches({ CN: 'kvm01', O: 'Example' } as never, 'CN=kvm01')).toBe(false); // an extra attribute is another subject
    expect(subjectMatches({ CN: 'kvm02' } as never, 'CN=kvm01')).toBe(false);
  });

  it('connects to a server whose certificate does not name the address when the file names its subject', async () => {
    const first = await openVv('subject-ok.vv', ['host=127.0.0.1', 'port=-1', `tls-port=${otherName.port}`, `ca=${caLine}`, 'host-subject=CN=other.example']);
    expect(first).toMatch(/^RFB 003\.008\n/);
  });

  it('without host-subject the same server is refused for its host name', async () => {
    const first = await openVv('no-subject.vv', ['host=127.0.0.1', 'port=-1', `tls-port=${otherName.port}`, `ca=${caLine}`]);
    expect(first).toBe('closed: tls-hostname-mismatch');
  });

  it('refuses a certificate with another subject even when its host name matches', async () => {
    const first = await openVv('subject-wrong.vv', ['host=127.0.0.1', 'port=-1', `tls-port=${localName.port}`, `ca=${caLine}`, 'host-subject=CN=other.example']);
    expect(first).toBe('closed: tls-hostname-mismatch');
  });

  it('still requires a trusted chain: host-subject does not replace the CA', async () => {
    const first = await openVv('subject-untrusted.vv', ['host=127.0.0.1', 'port=-1', `tls-port=${otherName.port}`, 'host-subject=CN=other.example']);
    expect(first).toBe('closed: tls-untrusted');
  });
});
