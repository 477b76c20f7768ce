// Starts the main-process core: logger, loopback proxy, sessions, profiles, secrets, demo.
// Both shells (browser mode, Electron) use this and nothing below it.
import { calls, isCallName, type EventName, type Outcome } from '../app/contract.js';
import { makeError, PortholeError } from '../app/errors.js';
import { createHandlers, type Handlers } from './api.js';
import type { CallerContext, CoreOptions, EventListener, PortholeCore } from './core-types.js';
import { startDemoServer } from './demo/demo-server.js';
import { CloudService } from './clouds/cloud-service.js';
import { LinkRequests, type LinkRequestDeps } from './links/link-requests.js';
import { createLogger, type Logger } from './log/logger.js';
import { openProfileStore, type ProfileStore } from './profiles/profile-store.js';
import { LoopbackProxy } from './proxy/proxy-server.js';
import { KeychainSecretStore } from './secrets/keychain-secret-store.js';
import { defaultSessionLimits, SessionManager, type SessionLimits } from './sessions.js';

export interface CoreExtras {
  logger?: Logger;
  limits?: Partial<SessionLimits>;
  /** File access and clock for pending deep links (tests). */
  links?: LinkRequestDeps;
}

function describeZodIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(arguments)'}: ${i.message}`)
    .join('; ');
}

export async function startCore(options: CoreOptions, extras: CoreExtras = {}): Promise<PortholeCore & { sessions: SessionManager }> {
  const logger = extras.logger ?? createLogger();
  const listeners = new Map<string, Set<EventListener>>();
  const emit = (callerId: string, name: EventName, payload: unknown): void => {
    for (const listener of listeners.get(callerId) ?? []) {
      // Events go out from socket and timer callbacks: a listener that throws (a window already
      // gone) must not stop the others or end the process.
      try {
        listener(name, payload);
      } catch (err) {
        logger.warn({ err, event: name }, 'an event could not be delivered');
      }
    }
  };

  const sessions = new SessionManager(logger, (callerId, event) => emit(callerId, 'session.state', event), {
    ...defaultSessionLimits,
    ...extras.limits,
  });
  const proxy = await LoopbackProxy.start({ appOrigin: options.appOrigin, logger, onAdmitted: sessions.onAdmitted });
  sessions.attachProxy(proxy);
  sessions.onCredentialsRequest = (callerId, event) => emit(callerId, 'session.credentials', event);

  const secrets = new KeychainSecretStore();
  let profileStore: Promise<ProfileStore> | undefined;
  const profiles = (): Promise<ProfileStore> => (profileStore ??= openProfileStore({ dataDir: options.dataDir, secrets }));

  let demo: ReturnType<typeof startDemoServer> | undefined;
  const demoPort = async (): Promise<number> => (await (demo ??= startDemoServer())).port;

  const links = new LinkRequests(extras.links);
  const clouds = new CloudService({ dataDir: options.dataDir, secrets, sessions, logger });
  const handlers: Handlers = createHandlers({ version: options.version, shell: options.shell, sessions, profiles, secrets, demoPort, links, clouds });
  logger.info({ proxyPort: proxy.port, shell: options.shell }, 'core started');

  return {
    sessions,
    get proxyPort() {
      return proxy.port;
    },

    async handle(name: unknown, rawArgs: unknown, caller: CallerContext): Promise<Outcome<unknown>> {
      if (!isCallName(name)) return { ok: false, error: makeError('bad-request', 'unknown call') };
      const parsed = calls[name].args.safeParse(rawArgs ?? {});
      if (!parsed.success) return { ok: false, error: makeError('bad-request', describeZodIssues(parsed.error.issues)) };
      try {
        // The handler map is keyed by the same names as `calls`, so the parsed args fit.
        const handler = handlers[name] as (args: unknown, caller: CallerContext) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data, caller) };
      } catch (err) {
        if (err instanceof PortholeError) return { ok: false, error: err.shape };
        logger.error({ err, call: name }, 'call failed');
        return { ok: false, error: makeError('internal') };
      }
    },

    subscribe(caller: CallerContext, listener: EventListener): () => void {
      let set = listeners.get(caller.id);
      if (!set) listeners.set(caller.id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(caller.id);
      };
    },

    async submitLink(link) {
      const outcome = await links.add(link);
      // Every window or tab hears of it; whichever the user answers in takes it (link.accept / link.dismiss).
      if (outcome.ok) for (const set of listeners.values()) for (const listener of set) listener('link.request', outcome.view);
      return outcome;
    },

    releaseCaller(caller: CallerContext): void {
      sessions.closeCaller(caller.id);
      listeners.delete(caller.id);
    },

    async close(): Promise<void> {
      sessions.closeAll();
      await proxy.close();
      if (demo) await (await demo).close();
      if (profileStore) await (await profileStore).close();
      await secrets.close();
      logger.info('core stopped');
    },
  };
}
