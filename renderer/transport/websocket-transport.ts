// The contract over the browser-mode server's WebSocket. The session cookie rides along
// automatically; the server checks it, our Origin and our Host.
import type { CallArgs, CallName, CallResult, EventName, EventPayload, Outcome, PortholeApi, WireMessage } from '../../app/contract.js';
import { makeError } from '../../app/errors.js';

export function websocketTransport(url: string, onLost: () => void): Promise<PortholeApi> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const pending = new Map<number, (outcome: Outcome<unknown>) => void>();
    const listeners = new Map<EventName, Set<(payload: never) => void>>();
    let nextId = 1;
    let opened = false;

    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as WireMessage;
      if (message.kind === 'result') {
        pending.get(message.id)?.(message.outcome);
        pending.delete(message.id);
      } else {
        for (const listener of listeners.get(message.event) ?? []) (listener as (p: unknown) => void)(message.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const settle of pending.values()) settle({ ok: false, error: makeError('internal', 'Porthole stopped') });
      pending.clear();
      if (opened) onLost();
      else reject(new Error('could not reach Porthole'));
    });
    socket.addEventListener('open', () => {
      opened = true;
      resolve({
        call<N extends CallName>(name: N, args: CallArgs<N>): Promise<Outcome<CallResult<N>>> {
          return new Promise((settle) => {
            if (socket.readyState !== WebSocket.OPEN) {
              settle({ ok: false, error: makeError('internal', 'Porthole stopped') });
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
      });
    });
  });
}
