// Load generators: a WebSocket reader (the `ws` package, binary frames, standing in for noVNC) and a
// plain TCP / TLS reader, for bulk throughput, sequential round trips and many idle sessions.
import net from 'node:net';
import tls from 'node:tls';
import { WebSocket } from 'ws';

const BANNER_BYTES = 12;

/**
 * The client side of RFB 3.8 with security type None, as noVNC does it: every peer is an RFB server
 * (and Porthole presents exactly that after answering the real server's security in main).
 * `feed(chunk, send)` returns the bytes that came after the handshake; `done` tells when it is over.
 */
function rfbNoneClient() {
  let buf = Buffer.alloc(0);
  let step = 0;
  const hs = {
    done: false,
    feed(chunk, send) {
      if (hs.done) return chunk;
      buf = Buffer.concat([buf, chunk]);
      if (step === 0 && buf.length >= 12) {
        send(buf.subarray(0, 12));
        buf = buf.subarray(12);
        step = 1;
      }
      if (step === 1 && buf.length >= 2) {
        if (buf[1] !== 1) throw new Error(`the server offers no None (${[...buf.subarray(1, 1 + buf[0])]})`);
        send(Buffer.from([1]));
        buf = buf.subarray(1 + buf[0]);
        step = 2;
      }
      if (step === 2 && buf.length >= 4) {
        if (buf.readUInt32BE(0) !== 0) throw new Error('SecurityResult: failed');
        send(Buffer.from([1])); // ClientInit, shared
        hs.done = true;
        const rest = buf.subarray(4);
        buf = Buffer.alloc(0);
        return rest;
      }
      return Buffer.alloc(0);
    },
  };
  return hs;
}

/**
 * Resolves once the RFB None handshake is done. `onData` gets only the bytes after it, and is
 * attached before the handshake completes, so nothing that arrives with it is missed.
 */
