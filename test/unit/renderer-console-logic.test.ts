// Pure console-window logic under Node: reconnect backoff, host-key shortcuts, the typist's rate
// and cancelling, stored settings, titles and screenshot names.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryable, ReconnectSchedule, RECONNECT_MAX_TRIES } from '../../renderer/views/console/reconnect.js';
import { parseSettings, defaultSettings, screenshotFileName, uniqueTitle, loadSettings, saveSettings, SETTINGS_KEY } from '../../renderer/views/console/settings.js';
import { ShortcutTracker, type KeyContext, type KeyInput } from '../../renderer/views/console/shortcuts.js';
import { textToSteps } from '../../renderer/views/console/key-sequences.js';
import type { KeyStroke } from '../../renderer/views/console/keysyms.js';
import { typeSteps, typingSeconds } from '../../renderer/views/console/typist.js';

describe('reconnect backoff', () => {
  it('doubles from 1 s and stops growing at 30 s', () => {
    expect(Array.from({ length: 8 }, (_, i) => backoffDelayMs(i + 1))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelayMs(1000)).toBe(30000);
    expect(() => backoffDelayMs(0)).toThrow(RangeError);
  });

  it('retries drops that another try can fix, never a rejected token', () => {
    for (const code of ['remote-closed', 'tcp-refused', 'tcp-timeout', 'dns-failed'] as const) expect(isRetryable(code), code).toBe(true);
    for (const code of ['token-rejected-or-expired', 'tls-untrusted', 'tls-pin-mismatch', 'origin-rejected', 'idle-timeout', 'session-not-found', 'too-many-sessions'] as const) expect(isRetryable(code), code).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it('follows the schedule after a drop and gives up after the last try', () => {
    const s = new ReconnectSchedule();
    s.connected(0);
    const delays: number[] = [];
    let now = 1000;
    for (;;) {
      const d = s.ended(now, 'tcp-refused', false);
      if (!d.retry) {
        expect(d.why).toBe('gave-up');
        break;
      }
      delays.push(d.delayMs);
      now += d.delayMs;
    }
    expect(delays).toHaveLength(RECONNECT_MAX_TRIES);
    expect(delays.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('does not reconnect on purpose-made disconnects, first connections that failed, or a revoked token', () => {
    const s = new ReconnectSchedule();
    expect(s.ended(0, 'tcp-refused', false)).toEqual({ retry: false, why: 'never-connected' });
    s.connected(0);
    expect(s.ended(100, 'remote-closed', true)).toEqual({ retry: false, why: 'user' });
    s.connected(200);
    expect(s.ended(300, 'token-rejected-or-expired', false)).toEqual({ retry: false, why: 'not-retryable' });
  });

  it('starts counting again only after a connection that stayed up', () => {
    const s = new ReconnectSchedule(10, 10_000);
    s.connected(0);
    expect(s.ended(100, 'remote-closed', false)).toMatchObject({ attempt: 1, delayMs: 1000 });
    s.connected(1200); // up again, but dropped at once: no reset
    expect(s.ended(1300, 'remote-closed', false)).toMatchObject({ attempt: 2, delayMs: 2000 });
    s.connected(5000); // stays up for 10 s: the next drop starts afresh
    expect(s.ended(15_000, 'remote-closed', false)).toMatchObject({ attempt: 1, delayMs: 1000 });
  });
});

describe('host key and shortcuts', () => {
  const key = (type: 'keydown' | 'keyup', code: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type, code, repeat: false, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });
  const focused: KeyContext = { consoleFocused: true, editing: false };
  const page: KeyContext = { consoleFocused: false, editing: false };
  const typing: KeyContext = { consoleFocused: false, editing: true };

  it('passes every ordinary key to the guest while the console has the keyboard', () => {
    const t = new ShortcutTracker();
    for (const code of ['KeyA', 'ControlLeft', 'AltLeft', 'Delete', 'F1', 'Escape']) {
      expect(t.handle(key('keydown', code), focused)).toEqual({ swallow: false });
      expect(t.handle(key('keyup', code), focused)).toEqual({ swallow: false });
    }
    // Ctrl+Alt+Shift chords belong to the guest while it has the keyboard.
    expect(t.handle(key('keydown', 'KeyT', { ctrlKey: true, altKey: true, shiftKey: true }), focused)).toEqual({ swallow: false });
  });

  it('a tap of the host key releases (or takes back) the keyboard and never reaches the guest', () => {
    const t = new ShortcutTracker('ControlRight');
    expect(t.handle(key('keydown', 'ControlRight'), focused)).toEqual({ swallow: true });
    expect(t.handle(key('keydown', 'ControlRight', { repeat: true }), focused)).toEqual({ swallow: true });
    expect(t.handle(key('keyup', 'ControlRight'), focused)).toEqual({ swallow: true, action: 'toggle-capture' });
    expect(t.handle(key('keydown', 'ControlRight'), page)).toEqual({ swallow: true });
    expect(t.handle(key('keyup', 'ControlRight'), page)).toEqual({ swallow: true, action: 'toggle-capture' });
  });

  it('host+letter runs the shortcut and swallows both the letter and its release', () => {
    const t = new ShortcutTracker('ControlRight');
    t.handle(key('keydown', 'ControlRight'), focused);
    expect(t.handle(key('keydown', 'KeyT', { ctrlKey: true }), focused)).toEqual({ swallow: true, action: 'type-text' });
    expect(t.handle(key('keyup', 'ControlRight'), focused)).toEqual({ swallow: true }); // chorded: no toggle
    expect(t.handle(key('keyup', 'KeyT'), focused)).toEqual({ swallow: true }); // released after the host key
    expect(t.handle(key('keydown', 'KeyT'), focused)).toEqual({ swallow: false }); // and then it is the guest's again
    for (const [code, action] of [['KeyK', 'send-ctrl-alt-del'], ['Delete', 'send-ctrl-alt-del'], ['KeyS', 'screenshot'], ['KeyF', 'fullscreen'], ['KeyD', 'disconnect'], ['Digit3', 'tab-3'], ['ArrowRight', 'next-tab']] as const) {
      t.handle(key('keydown', 'ControlRight'), focused);
      expect(t.handle(key('keydown', code), focused).action).toBe(action);
      t.handle(key('keyup', code), focused);
      t.handle(key('keyup', 'ControlRight'), focused);
    }
    // Unknown keys while the host key is held are kept from the guest too.
    t.handle(key('keydown', 'ControlRight'), focused);
    expect(t.handle(key('keydown', 'KeyQ'), focused)).toEqual({ swallow: true });
  });

  it('Ctrl+Alt+Shift+letter works when the console does not have the keyboard', () => {
    const t = new ShortcutTracker();
    const chord = { ctrlKey: true, altKey: true, shiftKey: true };
    expect(t.handle(key('keydown', 'KeyK', chord), page)).toEqual({ swallow: true, action: 'send-ctrl-alt-del' });
    expect(t.handle(key('keyup', 'KeyK', chord), page)).toEqual({ swallow: true });
    expect(t.handle(key('keydown', 'KeyC', chord), page)).toEqual({ swallow: true, action: 'connect' });
    expect(t.handle(key('keydown', 'KeyT', { ctrlKey: true, altKey: true }), page)).toEqual({ swallow: false });
  });

  it('in text fields a host key tap still takes the keyboard back, chords stay the field’s; it can be switched off or moved', () => {
    const t = new ShortcutTracker('ControlRight');
    expect(t.handle(key('keydown', 'ControlRight'), typing)).toEqual({ swallow: false });
    expect(t.handle(key('keydown', 'KeyC', { ctrlKey: true }), typing)).toEqual({ swallow: false });
    expect(t.handle(key('keyup', 'KeyC', { ctrlKey: true }), typing)).toEqual({ swallow: false });
    expect(t.handle(key('keyup', 'ControlRight'), typing)).toEqual({ swallow: false }); // chorded: Right Ctrl+C copied, no toggle
    expect(t.handle(key('keydown', 'ControlRight'), typing)).toEqual({ swallow: false });
    expect(t.handle(key('keyup', 'ControlRight'), typing)).toEqual({ swallow: false, action: 'toggle-capture' });
    t.setHostKey('none');
    expect(t.handle(key('keydown', 'ControlRight'), focused)).toEqual({ swallow: false });
    t.setHostKey('ScrollLock');
    expect(t.handle(key('keydown', 'ControlRight'), focused)).toEqual({ swallow: false });
    expect(t.handle(key('keydown', 'ScrollLock'), focused)).toEqual({ swallow: true });
    expect(t.handle(key('keyup', 'ScrollLock'), focused)).toEqual({ swallow: true, action: 'toggle-capture' });
  });
});

describe('the typist', () => {
  it('sends every step at the configured rate', async () => {
    const sent: KeyStroke[] = [];
    const sleeps: number[] = [];
    const progress: number[] = [];
    const steps = textToSteps('Hi!\n');
    const result = await typeSteps(steps, (s) => sent.push(s), { delayMs: 10, sleep: async (ms) => void sleeps.push(ms), onProgress: (n) => progress.push(n) });
    expect(result).toEqual({ typed: 4, total: 4, cancelled: false });
    expect(sent).toEqual(steps.flatMap((s) => s.strokes));
    expect(sleeps).toEqual([10, 10, 10]);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('stops between characters when cancelled, leaving no key held', async () => {
    const sent: KeyStroke[] = [];
    const abort = new AbortController();
    const steps = textToSteps('ABCDEFGH');
    const result = await typeSteps(steps, (s) => sent.push(s), {
      delayMs: 10,
      signal: abort.signal,
      sleep: async () => undefined,
      onProgress: (n) => {
        if (n === 3) abort.abort();
      },
    });
    expect(result).toEqual({ typed: 3, total: 8, cancelled: true });
    expect(sent.filter((s) => s.down).length).toBe(sent.filter((s) => !s.down).length);
  });

  it('estimates the time', () => {
    expect(typingSeconds(500, 10)).toBe(5);
    expect(typingSeconds(1, 10)).toBe(1);
  });
});

describe('settings, titles and file names', () => {
  it('falls back to defaults for missing, damaged or out-of-range values', () => {
    expect(parseSettings(null)).toEqual(defaultSettings);
    expect(parseSettings('{not json')).toEqual(defaultSettings);
    expect(parseSettings('[]')).toEqual(defaultSettings);
    expect(parseSettings(JSON.stringify({ hostKey: 'KeyA', typeDelayMs: -5, qualityLevel: 12, scaling: 'zoom' }))).toEqual(defaultSettings);
    expect(parseSettings(JSON.stringify({ hostKey: 'AltRight', typeDelayMs: 25, qualityLevel: 9, compressionLevel: 0, scaling: 'actual', confirmCtrlAltDel: true, autoCopyClipboard: true, typeLayout: 'ch-de', sidebarCollapsed: true }))).toEqual({
      typeLayout: 'ch-de',
      sidebarCollapsed: true,
      hostKey: 'AltRight',
      typeDelayMs: 25,
      qualityLevel: 9,
      compressionLevel: 0,
      scaling: 'actual',
      confirmCtrlAltDel: true,
      autoCopyClipboard: true,
    });
  });

  it('round-trips through storage and survives a storage that throws', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    saveSettings(storage, { ...defaultSettings, hostKey: 'Pause' });
    expect(map.has(SETTINGS_KEY)).toBe(true);
    expect(loadSettings(storage).hostKey).toBe('Pause');
    const broken = { getItem: (): string | null => { throw new Error('denied'); }, setItem: (): void => { throw new Error('full'); } };
    expect(loadSettings(broken)).toEqual(defaultSettings);
    expect(() => saveSettings(broken, defaultSettings)).not.toThrow();
  });

  it('numbers tabs to the same desktop', () => {
    expect(uniqueTitle('vm', [])).toBe('vm');
    expect(uniqueTitle('vm', ['vm'])).toBe('vm (2)');
    expect(uniqueTitle('vm', ['vm', 'vm (2)'])).toBe('vm (3)');
  });

  it('names screenshots after the console and the time, safely', () => {
    const when = new Date(2025, 0, 2, 3, 4, 5);
    expect(screenshotFileName('web-01: root@vm (2)', when)).toBe('web-01-root-vm-2-20250102-030405.png');
    expect(screenshotFileName('../../', when)).toBe('console-20250102-030405.png');
  });
});
