// Pure parts of the Electron shell: launch-link parsing, menu accelerators, window bounds, URL checks.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appUrlToRelativePath } from '../../main/electron/app-protocol.js';
import { linksFromArgv, parseLaunchArgument } from '../../main/links/launch-links.js';
import { buildMenuTemplate, consoleMenuItems, menuActions, QUIT_ACCELERATOR } from '../../main/electron/menu.js';
import type { MenuItemConstructorOptions } from '../../main/electron/electron-api.js';
import { checkExternalUrl, isAppUrl } from '../../main/electron/navigation-guard.js';
import { LinkRequests } from '../../main/links/link-requests.js';
import { MIN_HEIGHT, MIN_WIDTH, parseWindowState, restoreBounds } from '../../main/electron/window-options.js';

const cwd = path.resolve('/home/user');

describe('launch links', () => {
  it.each([
    ['porthole://connect?url=wss%3A%2F%2Fh.example%2Fwebsockify%3Ftoken%3Dabc', { kind: 'console-url', url: 'wss://h.example/websockify?token=abc' }],
    ['porthole://connect/?url=https%3A%2F%2Fnova.example%2Fvnc_auto.html%3Fpath%3D%253Ftoken%253Dx', { kind: 'console-url', url: 'https://nova.example/vnc_auto.html?path=%3Ftoken%3Dx' }],
    ['porthole://open?profile=abc_DEF-1', { kind: 'profile', profileId: 'abc_DEF-1' }],
    ['vnc://host.example:5901', { kind: 'console-url', url: 'vnc://host.example:5901' }],
    ['vnc://:pw@host.example', { kind: 'console-url', url: 'vnc://:pw@host.example' }],
    ['console.vv', { kind: 'vv-file', path: path.join(cwd, 'console.vv') }],
    ['/tmp/X.VV', { kind: 'vv-file', path: path.resolve('/tmp/X.VV') }],
    ['file:///tmp/a%20b.vv', { kind: 'vv-file', path: path.resolve('/tmp/a b.vv') }],
  ])('accepts %s', (arg, expected) => {
    expect(parseLaunchArgument(arg, cwd)).toEqual(expected);
  });

  it.each([
    'porthole://connect?url=javascript%3Aalert(1)',
    'porthole://connect?url=file%3A%2F%2F%2Fetc%2Fpasswd',
    'porthole://connect?url=data%3Atext%2Fhtml%2Cx',
    'porthole://connect?url=',
    'porthole://connect',
    'porthole://connect?url=wss%3A%2F%2Fh&url=wss%3A%2F%2Fi',
    'porthole://connect?url=wss%3A%2F%2Fh&autoconnect=1',
    'porthole://connect/extra?url=wss%3A%2F%2Fh',
    'porthole://user:pw@connect?url=wss%3A%2F%2Fh',
    'porthole://open?profile=..%2F..%2Fetc',
    'porthole://open?profile=',
    'porthole://delete?profile=abc',
    'porthole:connect?url=wss%3A%2F%2Fh',
    'vnc://',
    'http://example.com/x.vv',
    'file://remote-host/share/x.vv',
    'file:///etc/passwd',
    '--inspect=9229',
    '--some-flag=x.vv',
    '/opt/Porthole/porthole',
    '.',
    'console.vv\u0000.txt',
    '',
  ])('rejects %j', (arg) => {
    expect(parseLaunchArgument(arg, cwd)).toBeNull();
  });

  it('takes at most eight links from one argv', () => {
    expect(linksFromArgv(Array.from({ length: 20 }, (_, i) => `vnc://h${i}.example`), cwd)).toHaveLength(8);
  });

  it('pending requests expire and are capped', async () => {
    let now = 0;
    let id = 0;
    const requests = new LinkRequests({ now: () => now, newId: () => `r${id++}` });
    for (let i = 0; i < 20; i++) await requests.add({ kind: 'profile', profileId: `p${i}` });
    expect(requests.list()).toHaveLength(16);
    expect(requests.list()[0]?.profileId).toBe('p4');
    now = 11 * 60_000;
    expect(requests.list()).toEqual([]);
  });
});

