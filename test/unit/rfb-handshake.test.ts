// The client-side RFB handshake reader: banner and security-type parsers (never throw on junk)
// and readRfbGreeting against the demo server and against scripted fake servers.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../main/demo/demo-server.js';
import { ByteQueue } from '../../main/rfb/byte-queue.js';
import {
  formatVersionBanner,
  negotiateProtocol,
  parseSecurityType33,
  parseSecurityTypes,
  parseVersionBanner,
  probeRfbServer,
  readRfbGreeting,
  securityTypeName,
} from '../../main/rfb/handshake.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseVersionBanner', () => {
  it('reads exactly "RFB xxx.yyy\\n"', () => {
    expect(parseVersionBanner(bytes('RFB 003.008\n'))).toEqual({ major: 3, minor: 8 });
    expect(parseVersionBanner(bytes('RFB 003.003\n'))).toEqual({ major: 3, minor: 3 });
    expect(parseVersionBanner(bytes('RFB 003.889\n'))).toEqual({ major: 3, minor: 889 });
    expect(parseVersionBanner(bytes('RFB 005.000\n'))).toEqual({ major: 5, minor: 0 });
  });

  it('rejects anything else', () => {
    for (const junk of ['', 'RFB 003.008', 'RFB 003.008\n\n', 'RFB 003.008\r', 'rfb 003.008\n', 'RFB 03.0008\n', 'RFB 0x3.008\n', 'RFB 003,008\n', 'RFB -03.008\n', 'HTTP/1.1 200', 'SSH-2.0-Open']) {
      expect(parseVersionBanner(bytes(junk)), JSON.stringify(junk)).toBeNull();
    }
  });

  it('never throws, and only accepts 12-byte buffers (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (buf) => {
        const v = parseVersionBanner(buf);
        if (v !== null) {
          expect(buf.length).toBe(12);
          expect(formatVersionBanner(v)).toBe(Buffer.from(buf).toString('latin1'));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every version through formatVersionBanner (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), (major, minor) => {
        expect(parseVersionBanner(bytes(formatVersionBanner({ major, minor })))).toEqual({ major, minor });
      }),
    );
  });

  it('picks the protocol a client should speak', () => {
    expect(negotiateProtocol({ major: 3, minor: 8 })).toBe('3.8');
    expect(negotiateProtocol({ major: 3, minor: 889 })).toBe('3.8');
    expect(negotiateProtocol({ major: 3, minor: 7 })).toBe('3.7');
    expect(negotiateProtocol({ major: 3, minor: 5 })).toBe('3.3');
    expect(negotiateProtocol({ major: 4, minor: 1 })).toBe('3.8');
    expect(negotiateProtocol({ major: 2, minor: 0 })).toBeNull();
    expect(negotiateProtocol({ major: 6, minor: 0 })).toBeNull();
  });
});

describe('parseSecurityTypes', () => {
  it('reads a count and that many types', () => {
    expect(parseSecurityTypes(Buffer.from([2, 1, 2]))).toEqual({ kind: 'types', types: [1, 2], length: 3 });
    expect(parseSecurityTypes(Buffer.from([1, 19, 99, 99]))).toEqual({ kind: 'types', types: [19], length: 2 });
    expect(parseSecurityTypes(Buffer.from([3, 1, 2]))).toEqual({ kind: 'incomplete' });
    expect(parseSecurityTypes(Buffer.alloc(0))).toEqual({ kind: 'incomplete' });
  });

  it('reads count 0 as a failure with a reason', () => {
    const reason = Buffer.from('Too many security failures', 'utf8');
    const msg = Buffer.concat([Buffer.from([0, 0, 0, 0, reason.length]), reason]);
    expect(parseSecurityTypes(msg)).toEqual({ kind: 'failure', reason: 'Too many security failures', length: msg.length });
    expect(parseSecurityTypes(msg.subarray(0, 3))).toEqual({ kind: 'incomplete' });
    expect(parseSecurityTypes(msg.subarray(0, msg.length - 1))).toEqual({ kind: 'incomplete' });
    expect(parseSecurityTypes(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]))).toMatchObject({ kind: 'invalid' });
  });

  it('reads the 3.3 form: one u32 type, 0 meaning failure', () => {
    expect(parseSecurityType33(Buffer.from([0, 0, 0, 2]))).toEqual({ kind: 'types', types: [2], length: 4 });
    expect(parseSecurityType33(Buffer.from([0, 0, 0]))).toEqual({ kind: 'incomplete' });
    expect(parseSecurityType33(Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]))).toEqual({ kind: 'failure', reason: 'hi', length: 10 });
  });

  it('never throws on arbitrary bytes and reports consistent lengths (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 100 }), (buf, maxReason) => {
        for (const parse of [parseSecurityTypes, parseSecurityType33]) {
          const r = parse(buf, maxReason);
          if (r.kind === 'types' || r.kind === 'failure') expect(r.length).toBeLessThanOrEqual(buf.length);
          if (r.kind === 'types' && parse === parseSecurityTypes) expect(r.types.length).toBe(buf[0]);
          if (r.kind === 'failure') expect(Buffer.byteLength(r.reason, 'utf8')).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on a subarray view into a larger buffer (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(99), (buf, start) => {
        const view = buf.subarray(Math.min(start, buf.length));
        parseSecurityTypes(view);
        parseSecurityType33(view);
        parseVersionBanner(view);
      }),
    );
  });
});

