// The main-process core as the two shells (browser mode, Electron) see it. Transport-free: a shell
// passes raw, untrusted call names and arguments in, and forwards events out.
import type { EventName, Outcome } from '../app/contract.js';
import type { LaunchLink } from './links/launch-links.js';
import type { LinkOutcome } from './links/link-requests.js';

export type EventListener = (name: EventName, payload: unknown) => void;

export interface CoreOptions {
  /** Where profiles (and nothing secret) are stored. */
  dataDir: string;
  /** The only Origin the loopback proxy accepts: the browser-mode page's origin or the Electron app:// origin. */
  appOrigin: string;
  shell: 'browser' | 'electron';
  version: string;
}

export interface PortholeCore {
  /** Validates `name` and `rawArgs` against the contract, then runs the call. Never throws. */
  handle(name: unknown, rawArgs: unknown, caller: CallerContext): Promise<Outcome<unknown>>;
  /** Main → renderer events, for the given caller (each window or browser tab has its own sessions). */
  subscribe(caller: CallerContext, listener: EventListener): () => void;
  /** A deep link or .vv file: kept as a request for the user to confirm, announced to every window; never connects. */
  submitLink(link: LaunchLink): Promise<LinkOutcome>;
  /** A window or tab went away: close every session it owns. */
  releaseCaller(caller: CallerContext): void;
  readonly proxyPort: number;
  /** Closes every session, socket, timer and listener. */
  close(): Promise<void>;
}

/** Identifies which window / browser tab made a call, so its sessions die with it. */
export interface CallerContext {
  readonly id: string;
}
