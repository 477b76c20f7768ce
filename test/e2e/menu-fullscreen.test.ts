// The desktop app's Console ▸ Fullscreen menu item, as the page sees it: main sends 'menu.action'
// { action: 'fullscreen' } and the page answers with the 'window.fullscreen' call (main toggles the
// window; test/unit/electron-shell.test.ts covers that side with Electron fakes), then shows only the
// console, as the toolbar button does. The Electron binary is not available here, so the page runs in
// Chromium with a stand-in for the preload bridge: it answers the few calls the page makes and opens
// the console against the real websockify and Xvnc shared by the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';

const peers = sharedPeers();
const ROOT_RGB = [0x1e, 0x90, 0xff] as const; // the shared Xvnc's root colour

let browser: Browser;
let server: PortholeServer;
let page: Page;

/**
 * Runs in the page before its scripts (a string: this file is type-checked without the DOM):
 * window.porthole as the Electron preload would expose it; window.fakeMain.emit sends an event.
 */
const installBridge = (wsUrl: string): string => `(() => {
  const listeners = new Map();
  const state = { fullscreen: false, fullscreenCalls: 0 };
  const results = {
    'app.info': () => ({ name: 'Porthole', version: 'test', shell: 'electron' }),
    'profiles.list': () => ({ profiles: [] }),
    'clouds.list': () => ({ accounts: [] }),
    'link.pending': () => ({ requests: [] }),
    'session.list': () => ({ sessions: [] }),
    'session.open': () => ({ sessionId: 'menu-session', wsUrl: ${JSON.stringify(wsUrl)}, title: 'Menu VM', displayAddress: '127.0.0.1', warnings: [] }),
    'window.fullscreen': () => {
      state.fullscreenCalls += 1;
      state.fullscreen = !state.fullscreen;
      return { fullscreen: state.fullscreen };
    },
  };
  window.porthole = new Proxy({}, {
    get: (_t, name) => {
      if (name === 'on') return (event, listener) => { listeners.set(event, [...(listeners.get(event) || []), listener]); return () => undefined; };
      return async () => ({ ok: true, value: results[name] ? results[name]() : {} });
    },
  });
  window.fakeMain = { state, emit: (event, payload) => (listeners.get(event) || []).forEach((l) => l(payload)) };
})();`;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startPorthole();
  // bypassCSP: the stand-in's console address is the shared websockify's port, not Porthole's own.
  page = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1000, height: 700 } })).newPage();
  await page.addInitScript(installBridge(`ws://127.0.0.1:${peers.websockify.port}/?token=${peers.websockify.token}`));
  // The launch URL signs this browser in, so the built page is served; the stand-in bridge then carries every call.
  await page.goto(await server.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
}, 60_000);

afterAll(async () => {
  await page?.context().close();
  await server?.stop();
  await browser?.close();
});

describe('fullscreen from the desktop menu', { timeout: 60_000 }, () => {
  it('switches the page into console-only fullscreen and back, through window.fullscreen', async () => {
    await page.getByRole('button', { name: 'Demo' }).click();
    await waitForConsoleColour(page, ROOT_RGB);
    // Whether what is drawn where the URL field sits belongs to the console area.
    const urlFieldCovered = (): Promise<boolean> =>
      page.evaluate(`(() => {
        const r = document.getElementById('console-url').getBoundingClientRect();
        return document.getElementById('console-area').contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      })()`);
    const consoleOnly = (): Promise<boolean> => page.evaluate(`document.body.classList.contains('console-only')`);
    const menuFullscreen = (): Promise<void> => page.evaluate(`window.fakeMain.emit('menu.action', { action: 'fullscreen' })`);
    expect(await consoleOnly()).toBe(false);

    await menuFullscreen();
    await expect.poll(consoleOnly).toBe(true);
    expect(await page.evaluate('window.fakeMain.state.fullscreenCalls')).toBe(1);
    // Only the console shows: it fills the window and covers the top bar and the tabs.
    expect(await page.locator('#console-area').boundingBox()).toEqual({ x: 0, y: 0, width: 1000, height: 700 });
    expect(await urlFieldCovered()).toBe(true);
    await saveScreenshot(page, 'menu-fullscreen-console-only');

    await menuFullscreen();
    await expect.poll(consoleOnly).toBe(false);
    expect(await urlFieldCovered()).toBe(false);
  });
});