describe('securityTypeName', () => {
  it('names the common types', () => {
    expect(securityTypeName(1)).toBe('None');
    expect(securityTypeName(2)).toBe('VNC authentication');
    expect(securityTypeName(16)).toBe('Tight');
    expect(securityTypeName(18)).toBe('TLS');
    expect(securityTypeName(19)).toBe('VeNCrypt');
    expect(securityTypeName(30)).toMatch(/Apple/);
    expect(securityTypeName(200)).toMatch(/RealVNC/);
    expect(securityTypeName(77)).toBe('Unknown (77)');
  });
});

describe('ByteQueue', () => {
  it('behaves like a plain byte array under random pushes and skips (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.nat(250))), (ops) => {
        const q = new ByteQueue(16);
        let model: number[] = [];
        for (const [chunk, skip] of ops) {
          q.push(chunk);
          model.push(...chunk);
          expect(q.length).toBe(model.length);
          expect([...q.view(q.length)]).toEqual(model);
          if (model.length >= 4) expect(q.u32(0)).toBe(Buffer.from(model.slice(0, 4)).readUInt32BE(0));
          expect(q.skip(skip)).toBe(Math.min(skip, model.length));
          model = model.slice(skip);
        }
      }),
    );
  });
});

/** A one-connection fake server that runs `script` on each accepted socket. */
async function fakeServer(script: (socket: Socket) => void): Promise<{ port: number; server: Server; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => received.push(d));
    script(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server, received };
}

async function withFake(script: (socket: Socket) => void, timeoutMs = 1000): Promise<{ result: Awaited<ReturnType<typeof probeRfbServer>>; received: string }> {
  const fake = await fakeServer(script);
  try {
    const result = await probeRfbServer('127.0.0.1', fake.port, timeoutMs);
    return { result, received: Buffer.concat(fake.received).toString('latin1') };
  } finally {
    fake.server.close();
  }
}

