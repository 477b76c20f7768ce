// What the preload exposes to the page as window.porthole: exactly one function per contract call
// (each an ipcRenderer.invoke on "porthole:<call>") and on(event, listener) for known events only.
// ipcRenderer itself, its event objects and anything else of Electron never reach the page.
// Kept free of the 'electron' import so it can be tested in plain Node with fakes.
import type { CallArgs, CallName, CallResult, EventName, EventPayload, Outcome } from '../../app/contract.js';
// Names only: importing the schemas would pull zod into the sandboxed preload.
import { CALL_NAMES as callNames, EVENT_NAMES as eventNames } from '../../app/contract-names.js';

export const BRIDGE_KEY = 'porthole';
const CHANNEL_PREFIX = 'porthole:';
const EVENT_CHANNEL = 'porthole:event';

export type PortholeBridgeCalls = { readonly [N in CallName]: (args: CallArgs<N>) => Promise<Outcome<CallResult<N>>> };
export type PortholeBridge = PortholeBridgeCalls & {
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
};

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Builds the bridge object (exported for tests) without exposing it. */
export function createBridge(ipcRenderer: IpcRendererLike): Record<string, unknown> {
  const knownEvents: ReadonlySet<string> = new Set(eventNames);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let subscribed = false;

  const on = (name: unknown, listener: unknown): (() => void) => {
    if (typeof name !== 'string' || !knownEvents.has(name)) throw new TypeError(`porthole.on: unknown event ${JSON.stringify(String(name)).slice(0, 80)}`);
    if (typeof listener !== 'function') throw new TypeError('porthole.on: listener must be a function');
    if (!subscribed) {
      subscribed = true;
      ipcRenderer.on(EVENT_CHANNEL, (_event, eventName, payload) => {
        if (typeof eventName !== 'string') return;
        for (const fn of listeners.get(eventName) ?? []) {
          try {
            fn(payload);
          } catch (err) {
            console.error('porthole event listener failed', err);
          }
        }
      });
    }
    const fn = listener as (payload: unknown) => void;
    let set = listeners.get(name);
    if (set === undefined) listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  };

  const api: Record<string, unknown> = {};
  for (const callName of callNames) {
    const channel = `${CHANNEL_PREFIX}${callName}`;
    // Only the argument object crosses; the result is whatever main answered (an Outcome).
    api[callName] = (args: unknown) => ipcRenderer.invoke(channel, args);
  }
  api.on = on;
  return Object.freeze(api);
}

/** The preload's whole job: expose the bridge under window.porthole. */
export function exposeContract(contextBridge: ContextBridgeLike, ipcRenderer: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipcRenderer));
}
