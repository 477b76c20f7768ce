// The RFB security state machines without I/O: the upstream side (towards the VNC server) for
// every version × type, fed byte by byte, at every single split and at random splits (property
// tests), with server transcripts shaped like the real servers' (TigerVNC, QEMU); the type choice
// order; and the presenter Porthole shows the renderer (RFB 3.8, None only).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseSubtype, chooseTopLevel, subtypePreference } from '../../main/rfb/security/choose.js';
import { ClientPresenter } from '../../main/rfb/security/client-presenter.js';
import { vncAuthKey, vncAuthResponse } from '../../main/rfb/security/des.js';
import { failureToError } from '../../main/rfb/security/failure-error.js';
import { securityName } from '../../main/rfb/security/types.js';
import { UpstreamSecurity, type SecurityAction, type SecurityFailure } from '../../main/rfb/security/upstream-security.js';

const PASSWORD = 'secretpw';
const CHALLENGE = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const RESPONSE = vncAuthResponse(PASSWORD, CHALLENGE);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};
const text = (s: string): Buffer => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
const banner = (v: string): Buffer => Buffer.from(`RFB ${v}\n`, 'latin1');
const SERVER_INIT_START = Buffer.from([0x02, 0x80]); // bytes a server would send only after ClientInit

interface Transcript {
  name: string;
  /** What the server sends before TLS (or all of it without TLS). */
  server: Buffer;
  /** What it sends inside TLS, for TLS subtypes. */
  inTls?: Buffer;
  /** What Porthole must send, in order, all together. */
  client: Buffer;
  tls?: 'x509' | 'anonymous';
  credentials?: { username?: string; password: string };
  outcome: { done: true } | { failed: SecurityFailure['kind']; reason?: string };
  verified?: boolean;
  anonymous?: boolean;
}

const plainCreds = Buffer.concat([u32(5), u32(PASSWORD.length), Buffer.from('alice'), Buffer.from(PASSWORD)]);