describe('menu', () => {
  const all = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? all(i.submenu) : [])]);

  it('offers every console action once, each on a three-modifier chord', () => {
    const items = consoleMenuItems.flat();
    expect(items.map((i) => i.action).sort()).toEqual([...menuActions].sort());
    const accelerators = items.map((i) => i.accelerator);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    for (const acc of accelerators) {
      const parts = acc.split('+');
      expect(parts.slice(0, -1).sort(), acc).toEqual(['Alt', 'CmdOrCtrl', 'Shift']);
      expect(parts.at(-1), acc).toMatch(/^[A-Z]$/);
    }
  });

  it.each(['linux', 'win32'] as const)('takes no Ctrl/Alt single-modifier key from the console on %s', (platform) => {
    const template = all(buildMenuTemplate({ platform, development: false, dispatch: () => undefined }));
    for (const item of template) {
      expect(item.label ?? '', 'no mnemonics').not.toContain('&');
      if (item.accelerator !== undefined) expect(String(item.accelerator).split('+').length, String(item.accelerator)).toBeGreaterThanOrEqual(4);
    }
    // Roles with built-in Ctrl+<key> accelerators must not appear (or must be overridden).
    for (const item of template) {
      if (item.role === 'quit') expect(item.accelerator).toBe(QUIT_ACCELERATOR);
      else expect(['copy', 'paste', 'cut', 'selectAll', 'undo', 'redo', 'close', 'windowMenu', 'reload', 'toggleDevTools']).not.toContain(item.role);
    }
  });

  it('has a Developer menu only in development, and the Edit menu only on macOS', () => {
    const labels = (platform: NodeJS.Platform, development: boolean): string[] =>
      buildMenuTemplate({ platform, development, dispatch: () => undefined }).map((m) => m.label ?? m.role ?? '');
    expect(labels('linux', false)).toEqual(['File', 'Console']);
    expect(labels('linux', true)).toEqual(['File', 'Console', 'Developer']);
    expect(labels('darwin', false)).toEqual(['Porthole', 'Edit', 'Console', 'windowMenu']);
  });
});

describe('window bounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('reuses bounds that are on screen, clamped to the work area', () => {
    const state = parseWindowState({ bounds: { x: 1300, y: 600, width: 800, height: 600 }, maximized: false });
    expect(restoreBounds(state, screen)).toEqual({ bounds: { x: 1120, y: 480, width: 800, height: 600 }, maximized: false });
  });

  it('falls back to defaults for off-screen or malformed bounds', () => {
    const off = parseWindowState({ bounds: { x: 5000, y: 5000, width: 800, height: 600 }, maximized: true });
    expect(restoreBounds(off, screen)).toEqual({ bounds: { width: 1280, height: 860 }, maximized: true });
    expect(parseWindowState({ bounds: { x: 'a', y: 0, width: 1, height: 1 } })).toBeNull();
    expect(parseWindowState({ bounds: { x: 0, y: 0, width: -1, height: 1 } })).toBeNull();
    expect(parseWindowState(null)).toBeNull();
    expect(restoreBounds(null, screen).bounds).toEqual({ width: 1280, height: 860 });
  });

  it('never restores below the minimum size', () => {
    const tiny = parseWindowState({ bounds: { x: 0, y: 0, width: 100, height: 100 }, maximized: false });
    expect(restoreBounds(tiny, screen).bounds).toEqual({ x: 0, y: 0, width: MIN_WIDTH, height: MIN_HEIGHT });
  });
});

describe('URL checks', () => {
  it('recognises only the app origin', () => {
    expect(isAppUrl('app://porthole/index.html')).toBe(true);
    expect(isAppUrl('app://porthole')).toBe(true);
    for (const url of ['app://evil/index.html', 'app://porthole.evil/x', 'https://porthole/', 'app://x@porthole/', 'file:///porthole', '', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('allows only plain http(s) URLs to open externally', () => {
    expect(checkExternalUrl('https://example.com/a?b#c')).toBe('https://example.com/a?b#c');
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'ms-settings:', 'https://user:pw@example.com/', `https://example.com/${'a'.repeat(3000)}`, 'https://']) {
      expect(checkExternalUrl(url), url).toBeNull();
    }
  });

  it('maps app URLs to renderer-relative paths, or nothing', () => {
    expect(appUrlToRelativePath('app://porthole/')).toBe('index.html');
    expect(appUrlToRelativePath('app://porthole/assets/x.js?v=1#y')).toBe('assets/x.js');
    expect(appUrlToRelativePath('app://porthole/a%20b.css')).toBeNull();
    expect(appUrlToRelativePath('app://porthole/%2e%2e/x.js')).toBeNull();
  });
});
