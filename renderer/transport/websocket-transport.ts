// The contract over the browser-mode server's WebSocket. The socket is opened with this browser's
// key (offered as a second subprotocol; the cookie rides along by itself). When Porthole stops,
// the API object stays: calls fail at once with a clear error, and the transport keeps trying to
// reconnect, then carries on with the same listeners.
import { API_PROTOCOL, KEY_PROTOCOL_PREFIX } from '../../app/browser-mode.js';
import type { CallArgs, CallName, CallResult, EventName, EventPayload, Outcome, PortholeApi, WireMessage } from '../../app/contract.js';
import { makeError } from '../../app/errors.js';
import { browserKey } from './browser-key.js';

/**
 * connected: working; lost: Porthole stopped (retrying); back: the same Porthole answers again;
 * restarted: a new run of Porthole answers (its console proxy moved: the page must reload);
 * not-signed-in: this browser needs a launch link.
 */
export type LinkState = 'connected' | 'lost' | 'back' | 'restarted' | 'not-signed-in';

export class NotSignedIn extends Error {}
export class Unreachable extends Error {}

const RETRY_MS = [500, 1000, 2000, 3000, 5000];
/** A reachable server that still refuses the socket this often is refusing us, not starting up. */
const REFUSALS_BEFORE_SIGN_IN = 3;

/** Which run of the server answers (a header of every page it serves us), or null. */
async function serverRun(): Promise<string | null> {
  try {
    const res = await fetch('/', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
    return res.ok ? res.headers.get('x-porthole-run') : null;
  } catch {
    return null;
  }
}

/** The server's view of this browser: 'down' (no answer), 'in' (cookie known), 'out' (cookie not known). */
async function probe(): Promise<'down' | 'in' | 'out'> {
  try {
    const res = await fetch('/', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
    return res.ok ? 'in' : 'out';
  } catch {
    return 'down';
  }
}

function open(url: string, key: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [API_PROTOCOL, `${KEY_PROTOCOL_PREFIX}${key}`]);
    const fail = (): void => reject(new Error('refused'));
    socket.addEventListener('error', fail, { once: true });
    socket.addEventListener('open', () => {
      socket.removeEventListener('error', fail);
      resolve(socket);
    }, { once: true });
  });
}

const stopped = (): Outcome<never> => ({ ok: false, error: makeError('internal', 'Porthole is not running; the page reconnects when it is back.') });

export async function websocketTransport(url: string, onState: (state: LinkState) => void): Promise<PortholeApi> {
  const pending = new Map<number, (outcome: Outcome<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let run: string | null = null;

  const connect = async (): Promise<WebSocket> => {
    const key = browserKey();
    if (key === null) throw new NotSignedIn();
    try {
      return await open(url, key);
    } catch {
      const seen = await probe();
      if (seen === 'down') throw new Unreachable();
      if (seen === 'out') throw new NotSignedIn();
      throw new Error('refused');
    }
  };

  const attach = (s: WebSocket): void => {
    socket = s;
    s.addEventListener('message', (event) => {
      let message: WireMessage;
      try {
        message = JSON.parse(String(event.data)) as WireMessage;
      } catch {
        return;
      }
      if (message.kind === 'result') {
        pending.get(message.id)?.(message.outcome);
        pending.delete(message.id);
      } else {
        for (const listener of listeners.get(message.event) ?? []) (listener as (p: unknown) => void)(message.payload);
      }
    });
    s.addEventListener('close', () => {
      if (socket !== s) return;
      socket = undefined;
      for (const settle of pending.values()) settle(stopped());
      pending.clear();
      onState('lost');
      void reconnect();
    });
  };

  const reconnect = async (): Promise<void> => {
    let refusals = 0;
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      try {
        attach(await connect());
        const now = await serverRun();
        onState(run !== null && now !== null && now !== run ? 'restarted' : 'back');
        return;
      } catch (err) {
        if (err instanceof NotSignedIn || (!(err instanceof Unreachable) && ++refusals >= REFUSALS_BEFORE_SIGN_IN)) {
          onState('not-signed-in');
          return;
        }
      }
    }
  };

  // The first connection decides whether the page can start at all.
  let first: WebSocket | undefined;
  for (let refusals = 0; !first; refusals++) {
    try {
      first = await connect();
    } catch (err) {
      if (err instanceof NotSignedIn || err instanceof Unreachable || refusals + 1 >= REFUSALS_BEFORE_SIGN_IN) throw err instanceof Unreachable ? err : new NotSignedIn();
      await new Promise((r) => setTimeout(r, RETRY_MS[refusals]));
    }
  }
  attach(first);
  run = await serverRun();
  onState('connected');

  return {
    call<N extends CallName>(name: N, args: CallArgs<N>): Promise<Outcome<CallResult<N>>> {
      return new Promise((settle) => {
        if (!socket || socket.readyState !== WebSocket.OPEN) {
          settle(stopped());
          return;
        }
        const id = nextId++;
        pending.set(id, settle as (outcome: Outcome<unknown>) => void);
        socket.send(JSON.stringify({ id, call: name, args }));
      });
    },
    on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
