// Property tests over the profile schema: any JSON at all is either a valid document or a clear
// refusal (never an exception), and valid profiles survive a JSON round trip unchanged.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExportBundle, Profile, ProfileDocument, ProfileInput } from '../../app/profile.js';

const headerName = fc.stringMatching(/^X-[A-Za-z0-9-]{0,20}$/);
const headerValue = fc.stringMatching(/^(?:[\x21-\x7e](?:[\x20-\x7e\t]{0,38}[\x21-\x7e])?)?$/);
// eslint-disable-next-line no-control-regex -- generated UI text has no control characters
const text = (maxLength: number) => fc.string({ maxLength }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const profileArb = fc.record({
  id: fc.uuid(),
  name: text(60).filter((s) => s.trim().length > 0 && s.trim() === s),
  folder: fc.array(fc.stringMatching(/^[A-Za-z0-9 _-]{1,12}$/), { maxLength: 3 }).map((parts) => parts.join('/')),
  tags: fc.array(text(20), { maxLength: 5 }),
  endpoint: fc.record({
    kind: fc.constantFrom('nova', 'websockify', 'proxmox', 'vnc-tcp', 'vnc-tls'),
    address: fc.webUrl(),
    headers: fc.uniqueArray(fc.tuple(headerName, headerValue), { maxLength: 3, selector: ([name]) => name.toLowerCase() }).map((pairs) => Object.fromEntries(pairs)),
    secretHeaders: fc.uniqueArray(headerName, { maxLength: 3, selector: (name) => name.toLowerCase() }),
  }),
  tls: fc.record({ allowInsecure: fc.boolean() }),
  display: fc.record({
    scaling: fc.constantFrom('fit', 'actual', 'remote'),
    viewOnly: fc.boolean(),
    quality: fc.integer({ min: 0, max: 9 }),
    compression: fc.integer({ min: 0, max: 9 }),
    shared: fc.boolean(),
    confirmCtrlAltDel: fc.boolean(),
  }),
  notes: fc.string({ maxLength: 200 }),
  createdAt: fc.date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }).map((d) => d.toISOString()),
  secretSlots: fc.subarray(['token', 'password', 'username']),
});

describe('profile schema properties', () => {
  it('never throws on arbitrary JSON, and refuses with issues when invalid', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const schema of [ProfileDocument, Profile, ProfileInput, ExportBundle]) {
          const result = schema.safeParse(value);
          if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts generated profiles and keeps them through a JSON round trip', () => {
    fc.assert(
      fc.property(fc.array(profileArb, { maxLength: 5 }), (profiles) => {
        const doc = ProfileDocument.parse({ version: 1, profiles });
        const again = ProfileDocument.parse(JSON.parse(JSON.stringify(doc)));
        expect(again).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a secret-looking field into a stored profile', () => {
    fc.assert(
      fc.property(profileArb, fc.string({ minLength: 8 }), (profile, s) => {
        const secret = `SECRET-${s}`;
        const parsed = Profile.safeParse({ ...profile, token: secret, password: secret, secrets: { token: secret } });
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(JSON.stringify(parsed.data)).not.toContain(JSON.stringify(secret).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });
});
