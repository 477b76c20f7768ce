// Decides whether an IPC message may reach the core: it must come from the main frame of a window
// this app created, showing a page of the app origin. Anything else (a subframe, a foreign page, a
// web contents the app did not create, a frame already gone) is refused before the core sees it.
import { makeError } from '../../app/errors.js';
import type { Outcome } from '../../app/contract.js';
import type { CallerContext } from '../core-types.js';
import type { BrowserWindowLike, FrameLike, IpcInvokeEventLike, WebContentsLike } from './electron-api.js';
import { isAppUrl } from './navigation-guard.js';

/** One window the app created, and the caller identity its calls and sessions carry. */
export interface WindowRecord {
  readonly window: BrowserWindowLike;
  readonly contents: WebContentsLike;
  readonly caller: CallerContext;
}

/** The windows the app created, by web contents id. */
export class WindowRegistry {
  readonly #byContentsId = new Map<number, WindowRecord>();
  #next = 1;

  add(window: BrowserWindowLike): WindowRecord {
    const record: WindowRecord = { window, contents: window.webContents, caller: { id: `electron-window-${this.#next++}` } };
    this.#byContentsId.set(window.webContents.id, record);
    return record;
  }

  remove(record: WindowRecord): void {
    if (this.#byContentsId.get(record.contents.id) === record) this.#byContentsId.delete(record.contents.id);
  }

  /** The record only when `contents` is the very object the app's window holds. */
  find(contents: WebContentsLike): WindowRecord | undefined {
    const record = this.#byContentsId.get(contents.id);
    return record !== undefined && record.contents === contents ? record : undefined;
  }

  all(): WindowRecord[] {
    return [...this.#byContentsId.values()];
  }
}

export type SenderRejection = 'no-frame' | 'not-main-frame' | 'unknown-contents' | 'foreign-origin' | 'destroyed';
export type SenderCheck = { ok: true; record: WindowRecord } | { ok: false; reason: SenderRejection };

function sameFrame(a: FrameLike | null, b: FrameLike | null): boolean {
  if (a === null || b === null) return false;
  return a === b || (a.processId === b.processId && a.routingId === b.routingId);
}

export function checkSender(event: IpcInvokeEventLike, windows: WindowRegistry): SenderCheck {
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return { ok: false, reason: 'no-frame' };
  if (frame.parent !== null || !sameFrame(frame.top, frame)) return { ok: false, reason: 'not-main-frame' };
  const record = windows.find(event.sender);
  if (record === undefined) return { ok: false, reason: 'unknown-contents' };
  if (record.contents.isDestroyed() || record.window.isDestroyed()) return { ok: false, reason: 'destroyed' };
  if (!sameFrame(record.contents.mainFrame, frame)) return { ok: false, reason: 'not-main-frame' };
  if (!isAppUrl(frame.url)) return { ok: false, reason: 'foreign-origin' };
  return { ok: true, record };
}

/** What a refused sender gets back: a typed error, no detail about the check beyond its kind. */
export function rejectedOutcome(reason: SenderRejection): Outcome<never> {
  return { ok: false, error: makeError('origin-rejected', `ipc sender refused (${reason})`) };
}