const transcripts: Transcript[] = [
  { name: '3.3 None', server: Buffer.concat([banner('003.003'), u32(1)]), client: banner('003.003'), outcome: { done: true } },
  { name: '3.3 VncAuth', server: Buffer.concat([banner('003.003'), u32(2), CHALLENGE, u32(0)]), client: Buffer.concat([banner('003.003'), RESPONSE]), credentials: { password: PASSWORD }, outcome: { done: true } },
  { name: '3.3 VncAuth wrong password (no reason in 3.3)', server: Buffer.concat([banner('003.003'), u32(2), CHALLENGE, u32(1)]), client: Buffer.concat([banner('003.003'), RESPONSE]), credentials: { password: PASSWORD }, outcome: { failed: 'auth-failed' } },
  { name: '3.3 refused with a reason', server: Buffer.concat([banner('003.003'), u32(0), text('Too many security failures')]), client: banner('003.003'), outcome: { failed: 'refused', reason: 'Too many security failures' } },
  { name: '3.5 is spoken as 3.3', server: Buffer.concat([banner('003.005'), u32(1)]), client: banner('003.003'), outcome: { done: true } },
  { name: '3.7 None (no SecurityResult)', server: Buffer.concat([banner('003.007'), Buffer.from([1, 1])]), client: Buffer.concat([banner('003.007'), Buffer.from([1])]), outcome: { done: true } },
  { name: '3.7 VncAuth', server: Buffer.concat([banner('003.007'), Buffer.from([1, 2]), CHALLENGE, u32(0)]), client: Buffer.concat([banner('003.007'), Buffer.from([2]), RESPONSE]), credentials: { password: PASSWORD }, outcome: { done: true } },
  { name: '3.7 VncAuth failure (no reason)', server: Buffer.concat([banner('003.007'), Buffer.from([1, 2]), CHALLENGE, u32(1)]), client: Buffer.concat([banner('003.007'), Buffer.from([2]), RESPONSE]), credentials: { password: PASSWORD }, outcome: { failed: 'auth-failed' } },
  { name: '3.8 None', server: Buffer.concat([banner('003.008'), Buffer.from([1, 1]), u32(0)]), client: Buffer.concat([banner('003.008'), Buffer.from([1])]), outcome: { done: true } },
  { name: '3.8 VncAuth (TigerVNC -SecurityTypes VncAuth)', server: Buffer.concat([banner('003.008'), Buffer.from([1, 2]), CHALLENGE, u32(0)]), client: Buffer.concat([banner('003.008'), Buffer.from([2]), RESPONSE]), credentials: { password: PASSWORD }, outcome: { done: true } },
  { name: '3.8 VncAuth wrong password with reason', server: Buffer.concat([banner('003.008'), Buffer.from([1, 2]), CHALLENGE, u32(1), text('Authentication failure')]), client: Buffer.concat([banner('003.008'), Buffer.from([2]), RESPONSE]), credentials: { password: PASSWORD }, outcome: { failed: 'auth-failed', reason: 'Authentication failure' } },
  { name: '3.8 None preferred over VncAuth', server: Buffer.concat([banner('003.008'), Buffer.from([2, 2, 1]), u32(0)]), client: Buffer.concat([banner('003.008'), Buffer.from([1])]), outcome: { done: true } },
  { name: '3.889 (Apple) is spoken as 3.8', server: Buffer.concat([banner('003.889'), Buffer.from([1, 1]), u32(0)]), client: Buffer.concat([banner('003.008'), Buffer.from([1])]), outcome: { done: true } },
  { name: '5.0 (RealVNC) is spoken as 3.8', server: Buffer.concat([banner('005.000'), Buffer.from([1, 2]), CHALLENGE, u32(0)]), client: Buffer.concat([banner('003.008'), Buffer.from([2]), RESPONSE]), credentials: { password: PASSWORD }, outcome: { done: true } },
  { name: '3.8 refused', server: Buffer.concat([banner('003.008'), Buffer.from([0]), text('Too many security failures')]), client: banner('003.008'), outcome: { failed: 'refused', reason: 'Too many security failures' } },
  { name: '3.8 only unknown types', server: Buffer.concat([banner('003.008'), Buffer.from([2, 30, 5])]), client: banner('003.008'), outcome: { failed: 'unsupported' } },
  {
    name: '3.8 VeNCrypt X509Vnc (QEMU with tls-creds and a password)',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(261), Buffer.from([1])]),
    inTls: Buffer.concat([CHALLENGE, u32(0)]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(261), RESPONSE]),
    tls: 'x509',
    credentials: { password: PASSWORD },
    outcome: { done: true },
  },
  {
    name: '3.8 VeNCrypt TigerVNC default (TLSVnc, VncAuth): anonymous TLS where available',
    server: Buffer.concat([banner('003.008'), Buffer.from([2, 19, 2, 0, 2, 0, 2]), u32(258), u32(2), Buffer.from([1])]),
    inTls: Buffer.concat([CHALLENGE, u32(0)]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(258), RESPONSE]),
    tls: 'anonymous',
    anonymous: true,
    credentials: { password: PASSWORD },
    outcome: { done: true },
  },
  {
    name: '3.8 VeNCrypt TigerVNC default without anonymous TLS: VncAuth as a subtype',
    server: Buffer.concat([banner('003.008'), Buffer.from([2, 19, 2, 0, 2, 0, 2]), u32(258), u32(2), CHALLENGE, u32(0)]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(2), RESPONSE]),
    anonymous: false,
    credentials: { password: PASSWORD },
    outcome: { done: true },
  },
  {
    name: '3.8 VeNCrypt X509None preferred over X509Vnc (no password needed)',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 2, 0, 3]), u32(261), u32(260), u32(2), Buffer.from([1])]),
    inTls: u32(0),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(260)]),
    tls: 'x509',
    outcome: { done: true },
  },
  {
    name: '3.8 VeNCrypt X509Plain with a user name',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(262), Buffer.from([1])]),
    inTls: u32(0),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(262), plainCreds]),
    tls: 'x509',
    credentials: { username: 'alice', password: PASSWORD },
    outcome: { done: true },
  },
  {
    name: '3.8 VeNCrypt Plain (no TLS) over a verified wss stream',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(256), u32(1), text('Authentication failed')]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2]), u32(256), plainCreds]),
    verified: true,
    credentials: { username: 'alice', password: PASSWORD },
    outcome: { failed: 'auth-failed', reason: 'Authentication failed' },
  },
  {
    name: '3.8 VeNCrypt with only anonymous TLS where the runtime has none',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(258)]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19, 0, 2])]),
    anonymous: false,
    outcome: { failed: 'unsupported' },
  },
  {
    name: '3.8 VeNCrypt 0.1 is refused',
    server: Buffer.concat([banner('003.008'), Buffer.from([1, 19, 0, 1])]),
    client: Buffer.concat([banner('003.008'), Buffer.from([19])]),
    outcome: { failed: 'protocol' },
  },
  { name: 'not RFB at all', server: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), client: Buffer.alloc(0), outcome: { failed: 'not-rfb' } },
  { name: 'RFB 2.0', server: banner('002.000'), client: Buffer.alloc(0), outcome: { failed: 'unsupported-version' } },
];

