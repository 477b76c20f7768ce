// An in-memory SecretStore FOR TESTS ONLY (nothing in production imports it). It behaves like the
// keychain store, including the "keychain unavailable" path (set keychainDown), without a keychain.
import { makeError, PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import type { SecretStatus } from '../../app/profile.js';
import { assertSlot, type NoticeListener, type SecretSlotName, type SecretStore, type SetResult } from './secret-store.js';

export class InMemoryTestSecretStore implements SecretStore {
  /** While true, behaves like an unusable keychain: sets become memory-only, reads of non-held secrets fail. */
  keychainDown = false;
  /** What a real keychain would hold. */
  readonly keychain = new Map<string, string>();
  /** What the keychain store would keep in memory only. */
  readonly memory = new Map<string, string>();
  private lastNotice: PortholeErrorShape | undefined;
  private readonly listeners = new Set<NoticeListener>();

  private key(profileId: string, slot: SecretSlotName): string {
    return `${profileId}/${slot}`;
  }

  private fail(): PortholeErrorShape {
    const notice = makeError('keychain-unavailable', 'simulated: keychain down');
    this.lastNotice = notice;
    for (const l of this.listeners) l(notice);
    return notice;
  }

  async get(profileId: string, slot: SecretSlotName): Promise<string | undefined> {
    assertSlot(profileId, slot);
    const k = this.key(profileId, slot);
    const held = this.memory.get(k);
    if (held !== undefined) return held;
    if (this.keychainDown) throw new PortholeError('keychain-unavailable', this.fail().detail);
    return this.keychain.get(k);
  }

  async set(profileId: string, slot: SecretSlotName, value: string): Promise<SetResult> {
    assertSlot(profileId, slot);
    const k = this.key(profileId, slot);
    if (this.keychainDown) {
      this.memory.set(k, value);
      this.fail();
      return 'memory-only';
    }
    this.memory.delete(k);
    this.keychain.set(k, value);
    return 'saved';
  }

  async delete(profileId: string, slot: SecretSlotName): Promise<void> {
    assertSlot(profileId, slot);
    const k = this.key(profileId, slot);
    this.memory.delete(k);
    if (this.keychainDown) this.fail();
    else this.keychain.delete(k);
  }

  async deleteAll(profileId: string, slots: readonly SecretSlotName[]): Promise<void> {
    for (const slot of slots) await this.delete(profileId, slot);
  }

  status(profileId: string, slot: SecretSlotName): SecretStatus {
    const k = this.key(profileId, slot);
    if (this.memory.has(k)) return 'memory-only';
    return this.keychain.has(k) ? 'saved' : 'none';
  }

  notice(): PortholeErrorShape | undefined {
    return this.lastNotice;
  }

  onNotice(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.memory.clear();
  }
}
