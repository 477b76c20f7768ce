// "Test connection": walks the chain a real console connection walks — DNS, TCP, TLS, the
// WebSocket upgrade, the RFB greeting — one step at a time over one connection, timing each step
// and stopping at the first failure with the Porthole error a real connection would report.
// The report is secret-free: the token and header values go to the server and nowhere else, and
// raw error messages (which can carry URLs) are never copied into it.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import { describeTarget, upstreamWebSocketUrl, type TcpTarget, type WebSocketTarget } from '../../app/console-target.js';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { quoteServerText } from '../../app/server-text.js';
import { classifyRequestError, classifyUpstreamError } from '../proxy/classify-error.js';
import { formatVersionBanner, readRfbGreeting, securityTypeName, type RfbGreeting } from '../rfb/handshake.js';
import { addressCredentials } from '../rfb/security/address-credentials.js';
import { captureCertificate, capturingTlsOptions, certificateVerdict } from './certificate.js';
import { securityStep } from './security-step.js';
import type { TlsPolicy } from '../proxy/tls-policy.js';
import type { DiagnosticReport, DiagnosticStep, DiagnosticStepName } from './types.js';

export interface DiagnosticsOptions {
  tls: TlsPolicy;
  /** Per step; default 5000 ms. */
  timeoutMs?: number;
  /** Sent as Origin only when set (Nova expects none from non-browser clients). */
  originOverride?: string;
  /** Extra upgrade headers (some secret): sent, never reported. */
  headers?: Record<string, string>;
  /** A VNC password known for this console (from the address or the profile): the security step uses it. */
  credentials?: { username?: string; password: string };
}

export type DiagnosableTarget = WebSocketTarget | TcpTarget;

const DEFAULT_TIMEOUT_MS = 5000;

function ignore(): void {}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Things a run opened, closed whatever happens. */
class Resources {
  private readonly closers: Array<() => void> = [];
  add(close: () => void): void {
    this.closers.push(close);
  }
  closeAll(): void {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        close();
      } catch {
        // Closing is best effort; nothing here may throw out of the run.
      }
    }
  }
}

// ---- DNS ----

async function resolveHost(host: string, timeoutMs: number): Promise<{ addresses: string[] } | { error: PortholeErrorShape; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const pending = lookup(host, { all: true });
  pending.catch(ignore);
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([pending, timeout]);
    if (result === 'timeout') return { error: makeError('dns-failed', 'timeout'), detail: `no answer from the resolver within ${timeoutMs} ms` };
    const addresses = [...new Set(result.map((r) => r.address))];
    if (addresses.length === 0) return { error: makeError('dns-failed', 'no addresses'), detail: `${host} has no addresses` };
    return { addresses };
  } catch (err) {
    const code = errnoCode(err);
    const error = classifyUpstreamError(err);
    return { error: error.code === 'dns-failed' ? error : makeError('dns-failed', code), detail: `${host} could not be resolved${code ? ` (${code})` : ''}` };
  } finally {
    clearTimeout(timer);
  }
}

// ---- TCP ----

type TcpAttempt = { socket: net.Socket } | { error: PortholeErrorShape; why: string };

