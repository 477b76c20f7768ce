// The benchmark's upstream peers, in a process of their own (so direct TCP has a real sender and a
// real reader, and the proxies under test are the only thing in between):
//   source     : on connect, writes 64 KiB blocks until the reader closes. It speaks first, like a VNC
//                server, and never stops on its own, because websockify trips over both: it drops what
//                it still has queued for the client when the target closes, and with --ssl-target it
//                blocks in SSL recv() after TLS 1.3 session tickets when the server waits for the client.
//   echo       : sends a 12-byte RFB banner, then echoes whatever it receives
//   both plain and TLS-wrapped (--cert / --key). Prints one JSON line with the ports.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
const WRITE = 64 * 1024;
const block = Buffer.alloc(WRITE);
for (let i = 0; i < WRITE; i++) block[i] = (i * 31 + 7) & 0xff;
const BANNER = Buffer.from('RFB 003.008\n');

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
  socket.setNoDelay(true);
  socket.write(BANNER);
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
  source: await listen(net.createServer(source)),
  echo: await listen(net.createServer(echo)),
};
if (tlsOptions) {
  ports.sourceTls = await listen(tls.createServer(tlsOptions, source));
  ports.echoTls = await listen(tls.createServer(tlsOptions, echo));
}
process.stdout.write(`${JSON.stringify({ ports, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
