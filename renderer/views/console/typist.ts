// Sends typing steps at a controlled rate, cancellable between characters. Each step's key events
// go out together, so cancelling never leaves a key (or Shift) held down. Pure: the sender and the
// clock are injected (unit-tested under Node).
import type { KeyStroke } from './keysyms.js';
import type { TypingStep } from './key-sequences.js';

export const DEFAULT_TYPE_DELAY_MS = 10;

export interface TypistOptions {
  /** Pause after each character, in ms. */
  delayMs: number;
  signal?: AbortSignal;
  onProgress?(typed: number, total: number): void;
  sleep?(ms: number): Promise<void>;
}

export type TypistResult = { typed: number; total: number; cancelled: boolean };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function typeSteps(steps: readonly TypingStep[], send: (stroke: KeyStroke) => void, options: TypistOptions): Promise<TypistResult> {
  const sleep = options.sleep ?? realSleep;
  const total = steps.length;
  let typed = 0;
  for (const step of steps) {
    if (options.signal?.aborted) return { typed, total, cancelled: true };
    for (const stroke of step.strokes) send(stroke);
    typed++;
    options.onProgress?.(typed, total);
    if (typed < total && options.delayMs > 0) await sleep(options.delayMs);
  }
  return { typed, total, cancelled: false };
}

/** Roughly how long typing takes, for the confirmation text. */
export function typingSeconds(count: number, delayMs: number): number {
  return Math.ceil((count * Math.max(delayMs, 1)) / 1000);
}
