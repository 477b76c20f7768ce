// What a hostile console server writes reaches the UI only cleaned, cut and quoted (issue 12,
// item 6): browser mode in Chromium, quick connect to RFB servers whose desktop name or refusal
// reason is 64 KiB of line breaks, ANSI escapes, an OSC title change and bidi overrides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { startHostileRfb, type HostileServer } from '../fixtures/hostile/upstreams.js';

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let porthole: PortholeServer;
let browser: Browser;
let named: HostileServer;
let refusing: HostileServer;

beforeAll(async () => {
  [porthole, browser, named, refusing] = await Promise.all([startPorthole(), launchChromium(), startHostileRfb('desktop-name'), startHostileRfb('failure-reason')]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await porthole?.stop();
  await Promise.all([named?.stop(), refusing?.stop()]);
});

async function connectTo(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(await porthole.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByLabel('Console URL').fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  return page;
}

/** Everything the page shows as text, and the window title. */
async function visibleText(page: Page): Promise<string> {
  return `${await page.title()}\n${await page.locator('body').innerText()}`;
}

describe('server text in the UI', () => {
  it('a 64 KiB desktop name becomes a short, clean tab title and is quoted in the status', async () => {
    const page = await connectTo(`vnc://127.0.0.1:${named.port}`);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Connected to “SERVER-SAYS Access denied RED');
    const title = (await page.getByRole('tab').first().textContent()) ?? '';
    expect(title).toContain('SERVER-SAYS Access denied RED');
    expect(title).not.toMatch(UNSAFE);
    expect(title.length).toBeLessThan(260);
    const text = await visibleText(page);
    expect(text).not.toContain('pwned');
    expect(text).not.toContain('[31m');
    expect(text).not.toMatch(UNSAFE);
    await saveScreenshot(page, 'hostile-desktop-name');
    await page.close();
  });

  it('a 64 KiB refusal reason is shown once, quoted, cut to about 200 characters', async () => {
    const page = await connectTo(`vnc://127.0.0.1:${refusing.port}`);
    await expect.poll(() => visibleText(page), { timeout: 15_000 }).toContain('“SERVER-SAYS Access denied RED');
    const text = await visibleText(page);
    expect(text).not.toContain('pwned');
    expect(text).not.toContain('[31m');
    expect(text).not.toMatch(UNSAFE);
    // Cut: the reason repeats its 80-character piece ~800 times; only a couple may show, once on screen
    // (the console's banner) and once in the alert that only screen readers get.
    const pieces = (s: string): number => s.split('paste this into a terminal').length - 1;
    const forScreenReaders = (await page.getByRole('alert').textContent()) ?? '';
    expect(pieces(forScreenReaders)).toBeGreaterThan(0);
    expect(pieces(forScreenReaders)).toBeLessThanOrEqual(3);
    expect(pieces(text) - pieces(forScreenReaders)).toBeLessThanOrEqual(3);
    await saveScreenshot(page, 'hostile-refusal-reason');
    await page.close();
  });
});
