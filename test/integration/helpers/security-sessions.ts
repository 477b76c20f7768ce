// What the RFB-security integration tests share: a SessionManager and loopback proxy as main runs
// them, a renderer-like client that speaks only "None" (rfb-client.ts), and a record of every
// session state, credentials prompt and log line. Tests set `answer` to play the user at the prompt.
import { expect } from 'vitest';
import type { SessionStateEvent } from '../../../app/contract.js';
import type { TlsPolicy } from '../../../main/proxy/tls-policy.js';
import { LoopbackProxy } from '../../../main/proxy/proxy-server.js';
import { defaultSessionLimits, SessionManager, type CredentialsRequestEvent, type SessionRequest } from '../../../main/sessions.js';
import { captureLogger } from '../../fixtures/capture-logger.js';
import { rfbConnect, RfbClientError, type RfbSession } from '../../fixtures/rfb-client.js';

export const ORIGIN = 'http://127.0.0.1:7';

export type SecurityRequest = Partial<SessionRequest> & Pick<SessionRequest, 'target'>;

export interface SecuritySessions {
  readonly events: SessionStateEvent[];
  readonly prompts: CredentialsRequestEvent[];
  logs(): string;
  /** Plays the user when a session asks for credentials (by default: does nothing). */
  answer: (e: CredentialsRequestEvent) => void;
  readonly sessions: SessionManager;
  start(): Promise<void>;
  stop(): Promise<void>;
  open(req: SecurityRequest): { sessionId: string; wsUrl: string };
  /** Opens a session and completes the client's side of the handshake (ServerInit read). */
  connect(req: SecurityRequest): Promise<RfbSession & { sessionId: string }>;
  /** Opens a session that must fail: its typed error, checked to be the close reason the client saw. */
  failure(req: SecurityRequest): Promise<{ code: string; detail?: string }>;
}

export function securitySessions(options: { tls: TlsPolicy; credentialsTimeoutMs: number }): SecuritySessions {
  const events: SessionStateEvent[] = [];
  const prompts: CredentialsRequestEvent[] = [];
  const { logger, text: logs } = captureLogger();
  let manager: SessionManager | undefined;
  let proxy: LoopbackProxy | undefined;

  const harness: SecuritySessions = {
    events,
    prompts,
    logs,
    answer: () => undefined,
    get sessions(): SessionManager {
      if (!manager) throw new Error('securitySessions: start() first');
      return manager;
    },
    async start() {
      manager = new SessionManager(logger, (_c, e) => events.push(e), { ...defaultSessionLimits, credentialsTimeoutMs: options.credentialsTimeoutMs });
      manager.onCredentialsRequest = (_caller, e) => {
        prompts.push(e);
        harness.answer(e);
      };
      proxy = await LoopbackProxy.start({ appOrigin: ORIGIN, logger, onAdmitted: manager.onAdmitted });
      manager.attachProxy(proxy);
    },
    async stop() {
      manager?.closeAll();
      await proxy?.close();
    },
    open(req) {
      return harness.sessions.open({ callerId: 'w', title: 't', displayAddress: 'd', tls: options.tls, warnings: [], ...req });
    },
    async connect(req) {
      const { sessionId, wsUrl } = harness.open(req);
      return { sessionId, ...(await rfbConnect(wsUrl, ORIGIN)) };
    },
    async failure(req) {
      const { sessionId, wsUrl } = harness.open(req);
      const err = await rfbConnect(wsUrl, ORIGIN).then(
        (s) => {
          s.ws.close();
          throw new Error('connected, but a failure was expected');
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RfbClientError);
      await expect.poll(() => events.find((e) => e.sessionId === sessionId && e.error)).toBeTruthy();
      const ended = events.find((e) => e.sessionId === sessionId && e.error)!;
      expect((err as RfbClientError).closeReason).toBe(ended.error!.code);
      return { code: ended.error!.code, ...(ended.error!.detail ? { detail: ended.error!.detail } : {}) };
    },
  };
  return harness;
}
