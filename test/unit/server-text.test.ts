// Server text (RFB reasons, desktop names, close reasons, certificate fields) is cleaned, cut and
// quoted by one pure function before anyone shows it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanServerText, quoteServerText, SERVER_TEXT_MAX } from '../../app/server-text.js';
import { hostileText } from '../fixtures/hostile/upstreams.js';

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('cleanServerText / quoteServerText', () => {
  it('a 64 KiB reason of line breaks, ANSI escapes and bidi overrides becomes one short, plain line', () => {
    const raw = hostileText();
    expect(raw.length).toBeGreaterThan(60_000);
    const quoted = quoteServerText(raw);
    expect(quoted).not.toMatch(UNSAFE);
    expect(quoted).not.toContain('[31m');
    expect(quoted).not.toContain(']0;pwned');
    expect(Array.from(quoted).length).toBeLessThanOrEqual(SERVER_TEXT_MAX + 3);
    expect(quoted.startsWith('“SERVER-SAYS Access denied RED')).toBe(true);
    expect(quoted.endsWith('…”')).toBe(true);
    // The fake closing quote inside cannot end the quotation early.
    expect(quoted.slice(1, -1)).not.toMatch(/[“”]/);
  });

  it('keeps ordinary text, including non-Latin scripts and emoji, as it is', () => {
    expect(quoteServerText('Too many authentication failures')).toBe('“Too many authentication failures”');
    expect(cleanServerText('ワークステーション 🖥️ prod-01')).toBe('ワークステーション 🖥️ prod-01');
  });

  it('never splits a surrogate pair when cutting, and drops lone surrogates', () => {
    const out = cleanServerText('😀'.repeat(300));
    expect(Array.from(out)).toHaveLength(SERVER_TEXT_MAX + 1);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(cleanServerText('a\ud800b')).toBe('a b');
  });

  it('for any input: no control, bidi or line-separator character, at most max characters + "…"', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), fc.integer({ min: 1, max: 300 }), (raw, max) => {
        const out = cleanServerText(raw, max);
        expect(out).not.toMatch(UNSAFE);
        expect(Array.from(out).length).toBeLessThanOrEqual(max + 1);
      }),
      { numRuns: 300 },
    );
  });
});
