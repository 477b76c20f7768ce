// Opening, tracking and closing console sessions. A session belongs to one caller (a window or
// browser tab); it is born with a single-use ticket, becomes a relay when the renderer's socket
// is admitted, and is gone, with every socket and timer it owned, when either side closes.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ConsoleTarget } from '../app/console-target.js';
import { makeError, PortholeError, type PortholeErrorShape } from '../app/errors.js';
import type { SessionStateEvent, SessionWarning } from '../app/contract.js';
import type { DisplayOptions } from '../app/profile.js';
import type { Logger } from './log/logger.js';
import { Relay, type RelayState } from './proxy/relay.js';
import { connectTcp } from './proxy/upstream-tcp.js';
import { connectWebSocket } from './proxy/upstream-websocket.js';
import { defaultLimits, failedUpstream, guardedHandlers, type UpstreamHandlers, type UpstreamLimits, type UpstreamPipe } from './proxy/upstream.js';
import type { TlsPolicy } from './proxy/tls-policy.js';
import type { LoopbackProxy } from './proxy/proxy-server.js';
import type { UpstreamHandlers as SecuredHandlers, UpstreamPipe as SecuredPipe } from './proxy/upstream.js';
import { addressSessionCredentials } from './rfb/security/address-credentials.js';
import { withSecurityStage } from './rfb/security/security-stage.js';
import { CredentialMemory, SessionCredentialBroker, type PromptAnswer, type PromptRequest, type SessionCredentials } from './rfb/security/session-credentials.js';

export interface SessionRequest {
  callerId: string;
  /** Where to connect; the demo is resolved to its loopback TCP address by the caller. */
  target: Exclude<ConsoleTarget, { kind: 'demo' }>;
  title: string;
  displayAddress: string;
  tls: TlsPolicy;
  warnings: SessionWarning[];
  /** A profile's display choices, handed back on reconnect. */
  display?: DisplayOptions;
  originOverride?: string;
  headers?: Record<string, string>;
  /**
   * Where the VNC password comes from when the server asks for one. Absent: a password carried
   * by a vnc:// target, else the user is asked. A Proxmox session passes its minted ticket here
   * with `prompt: false`.
   */
  credentials?: SessionCredentials;
  /** A cloud console: mints a fresh console (new token) for every reconnect. */
  refresh?: () => Promise<SessionRequest>;
  /** The last connection of this cloud console ended with its token refused (one more mint is allowed). */
  staleTokenRetried?: boolean;
}

/** main → renderer: the server wants credentials for this session (see session.credentials). */
export interface CredentialsRequestEvent extends PromptRequest {
  sessionId: string;
  /** How long the dialog may stay open before the session gives up. */
  timeoutMs: number;
}

interface PendingPrompt {
  callerId: string;
  done(answer: PromptAnswer | undefined, error?: PortholeError): void;
}

/** How long a password prompt may stay unanswered unless SessionLimits says otherwise. */
const CREDENTIALS_TIMEOUT_MS = 120_000;

interface Session {
  id: string;
  openedAt: number;
  request: SessionRequest;
  relay?: Relay;
  state: RelayState;
  ticketTimer?: NodeJS.Timeout;
}

export interface SessionLimits extends UpstreamLimits {
  maxSessions: number;
  /** Per caller (a window or browser tab), below maxSessions so others keep room. */
  maxSessionsPerCaller: number;
  idleTimeoutMs: number;
  ticketTtlMs: number;
  /** How long a password prompt may stay unanswered (default 120 s). */
  credentialsTimeoutMs?: number;
}

export const defaultSessionLimits: SessionLimits = { ...defaultLimits, maxSessions: 64, maxSessionsPerCaller: 32, idleTimeoutMs: 0, ticketTtlMs: 30_000 };

export interface SessionCounters {
  sessionId: string;
  title: string;
  displayAddress: string;
  state: RelayState;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  /** Largest number of bytes buffered towards the renderer so far. */
  peakBufferedToClient: number;
}

