// Picks how the renderer reaches main: the Electron preload bridge when present, otherwise the
// browser-mode server's WebSocket on this same origin.
import type { CallArgs, CallName, CallResult, EventName, EventPayload, Outcome, PortholeApi } from '../../app/contract.js';
import { websocketTransport } from './websocket-transport.js';

/** What the Electron preload exposes: one function per contract call, plus `on` for events. */
type PreloadBridge = { [N in CallName]: (args: CallArgs<N>) => Promise<Outcome<CallResult<N>>> } & {
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
};

export function connectToMain(onLost: () => void): Promise<PortholeApi> {
  const bridge = (window as unknown as { porthole?: PreloadBridge }).porthole;
  if (bridge) {
    return Promise.resolve({
      call: <N extends CallName>(name: N, args: CallArgs<N>) => (bridge[name] as (a: CallArgs<N>) => Promise<Outcome<CallResult<N>>>)(args),
      on: (name, listener) => bridge.on(name, listener),
    });
  }
  return websocketTransport(`ws://${location.host}/api`, onLost);
}
