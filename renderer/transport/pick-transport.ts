// Picks how the renderer reaches main: the Electron preload bridge when present, otherwise the
// browser-mode server's WebSocket on this same origin.
import type { CallArgs, CallName, CallResult, EventName, EventPayload, Outcome, PortholeApi } from '../../app/contract.js';
import { adoptLaunchKey } from './browser-key.js';
import { websocketTransport, type LinkState } from './websocket-transport.js';

export { NotSignedIn } from './websocket-transport.js';
export type { LinkState } from './websocket-transport.js';

/** What the Electron preload exposes: one function per contract call, plus `on` for events. */
type PreloadBridge = { [N in CallName]: (args: CallArgs<N>) => Promise<Outcome<CallResult<N>>> } & {
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
};

export interface MainLink {
  api: PortholeApi;
  /** Browser mode: the page can be reloaded away and Porthole can stop under it. */
  browserMode: boolean;
}

/** Rejects with NotSignedIn when this browser has no valid key, or with another error when Porthole is not reachable. */
export async function connectToMain(onState: (state: LinkState) => void): Promise<MainLink> {
  const bridge = (window as unknown as { porthole?: PreloadBridge }).porthole;
  if (bridge) {
    return {
      api: {
        call: <N extends CallName>(name: N, args: CallArgs<N>) => (bridge[name] as (a: CallArgs<N>) => Promise<Outcome<CallResult<N>>>)(args),
        on: (name, listener) => bridge.on(name, listener),
      },
      browserMode: false,
    };
  }
  adoptLaunchKey();
  return { api: await websocketTransport(`ws://${location.host}/api`, onState), browserMode: true };
}