export function connectWs(url, origin, { timeoutMs = 15_000, onData } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], { origin, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const hs = rfbNoneClient();
    const send = (b) => ws.send(b, { binary: true });
    ws.on('message', (d) => {
      if (hs.done) return onData?.(d.length);
      let rest;
      try {
        rest = hs.feed(d, send);
      } catch (err) {
        return fail(err);
      }
      if (hs.done) {
        ws.off('error', fail);
        ws.on('error', () => undefined);
        resolve(ws);
        if (rest.length) onData?.(rest.length);
      }
    });
    const fail = (err) => {
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      ws.openedAt = process.hrtime.bigint();
    });
    ws.once('close', () => fail(new Error('closed during the RFB handshake')));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode} from ${url.replace(/\/session\/.*/, '/session/…')}`)));
  });
}

function connectTcp(port, tlsOptions, onData) {
  return new Promise((resolve, reject) => {
    const s = tlsOptions ? tls.connect({ host: '127.0.0.1', port, ...tlsOptions }) : net.connect({ host: '127.0.0.1', port });
    const hs = rfbNoneClient();
    s.on('data', (d) => {
      if (hs.done) return onData?.(d.length);
      let rest;
      try {
        rest = hs.feed(d, (b) => s.write(b));
      } catch (err) {
        s.destroy();
        return reject(err);
      }
      if (hs.done) {
        s.off('error', reject);
        s.on('error', () => undefined);
        resolve(s);
        if (rest.length) onData?.(rest.length);
      }
    });
    s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      s.openedAt = process.hrtime.bigint();
      s.setNoDelay(true);
    });
    s.once('error', reject);
  });
}

function closeWs(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const t = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 3000);
    ws.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close();
  });
}

// A stream factory: open({onData(n), onEnd()}) → {openedAt, send(buf), close()}.

export const wsStream = (getUrl, origin) => async ({ onData, onEnd }) => {
  const ws = await connectWs(await getUrl(), origin, { onData });
  ws.on('close', () => onEnd());
  return { openedAt: ws.openedAt, send: (b) => ws.send(b, { binary: true }), close: () => closeWs(ws) };
};

export const tcpStream = (port, tlsOptions) => async ({ onData, onEnd }) => {
  const s = await connectTcp(port, tlsOptions, onData);
  s.on('close', () => onEnd());
  return {
    openedAt: s.openedAt,
    send: (b) => s.write(b),
    close: () =>
      new Promise((resolve) => {
        if (s.destroyed) return resolve();
        s.once('close', resolve);
        s.destroy();
      }),
  };
};

/**
 * Reads `bytes` from a source that streams from the moment it is connected. Steady state only: the clock
 * and the proxy CPU reading (`cpu()`, optional) start at the first chunk and stop at the last byte, so
 * connection set-up is not in the figure; it is reported apart as `firstByteMs` (open → first chunk).
 */
export async function measureThroughput(open, bytes, cpu) {
  let got = 0;
  let started = false;
  let t0, t1, firstAt, cpu0, cpu1;
  let finish;
  const done = new Promise((resolve, reject) => (finish = { resolve, reject }));
  const conn = await open({
    onData(n) {
      if (!started) {
        started = true;
        firstAt = process.hrtime.bigint();
        cpu0 = cpu?.();
        t0 = process.hrtime.bigint();
        return; // the first chunk is not counted
      }
      if (got >= bytes) return;
      got += n;
      if (got >= bytes) {
        t1 = process.hrtime.bigint();
        cpu1 = cpu?.();
        finish.resolve();
      }
    },
    onEnd() {
      if (got < bytes) finish.reject(new Error(`stream ended after ${got} of ${bytes} bytes`));
    },
  });
  try {
    await done;
  } finally {
    await conn.close();
  }
  const seconds = Number(t1 - t0) / 1e9;
  return {
    bytes: got,
    seconds,
    mibPerSec: got / 1048576 / seconds,
    firstByteMs: Number(firstAt - conn.openedAt) / 1e6,
    cpuSeconds: cpu ? cpu1 - cpu0 : undefined,
  };
}

/** Sequential round trips of `size` bytes through an echo peer that first sends a 12-byte banner. */
export async function measureLatency(open, { count, warmup = 200, size = 64, timeoutMs = 60_000 }) {
  let waitingFor = BANNER_BYTES;
  let wake;
  let fail;
  const conn = await open({
    onData(n) {
      waitingFor -= n;
      if (waitingFor <= 0 && wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    },
    onEnd: () => fail?.(new Error('connection closed during round trips')),
  });
  // One watchdog for the whole run, so no timer is set per round trip.
  const watchdog = setTimeout(() => fail?.(new Error(`round trips took longer than ${timeoutMs} ms`)), timeoutMs);
  const arrived = () =>
    new Promise((resolve, reject) => {
      fail = reject;
      if (waitingFor <= 0) return resolve();
      wake = resolve;
    });
  try {
    await arrived(); // banner
    const payload = Buffer.alloc(size, 0x42);
    const samples = new Float64Array(count);
    for (let i = -warmup; i < count; i++) {
      waitingFor += size;
      const t0 = process.hrtime.bigint();
      conn.send(payload);
      await arrived();
      if (i >= 0) samples[i] = Number(process.hrtime.bigint() - t0) / 1000; // µs
    }
    samples.sort();
    const pct = (q) => samples[Math.min(count - 1, Math.floor(q * count))];
    return { count, p50us: pct(0.5), p99us: pct(0.99), meanUs: samples.reduce((a, b) => a + b, 0) / count };
  } finally {
    clearTimeout(watchdog);
    fail = undefined;
    await conn.close();
  }
}

/**
 * Opens `n` idle sessions (each waits for the 12-byte banner), `batch` at a time. `urls(k)` returns k URLs.
 * Returns the open sockets; failures are counted, not thrown.
 */
export async function openIdleSessions(n, urls, origin, batch = 50) {
  const sockets = [];
  let failed = 0;
  let firstError;
  for (let done = 0; done < n; done += batch) {
    const k = Math.min(batch, n - done);
    const list = await urls(k);
    const results = await Promise.allSettled(
      list.map(async (url) => {
        const state = { ws: undefined, received: 0, wake: undefined };
        state.ws = await connectWs(url, origin, {
          onData(n) {
            state.received += n;
            state.wake?.();
          },
        });
        await waitBytes(state, BANNER_BYTES, 10_000);
        return state;
      }),
    );
    for (const r of results) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else {
        failed++;
        firstError ??= r.reason;
      }
    }
  }
  return { sockets, failed, firstError: firstError ? String(firstError.message ?? firstError) : undefined };
}

function waitBytes(state, n, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (state.received >= n) {
        clearTimeout(timer);
        state.wake = undefined;
        resolve();
      }
    };
    const timer = setTimeout(() => {
      state.wake = undefined;
      reject(new Error(`only ${state.received} of ${n} bytes`));
    }, timeoutMs);
    state.wake = check;
    check();
  });
}

/** Each idle session sends one byte and must get it echoed back; returns how many answered. */
export async function verifyEcho(sockets, timeoutMs = 15_000) {
  const results = await Promise.allSettled(
    sockets.map((s) => {
      const want = s.received + 1;
      const p = waitBytes(s, want, timeoutMs);
      s.ws.send(Buffer.from([0x2a]), { binary: true });
      return p;
    }),
  );
  return results.filter((r) => r.status === 'fulfilled').length;
}

export async function closeSessions(sockets) {
  await Promise.all(sockets.map((s) => closeWs(s.ws)));
}
