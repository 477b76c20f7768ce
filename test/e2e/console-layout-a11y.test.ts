// The console first, end to end in Chromium against the run's shared Xvnc: the layout at 800×600
// and at 200% zoom, fullscreen that shows only the console, failed tabs that are reused and say
// what helps, trusting an untrusted certificate right where quick connect failed, and an axe-core
// check of every screen and dialog. Screenshots of each state go to test-artifacts/layout-*.png.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../fixtures/a11y.js';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';

const ROOT_RGB = [0x1e, 0x90, 0xff] as const; // the shared Xvnc's root colour
const peers = sharedPeers();
const goodUrl = `ws://127.0.0.1:${peers.websockify.port}/?token=${peers.websockify.token}`;

let porthole: PortholeServer;
let browser: Browser;
let untrusted: Websockify;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [porthole, browser, untrusted] = await Promise.all([
    startPorthole(),
    launchChromium(),
    // A server whose certificate no CA here vouches for (the test CA is not given to Porthole).
    startWebsockify({ tokens: { [peers.websockify.token]: `127.0.0.1:${peers.xvnc.rfbPort}` }, tls: { certPath: peers.pki.otherServer.certPath, keyPath: peers.pki.otherServer.keyPath }, sslOnly: true }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await porthole?.stop();
  await untrusted?.stop();
});

// One browser context for the file: browser mode lets in the browser its launch link was opened
// in, so every page here comes from that context (zoom is set per page through the DevTools protocol).
let context: BrowserContext | undefined;

async function openPorthole(viewport = { width: 1100, height: 800 }, deviceScaleFactor = 1): Promise<Page> {
  let first = false;
  if (!context) {
    context = await browser.newContext({ bypassCSP: true });
    contexts.push(context);
    first = true;
  }
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  if (deviceScaleFactor !== 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor, mobile: false });
  }
  await page.goto(first ? porthole.launchUrl : porthole.origin + '/');
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

function activePanelState(page: Page): Promise<string | null> {
  return page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-state');
}

