// VeNCrypt's TLS runs over an already-connected socket, where Node ignores `onread`:
// late-onread.ts switches such a socket to caller-provided buffers after the fact. These tests
// fail when this Node stops taking that path (the relay would silently lose speed) or when bytes
// read that way differ from what was sent.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { readIntoBuffers } from '../../main/proxy/late-onread.js';
import { ReadBuffers } from '../../main/proxy/read-buffers.js';
import { makeTestPki } from '../fixtures/certs.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A TLS server on 127.0.0.1 that sends `payload` once the client is connected; the client is TLS over its own socket. */
async function tlsOverSocket(payload: Buffer): Promise<tls.TLSSocket> {
  const pki = await makeTestPki();
  const server = tls.createServer({ cert: readFileSync(pki.server.certPath), key: readFileSync(pki.server.keyPath) }, (s) => {
    s.on('error', () => undefined);
    s.end(payload);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => server.close());
  const raw = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  await new Promise((r) => raw.once('connect', r));
  const socket = tls.connect({ socket: raw, ca: readFileSync(pki.ca.certPath), servername: 'localhost' });
  socket.pause();
  cleanups.push(() => socket.destroy());
  await new Promise((r) => socket.once('secureConnect', r));
  return socket;
}

describe('late onread for TLS over an existing socket', () => {
  it('takes the fast path on this Node: bytes arrive through the buffers, none as data events, unchanged', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + (i >> 11)) & 0xff;
    const socket = await tlsOverSocket(payload);
    const chunks: Buffer[] = [];
    const reads = new ReadBuffers((chunk) => {
      chunks.push(Buffer.from(chunk)); // views into reused slabs: keep a copy, then release
      setImmediate(() => reads.release());
    });
    let dataEvents = 0;
    expect(socket.readableLength).toBe(0);
    expect(readIntoBuffers(socket, reads)).toBe(true);
    socket.on('data', () => dataEvents++);
    socket.resume();
    await new Promise((r) => socket.once('end', r));
    reads.flush();
    expect(dataEvents).toBe(0);
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    // Gathered: far fewer chunks than 16 KiB TLS records.
    expect(chunks.length).toBeLessThan(payload.length / (16 * 1024) / 2);
  });

  it('changes nothing when the socket still holds unread bytes, or is not a Node socket', async () => {
    const socket = await tlsOverSocket(Buffer.from('hello'));
    await new Promise((r) => socket.once('readable', r));
    expect(socket.readableLength).toBeGreaterThan(0);
    const reads = new ReadBuffers(() => undefined);
    expect(readIntoBuffers(socket, reads)).toBe(false);
    expect((socket.read() as Buffer).toString()).toBe('hello');
    expect(readIntoBuffers({} as net.Socket, reads)).toBe(false);
  });

  it('the fallback where Node does not allow it: data chunks copied in arrive gathered and unchanged', () => {
    const chunks: Buffer[] = [];
    const reads = new ReadBuffers((chunk) => chunks.push(Buffer.from(chunk)));
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const record = Buffer.alloc(16 * 1024, i);
      sent.push(record);
      reads.copyIn(record);
    }
    reads.flush();
    expect(Buffer.concat(chunks).equals(Buffer.concat(sent))).toBe(true);
    expect(chunks.length).toBeLessThan(50);
  });
});
