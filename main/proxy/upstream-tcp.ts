// Upstream over plain or TLS-wrapped TCP: a VNC server reached directly (over a VPN, or behind
// stunnel). The proxy does websockify's job in-process.
import net from 'node:net';
import tls from 'node:tls';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import type { TcpTarget } from '../../app/console-target.js';
import { classifyUpstreamError } from './classify-error.js';
import { coalescedWriter } from './coalesced-writes.js';
import { ReadBuffers } from './read-buffers.js';
import { checkPin, tlsOptionsFor, type TlsPolicy } from './tls-policy.js';
import { failedUpstream, type UpstreamHandlers, type UpstreamLimits, type UpstreamPipe } from './upstream.js';

export interface TcpUpstreamOptions {
  limits: UpstreamLimits;
  tls: TlsPolicy;
}

export function connectTcp(target: TcpTarget, options: TcpUpstreamOptions, h: UpstreamHandlers): UpstreamPipe {
  let sawData = false;
  const reads = new ReadBuffers((chunk) => {
    if (!sawData) {
      sawData = true;
      socket.setTimeout(0);
    }
    h.data(chunk);
  });
  const onread: net.OnReadOpts = { buffer: reads.nextBuffer, callback: reads.onRead };
  // Node's tls.connect honours onread as net.connect does; its typings omit it.
  const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = { host: target.host, port: target.port, onread, ...tlsOptionsFor(target.host, options.tls) };
  let socket: net.Socket;
  try {
    socket = target.tls ? tls.connect(tlsOptions) : net.connect({ host: target.host, port: target.port, onread });
  } catch (err) {
    // Node throws synchronously on an address it cannot use (a bad port or host): this session fails, nothing else.
    const code = (err as NodeJS.ErrnoException).code;
    return failedUpstream(h, makeError('url-invalid', code ? `the address cannot be connected to (${code})` : 'the address cannot be connected to'));
  }
  socket.setNoDelay(true);

  let failure: PortholeErrorShape | undefined;
  let finished = false;
  let full = false;

  // Until the server's RFB banner arrives, silence counts as a timeout.
  socket.setTimeout(options.limits.connectTimeoutMs, () => {
    failure ??= makeError('tcp-timeout', sawData ? undefined : 'no answer from the VNC server');
    socket.destroy();
  });

  socket.once(target.tls ? 'secureConnect' : 'connect', () => {
    const mismatch = socket instanceof tls.TLSSocket ? checkPin(socket, options.tls) : undefined;
    if (mismatch) {
      failure = makeError('tls-pin-mismatch');
      socket.destroy();
      return;
    }
    h.open();
  });
  socket.on('drain', () => {
    if (full) {
      full = false;
      h.drain();
    }
  });
  socket.on('error', (err) => {
    failure ??= classifyUpstreamError(err);
  });
  socket.on('close', () => {
    if (finished) return;
    finished = true;
    reads.flush(); // the last bytes go out before the end is reported
    h.closed(failure ?? (sawData ? undefined : makeError('remote-closed', 'closed before the console started')));
  });

  const writeCoalesced = coalescedWriter(socket);
  return {
    write(chunk) {
      full = !writeCoalesced(chunk);
      return !full;
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    release: () => reads.release(),
    close() {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
    detachSocket() {
      if (target.tls) return undefined;
      reads.flush();
      return socket;
    },
  };
}
