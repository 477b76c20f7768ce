// The collected real-world console addresses (test/fixtures/addresses/real-world.ts), each checked
// against the rule of the software that produced it, and none leaking its secret into anything shown.
import { describe, expect, it } from 'vitest';
import { parseConsoleAddress } from '../../app/console-address.js';
import { describeTarget } from '../../app/console-target.js';
import { NOVA_TOKEN, NOVA_TOKEN_2, PVE_TICKET, realWorldAddresses, VNC_PASSWORD } from '../fixtures/addresses/real-world.js';

describe('real-world console addresses', () => {
  it('has at least 60 of them, each citing its rule and source', () => {
    expect(realWorldAddresses.length).toBeGreaterThanOrEqual(60);
    for (const a of realWorldAddresses) expect(a.rule.length * a.seenIn.length, a.address).toBeGreaterThan(0);
  });

  it.each(realWorldAddresses.map((a) => [a.address.trim(), a] as const))('%s', (_label, { address, expect: want }) => {
    const out = parseConsoleAddress(address);
    if (!want.ok) {
      expect(out.ok, JSON.stringify(out)).toBe(false);
      if (out.ok) return;
      expect(out.error.code).toBe(want.code);
      expect(out.error.detail).toContain(want.detail);
      if (want.recognised) expect(out.recognised?.kind).toBe(want.recognised);
      return;
    }
    expect(out.ok, JSON.stringify(out)).toBe(true);
    if (!out.ok) return;
    const t = out.target;
    expect(out.kind).toBe(want.kind);
    expect([t.host, t.port]).toEqual([want.host, want.port]);
    if (want.path !== undefined) expect(t.kind === 'websocket' ? t.path : undefined).toBe(want.path);
    if (t.kind === 'websocket') {
      expect(t.token).toBe(want.token);
      if (want.query) expect(t.query).toEqual(want.query);
    }
    expect(t.password).toBe(want.password);
    expect(t.username).toBe(want.username);
    expect(out.display?.viewOnly).toBe(want.viewOnly);
    if (want.title !== undefined) expect(out.title).toBe(want.title);
    if (want.notice !== undefined) expect(out.notices.join('\n')).toContain(want.notice);
  });

  it('never shows a token, password or ticket in a display address, notice or refusal', () => {
    const secrets = [NOVA_TOKEN, NOVA_TOKEN_2, VNC_PASSWORD, encodeURIComponent(VNC_PASSWORD), PVE_TICKET, 'PVEVNC'];
    for (const { address } of realWorldAddresses) {
      const out = parseConsoleAddress(address);
      const shown = out.ok ? [describeTarget(out.target), ...out.notices, out.title ?? ''].join('\n') : JSON.stringify(out);
      for (const s of secrets) expect(shown, address).not.toContain(s);
    }
  });
});