function connectOnce(address: string, port: number, timeoutMs: number): Promise<TcpAttempt> {
  return new Promise<TcpAttempt>((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.on('error', ignore);
    const done = (result: TcpAttempt): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (!('socket' in result)) socket.destroy();
      resolve(result);
    };
    const onConnect = (): void => {
      socket.setNoDelay(true);
      done({ socket });
    };
    const onError = (err: Error): void => {
      const code = errnoCode(err);
      done({ error: classifyUpstreamError(err), why: code ?? 'error' });
    };
    const timer = setTimeout(() => done({ error: makeError('tcp-timeout', `no answer within ${timeoutMs} ms`), why: 'timeout' }), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

// ---- TLS ----

type TlsAttempt = { socket: tls.TLSSocket } | { error: PortholeErrorShape; detail: string };

function tlsHandshake(raw: net.Socket, options: tls.ConnectionOptions, timeoutMs: number, resources: Resources): Promise<TlsAttempt> {
  return new Promise<TlsAttempt>((resolve) => {
    const socket = tls.connect({ ...options, socket: raw });
    resources.add(() => socket.destroy());
    socket.on('error', ignore);
    let settled = false;
    const done = (result: TlsAttempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(result);
    };
    const onSecure = (): void => done({ socket });
    const onError = (err: Error): void => {
      const code = errnoCode(err);
      done({ error: classifyUpstreamError(err), detail: `TLS handshake failed${code ? ` (${code})` : ''}` });
    };
    const onClose = (): void => done({ error: makeError('tls-handshake-failed', 'closed during the TLS handshake'), detail: 'the server closed the connection during the TLS handshake' });
    const timer = setTimeout(() => done({ error: makeError('tcp-timeout', 'no TLS answer'), detail: `no TLS handshake within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', onSecure);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

// ---- WebSocket ----

type UpgradeResult =
  | { ws: WebSocket; stream: Duplex; status: number }
  | { error: PortholeErrorShape; detail: string; status?: number };

function upgrade(target: WebSocketTarget, socket: net.Socket, options: DiagnosticsOptions, timeoutMs: number, resources: Resources): Promise<UpgradeResult> {
  return new Promise<UpgradeResult>((resolve) => {
    const headers: Record<string, string> = { ...options.headers };
    if (target.token !== undefined && target.tokenIn === 'cookie') headers.Cookie = `token=${encodeURIComponent(target.token)}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(upstreamWebSocketUrl(target), ['binary'], {
        // The connection the TCP (and TLS) steps opened carries the upgrade.
        // ws gets its handshake timeout from the socket, as its own connect would set it.
        createConnection: () => socket.setTimeout(timeoutMs),
        handshakeTimeout: timeoutMs,
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: 1024 * 1024,
        headers,
        ...(options.originOverride ? { origin: options.originOverride } : {}),
      });
    } catch (err) {
      // A header or Origin Node refuses to send, or a malformed URL. The message would quote the URL, token included: only the classification is kept.
      const error = classifyRequestError(err);
      resolve({ error, detail: error.detail ?? error.message });
      return;
    }
    ws.binaryType = 'nodebuffer';
    ws.on('error', ignore);
    resources.add(() => ws.terminate());

    let settled = false;
    let status: number | undefined;
    let failure: PortholeErrorShape | undefined;
    let failureDetail: string | undefined;
    const done = (result: UpgradeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(result);
    };
    const failed = (): void => {
      let error = failure ?? makeError('remote-closed', 'closed during the WebSocket upgrade');
      let detail = failureDetail ?? 'the server closed the connection during the WebSocket upgrade';
      // websockify (0.10+) resets the connection instead of answering the upgrade of a bad token.
      if (error.code === 'remote-closed' && target.flavour !== 'proxmox') {
        error = makeError('token-rejected-or-expired', error.detail);
        detail = `${detail}: this is how ${target.flavour === 'nova' ? 'Nova' : 'websockify'} refuses a bad or expired token`;
      }
      done(status === undefined ? { error, detail } : { error, detail, status });
    };

    ws.on('upgrade', (res) => {
      status = res.statusCode;
    });
    ws.on('unexpected-response', (req, res) => {
      status = res.statusCode;
      // The status text is the server's own words.
      const text = res.statusMessage ? ` ${quoteServerText(res.statusMessage)}` : '';
      res.resume();
      req.destroy();
      done({ error: makeError('ws-upgrade-rejected', `HTTP ${status ?? '?'}`), detail: `the server answered the upgrade with HTTP ${status ?? '?'}${text}`, ...(status !== undefined ? { status } : {}) });
    });
    ws.on('open', () => {
      // Created now so not one message is missed; it buffers until the RFB step reads it.
      const stream = createWebSocketStream(ws);
      stream.on('error', ignore);
      resources.add(() => stream.destroy());
      done({ ws, stream, status: status ?? 101 });
    });
    ws.on('error', (err) => {
      if (failure !== undefined) return;
      failure = classifyUpstreamError(err);
      const code = errnoCode(err);
      if (failure.code === 'tcp-timeout') failureDetail = `no answer to the WebSocket upgrade within ${timeoutMs} ms`;
      else if (failure.code === 'ws-upgrade-rejected') failureDetail = failure.detail ?? 'the server did not complete the WebSocket handshake';
      else failureDetail = `the server dropped the connection during the WebSocket upgrade${code ? ` (${code})` : ''}`;
    });
    ws.on('close', failed);
    // ws has its own handshake timeout; this guard only makes sure the step always ends.
    const guard = setTimeout(() => {
      failure ??= makeError('tcp-timeout', 'no answer to the WebSocket upgrade');
      failureDetail ??= `no answer to the WebSocket upgrade within ${timeoutMs} ms`;
      failed();
    }, timeoutMs + 1000);
  });
}

// ---- RFB ----

function rfbStepFromGreeting(g: RfbGreeting, target: DiagnosableTarget, step: Omit<DiagnosticStep, 'status' | 'detail'>): DiagnosticStep {
  if (g.ok) {
    const version = formatVersionBanner(g.serverVersion).trimEnd();
    const securityTypes = g.securityTypes.map((type) => ({ type, name: securityTypeName(type) }));
    const offered = securityTypes.map((t) => `${t.name} (${t.type})`).join(', ');
    return {
      ...step,
      status: 'ok',
      detail: `${version}, answered with RFB ${g.protocol}; security types offered: ${offered || 'none'}`,
      rfb: { version, securityTypes },
    };
  }
  const version = g.serverVersion ? formatVersionBanner(g.serverVersion).trimEnd() : undefined;
  const rfb = version !== undefined ? { rfb: { version, securityTypes: [] } } : {};
  let error: PortholeErrorShape;
  let detail = g.detail;
  switch (g.error) {
    case 'timeout':
      error = makeError('tcp-timeout', 'no RFB banner');
      break;
    case 'closed':
      if (g.serverVersion === undefined && target.kind === 'websocket' && target.flavour !== 'proxmox') {
        error = makeError('token-rejected-or-expired', 'dropped before the RFB banner');
        detail = `${g.detail}: this is how ${target.flavour === 'nova' ? 'Nova' : 'websockify'} refuses a bad or expired token`;
      } else {
        error = makeError('remote-closed', g.serverVersion === undefined ? 'closed before the RFB banner' : 'closed during the RFB handshake');
      }
      break;
    case 'refused': {
      // The server's reason may be 64 KiB of anything: only its cleaned, quoted start is repeated.
      const said = g.reason !== undefined ? `the server said ${quoteServerText(g.reason)}` : 'the server gave no reason';
      error = makeError('remote-closed', `the VNC server refused the connection: ${said}`);
      detail = `the VNC server refused the connection: ${said}`;
      break;
    }
    case 'io-error':
      error = makeError('remote-closed', 'connection error during the RFB handshake');
      detail = 'connection error during the RFB handshake';
      break;
    case 'not-rfb':
    case 'unsupported-version':
    case 'protocol-error':
      error = makeError('url-unsupported', 'the server does not speak RFB (VNC) as expected');
      break;
  }
  return { ...step, status: 'failed', detail, error, ...rfb };
}

// ---- The run ----

/**
 * Runs the connection chain for `target` step by step and reports each step; never rejects.
 * Every socket it opens is closed and every timer cleared before it resolves.
 */
export async function runDiagnostics(target: DiagnosableTarget, options: DiagnosticsOptions): Promise<DiagnosticReport> {
  const timeoutMs = options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TIMEOUT_MS;
  const startedAt = new Date().toISOString();
  const runStart = performance.now();
  const steps: DiagnosticStep[] = [];
  const resources = new Resources();
  const secure = target.kind === 'websocket' ? target.secure : target.tls;

  const report = (): DiagnosticReport => {
    const failed = steps.find((s) => s.status === 'failed');
    return {
      target: describeTarget(target),
      startedAt,
      totalMs: elapsed(runStart),
      steps,
      ok: failed === undefined,
      ...(failed ? { stoppedAt: failed.step } : {}),
    };
  };
  const skip = (step: DiagnosticStepName, detail: string): void => {
    steps.push({ step, status: 'skipped', ms: 0, detail });
  };
  // After a good greeting: what the server asks for, and (with a known password) whether it is accepted.
  const security = async (stream: Duplex, greeting: RfbGreeting): Promise<void> => {
    if (!greeting.ok) return;
    const credentials = options.credentials ?? addressCredentials(target);
    steps.push(
      await securityStep(stream, greeting, {
        host: target.host,
        tls: options.tls,
        transportVerified: secure && !options.tls.allowInsecure,
        transportEncrypted: secure,
        ...(credentials ? { credentials } : {}),
        timeoutMs,
      }),
    );
  };

  try {
    // DNS
    let t = performance.now();
    let addresses: string[];
    if (net.isIP(target.host)) {
      addresses = [target.host];
      steps.push({ step: 'dns', status: 'skipped', ms: 0, detail: `${target.host} is an IP address`, addresses });
    } else {
      const resolved = await resolveHost(target.host, timeoutMs);
      if ('error' in resolved) {
        steps.push({ step: 'dns', status: 'failed', ms: elapsed(t), detail: resolved.detail, error: resolved.error });
        return report();
      }
      addresses = resolved.addresses;
      steps.push({ step: 'dns', status: 'ok', ms: elapsed(t), detail: `${target.host} → ${addresses.join(', ')}`, addresses });
    }

    // TCP: the addresses in order, as a real connection falls back from one family to the other.
    t = performance.now();
    let socket: net.Socket | undefined;
    const misses: string[] = [];
    let lastError: PortholeErrorShape | undefined;
    for (const address of addresses) {
      const attempt = await connectOnce(address, target.port, timeoutMs);
      if ('socket' in attempt) {
        socket = attempt.socket;
        resources.add(() => attempt.socket.destroy());
        const tried = misses.length > 0 ? ` (after ${misses.join('; ')})` : '';
        steps.push({ step: 'tcp', status: 'ok', ms: elapsed(t), detail: `connected to ${hostPort(address, target.port)}${tried}`, addresses: [address] });
        break;
      }
      misses.push(`${hostPort(address, target.port)}: ${attempt.why}`);
      lastError = attempt.error;
    }
    if (socket === undefined) {
      const error = lastError ?? makeError('tcp-refused');
      const what = error.code === 'tcp-refused' ? 'connection refused' : error.code === 'tcp-timeout' ? 'no answer' : 'could not connect';
      steps.push({ step: 'tcp', status: 'failed', ms: elapsed(t), detail: `${what}: ${misses.join('; ')}`, error });
      return report();
    }

    // TLS
    let stream: net.Socket = socket;
    if (!secure) {
      skip('tls', target.kind === 'websocket' ? 'not encrypted (ws://)' : 'not encrypted (plain VNC)');
    } else {
      t = performance.now();
      const attempt = await tlsHandshake(socket, capturingTlsOptions(target.host, options.tls, target.host), timeoutMs, resources);
      if ('error' in attempt) {
        steps.push({ step: 'tls', status: 'failed', ms: elapsed(t), detail: attempt.detail, error: attempt.error });
        return report();
      }
      const ms = elapsed(t);
      const certificate = captureCertificate(attempt.socket, target.host, options.tls.pinSha256);
      if (certificate === undefined) {
        steps.push({ step: 'tls', status: 'failed', ms, detail: 'the server sent no certificate', error: makeError('tls-untrusted', 'no certificate') });
        return report();
      }
      const error = certificateVerdict(certificate, options.tls);
      const protocol = attempt.socket.getProtocol() ?? 'TLS';
      if (error !== undefined) {
        const why =
          error.code === 'tls-pin-mismatch'
            ? 'the certificate’s key is not the pinned one'
            : error.code === 'tls-hostname-mismatch'
              ? `the certificate is not valid for ${target.host}`
              : `the certificate is not trusted (${certificate.verifyError ?? 'unknown issuer'})`;
        steps.push({ step: 'tls', status: 'failed', ms, detail: `${protocol}: ${why}`, error, certificate });
        return report();
      }
      let how: string;
      if (options.tls.pinSha256 !== undefined) how = 'certificate accepted by its pinned key';
      else if (certificate.trusted) how = `certificate verified (issued by ${certificate.issuer})`;
      else how = `certificate NOT verified (${certificate.verifyError ?? 'untrusted'}): verification is OFF for this profile`;
      steps.push({ step: 'tls', status: 'ok', ms, detail: `${protocol}, ${how}`, certificate });
      stream = attempt.socket;
    }

    // WebSocket, then RFB
    if (target.kind === 'websocket') {
      t = performance.now();
      const up = await upgrade(target, stream, options, timeoutMs, resources);
      if ('error' in up) {
        steps.push({ step: 'websocket', status: 'failed', ms: elapsed(t), detail: up.detail, error: up.error, ...(up.status !== undefined ? { httpStatus: up.status } : {}) });
        return report();
      }
      const protocolNote = up.ws.protocol ? `, subprotocol ${up.ws.protocol}` : ', no subprotocol';
      steps.push({ step: 'websocket', status: 'ok', ms: elapsed(t), detail: `HTTP ${up.status} Switching Protocols${protocolNote}`, httpStatus: up.status });

      t = performance.now();
      const greeting = await readRfbGreeting(up.stream, timeoutMs);
      steps.push(rfbStepFromGreeting(greeting, target, { step: 'rfb', ms: elapsed(t) }));
      await security(up.stream, greeting);
      return report();
    }

    skip('websocket', 'direct TCP: no WebSocket');
    t = performance.now();
    const greeting = await readRfbGreeting(stream, timeoutMs);
    steps.push(rfbStepFromGreeting(greeting, target, { step: 'rfb', ms: elapsed(t) }));
    await security(stream, greeting);
    return report();
  } catch {
    // Not expected: every step resolves. Report it rather than reject.
    const last = steps.at(-1)?.step;
    const order: DiagnosticStepName[] = ['dns', 'tcp', 'tls', 'websocket', 'rfb', 'security'];
    const next = order[last === undefined ? 0 : Math.min(order.length - 1, order.indexOf(last) + 1)] ?? 'dns';
    steps.push({ step: next, status: 'failed', ms: 0, detail: 'unexpected error in the connection test', error: makeError('internal') });
    return report();
  } finally {
    resources.closeAll();
  }
}
