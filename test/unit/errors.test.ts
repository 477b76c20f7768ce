import { describe, expect, it } from 'vitest';
import { closeCodeFor, errorCodeFromClose, errorCodes, makeError } from '../../app/errors.js';

describe('error codes', () => {
  it('gives every code a message and a hint', () => {
    for (const code of errorCodes) {
      const e = makeError(code);
      expect(e.message.length, code).toBeGreaterThan(10);
      expect(e.hint.length, code).toBeGreaterThan(10);
    }
  });
  it('maps every code to a distinct 4xxx close code and back', () => {
    const seen = new Set<number>();
    for (const code of errorCodes) {
      const close = closeCodeFor[code];
      expect(close).toBeGreaterThanOrEqual(4000);
      expect(close).toBeLessThan(5000);
      expect(seen.has(close)).toBe(false);
      seen.add(close);
      expect(errorCodeFromClose(close)).toBe(code);
    }
    expect(errorCodeFromClose(1006)).toBeUndefined();
  });
});
