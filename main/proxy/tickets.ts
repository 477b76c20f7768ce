// Single-use session tickets: 256 bits from the CSPRNG, redeemable once, within ttlMs of issue.
// No timers: expiry is checked on redeem and expired entries are pruned on issue.
import { randomBytes } from 'node:crypto';

export const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class TicketBook<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(value: T): string {
    this.prune();
    const ticket = randomBytes(32).toString('base64url');
    this.entries.set(ticket, { value, expiresAt: this.now() + this.ttlMs });
    return ticket;
  }

  /** True if the ticket is known and unexpired; does not consume it. */
  peek(ticket: string): boolean {
    const entry = this.entries.get(ticket);
    return entry !== undefined && entry.expiresAt > this.now();
  }

  /** Returns the ticket's value and forgets the ticket; undefined if unknown, used or expired. */
  redeem(ticket: string): T | undefined {
    const entry = this.entries.get(ticket);
    if (!entry) return undefined;
    this.entries.delete(ticket);
    return entry.expiresAt > this.now() ? entry.value : undefined;
  }

  /** Forgets every unused ticket issued for values matching the predicate. */
  revoke(matches: (value: T) => boolean): void {
    for (const [ticket, entry] of this.entries) if (matches(entry.value)) this.entries.delete(ticket);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [ticket, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(ticket);
  }
}
