// The security stage between the relay and the real upstream. Main does the upstream RFB security
// handshake itself (VNC password, VeNCrypt TLS) and then presents RFB 3.8 with the one type None
// to the renderer, so noVNC never sees a password prompt and no saved secret reaches the page.
//
// To the relay the stage is an ordinary UpstreamPipe. Once both handshakes are done it gets out of
// the way: the pipe's methods become the upstream's own (or the TLS socket's) and the upstream's
// handlers become the relay's, so nothing of the stage stays on the byte path.
//
// A wrong password closes that upstream connection; when the session may ask the user, the stage
// asks again (the dialog shows why) and only then connects anew: never a retry on its own.
import type tls from 'node:tls';
import { makeError, type PortholeErrorShape } from '../../../app/errors.js';
import { classifyUpstreamError } from '../../proxy/classify-error.js';
import { readIntoBuffers } from '../../proxy/late-onread.js';
import { ReadBuffers } from '../../proxy/read-buffers.js';
import { coalescedWriter } from '../../proxy/coalesced-writes.js';
import type { TlsPolicy } from '../../proxy/tls-policy.js';
import type { UpstreamHandlers, UpstreamPipe } from '../../proxy/upstream.js';
import type { PasswordProtection } from '../../../app/password-protection.js';
import { ClientPresenter } from './client-presenter.js';
import { failureToError } from './failure-error.js';
import { passwordProtection } from './protection.js';
import { anonymousTlsAvailable, PipeDuplex, upgradeToTls } from './tls-upgrade.js';
import { UpstreamSecurity, type Negotiation, type SecurityAction, type VncCredentials } from './upstream-security.js';

export type CredentialAnswer = { ok: true; credentials: VncCredentials } | { ok: false; error: PortholeErrorShape };

/** What the chosen security type asks for, and how the password will travel (the dialog says so). */
export interface CredentialNeed {
  username: boolean;
  protection: PasswordProtection;
}

/** Where a session's VNC credentials come from (see main/sessions.ts for the order). */
export interface CredentialBroker {
  /**
   * Credentials for this attempt: known ones first, else the user is asked. `failure` is why the
   * last attempt was refused (the dialog says so). Never rejects.
   */
  get(need: CredentialNeed, failure?: PortholeErrorShape): Promise<CredentialAnswer>;
  /** The server refused the last credentials: forget them. True when the user may be asked again. */
  rejected(): boolean;
  /** The session is over: close any open prompt. */
  abort(): void;
}

export interface SecuredInfo extends Negotiation {
  tls?: 'x509' | 'anonymous';
  tlsProtocol?: string;
  protection?: PasswordProtection;
  attempts: number;
}

export interface SecurityStageOptions {
  /** The target host, for the VeNCrypt certificate's name check. */
  host: string;
  tls: TlsPolicy;
  /** The stream is already TLS/wss with verification on. */
  transportVerified: boolean;
  /** The stream is TLS/wss, verified or not (default: as transportVerified). */
  transportEncrypted?: boolean;
  /** Longest time for the handshake, not counting time spent waiting for the user. */
  handshakeTimeoutMs: number;
  credentials: CredentialBroker;
  /** Told once the upstream is authenticated (for the log; no secrets in it). */
  onSecured?(info: SecuredInfo): void;
}

type Phase = 'upstream' | 'client' | 'handing-over' | 'piping' | 'closed';

const noop = (): undefined => undefined;
/** Bytes a server may send before the renderer's ClientInit (real servers send none) before it is paused. */
const MAX_EARLY_SERVER_BYTES = 1024 * 1024;

class SecurityStage {
  readonly facade: UpstreamPipe;
  private phase: Phase = 'upstream';
  private inner: UpstreamPipe | undefined;
  private innerHandlers: UpstreamHandlers | undefined;
  private machine: UpstreamSecurity | undefined;
  private duplex: PipeDuplex | undefined;
  private tlsSocket: tls.TLSSocket | undefined;
  private tlsKind: 'x509' | 'anonymous' | undefined;
  private presenter: ClientPresenter | undefined;
  private upstreamLeftover: Buffer[] = [];
  private earlyBytes = 0;
  /** Chunks the stage itself handed to the relay and the relay has not released yet. */
  private ownChunks = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForUser = false;
  private preset: VncCredentials | undefined;
  private lastNeed: CredentialNeed = { username: false, protection: 'not-encrypted' };
  private attempts = 0;
  private reported = false;
  /** The server's VeNCrypt subtypes were all unusable here: later connections pick a plain type. */
  private withoutVeNCrypt = false;