export type SessionListener = (callerId: string, event: SessionStateEvent) => void;

/** How many ended sessions can still be reconnected (per process, oldest forgotten first). */
const RECONNECTABLE = 64;

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Ended sessions that may be reopened; a token the server refused is never retried. */
  private readonly ended = new Map<string, SessionRequest>();
  private proxy: LoopbackProxy | undefined;
  /** Credentials that outlive one connection: reconnects of a session reuse what worked. */
  private readonly credentialMemory = new WeakMap<SessionRequest, CredentialMemory>();
  private readonly prompts = new Map<string, PendingPrompt>();
  /** Set by the core: delivers session.credentials to the caller. */
  onCredentialsRequest: ((callerId: string, event: CredentialsRequestEvent) => void) | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly emit: SessionListener,
    private readonly limits: SessionLimits = defaultSessionLimits,
  ) {}

  attachProxy(proxy: LoopbackProxy): void {
    this.proxy = proxy;
  }

  get count(): number {
    return this.sessions.size;
  }

  /** Registers a session and returns the renderer's single-use loopback URL. */
  open(request: SessionRequest): { sessionId: string; wsUrl: string } {
    if (!this.proxy) throw new PortholeError('internal', 'proxy not started');
    if (this.sessions.size >= this.limits.maxSessions) throw new PortholeError('too-many-sessions', `limit ${this.limits.maxSessions}`);
    // One window (or browser tab) cannot take every session and starve the others.
    let ofCaller = 0;
    for (const s of this.sessions.values()) if (s.request.callerId === request.callerId) ofCaller++;
    if (ofCaller >= this.limits.maxSessionsPerCaller) throw new PortholeError('too-many-sessions', `limit ${this.limits.maxSessionsPerCaller} per window`);
    const id = randomUUID();
    const session: Session = { id, openedAt: Date.now(), request, state: 'connecting' };
    this.sessions.set(id, session);
    const wsUrl = this.proxy.issueUrl(id);
    // A ticket nobody redeems must not keep a session alive.
    session.ticketTimer = setTimeout(() => {
      if (!session.relay) this.end(session, makeError('ticket-invalid', 'the console window never connected'));
    }, this.limits.ticketTtlMs);
    session.ticketTimer.unref();
    this.logger.info({ sessionId: id, target: request.displayAddress, kind: request.target.kind }, 'session opened');
    return { sessionId: id, wsUrl };
  }

  /** The proxy admitted the renderer's socket for this session: connect upstream and relay. */
  readonly onAdmitted = (sessionId: string, socket: WebSocket): void => {
    const session = this.sessions.get(sessionId);
    if (!session || session.relay) {
      socket.close(4000, 'session-not-found');
      return;
    }
    clearTimeout(session.ticketTimer);
    const { target, tls } = session.request;
    if (tls.allowInsecure && (target.kind === 'websocket' ? target.secure : target.tls)) {
      this.logger.warn({ sessionId, target: session.request.displayAddress }, 'TLS certificate verification is OFF for this profile');
    }
    const limits = this.limits;
    // Whatever a connector throws (a header Node will not send, an address it cannot use) fails this
    // session only; so does a throw in what its socket events call (the security stage, the relay).
    const connect = (handlers: UpstreamHandlers): UpstreamPipe => {
      let pipe: UpstreamPipe | undefined;
      const safe = guardedHandlers(handlers, (err) => {
        this.logger.error({ sessionId, err }, 'a console connection callback failed');
        try {
          pipe?.close();
          handlers.closed(makeError('internal', 'the console connection failed inside Porthole'));
        } catch {
          // The relay's own guard ends the session.
        }
      });
      try {
        pipe =
          target.kind === 'websocket'
            ? connectWebSocket(target, { limits, tls, origin: session.request.originOverride, headers: session.request.headers }, safe)
            : connectTcp(target, { limits, tls }, safe);
        return pipe;
      } catch (err) {
        this.logger.error({ sessionId, err }, 'the upstream connection could not be started');
        return failedUpstream(handlers, makeError('internal', 'the upstream connection could not be started'));
      }
    };
    session.relay = new Relay(socket, this.secured(session, connect), {
      highWaterMark: limits.highWaterMark,
      idleTimeoutMs: limits.idleTimeoutMs,
      onState: (state, error) => this.onRelayState(session, state, error),
    });
  };

  /**
   * The RFB security stage in front of the upstream: main answers the server's security
   * (VNC password, VeNCrypt) and the renderer sees "None" (main/rfb/security).
   */
  private secured(session: Session, connectRaw: (handlers: SecuredHandlers) => SecuredPipe): (handlers: SecuredHandlers) => SecuredPipe {
    const { target, tls } = session.request;
    const sessionId = session.id;
    return withSecurityStage(connectRaw, {
      host: target.host,
      tls,
      transportVerified: (target.kind === 'websocket' ? target.secure : target.tls) && !tls.allowInsecure,
      transportEncrypted: target.kind === 'websocket' ? target.secure : target.tls,
      handshakeTimeoutMs: this.limits.connectTimeoutMs,
      credentials: new SessionCredentialBroker(this.memoryFor(session.request), (request, signal) => this.prompt(session, request, signal)),
      onSecured: (info) =>
        this.logger.info(
          {
            sessionId,
            rfb: info.protocol,
            offered: info.offered,
            type: info.type,
            subtypes: info.subtypes,
            subtype: info.subtype,
            tls: info.tls,
            tlsProtocol: info.tlsProtocol,
            protection: info.protection,
            attempts: info.attempts,
          },
          'console authenticated upstream',
        ),
    });
  }

  /** The user's answer to a password prompt (session.answerCredentials). */
  answerCredentials(sessionId: string, callerId: string, answer: PromptAnswer): boolean {
    const pending = this.prompts.get(sessionId);
    if (!pending || pending.callerId !== callerId) return false;
    pending.done(answer);
    return true;
  }

  /** The user cancelled the prompt (session.cancelCredentials). */
  cancelCredentials(sessionId: string, callerId: string): boolean {
    const pending = this.prompts.get(sessionId);
    if (!pending || pending.callerId !== callerId) return false;
    pending.done(undefined);
    return true;
  }

  private memoryFor(request: SessionRequest): CredentialMemory {
    let memory = this.credentialMemory.get(request);
    if (!memory) {
      memory = new CredentialMemory(request.credentials ?? addressSessionCredentials(request.target));
      this.credentialMemory.set(request, memory);
    }
    return memory;
  }

  /** Asks the session's caller for credentials; resolves undefined on cancel, rejects on timeout. */
  private prompt(session: Session, request: PromptRequest, signal: AbortSignal): Promise<PromptAnswer | undefined> {
    return new Promise((resolve, reject) => {
      const timeoutMs = this.limits.credentialsTimeoutMs ?? CREDENTIALS_TIMEOUT_MS;
      const finish = (answer: PromptAnswer | undefined, error?: PortholeError): void => {
        if (this.prompts.get(session.id) !== pending) return;
        this.prompts.delete(session.id);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(answer);
      };
      const pending: PendingPrompt = { callerId: session.request.callerId, done: finish };
      const onAbort = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined, new PortholeError('vnc-auth-timeout', `no password was entered within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      timer.unref();
      this.prompts.get(session.id)?.done(undefined);
      this.prompts.set(session.id, pending);
      signal.addEventListener('abort', onAbort);
      this.onCredentialsRequest?.(session.request.callerId, { sessionId: session.id, timeoutMs, ...request });
    });
  }

  /** Opens a new session to the target of an ended one (same caller only). */
  async reopen(sessionId: string, callerId: string): Promise<{ sessionId: string; wsUrl: string; request: SessionRequest }> {
    const ended = this.ended.get(sessionId);
    if (!ended || ended.callerId !== callerId) throw new PortholeError('session-not-found');
    this.ended.delete(sessionId);
    let request = ended;
    if (ended.refresh) {
      try {
        request = { ...(await ended.refresh()), staleTokenRetried: ended.staleTokenRetried === true };
      } catch (err) {
        // Minting failed (cloud down, credential refused): the caller decides whether to try again.
        this.ended.set(sessionId, ended);
        throw err;
      }
    }
    return { ...this.open(request), request };
  }

  close(sessionId: string, callerId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.request.callerId !== callerId) return false;
    this.end(session, undefined);
    return true;
  }

  closeCaller(callerId: string): void {
    for (const [id, request] of this.ended) if (request.callerId === callerId) this.ended.delete(id);
    for (const session of [...this.sessions.values()]) if (session.request.callerId === callerId) this.end(session, undefined);
  }

  closeAll(): void {
    for (const session of [...this.sessions.values()]) this.end(session, undefined);
  }

  /** Sessions (one caller's, or all) with their counters, for the UI, diagnostics and tests. */
  stats(callerId?: string): SessionCounters[] {
    const now = Date.now();
    return [...this.sessions.values()]
      .filter((s) => callerId === undefined || s.request.callerId === callerId)
      .map((s) => ({
        sessionId: s.id,
        title: s.request.title,
        displayAddress: s.request.displayAddress,
        state: s.state,
        bytesIn: s.relay?.counters.bytesIn ?? 0,
        bytesOut: s.relay?.counters.bytesOut ?? 0,
        durationMs: now - s.openedAt,
        peakBufferedToClient: s.relay?.counters.peakBufferedToClient ?? 0,
      }));
  }

  private onRelayState(session: Session, state: RelayState, error?: PortholeErrorShape): void {
    session.state = state;
    if (state === 'closed' || state === 'failed') {
      this.sessions.delete(session.id);
      error = this.staleToken(session, error);
      this.remember(session, error);
      const c = session.relay?.counters;
      this.logger.info(
        { sessionId: session.id, state, code: error?.code, detail: error?.detail, bytesIn: c?.bytesIn, bytesOut: c?.bytesOut },
        'session ended',
      );
    }
    this.publish(session, state, error);
  }

  private end(session: Session, error: PortholeErrorShape | undefined): void {
    clearTimeout(session.ticketTimer);
    this.proxy?.revoke(session.id);
    if (session.relay) {
      session.relay.close(error);
      return; // the relay reports 'closed', which removes the session
    }
    this.sessions.delete(session.id);
    this.remember(session, error);
    session.state = error ? 'failed' : 'closed';
    this.publish(session, session.state, error);
  }

  /** A cloud console's token may just be stale: mint and try once more; two refusals in a row stop. */
  private staleToken(session: Session, error: PortholeErrorShape | undefined): PortholeErrorShape | undefined {
    const { request } = session;
    if (!request.refresh) return error;
    const refused = error?.code === 'token-rejected-or-expired';
    const again = refused && request.staleTokenRetried === true;
    session.request = { ...request, staleTokenRetried: refused };
    return refused && !again ? makeError('console-token-stale', error.detail) : error;
  }

  private remember(session: Session, error: PortholeErrorShape | undefined): void {
    if (error?.code === 'token-rejected-or-expired') return;
    this.ended.set(session.id, session.request);
    if (this.ended.size > RECONNECTABLE) this.ended.delete(this.ended.keys().next().value!);
  }

  private publish(session: Session, state: RelayState, error?: PortholeErrorShape): void {
    const c = session.relay?.counters;
    // Runs inside socket and timer callbacks: a listener that throws (a window already gone) must not end the process.
    try {
      this.emit(session.request.callerId, {
        sessionId: session.id,
        state,
        ...(error ? { error } : {}),
        bytesIn: c?.bytesIn ?? 0,
        bytesOut: c?.bytesOut ?? 0,
      });
    } catch (err) {
      this.logger.warn({ sessionId: session.id, err }, 'a session event could not be delivered');
    }
  }
}

