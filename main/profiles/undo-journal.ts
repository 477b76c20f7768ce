// Undo for Delete and Import: what a change replaced, kept in main's memory for a short while.
// An entry holds the profiles as they were (or "absent" for ones the change added) and the secrets
// the change removed from the keychain, so Undo can put both back. Secrets stay only in this
// process's memory, and only until the entry expires (60 s) or is used; nothing is written anywhere.
import { randomBytes } from 'node:crypto';
import type { Profile } from '../../app/profile.js';
import type { SecretSlotName } from '../secrets/secret-store.js';

export const UNDO_WINDOW_MS = 60_000;

export interface UndoRecord {
  id: string;
  /** The profile before the change; undefined when the change added it. */
  before: Profile | undefined;
  /** Its position in the list before the change. */
  index: number;
  /** Slots whose secret the change removed from the keychain. */
  removedSlots: SecretSlotName[];
}

export interface UndoEntry {
  records: UndoRecord[];
  /** Secrets removed from the keychain by the change, to be written back on undo. */
  secrets: Array<{ profileId: string; slot: SecretSlotName; value: string }>;
}

export class UndoJournal {
  private readonly entries = new Map<string, { entry: UndoEntry; timer: NodeJS.Timeout }>();

  constructor(private readonly windowMs = UNDO_WINDOW_MS) {}

  /** Keeps the entry and returns the token that undoes it. */
  add(entry: UndoEntry): string {
    const token = randomBytes(18).toString('base64url');
    const timer = setTimeout(() => this.entries.delete(token), this.windowMs);
    timer.unref();
    this.entries.set(token, { entry, timer });
    return token;
  }

  /** The entry, once: a second undo with the same token finds nothing. */
  take(token: string): UndoEntry | undefined {
    const held = this.entries.get(token);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.entries.delete(token);
    return held.entry;
  }

  clear(): void {
    for (const { timer } of this.entries.values()) clearTimeout(timer);
    this.entries.clear();
  }
}