interface Run {
  sent: Buffer;
  done?: Buffer;
  failed?: SecurityFailure;
  tls?: boolean;
  asked: number;
}

/** Drives the machine through a transcript cut into the given chunks (server bytes, then TLS bytes). */
function drive(t: Transcript, cuts: (buf: Buffer) => Buffer[]): Run {
  const m = new UpstreamSecurity({ transportVerified: t.verified ?? false, anonymousTls: t.anonymous ?? true });
  const sent: Buffer[] = [];
  const run: Run = { sent: Buffer.alloc(0), asked: 0 };
  let waitingTls = false;
  const handle = (actions: SecurityAction[]): void => {
    for (const a of actions) {
      if (a.kind === 'send') sent.push(a.bytes);
      else if (a.kind === 'need-credentials') {
        run.asked++;
        expect(a.username).toBe(t.credentials?.username !== undefined);
        if (t.credentials) handle(m.provide(t.credentials));
      } else if (a.kind === 'start-tls') {
        run.tls = true;
        expect(a.anonymous).toBe(t.tls === 'anonymous');
        waitingTls = true;
      } else if (a.kind === 'done') run.done = a.leftover;
      else run.failed = a.failure;
    }
  };
  // After 'done' the stage hands later bytes to the relay: they join the leftover here too.
  const feed = (chunk: Buffer): void => {
    if (run.done) run.done = Buffer.concat([run.done, chunk]);
    else handle(m.feed(chunk));
  };
  for (const chunk of cuts(Buffer.concat([t.server, SERVER_INIT_START]).subarray(0, t.inTls ? t.server.length : undefined))) feed(chunk);
  if (t.inTls) {
    expect(waitingTls).toBe(true);
    handle(m.tlsReady());
    for (const chunk of cuts(Buffer.concat([t.inTls, SERVER_INIT_START]))) feed(chunk);
  }
  run.sent = Buffer.concat(sent);
  return run;
}

function check(t: Transcript, run: Run): void {
  expect(run.sent.toString('hex')).toBe(t.client.toString('hex'));
  if ('done' in t.outcome) {
    expect(run.failed).toBeUndefined();
    expect(run.done?.toString('hex')).toBe(SERVER_INIT_START.toString('hex'));
  } else {
    expect(run.done).toBeUndefined();
    expect(run.failed?.kind).toBe(t.outcome.failed);
    if (t.outcome.reason) expect(run.failed).toMatchObject({ reason: t.outcome.reason });
  }
  expect(run.tls ?? false).toBe(t.tls !== undefined);
}

