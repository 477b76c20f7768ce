// When and how often a dropped console reconnects. Pure (unit-tested under Node).
//
// Policy: only after an unexpected drop of a console that had connected; exponential backoff
// 1, 2, 4, 8, 16, 30, 30… s, at most 10 tries; the count starts again only after the console has
// stayed up for a while, so a server that accepts and drops at once is not hammered. Never after
// errors that another try cannot fix — above all a rejected or expired token.
import type { ErrorCode } from '../../../app/errors.js';

export const RECONNECT_BASE_MS = 1000;
export const RECONNECT_CAP_MS = 30_000;
export const RECONNECT_MAX_TRIES = 10;
/** A connection that lasted this long counts as stable: the next drop starts the schedule afresh. */
export const STABLE_AFTER_MS = 10_000;

/** Delay before try number `attempt` (1-based). */
export function backoffDelayMs(attempt: number, base = RECONNECT_BASE_MS, cap = RECONNECT_CAP_MS): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
}

/** Errors after which trying the same target again can work (a restart, a network blip). */
const retryable: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'remote-closed',
  'tcp-refused',
  'tcp-timeout',
  'dns-failed',
  'ws-upgrade-rejected',
  'ticket-invalid',
  'internal',
  // A cloud console whose token was refused once: main mints a fresh one on reconnect.
  'console-token-stale',
  'cloud-unreachable',
]);

/** Whether an unexpected drop with this error is worth an automatic reconnect. */
export function isRetryable(code: ErrorCode | undefined): boolean {
  return code !== undefined && retryable.has(code);
}

export type ReconnectDecision = { retry: true; attempt: number; delayMs: number } | { retry: false; why: 'user' | 'never-connected' | 'not-retryable' | 'gave-up' };

/** The reconnect state of one console tab. */
export class ReconnectSchedule {
  private attempts = 0;
  private connectedAt: number | undefined;
  private everConnected = false;

  constructor(
    private readonly maxTries = RECONNECT_MAX_TRIES,
    private readonly stableAfterMs = STABLE_AFTER_MS,
  ) {}

  get attempt(): number {
    return this.attempts;
  }

  get max(): number {
    return this.maxTries;
  }

  connected(now: number): void {
    this.everConnected = true;
    this.connectedAt = now;
  }

  /** The console ended; decides whether (and when) to try again. */
  ended(now: number, code: ErrorCode | undefined, userInitiated: boolean): ReconnectDecision {
    if (this.connectedAt !== undefined && now - this.connectedAt >= this.stableAfterMs) this.attempts = 0;
    this.connectedAt = undefined;
    if (userInitiated) return { retry: false, why: 'user' };
    if (!this.everConnected) return { retry: false, why: 'never-connected' };
    if (!isRetryable(code)) return { retry: false, why: 'not-retryable' };
    if (this.attempts >= this.maxTries) return { retry: false, why: 'gave-up' };
    this.attempts++;
    return { retry: true, attempt: this.attempts, delayMs: backoffDelayMs(this.attempts) };
  }

  /** A manual reconnect starts the count again. */
  reset(): void {
    this.attempts = 0;
  }
}
