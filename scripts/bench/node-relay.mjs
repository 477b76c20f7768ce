// The bench's yardstick for "a plain Node relay": what anyone would write in a few lines with `ws`,
// in its own process — a WebSocket server whose every connection is piped, with Node's own stream
// backpressure (createWebSocketStream + pipeline), to one TCP or TLS target. No admission, tickets,
// RFB security or limits: the floor Porthole's proxy is measured against.
// Usage: node node-relay.mjs --target host:port [--tls --ca file]; prints {"port":N}.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { pipeline } from 'node:stream';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { createWebSocketStream, WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { target: { type: 'string' }, tls: { type: 'boolean' }, ca: { type: 'string' } } });
const [host, port] = values.target.split(':');
const ca = values.ca ? readFileSync(values.ca) : undefined;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws) => {
  const upstream = values.tls ? tls.connect({ host, port: Number(port), ca, servername: 'localhost' }) : net.connect({ host, port: Number(port) });
  upstream.setNoDelay(true);
  const client = createWebSocketStream(ws);
  pipeline(client, upstream, () => undefined);
  pipeline(upstream, client, () => undefined);
});
server.on('listening', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
