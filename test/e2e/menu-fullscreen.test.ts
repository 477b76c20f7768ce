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

/** Runs in the page before its scripts: window.porthole as the Electron preload would expose it. */
function installBridge(wsUrl: string): void {
  const listeners = new Map<string, Array<(payload: unknown) => void>>();
  const state = { fullscreen: false, fullscreenCalls: 0 };
  const results: Record<string, () => unknown> = {
    'app.info': () => ({ name: 'Porthole', version: 'test', shell: 'electron' }),
    'profiles.list': () => ({ profiles: [] }),
    'clouds.list': () => ({ accounts: [] }),
    'link.pending': () => ({ requests: [] }),
    'session.list': () => ({ sessions: [] }),
    'session.open': () => ({ sessionId: 'menu-session', wsUrl, title: 'Menu VM', displayAddress: '127.0.0.1', warnings: [] }),
    'window.fullscreen': () => {
      state.fullscreenCalls += 1;
      state.fullscreen = !state.fullscreen;
      return { fullscreen: state.fullscreen };
    },
  };
  const bridge = new Proxy(
    {},
    {
      get: (_t, name: string) => {
        if (name === 'on') {
          return (event: string, listener: (payload: unknown) => void) => {
            listeners.set(event, [...(listeners.get(event) ?? []), listener]);
            return () => undefined;
          };
        }
        return async () => ({ ok: true, value: results[name]?.() ?? {} });
      },
    },
  );
  const w = window as unknown as Record<string, unknown>;
  w.porthole = bridge;
  w.fakeMain = { state, emit: (event: string, payload: unknown) => (listeners.get(event) ?? []).forEach((l) => l(payload)) };
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startPorthole();
  // bypassCSP: the stand-in's console address is the shared websockify's port, not Porthole's own.
  page = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1000, height: 700 } })).newPage();
  await page.addInitScript(installBridge, `ws://127.0.0.1:${peers.websockify.port}/?token=${peers.websockify.token}`);
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
      page.evaluate(() => {
        const r = document.getElementById('console-url')!.getBoundingClientRect();
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return document.getElementById('console-area')!.contains(top);
      });
    const consoleOnly = (): Promise<boolean> => page.evaluate(() => document.body.classList.contains('console-only'));
    expect(await consoleOnly()).toBe(false);

    await page.evaluate(() => (window as unknown as { fakeMain: { emit(e: string, p: unknown): void } }).fakeMain.emit('menu.action', { action: 'fullscreen' }));
    await expect.poll(consoleOnly).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { fakeMain: { state: { fullscreenCalls: number } } }).fakeMain.state.fullscreenCalls)).toBe(1);
    // Only the console shows: it fills the window and covers the top bar and the tabs.
    expect(await page.locator('#console-area').boundingBox()).toEqual({ x: 0, y: 0, width: 1000, height: 700 });
    expect(await urlFieldCovered()).toBe(true);
    await saveScreenshot(page, 'menu-fullscreen-console-only');

    await page.evaluate(() => (window as unknown as { fakeMain: { emit(e: string, p: unknown): void } }).fakeMain.emit('menu.action', { action: 'fullscreen' }));
    await expect.poll(consoleOnly).toBe(false);
    expect(await urlFieldCovered()).toBe(false);
  });
});