describe('readRfbGreeting', () => {
  let demo: DemoServer;
  beforeAll(async () => {
    demo = await startDemoServer();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('reads the demo server: RFB 3.8 offering None', async () => {
    const result = await probeRfbServer('127.0.0.1', demo.port, 2000);
    expect(result).toEqual({ ok: true, serverVersion: { major: 3, minor: 8 }, protocol: '3.8', securityTypes: [1], rest: Buffer.alloc(0) });
  });

  it('works on a socket the caller owns, and leaves it open', async () => {
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: demo.port });
    try {
      const result = await readRfbGreeting(socket, 2000);
      expect(result.ok).toBe(true);
      expect(socket.destroyed).toBe(false);
      expect(socket.listenerCount('data')).toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it('answers a 3.3 server with 3.3 and reads its single type', async () => {
    const { result, received } = await withFake((s) => {
      s.write('RFB 003.003\n');
      s.once('data', () => s.write(Buffer.from([0, 0, 0, 2])));
    });
    expect(result).toEqual({ ok: true, serverVersion: { major: 3, minor: 3 }, protocol: '3.3', securityTypes: [2], rest: expect.any(Buffer) });
    expect(received).toBe('RFB 003.003\n');
  });

  it('answers a 3.7 server with 3.7, and a RealVNC 5.0 server with 3.8', async () => {
    const a = await withFake((s) => {
      s.write('RFB 003.007\n');
      s.once('data', () => s.write(Buffer.from([1, 2])));
    });
    expect(a.result).toMatchObject({ ok: true, protocol: '3.7', securityTypes: [2] });
    expect(a.received).toBe('RFB 003.007\n');
    const b = await withFake((s) => {
      s.write('RFB 005.000\n');
      s.once('data', () => s.write(Buffer.from([2, 13, 2])));
    });
    expect(b.result).toMatchObject({ ok: true, protocol: '3.8', securityTypes: [13, 2] });
    expect(b.received).toBe('RFB 003.008\n');
  });

  it('reassembles a banner and type list split across packets', async () => {
    const { result } = await withFake((s) => {
      s.setNoDelay(true);
      s.write('RF');
      setTimeout(() => s.write('B 003.0'), 20);
      setTimeout(() => s.write('08\n'), 40);
      s.once('data', () => {
        s.write(Buffer.from([3, 2]));
        setTimeout(() => s.write(Buffer.from([16, 19])), 20);
      });
    });
    expect(result).toMatchObject({ ok: true, securityTypes: [2, 16, 19] });
  });

  it('reports a refusal with the server reason', async () => {
    const reason = Buffer.from('Too many security failures', 'utf8');
    const { result } = await withFake((s) => {
      s.write('RFB 003.008\n');
      s.once('data', () => s.write(Buffer.concat([Buffer.from([0, 0, 0, 0, reason.length]), reason])));
    });
    expect(result).toMatchObject({ ok: false, error: 'refused', reason: 'Too many security failures', serverVersion: { major: 3, minor: 8 } });
  });

  it('types its failures: not-rfb, unsupported-version, timeout, closed, protocol-error, io-error', async () => {
    const notRfb = await withFake((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(notRfb.result).toMatchObject({ ok: false, error: 'not-rfb' });

    const old = await withFake((s) => s.write('RFB 002.000\n'));
    expect(old.result).toMatchObject({ ok: false, error: 'unsupported-version', serverVersion: { major: 2, minor: 0 } });

    const silent = await withFake(() => {}, 150);
    expect(silent.result).toMatchObject({ ok: false, error: 'timeout' });

    const hangup = await withFake((s) => s.end());
    expect(hangup.result).toMatchObject({ ok: false, error: 'closed' });

    const midway = await withFake((s) => s.end('RFB 003.008\n'));
    expect(midway.result).toMatchObject({ ok: false, error: 'closed' });

    const hugeReason = await withFake((s) => {
      s.write('RFB 003.008\n');
      s.once('data', () => s.write(Buffer.from([0, 0x7f, 0xff, 0xff, 0xff])));
    });
    expect(hugeReason.result).toMatchObject({ ok: false, error: 'protocol-error' });

    const closedPort = await fakeServer(() => {});
    const port = closedPort.port;
    await new Promise<void>((resolve) => closedPort.server.close(() => resolve()));
    const refused = await probeRfbServer('127.0.0.1', port, 1000);
    expect(refused).toMatchObject({ ok: false, error: 'io-error' });
    if (!refused.ok) expect(refused.detail).toMatch(/ECONNREFUSED/);
  });

  it('never throws on arbitrary server bytes over any Duplex (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }), fc.boolean(), async (chunks, end) => {
        const written: Buffer[] = [];
        const duplex = new Duplex({
          read() {},
          write(chunk: Buffer, _enc, cb) {
            written.push(chunk);
            cb();
          },
        });
        const pending = readRfbGreeting(duplex, 30);
        for (const c of chunks) duplex.push(c);
        if (end) duplex.push(null);
        const result = await pending;
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(['timeout', 'closed', 'io-error', 'not-rfb', 'unsupported-version', 'protocol-error', 'refused']).toContain(result.error);
        duplex.destroy();
      }),
      { numRuns: 60 },
    );
  });
});
