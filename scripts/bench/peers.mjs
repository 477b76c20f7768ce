// The benchmark's upstream peers, in a process of their own (so direct TCP has a real sender and a
// real reader, and the proxies under test are the only thing in between):
//   source     : on connect, writes 64 KiB blocks until the reader closes. It speaks first, like a VNC
//                server, and never stops on its own, because websockify trips over both: it drops what
//                it still has queued for the client when the target closes, and with --ssl-target it
//                blocks in SSL recv() after TLS 1.3 session tickets when the server waits for the client.
//   echo       : sends a 12-byte marker, then echoes whatever it receives
//   both plain and TLS-wrapped (--cert / --key). Prints one JSON line with the ports.
// Every peer is an RFB server first (Porthole answers RFB security in main before relaying): the
// plain ones offer None; sourceVnc/echoVnc ask for VNC authentication (password BENCH_VNC_PASSWORD);
// sourceVencrypt/echoVencrypt speak VeNCrypt X509None and then stream inside TLS.
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
const WRITE = 64 * 1024;
const block = Buffer.alloc(WRITE);
for (let i = 0; i < WRITE; i++) block[i] = (i * 31 + 7) & 0xff;
const BANNER = Buffer.from('RFB 003.008\n');
export const BENCH_VNC_PASSWORD = 'benchpw1';

/** Reads exactly the given byte counts in turn, calling step(i, bytes) for each; then done(rest). */
function reader(socket, counts, step, done) {
  let buf = Buffer.alloc(0);
  let i = 0;
  const onData = (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (i < counts.length && buf.length >= counts[i]) {
      const part = buf.subarray(0, counts[i]);
      buf = buf.subarray(counts[i]);
      step(i++, part);
    }
    if (i === counts.length) {
      socket.off('data', onData);
      done();
    }
  };
  socket.on('data', onData);
}

function desResponse(password, challenge) {
  const key = Buffer.alloc(8);
  Buffer.from(password).copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    let b = key[i];
    let r = 0;
    for (let k = 0; k < 8; k++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  const c = createCipheriv('des-ede', Buffer.concat([key, key]), null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(challenge), c.final()]);
}

/** The RFB handshake of a server offering `kind` ('none' | 'vnc' | 'vencrypt'), then serve(stream). */
function rfbServer(kind, serve) {
  return (socket) => {
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    socket.write(BANNER);
    const clientInit = (stream) => reader(stream, [1], () => undefined, () => serve(stream));
    if (kind === 'none-eager') {
      // Everything at once, without waiting for the client: websockify --ssl-target stalls when a
      // TLS 1.3 server waits for the client. The client's answers are read and dropped by `serve`.
      socket.write(Buffer.from([1, 1, 0, 0, 0, 0]));
      serve(socket);
    } else if (kind === 'none') {
      reader(socket, [12, 1], (i) => socket.write(i === 0 ? Buffer.from([1, 1]) : Buffer.from([0, 0, 0, 0])), () => clientInit(socket));
    } else if (kind === 'vnc') {
      const challenge = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
      reader(socket, [12, 1, 16], (i, bytes) => {
        if (i === 0) socket.write(Buffer.from([1, 2]));
        else if (i === 1) socket.write(challenge);
        else socket.write(bytes.equals(desResponse(BENCH_VNC_PASSWORD, challenge)) ? Buffer.from([0, 0, 0, 0]) : Buffer.from([0, 0, 0, 1]));
      }, () => clientInit(socket));
    } else {
      const subtype = Buffer.from([1, 0, 0, 1, 4]); // one subtype: X509None (260)
      reader(socket, [12, 1, 2, 4], (i) => {
        if (i === 0) socket.write(Buffer.from([1, 19]));
        else if (i === 1) socket.write(Buffer.from([0, 2]));
        else if (i === 2) socket.write(Buffer.concat([Buffer.from([0]), subtype]));
        else socket.write(Buffer.from([1]));
      }, () => {
        const secure = new tls.TLSSocket(socket, { isServer: true, ...tlsOptions });
        secure.on('error', () => undefined);
        secure.once('secure', () => {
          secure.write(Buffer.from([0, 0, 0, 0]));
          clientInit(secure);
        });
      });
    }
  };
}

function source(socket) {
  socket.on('error', () => undefined);
  socket.on('data', () => undefined); // whatever the reader sends is ignored
  // Speaks first, like a VNC server, and writes until the reader goes away.
  const pump = () => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(block)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function echo(socket) {
  socket.on('error', () => undefined);
  socket.write(BANNER); // a 12-byte "ready" marker the latency client waits for
  socket.on('data', (chunk) => socket.write(chunk));
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 }, () => resolve(server.address().port));
  });
}

const tlsOptions = values.cert && values.key ? { cert: readFileSync(values.cert), key: readFileSync(values.key) } : undefined;
const ports = {
  source: await listen(net.createServer(rfbServer('none-eager', source))),
  echo: await listen(net.createServer(rfbServer('none', echo))),
  sourceVnc: await listen(net.createServer(rfbServer('vnc', source))),
  echoVnc: await listen(net.createServer(rfbServer('vnc', echo))),
};
if (tlsOptions) {
  ports.sourceTls = await listen(tls.createServer(tlsOptions, rfbServer('none-eager', source)));
  ports.echoTls = await listen(tls.createServer(tlsOptions, rfbServer('none', echo)));
  ports.sourceVencrypt = await listen(net.createServer(rfbServer('vencrypt', source)));
  ports.echoVencrypt = await listen(net.createServer(rfbServer('vencrypt', echo)));
}
process.stdout.write(`${JSON.stringify({ ports, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
