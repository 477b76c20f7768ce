// The Electron transport of the contract: one ipcMain.handle channel per call ("porthole:<call>"),
// each checking its sender before anything else, and core events sent to the window that owns them.
import { callNames, type Outcome } from '../../app/contract.js';
import { makeError } from '../../app/errors.js';
import type { PortholeCore } from '../core-types.js';
import type { IpcMainLike } from './electron-api.js';
import { checkSender, rejectedOutcome, type SenderRejection, type WindowRecord, type WindowRegistry } from './ipc-guard.js';

export const CHANNEL_PREFIX = 'porthole:';
/** Main → renderer: ('porthole:event', eventName, payload). */
export const EVENT_CHANNEL = 'porthole:event';

export function channelFor(callName: string): string {
  return `${CHANNEL_PREFIX}${callName}`;
}

/** A call the shell answers itself instead of the core (link confirmations): already sender-checked. */
export type LocalCallHandler = (args: unknown, record: WindowRecord) => Promise<Outcome<unknown>>;

export interface IpcBridgeDeps {
  ipcMain: IpcMainLike;
  core: PortholeCore;
  windows: WindowRegistry;
  /** Contract calls served by the shell rather than the core, by call name. */
  localCalls?: ReadonlyMap<string, LocalCallHandler>;
  onRejected?(callName: string, reason: SenderRejection): void;
}

/** Registers a handler for every contract call; returns a function that removes them again. */
export function installIpcBridge(deps: IpcBridgeDeps): () => void {
  const channels: string[] = [];
  for (const name of callNames) {
    const channel = channelFor(name);
    deps.ipcMain.handle(channel, async (event, ...rest) => {
      const check = checkSender(event, deps.windows);
      if (!check.ok) {
        deps.onRejected?.(name, check.reason);
        return rejectedOutcome(check.reason);
      }
      // Exactly one argument object per call; anything beyond it is ignored.
      const args = rest[0];
      try {
        const local = deps.localCalls?.get(name);
        return local !== undefined ? await local(args, check.record) : await deps.core.handle(name, args, check.record.caller);
      } catch {
        return { ok: false, error: makeError('internal') } satisfies Outcome<never>;
      }
    });
    channels.push(channel);
  }
  return () => {
    for (const channel of channels) deps.ipcMain.removeHandler(channel);
  };
}

/** Sends one event to a window's page, if it is still there. Returns whether it was sent. */
export function sendEvent(record: WindowRecord, name: string, payload: unknown): boolean {
  if (record.contents.isDestroyed()) return false;
  try {
    record.contents.send(EVENT_CHANNEL, name, payload);
    return true;
  } catch {
    return false;
  }
}

/**
 * Connects one created window to the core: its events go to its page; a reload, a crashed renderer or
 * the window closing releases every session it owned; closing also forgets the window.
 */
export function attachWindow(record: WindowRecord, core: PortholeCore, windows: WindowRegistry): void {
  const unsubscribe = core.subscribe(record.caller, (name, payload) => {
    sendEvent(record, name, payload);
  });
  let loads = 0;
  record.contents.on('did-navigate', () => {
    // The first navigation is the initial load; any later one (a reload) left the old page's sessions orphaned.
    if (loads++ > 0) core.releaseCaller(record.caller);
  });
  record.contents.on('render-process-gone', () => core.releaseCaller(record.caller));
  record.window.on('closed', () => {
    unsubscribe();
    core.releaseCaller(record.caller);
    windows.remove(record);
  });
}