  constructor(
    private readonly connectRaw: (handlers: UpstreamHandlers) => UpstreamPipe,
    private readonly options: SecurityStageOptions,
    private readonly relay: UpstreamHandlers,
  ) {
    this.facade = {
      write: (chunk) => this.onClientBytes(chunk),
      pause: () => this.target()?.pause(),
      resume: () => this.target()?.resume(),
      close: () => this.close(),
      release: () => this.releaseOwn(),
    };
    this.attempt();
  }

  // ---- upstream side ------------------------------------------------------------------------

  private attempt(): void {
    this.attempts++;
    const machine = new UpstreamSecurity({ transportVerified: this.options.transportVerified, anonymousTls: anonymousTlsAvailable(), withoutVeNCrypt: this.withoutVeNCrypt });
    this.machine = machine;
    this.duplex = undefined;
    this.tlsSocket = undefined;
    this.tlsKind = undefined;
    const handlers: UpstreamHandlers = {
      open: noop,
      data: (chunk) => {
        if (this.machine !== machine || this.phase === 'closed') return this.inner?.release();
        if (this.duplex) return this.duplex.receive(chunk);
        if (this.phase !== 'upstream') {
          this.keepEarly(Buffer.from(chunk));
          this.inner?.release();
          return;
        }
        const actions = machine.feed(chunk);
        this.inner?.release();
        this.handle(machine, actions);
      },
      drain: () => {
        if (this.machine !== machine) return;
        if (this.duplex) this.duplex.drained();
        else this.relay.drain();
      },
      closed: (error) => {
        if (this.machine !== machine) return;
        this.duplex?.ended();
        this.onUpstreamClosed(error);
      },
    };
    this.innerHandlers = handlers;
    this.armTimer();
    this.inner = this.connectRaw(handlers);
  }

  private handle(machine: UpstreamSecurity, actions: SecurityAction[]): void {
    for (const action of actions) {
      if (this.machine !== machine || this.phase === 'closed') return;
      switch (action.kind) {
        case 'send':
          (this.tlsSocket ?? this.inner)?.write(action.bytes);
          break;
        case 'need-credentials':
          this.lastNeed = { username: action.username, protection: this.protectionOf(machine) };
          this.supplyCredentials(machine, this.lastNeed);
          break;
        case 'start-tls':
          this.startTls(machine, action.anonymous);
          break;
        case 'done':
          if (action.leftover.length) this.upstreamLeftover.push(action.leftover);
          this.upstreamSecured(machine);
          break;
        case 'failed':
          this.onFailure(failureToError(action.failure), action.failure.kind === 'auth-failed');
          break;
        case 'retry-without-vencrypt':
          if (this.withoutVeNCrypt) {
            this.end(failureToError(action.failure));
            break;
          }
          // VeNCrypt was chosen on this connection, so it cannot change its mind: connect again.
          this.withoutVeNCrypt = true;
          this.dropUpstream();
          this.attempt();
          break;
      }
    }
  }

  /** How the password travels with the type this connection chose. */
  private protectionOf(machine: UpstreamSecurity): PasswordProtection {
    const { transportVerified, transportEncrypted, tls } = this.options;
    const n = machine.negotiation;
    return passwordProtection(n.subtype ?? n.type ?? 0, { encrypted: transportEncrypted ?? transportVerified, verified: transportVerified, allowInsecure: tls.allowInsecure });
  }

  private supplyCredentials(machine: UpstreamSecurity, need: CredentialNeed): void {
    const preset = this.preset;
    if (preset) {
      this.preset = undefined;
      this.handle(machine, machine.provide(preset));
      return;
    }
    this.waitForUser(true);
    this.ask(need, undefined, (answer) => {
      if (this.machine !== machine || this.phase === 'closed') return;
      this.waitForUser(false);
      if (!answer.ok) this.end(answer.error);
      else this.handle(machine, machine.provide(answer.credentials));
    });
  }

