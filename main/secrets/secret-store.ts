// Where a profile's secrets live. The production implementation is the OS keychain
// (keychain-secret-store.ts); when the keychain cannot be used a secret is held in memory for this
// run only and reported as such. No implementation ever writes a secret to disk in plaintext or logs it.
import { PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import type { SecretStatus } from '../../app/profile.js';

/** 'token' | 'password' | 'username' | `header:<Name>`. */
export type SecretSlotName = 'token' | 'password' | 'username' | `header:${string}`;

export type SetResult = 'saved' | 'memory-only';

const HEADER_SLOT = /^header:[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

export function isSecretSlotName(slot: string): slot is SecretSlotName {
  return slot === 'token' || slot === 'password' || slot === 'username' || HEADER_SLOT.test(slot);
}

export function headerSlot(name: string): SecretSlotName {
  return `header:${name}`;
}

/** Throws a typed bad-request for a slot or profile id that cannot name a keychain entry. */
export function assertSlot(profileId: string, slot: string): asserts slot is SecretSlotName {
  if (profileId.length === 0 || profileId.length > 128) throw new PortholeError('bad-request', 'invalid profile id for a secret');
  if (!isSecretSlotName(slot)) throw new PortholeError('bad-request', 'invalid secret slot name');
}

export type NoticeListener = (notice: PortholeErrorShape) => void;

export interface SecretStore {
  /**
   * The secret, or undefined when there is none. A value held in memory (keychain unavailable when it
   * was set) wins over the keychain. Rejects with a typed `keychain-unavailable` PortholeError when
   * the keychain cannot be read and no in-memory value exists (so "no secret" and "could not read" differ).
   */
  get(profileId: string, slot: SecretSlotName): Promise<string | undefined>;
  /** 'saved' when it is in the keychain; 'memory-only' (plus a notice) when it is kept for this run only. */
  set(profileId: string, slot: SecretSlotName, value: string): Promise<SetResult>;
  /** Never rejects for keychain trouble (a notice is raised instead); the in-memory copy is always dropped. */
  delete(profileId: string, slot: SecretSlotName): Promise<void>;
  deleteAll(profileId: string, slots: readonly SecretSlotName[]): Promise<void>;
  /** What this run knows: memory-only, saved (set or read this run), otherwise 'none'. */
  status(profileId: string, slot: SecretSlotName): SecretStatus;
  /** The latest keychain problem (typed keychain-unavailable, secret-free detail); cleared by the next keychain success. */
  notice(): PortholeErrorShape | undefined;
  /** Called for every keychain problem; returns an unsubscribe function. */
  onNotice(listener: NoticeListener): () => void;
  close(): Promise<void>;
}