const whole = (b: Buffer): Buffer[] => [b];
const byteByByte = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]));

describe('UpstreamSecurity: every version × type, against server transcripts', () => {
  for (const t of transcripts) {
    it(`${t.name}: whole, byte by byte, and at every split`, () => {
      check(t, drive(t, whole));
      check(t, drive(t, byteByByte));
      const n = Buffer.concat([t.server, t.inTls ?? Buffer.alloc(0)]).length;
      for (let at = 0; at <= n; at++) check(t, drive(t, (b) => [b.subarray(0, at), b.subarray(at)]));
    });
  }

  it('any split of any transcript gives the same bytes and outcome (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...transcripts), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (t, sizes) => {
        const cut = (b: Buffer): Buffer[] => {
          const out: Buffer[] = [];
          let i = 0;
          let k = 0;
          while (i < b.length) {
            const n = sizes[k++ % sizes.length]!;
            out.push(b.subarray(i, i + n));
            i += n;
          }
          return out;
        };
        check(t, drive(t, cut));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on random bytes after any banner', () => {
    fc.assert(
      fc.property(fc.constantFrom('003.003', '003.007', '003.008'), fc.uint8Array({ maxLength: 300 }), (v, junk) => {
        const m = new UpstreamSecurity({ transportVerified: false, anonymousTls: true });
        const actions = [...m.feed(banner(v)), ...m.feed(junk), ...m.provide({ password: 'x', username: 'u' })];
        for (const a of actions) if (a.kind === 'start-tls') m.tlsReady();
        expect(Array.isArray(actions)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('asks for credentials once, after the type is known, and only when needed', () => {
    const t = transcripts.find((x) => x.name.startsWith('3.8 VncAuth (TigerVNC'))!;
    expect(drive(t, byteByByte).asked).toBe(1);
    expect(drive(transcripts.find((x) => x.name === '3.8 None')!, whole).asked).toBe(0);
  });
});

describe('type choice', () => {
  it('takes VeNCrypt whenever offered, then None, then VNC authentication', () => {
    expect(chooseTopLevel([2, 19])).toBe(19);
    expect(chooseTopLevel([2, 1])).toBe(1);
    expect(chooseTopLevel([2, 16])).toBe(2);
    expect(chooseTopLevel([16, 30])).toBeUndefined();
  });

  it('prefers X509, then plain types over a verified stream, then anonymous TLS, then plain types, Plain last', () => {
    expect(subtypePreference({ transportVerified: false, anonymousTls: true })).toEqual([260, 261, 262, 257, 258, 259, 1, 2, 256]);
    expect(subtypePreference({ transportVerified: true, anonymousTls: true })).toEqual([260, 261, 262, 1, 2, 256, 257, 258, 259]);
    expect(subtypePreference({ transportVerified: false, anonymousTls: false })).toEqual([260, 261, 262, 1, 2, 256]);
    expect(chooseSubtype([258, 2, 261], { transportVerified: false, anonymousTls: true })).toEqual({ ok: true, subtype: 261 });
    expect(chooseSubtype([258, 2], { transportVerified: true, anonymousTls: true })).toEqual({ ok: true, subtype: 2 });
    expect(chooseSubtype([258], { transportVerified: false, anonymousTls: false })).toEqual({ ok: false, why: 'anonymous-tls-unavailable' });
    expect(chooseSubtype([263, 264], { transportVerified: false, anonymousTls: true })).toEqual({ ok: false, why: 'nothing-supported' });
  });

  it('names types and subtypes in words', () => {
    expect([1, 2, 19, 30, 256, 258, 261, 262].map(securityName)).toEqual(['None', 'VNC authentication', 'VeNCrypt', 'Apple Remote Desktop', 'Plain', 'TLSVnc', 'X509Vnc', 'X509Plain']);
  });
});

describe('failures as typed errors', () => {
  it('a wrong password is vnc-auth-failed with the server’s words quoted, cleaned and cut', () => {
    const e = failureToError({ kind: 'auth-failed', reason: `Authentication failure\u001b[31m\n${'x'.repeat(500)}` });
    expect(e.code).toBe('vnc-auth-failed');
    expect(e.message.toLowerCase()).toContain('password');
    expect(e.detail).toMatch(/^the server said “Authentication failure/);
    expect([...(e.detail ?? "")].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(e.detail!.length).toBeLessThan(260);
  });

  it('too many attempts and blacklisting are said in words', () => {
    expect(failureToError({ kind: 'refused', reason: 'Too many security failures' }).code).toBe('vnc-auth-blocked');
    expect(failureToError({ kind: 'auth-failed', tooMany: true }).code).toBe('vnc-auth-blocked');
    expect(failureToError({ kind: 'auth-failed', reason: 'Your connection has been blacklisted' }).code).toBe('vnc-auth-blocked');
  });

  it('unsupported types are named', () => {
    expect(failureToError({ kind: 'unsupported', offered: [30, 5] }).detail).toBe('the server offered Apple Remote Desktop, RA2');
    const anon = failureToError({ kind: 'unsupported', offered: [19], vencrypt: [258], anonymousTlsUnavailable: true });
    expect(anon.code).toBe('vnc-tls-anonymous-unavailable');
    expect(anon.detail).toContain('TLSVnc');
  });
});

describe('DES for VNC authentication', () => {
  it('reverses the bits of each key byte and pads or cuts the password to 8 bytes', () => {
    expect([...vncAuthKey('a')]).toEqual([0x86, 0, 0, 0, 0, 0, 0, 0]);
    expect(vncAuthKey('12345678toolong').equals(vncAuthKey('12345678'))).toBe(true);
  });

  it('answers each 8-byte half on its own (ECB), deterministically', () => {
    const r = vncAuthResponse(PASSWORD, Buffer.concat([CHALLENGE.subarray(0, 8), CHALLENGE.subarray(0, 8)]));
    expect(r.subarray(0, 8).equals(r.subarray(8))).toBe(true);
    expect(vncAuthResponse(PASSWORD, CHALLENGE).equals(RESPONSE)).toBe(true);
    expect(vncAuthResponse('other', CHALLENGE).equals(RESPONSE)).toBe(false);
    expect(() => vncAuthResponse(PASSWORD, Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('ClientPresenter: what the renderer sees', () => {
  it('RFB 3.8 with exactly one type, None, then SecurityResult OK; ClientInit is left over', () => {
    const p = new ClientPresenter();
    expect(p.start().toString('latin1')).toBe('RFB 003.008\n');
    const client = Buffer.concat([banner('003.008'), Buffer.from([1]), Buffer.from([1])]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: client.length }), (at) => {
        const q = new ClientPresenter();
        const first = q.feed(client.subarray(0, at));
        // Bytes after 'done' are not the presenter's: the stage sends them upstream itself.
        const actions = q.finished ? first : [...first, ...q.feed(client.subarray(at))];
        const afterDone = q.finished && !first.some((a) => a.kind === 'done') ? Buffer.alloc(0) : first.some((a) => a.kind === 'done') ? client.subarray(at) : Buffer.alloc(0);
        const sent = Buffer.concat(actions.flatMap((a) => (a.kind === 'send' ? [a.bytes] : [])));
        expect(sent.toString('hex')).toBe('0101' + '00000000');
        const done = actions.find((a) => a.kind === 'done');
        expect(done?.kind).toBe('done');
        expect(Buffer.concat([done?.kind === 'done' ? done.leftover : Buffer.alloc(0), afterDone]).toString('hex')).toBe('01');
      }),
    );
  });

  it('serves 3.7 (no SecurityResult for None) and 3.3 (the type as a u32) clients', () => {
    const p7 = new ClientPresenter();
    const a7 = p7.feed(Buffer.concat([banner('003.007'), Buffer.from([1])]));
    expect(a7).toEqual([{ kind: 'send', bytes: Buffer.from([1, 1]) }, { kind: 'done', leftover: Buffer.alloc(0) }]);
    const p3 = new ClientPresenter();
    expect(p3.feed(banner('003.003'))).toEqual([{ kind: 'send', bytes: Buffer.from([0, 0, 0, 1]) }, { kind: 'done', leftover: Buffer.alloc(0) }]);
  });

  it('refuses other versions and other type choices', () => {
    expect(new ClientPresenter().feed(banner('004.000')).at(-1)?.kind).toBe('failed');
    expect(new ClientPresenter().feed(Buffer.concat([banner('003.008'), Buffer.from([2])])).at(-1)?.kind).toBe('failed');
  });
});

describe('falling back from unusable VeNCrypt subtypes to a plain top-level type', () => {
  // TigerVNC with -SecurityTypes TLSVnc,VncAuth: top level [VeNCrypt, VncAuth], subtypes [TLSVnc].
  const server = (top: number[]): Buffer => Buffer.concat([banner('003.008'), Buffer.from([top.length, ...top]), Buffer.from([0, 2]), Buffer.from([0]), Buffer.from([1]), u32(258)]);
  const kinds = (actions: SecurityAction[]): string[] => actions.map((a) => a.kind);

  it('anonymous TLS unavailable but VNC authentication offered: this connection asks to retry; the retry picks VNC authentication', () => {
    const first = new UpstreamSecurity({ transportVerified: false, anonymousTls: false });
    const actions = first.feed(server([19, 2]));
    expect(kinds(actions)).toEqual(['send', 'send', 'send', 'retry-without-vencrypt']);
    const retry = actions[3] as Extract<SecurityAction, { kind: 'retry-without-vencrypt' }>;
    expect(retry.failure).toMatchObject({ kind: 'unsupported', vencrypt: [258], anonymousTlsUnavailable: true });
    expect(first.finished).toBe(true);

    const second = new UpstreamSecurity({ transportVerified: false, anonymousTls: false, withoutVeNCrypt: true });
    const again = second.feed(Buffer.concat([banner('003.008'), Buffer.from([2, 19, 2])]));
    expect(again).toEqual([
      { kind: 'send', bytes: banner('003.008') },
      { kind: 'send', bytes: Buffer.from([2]) },
      { kind: 'need-credentials', username: false },
    ]);
    expect(second.negotiation.type).toBe(2);
  });

  it('None offered at the top level is a fallback too', () => {
    const m = new UpstreamSecurity({ transportVerified: false, anonymousTls: false, withoutVeNCrypt: true });
    expect(m.feed(Buffer.concat([banner('003.008'), Buffer.from([2, 19, 1])])).at(-1)).toEqual({ kind: 'send', bytes: Buffer.from([1]) });
    expect(chooseTopLevel([19, 1, 2], true)).toBe(1);
    expect(chooseTopLevel([19], true)).toBeUndefined();
  });

  it('never weaker when a stronger one works: with anonymous TLS available the TLS subtype is used, no retry', () => {
    const m = new UpstreamSecurity({ transportVerified: false, anonymousTls: true });
    expect(kinds(m.feed(Buffer.concat([server([19, 2]), Buffer.from([1])])))).toEqual(['send', 'send', 'send', 'send', 'start-tls']);
    expect(m.negotiation.subtype).toBe(258);
  });

  it('nothing plain offered at the top level: the typed failure stays (anonymous TLS unavailable)', () => {
    const m = new UpstreamSecurity({ transportVerified: false, anonymousTls: false });
    const actions = m.feed(server([19]));
    const last = actions.at(-1) as Extract<SecurityAction, { kind: 'failed' }>;
    expect(last.kind).toBe('failed');
    expect(failureToError(last.failure).code).toBe('vnc-tls-anonymous-unavailable');
  });
});