  /**
   * Asks the broker and hands the answer to `use`. A broker that throws or rejects (it should
   * not), or a throw in `use`, fails this session as 'internal': never an unhandled rejection,
   * which would end the whole process.
   */
  private ask(need: CredentialNeed, failure: PortholeErrorShape | undefined, use: (answer: CredentialAnswer) => void): void {
    let pending: Promise<CredentialAnswer>;
    try {
      pending = this.options.credentials.get(need, failure);
    } catch (err) {
      pending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    pending.then(use).catch(this.crashed);
  }

  /** Something on the stage's own path threw: this session ends as 'internal', nothing else. */
  private readonly crashed = (): void => {
    try {
      this.end(makeError('internal', 'the console connection failed inside Porthole'));
    } catch {
      // The relay's own guard ends the session.
    }
  };

  /** Wraps a callback of the stage's own event sources (the TLS socket) so a throw stays in this session. */
  private guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch {
        this.crashed();
      }
    };
  }

  private startTls(machine: UpstreamSecurity, anonymous: boolean): void {
    const inner = this.inner;
    if (!inner) return;
    // A bare TCP socket gets Node's TLS on the socket itself (native, as fast as a vnc+tls
    // target); anything else (WebSocket messages, TLS-wrapped TCP) gets TLS over a JS Duplex.
    const stream = inner.detachSocket?.() ?? (this.duplex = new PipeDuplex(inner));
    this.tlsKind = anonymous ? 'anonymous' : 'x509';
    const socket = upgradeToTls(
      stream,
      { host: this.options.host, policy: this.options.tls, anonymous },
      this.guarded(() => {
        if (this.machine !== machine || this.phase === 'closed') return;
        this.handle(machine, machine.tlsReady());
      }),
      this.guarded((err: Error) => {
        if (this.machine !== machine || this.phase === 'closed') return;
        const error = classifyUpstreamError(err);
        this.end(error.code === 'remote-closed' ? makeError('tls-untrusted', 'the VeNCrypt TLS handshake failed') : error);
      }),
    );
    this.tlsSocket = socket;
    socket.on(
      'data',
      this.guarded((chunk: Buffer) => {
        if (this.machine !== machine || this.phase === 'closed') return;
        if (this.phase !== 'upstream') {
          this.keepEarly(chunk);
          return;
        }
        this.handle(machine, machine.feed(chunk));
      }),
    );
  }

  private onFailure(error: PortholeErrorShape, authFailed: boolean): void {
    if (!authFailed || error.code !== 'vnc-auth-failed' || !this.options.credentials.rejected()) {
      this.end(error);
      return;
    }
    // Wrong password: this connection is done (servers close it). Ask the user again, with the
    // server's reason, and connect anew only with what they typed.
    this.dropUpstream();
    this.waitForUser(true);
    const machine = this.machine;
    this.ask(this.lastNeed, error, (answer) => {
      if (this.machine !== machine || this.phase === 'closed') return;
      this.waitForUser(false);
      if (!answer.ok) {
        this.end(answer.error.code === 'vnc-auth-cancelled' ? error : answer.error);
        return;
      }
      this.preset = answer.credentials;
      this.attempt();
    });
  }

  private onUpstreamClosed(error: PortholeErrorShape | undefined): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'piping' || this.phase === 'handing-over' || this.phase === 'client') {
      this.finish(error);
      return;
    }
    if (this.waitingForUser) {
      this.end(makeError('vnc-auth-timeout', 'the server closed the connection while the password was being asked for'));
      return;
    }
    this.end(error ?? makeError('remote-closed', 'the server closed the connection during the security handshake'));
  }

  // ---- client side --------------------------------------------------------------------------

  private upstreamSecured(machine: UpstreamSecurity): void {
    this.clearTimer();
    this.phase = 'client';
    if (!this.reported) {
      this.reported = true;
      const tlsProtocol = this.tlsSocket?.getProtocol() ?? undefined;
      this.options.onSecured?.({
        ...machine.negotiation,
        attempts: this.attempts,
        protection: this.protectionOf(machine),
        ...(this.tlsKind ? { tls: this.tlsKind } : {}),
        ...(tlsProtocol ? { tlsProtocol } : {}),
      });
    }
    this.presenter = new ClientPresenter();
    this.armTimer();
    this.relay.open();
    this.sendOwn(this.presenter.start());
  }

  private onClientBytes(chunk: Buffer): boolean {
    if (this.phase === 'handing-over' || this.phase === 'piping') return this.target()?.write(chunk) ?? false;
    const presenter = this.presenter;
    if (this.phase !== 'client' || !presenter) return true; // the relay holds bytes until open()
    for (const action of presenter.feed(chunk)) {
      if (action.kind === 'send') this.sendOwn(action.bytes);
      else if (action.kind === 'failed') this.end(makeError('bad-request', action.detail));
      else this.handOver(action.leftover);
    }
    return true;
  }

  /** A server that talks before ClientInit: kept for the relay, but only so much before it is paused. */
  private keepEarly(chunk: Buffer): void {
    this.upstreamLeftover.push(chunk);
    this.earlyBytes += chunk.length;
    if (this.earlyBytes > MAX_EARLY_SERVER_BYTES) this.target()?.pause();
  }

  private sendOwn(bytes: Buffer): void {
    this.ownChunks++;
    this.relay.data(bytes);
  }

  private releaseOwn(): void {
    if (this.ownChunks > 0) this.ownChunks--;
    if (this.ownChunks === 0 && this.phase === 'handing-over') this.bindDirect();
  }

  /** Both handshakes are done: the server gets ClientInit, the relay anything the server sent early. */
  private handOver(clientLeftover: Buffer): void {
    this.clearTimer();
    this.phase = 'handing-over';
    const target = this.target();
    if (clientLeftover.length) target?.write(clientLeftover);
    for (const chunk of this.upstreamLeftover) this.sendOwn(chunk);
    this.upstreamLeftover = [];
    if (this.ownChunks === 0) this.bindDirect();
  }

  /** From here on the relay talks to the upstream (or its TLS socket) with no stage in between. */
  private bindDirect(): void {
    if (this.phase !== 'handing-over') return;
    this.phase = 'piping';
    const { relay, facade } = this;
    const handlers = this.innerHandlers;
    const inner = this.inner;
    if (!handlers || !inner) return;
    const socket = this.tlsSocket;
    if (socket) {
      // Decrypted bytes land in reused slabs and leave as a few large frames per turn, as a TLS
      // upstream's do: natively where Node allows it (late-onread.ts), else copied from 'data'.
      const reads = new ReadBuffers(relay.data);
      socket.removeAllListeners('data');
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) reads.copyIn(chunk);
      if (!readIntoBuffers(socket, reads)) socket.on('data', this.guarded((chunk: Buffer) => reads.copyIn(chunk)));
      socket.on('drain', relay.drain);
      facade.write = coalescedWriter(socket);
      facade.pause = () => void socket.pause();
      facade.resume = () => void socket.resume();
      facade.release = () => reads.release();
      facade.close = () => {
        socket.end();
        inner.close();
      };
      socket.on('close', () => {
        reads.flush();
        inner.close();
      });
      let closed = false;
      handlers.closed = (error) => {
        if (closed) return;
        closed = true;
        relay.closed(error);
      };
      socket.resume();
      return;
    }
    facade.write = inner.write.bind(inner);
    facade.pause = inner.pause.bind(inner);
    facade.resume = inner.resume.bind(inner);
    facade.release = inner.release.bind(inner);
    facade.close = inner.close.bind(inner);
    handlers.data = relay.data;
    handlers.drain = relay.drain;
    handlers.closed = relay.closed;
    inner.resume();
  }

  // ---- life -----------------------------------------------------------------------------------

  private target(): Pick<UpstreamPipe, 'write' | 'pause' | 'resume'> | undefined {
    const socket = this.tlsSocket;
    if (socket)
      return {
        write: (chunk) => socket.write(chunk),
        pause: () => void socket.pause(),
        resume: () => void socket.resume(),
      };
    return this.inner;
  }

  private waitForUser(on: boolean): void {
    this.waitingForUser = on;
    if (on) this.clearTimer();
    else this.armTimer();
  }

  private armTimer(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.end(makeError('tcp-timeout', 'the VNC server did not finish the security handshake in time'));
    }, this.options.handshakeTimeoutMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private dropUpstream(): void {
    this.clearTimer();
    this.tlsSocket?.destroy();
    this.inner?.close();
    // Late callbacks of the old connection are ignored: they check `this.machine`.
    this.machine = undefined;
    this.inner = undefined;
    this.tlsSocket = undefined;
    this.duplex = undefined;
  }

  /** Fails the session from the stage: everything closes and the relay hears why. */
  private end(error: PortholeErrorShape): void {
    if (this.phase === 'closed') return;
    this.finish(error);
  }

  private finish(error: PortholeErrorShape | undefined): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.options.credentials.abort();
    this.dropUpstream();
    this.relay.closed(error);
  }

  /** The relay ends the session (tab closed, app quitting). */
  private close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.options.credentials.abort();
    this.dropUpstream();
  }
}

/** Wraps an upstream connector so the session authenticates in main and shows None to the renderer. */
export function withSecurityStage(
  connectRaw: (handlers: UpstreamHandlers) => UpstreamPipe,
  options: SecurityStageOptions,
): (handlers: UpstreamHandlers) => UpstreamPipe {
  return (handlers) => new SecurityStage(connectRaw, options, handlers).facade;
}

