// Browser mode as a daily user meets it, in Chromium (issue 14 item 5): the page keeps working across
// reloads and new tabs of the same browser; says in words when Porthole stopped and keeps saying it
// while consoles fall to "Disconnected"; comes back by itself when Porthole restarts on its --port;
// asks before leaving while consoles are open; and explains how to sign in when it cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from '../fixtures/browser.js';
import { freePort } from '../fixtures/ports.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
});

async function signedInPage(server: PortholeServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(await server.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function openDemo(page: Page): Promise<void> {
  const tabs = page.getByRole('tab');
  const before = await tabs.count();
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await expect.poll(() => tabs.count()).toBe(before + 1);
  await expect.poll(() => page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
}

function banner(page: Page) {
  return page.locator('.link-banner');
}

describe('browser mode in Chromium', () => {
  let server: PortholeServer;
  beforeAll(async () => {
    server = await startPorthole();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps working across a reload and a new tab of the same browser, with no launch link', async () => {
    const page = await signedInPage(server);
    expect(page.url()).toBe(`${server.origin}/`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const tab = await page.context().newPage();
    await tab.goto(`${server.origin}/`);
    await tab.waitForSelector('body[data-ready="true"]');
    await openDemo(tab);
  });

  it('shows a styled page that says what to do to a browser that was never let in', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.goto(`${server.origin}/`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('This browser is not signed in to Porthole');
    expect(await page.locator('main').innerText()).toContain('Press Enter there');
    // Styled (its sheet is allowed by hash under the page's CSP), not a plain-text 403.
    expect(await page.evaluate('getComputedStyle(document.querySelector("main")).borderTopStyle')).toBe('solid');
    await saveScreenshot(page, 'browser-mode-not-signed-in');
  });

  it('explains how to sign in when the page holds no key for Porthole', async () => {
    const page = await signedInPage(server);
    await page.evaluate('localStorage.clear()');
    await page.reload();
    await page.waitForSelector('body[data-ready="signin"]');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This browser is not signed in to Porthole');
    await saveScreenshot(page, 'browser-mode-signin-in-page');
  });

  it('asks before leaving the page while a console is open, and not otherwise', async () => {
    const page = await signedInPage(server);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual([]);

    const busy = await signedInPage(server);
    busy.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await openDemo(busy);
    await busy.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    // Dismissed: the page and its console are still there.
    expect(busy.isClosed()).toBe(false);
    expect(await busy.getByRole('tab').count()).toBe(1);
  });
});

describe('Porthole stopping and coming back on its --port', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-restart-'));
  let server: PortholeServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says it stopped (and keeps saying so while the console drops), then reconnects without a new launch link', async () => {
    const port = await freePort();
    server = await startPorthole({ dataDir, args: ['--port', String(port)] });
    const page = await signedInPage(server);
    await openDemo(page);

    await server.stop();
    await expect.poll(() => banner(page).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await banner(page).getAttribute('role')).toBe('alert');
    expect(await banner(page).textContent()).toContain('Porthole has stopped.');
    // The console falls to disconnected; the words about Porthole stay (they were cleared at once before).
    await expect.poll(() => page.locator('[role="tabpanel"]').first().getAttribute('data-state'), { timeout: 15_000 }).not.toBe('connected');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await banner(page).isVisible()).toBe(true);
    expect(await banner(page).textContent()).toContain('Porthole has stopped.');
    await saveScreenshot(page, 'browser-mode-stopped');

    // Back on the same port (the same origin): the browser's key is still good, no launch link needed.
    // The new run has a new console proxy, so the page reloads itself once and says what happened.
    server = await startPorthole({ dataDir, args: ['--port', String(port)] });
    await expect.poll(() => banner(page).textContent().catch(() => ''), { timeout: 20_000 }).toContain('Porthole is running again.');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await banner(page).getAttribute('role')).toBe('status');
    await saveScreenshot(page, 'browser-mode-back');
    await openDemo(page);
  }, 90_000);

  it('sends a browser it no longer knows to the sign-in explanation', async () => {
    const port = server!.port;
    const page = await signedInPage(server!);
    await server!.stop();
    await expect.poll(() => banner(page).isVisible(), { timeout: 10_000 }).toBe(true);
    // A restart that forgot the browsers it let in (its record removed).
    rmSync(path.join(dataDir, `browser-mode-${port}.json`), { force: true });
    server = await startPorthole({ dataDir, args: ['--port', String(port)] });
    await page.waitForSelector('body[data-ready="signin"]', { timeout: 20_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This browser is not signed in to Porthole');
  }, 60_000);
});