async function quickConnect(page: Page, url: string): Promise<void> {
  await page.getByLabel('Console URL').fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

async function connectGood(page: Page): Promise<void> {
  await quickConnect(page, goodUrl);
  await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
  await waitForConsoleColour(page, ROOT_RGB);
}

function toolbar(page: Page) {
  return page.getByRole('toolbar', { name: 'Console controls' });
}

/** Page geometry: sideways overflow, and the console screen's box. */
async function geometry(page: Page): Promise<{ scrollWidth: number; clientWidth: number; screen: { x: number; y: number; width: number; height: number }; vw: number; vh: number }> {
  return (await page.evaluate(`(() => {
    const r = document.getElementById('screen').getBoundingClientRect();
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
      screen: { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) },
      vw: window.innerWidth, vh: window.innerHeight };
  })()`)) as never;
}

async function expectNoSeriousA11y(page: Page, where: string): Promise<void> {
  const found = await seriousA11yViolations(page);
  expect(found, `${where}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
}

describe('the console first: layout, fullscreen, tabs, trust and accessibility', () => {
  it('fits 800×600 and 200% zoom with no sideways scrolling; the sidebar folds away (remembered) and is a drawer at 200% zoom, where a failed tab and its banner fit', { timeout: 60_000 }, async () => {
    const page = await openPorthole({ width: 800, height: 600 });
    await connectGood(page);
    let g = await geometry(page);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.clientWidth);
    // Beside the sidebar the console area is narrow: the rarer toolbar buttons are in More, and the
    // toolbar takes two rows of buttons at most.
    const toolbar800 = page.getByRole('toolbar', { name: 'Console controls' });
    const row800 = (await toolbar800.getByRole('button', { name: 'Disconnect' }).boundingBox())!.height;
    expect(await toolbar800.locator('[data-action="screenshot"]').isVisible()).toBe(false);
    expect(await toolbar800.getByRole('button', { name: 'More console controls' }).isVisible()).toBe(true);
    expect((await toolbar800.boundingBox())!.height).toBeLessThan(3 * row800);
    await saveScreenshot(page, 'layout-800x600');
    // Fold the sidebar: the console gets the width, and a reload remembers it.
    const toggle = page.getByRole('button', { name: 'Profiles', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const before = g.screen.width;
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(async () => (await geometry(page)).screen.width).toBeGreaterThan(before);
    g = await geometry(page);
    expect(g.screen.width).toBeGreaterThanOrEqual(g.vw - 2);
    expect(g.screen.height / g.vh).toBeGreaterThan(0.6);
    expect((await toolbar800.boundingBox())!.height).toBeLessThan(3 * row800);
    await saveScreenshot(page, 'layout-800x600-sidebar-folded');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getByRole('button', { name: 'Profiles', exact: true }).getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('#profiles').isVisible()).toBe(false);
    // Unfolded again: the remembered choice for wide windows is now "open".
    await page.getByRole('button', { name: 'Profiles', exact: true }).click();
    expect(await page.locator('#profiles').isVisible()).toBe(true);

    // 200% zoom of a 1280×800 window: a 640×400 CSS viewport at two device pixels per CSS pixel.
    // That narrow, the sidebar starts folded (a drawer) whatever was chosen for wide windows.
    const zoomed = await openPorthole({ width: 640, height: 400 }, 2);
    const zoomedToggle = zoomed.getByRole('button', { name: 'Profiles', exact: true });
    expect(await zoomedToggle.getAttribute('aria-expanded')).toBe('false');
    expect(await zoomed.locator('#profiles').isVisible()).toBe(false);
    // The URL field keeps its name, and a visible label ("URL") beside it.
    expect(await zoomed.getByRole('textbox', { name: 'Console URL', exact: true }).count()).toBe(1);
    expect(await zoomed.locator('label[for="console-url"]').isVisible()).toBe(true);
    expect((await zoomed.locator('label[for="console-url"] .label-wide').boundingBox())?.width).toBeLessThanOrEqual(1); // "Console " is for screen readers only
    await saveScreenshot(zoomed, 'layout-zoom-200-empty');
    await connectGood(zoomed);
    g = await geometry(zoomed);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.clientWidth);
    expect(g.screen.width / g.vw).toBeGreaterThanOrEqual(0.7);
    expect(g.screen.height / g.vh).toBeGreaterThan(0.5);
    await saveScreenshot(zoomed, 'layout-zoom-200');
    const consoleBox = g.screen;

    // The console toolbar keeps to one row: Clipboard, Screenshot, View only and Options fold into More,
    // which the keyboard reaches and works (View only is an on/off item there).
    const toolbar = zoomed.getByRole('toolbar', { name: 'Console controls' });
    const rowHeight = (await toolbar.getByRole('button', { name: 'Disconnect' }).boundingBox())!.height;
    expect((await toolbar.boundingBox())!.height).toBeLessThan(2 * rowHeight);
    expect(await toolbar.getByRole('button', { name: 'Send Ctrl+Alt+Del' }).textContent()).toBe('Send Ctrl+Alt+Del');
    for (const action of ['clipboard', 'screenshot', 'view-only', 'options']) {
      expect(await toolbar.locator(`[data-action="${action}"]`).count()).toBe(1);
      expect(await toolbar.locator(`[data-action="${action}"]`).isVisible()).toBe(false);
    }
    const more = toolbar.getByRole('button', { name: 'More console controls' });
    await more.focus();
    await zoomed.keyboard.press('ArrowDown');
    const moreMenu = zoomed.getByRole('menu', { name: 'More console controls' });
    expect(await moreMenu.getByRole('menuitem').allTextContents()).toEqual(['Clipboard', 'Screenshot', 'Options']);
    const viewOnly = moreMenu.getByRole('menuitemcheckbox', { name: 'View only' });
    expect(await viewOnly.getAttribute('aria-checked')).toBe('false');
    await expectNoSeriousA11y(zoomed, 'console toolbar More menu at 200% zoom');
    await viewOnly.focus();
    await zoomed.keyboard.press('Enter');
    const viewOnlyButton = toolbar.locator('[data-action="view-only"]');
    await expect.poll(() => viewOnlyButton.getAttribute('aria-pressed')).toBe('true');
    await more.click();
    await zoomed.getByRole('menu', { name: 'More console controls' }).getByRole('menuitemcheckbox', { name: 'View only' }).click();
    await expect.poll(() => viewOnlyButton.getAttribute('aria-pressed')).toBe('false');

    // The Profiles button opens the drawer over the console (which keeps its size) with the keyboard in it;
    // Escape closes it and gives the keyboard back to the button.
    await zoomedToggle.click();
    expect(await zoomedToggle.getAttribute('aria-expanded')).toBe('true');
    expect(await zoomed.locator('#profiles').isVisible()).toBe(true);
    expect(await zoomed.evaluate('!!document.activeElement.closest("#profiles")')).toBe(true);
    g = await geometry(zoomed);
    expect([g.screen.x, g.screen.width]).toEqual([consoleBox.x, consoleBox.width]);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.clientWidth);
    await saveScreenshot(zoomed, 'layout-zoom-200-drawer');
    await expectNoSeriousA11y(zoomed, 'profiles drawer at 200% zoom');
    await zoomed.keyboard.press('Escape');
    expect(await zoomedToggle.getAttribute('aria-expanded')).toBe('false');
    expect(await zoomed.locator('#profiles').isVisible()).toBe(false);
    expect(await zoomed.evaluate('document.activeElement.id')).toBe('toggle-profiles');
    // The keyboard going to what it covers (here the console's tab) closes it, and so does a click on the console.
    await zoomedToggle.click();
    expect(await zoomed.locator('#profiles').isVisible()).toBe(true);
    await zoomed.getByRole('tab').first().focus();
    expect(await zoomed.locator('#profiles').isVisible()).toBe(false);
    await zoomedToggle.click();
    await zoomed.mouse.click(consoleBox.x + consoleBox.width - 20, consoleBox.y + consoleBox.height / 2);
    expect(await zoomed.locator('#profiles').isVisible()).toBe(false);
    // Opening and closing the drawer did not change the choice for wide windows.
    await zoomed.setViewportSize({ width: 1100, height: 800 });
    await expect.poll(() => zoomedToggle.getAttribute('aria-expanded')).toBe('true');
    expect(await zoomed.locator('#profiles').isVisible()).toBe(true);
    await zoomed.setViewportSize({ width: 640, height: 400 });
    await expect.poll(() => zoomedToggle.getAttribute('aria-expanded')).toBe('false');

    // A failed console beside it: its tab's label is whole (not cut by "Close all failed"), and the
    // banner's buttons are on screen without scrolling (the alert above keeps to one line).
    await quickConnect(zoomed, `ws://127.0.0.1:${peers.websockify.port}/?token=not-a-token`);
    await expect.poll(() => activePanelState(zoomed), { timeout: 15_000 }).toBe('disconnected');
    await expect.poll(() => zoomed.getByRole('button', { name: 'Close all failed' }).isVisible()).toBe(true);
    await saveScreenshot(zoomed, 'layout-zoom-200-failed');
    const clipping = (await zoomed.evaluate(`(() => {
      const box = (e) => e.getBoundingClientRect();
      const tab = document.querySelector('[role="tab"][aria-selected="true"]');
      const title = tab.querySelector('.tab-title');
      const t = box(tab), list = box(tab.closest('[role="tablist"]')), close = box(document.querySelector('.close-failed'));
      const problems = [];
      if (title.scrollWidth > title.clientWidth) problems.push('title cut: ' + title.textContent);
      if (t.left < list.left - 0.5 || t.right > list.right + 0.5) problems.push('tab outside the visible tab list');
      if (t.right > close.left && t.left < close.right) problems.push('tab under Close all failed');
      const banner = document.querySelector('[role="tabpanel"]:not([hidden]) .console-banner');
      const b = box(banner);
      for (const button of banner.querySelectorAll('button')) {
        const r = box(button);
        if (r.top < 0 || r.bottom > window.innerHeight || r.bottom > b.bottom || r.right > window.innerWidth) problems.push('off screen: ' + button.textContent);
      }
      if (banner.querySelectorAll('button').length === 0) problems.push('no banner buttons');
      if (document.scrollingElement.scrollTop !== 0) problems.push('page scrolled');
      return problems;
    })()`)) as string[];
    expect(clipping).toEqual([]);
    g = await geometry(zoomed);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.clientWidth);
    await expectNoSeriousA11y(zoomed, 'failed tab at 200% zoom');
    // Even 800×600 at 200% (400×300 CSS pixels) does not scroll sideways.
    await zoomed.setViewportSize({ width: 400, height: 300 });
    g = await geometry(zoomed);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.clientWidth);
    await saveScreenshot(zoomed, 'layout-400x300');
  });

  it('fullscreen shows only the console; the toolbar comes down at the top edge or with the host key', { timeout: 60_000 }, async () => {
    const page = await openPorthole();
    await connectGood(page);
    const fullscreen = toolbar(page).getByRole('button', { name: 'Fullscreen', exact: true });
    await fullscreen.click();
    await expect.poll(() => page.evaluate('document.fullscreenElement && document.fullscreenElement.id')).toBe('console-area');
    await expect.poll(async () => (await geometry(page)).screen).toEqual({ x: 0, y: 0, width: 1100, height: 800 });
    expect(await page.getByRole('tablist').isVisible()).toBe(false);
    await expect.poll(() => toolbar(page).isVisible()).toBe(false);
    // The keyboard went back to the console.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('CANVAS');
    await saveScreenshot(page, 'layout-fullscreen');
    // Host key: the keyboard leaves the console and the toolbar comes down with it.
    await page.keyboard.press('ControlRight');
    await expect.poll(() => toolbar(page).isVisible()).toBe(true);
    expect(await page.evaluate('!!document.activeElement.closest("[role=toolbar]")')).toBe(true);
    await expect.poll(async () => (await toolbar(page).boundingBox())?.y).toBe(0); // slid all the way down
    await saveScreenshot(page, 'layout-fullscreen-toolbar');
    await page.keyboard.press('ControlRight'); // and back into the console: the toolbar goes up
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('CANVAS');
    await expect.poll(() => toolbar(page).isVisible()).toBe(false);
    // The pointer at the top edge brings it down too.
    await page.mouse.move(500, 300);
    await page.mouse.move(500, 2);
    await expect.poll(() => toolbar(page).isVisible()).toBe(true);
    await fullscreen.click();
    await expect.poll(() => page.evaluate('document.fullscreenElement')).toBe(null);
    await expect.poll(() => page.getByRole('tablist').isVisible()).toBe(true);
    await expect.poll(() => toolbar(page).isVisible()).toBe(true);
  });

  it('re-opening a failed target reuses its tab, which says why and offers what helps; Close all failed', { timeout: 60_000 }, async () => {
    const page = await openPorthole();
    const revoked = `ws://127.0.0.1:${peers.websockify.port}/?token=not-a-token`;
    await quickConnect(page, revoked);
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('disconnected');
    const tabs = page.getByRole('tab');
    expect(await tabs.count()).toBe(1);
    // Named by title and host:port; the failure is the tab's description and the banner offers the one fix.
    expect(await tabs.first().textContent()).toContain(`127.0.0.1:${peers.websockify.port}`);
    await expect.poll(() => page.locator('.console-banner').textContent()).toContain('token was rejected or has expired');
    expect(await page.locator('.console-banner').getByRole('button', { name: 'Paste a new console URL' }).count()).toBe(1);
    // Said once on screen, on the console; the alert keeps it for screen readers and the status line only names the console.
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('token was rejected or has expired');
    const alertBox = await alert.boundingBox();
    expect(alertBox !== null && alertBox.width <= 1 && alertBox.height <= 1).toBe(true);
    expect(await page.getByRole('status').textContent()).toMatch(/^Disconnected from “.+”\.$/);
    await saveScreenshot(page, 'layout-failed-tab');
    await quickConnect(page, revoked);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Disconnected');
    expect(await tabs.count()).toBe(1);
    // A working console beside it, then Close all failed leaves only that one.
    await connectGood(page);
    expect(await tabs.count()).toBe(2);
    await quickConnect(page, revoked);
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('disconnected');
    expect(await tabs.count()).toBe(2);
    await expectNoSeriousA11y(page, 'failed tab');
    await page.getByRole('button', { name: 'Close all failed' }).click();
    expect(await tabs.count()).toBe(1);
    await expect.poll(() => activePanelState(page)).toBe('connected');
    expect(await page.getByRole('button', { name: 'Close all failed' }).isVisible()).toBe(false);
  });

  it('an untrusted certificate in quick connect is shown in place; “Trust for this console” connects, and so does “Save as profile and trust”', { timeout: 60_000 }, async () => {
    const page = await openPorthole();
    const url = `wss://127.0.0.1:${untrusted.port}/?token=${peers.websockify.token}`;
    await quickConnect(page, url);
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('disconnected');
    const banner = page.locator('.console-banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('SHA-256');
    const cert = banner.getByRole('region', { name: 'The server’s certificate' });
    expect(await cert.textContent()).toMatch(/Issued to/);
    await saveScreenshot(page, 'layout-certificate-in-place');
    await expectNoSeriousA11y(page, 'certificate in place');
    await banner.getByRole('button', { name: 'Trust for this console' }).click();
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
    await waitForConsoleColour(page, ROOT_RGB);
    expect(await page.getByRole('tab').count()).toBe(1);
    // Only for this console: a fresh quick connect to the same server is refused again.
    await page.getByRole('tab').first().press('Delete');
    await quickConnect(page, url);
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('disconnected');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('SHA-256');
    await banner.getByRole('button', { name: 'Save as profile and trust' }).click();
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
    await waitForConsoleColour(page, ROOT_RGB);
    await expect.poll(() => page.locator('#profiles').textContent()).toContain('127.0.0.1');
    expect(await page.getByRole('tab').count()).toBe(1);
    // The token is nowhere in the page.
    expect(await page.content()).not.toContain(peers.websockify.token);
  });

  it('has no serious or critical axe findings on any screen, menu or dialog', { timeout: 120_000 }, async () => {
    const page = await openPorthole();
    await expectNoSeriousA11y(page, 'empty');
    await connectGood(page);
    await expectNoSeriousA11y(page, 'connected');
    for (const name of ['Send keys', 'Scaling']) {
      await toolbar(page).getByRole('button', { name, exact: true }).click();
      const menu = page.getByRole('menu', { name });
      await expect.poll(() => menu.isVisible()).toBe(true);
      // Menu items are named by words only (the radio mark is not part of the name).
      for (const item of await menu.locator('[role^="menuitem"]').all()) expect(await item.evaluate('(e) => e.textContent')).not.toBe('');
      if (name === 'Scaling') expect(await menu.getByRole('menuitemradio', { name: 'Fit to window', exact: true }).count()).toBe(1);
      await saveScreenshot(page, `layout-menu-${name.toLowerCase().replace(/ /g, '-')}`);
      await expectNoSeriousA11y(page, `${name} menu`);
      await page.keyboard.press('Escape');
    }
    for (const [button, dialogName] of [['Type text', 'Type text'], ['Clipboard', 'Clipboard'], ['Options', 'Console options']] as const) {
      await toolbar(page).getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: dialogName });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await saveScreenshot(page, `layout-dialog-${button.toLowerCase().replace(/ /g, '-')}`);
      await expectNoSeriousA11y(page, `${dialogName} dialog`);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.isVisible()).toBe(false);
    }
    await toolbar(page).getByRole('button', { name: 'Send keys', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Custom combination…' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Send a key combination' }).isVisible()).toBe(true);
    await expectNoSeriousA11y(page, 'key combination dialog');
    await page.keyboard.press('Escape');
    // Quick connect's Test connection and Save as profile dialogs.
    await page.getByLabel('Console URL').fill(goodUrl);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('dialog[open]').count(), { timeout: 15_000 }).toBe(1);
    await expectNoSeriousA11y(page, 'test connection dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save as profile' }).click();
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(1);
    await saveScreenshot(page, 'layout-dialog-save-as-profile');
    await expectNoSeriousA11y(page, 'profile editor');
    await page.keyboard.press('Escape');
    // Fullscreen with the toolbar down.
    await toolbar(page).getByRole('button', { name: 'Fullscreen', exact: true }).click();
    await expect.poll(() => page.evaluate('!!document.fullscreenElement')).toBe(true);
    await page.keyboard.press('ControlRight');
    await expect.poll(() => toolbar(page).isVisible()).toBe(true);
    await expectNoSeriousA11y(page, 'fullscreen');
  });
});
