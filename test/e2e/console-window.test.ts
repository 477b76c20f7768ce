// The console window, end to end in Chromium (browser mode) against a real Xvnc behind Debian's
// websockify: tabs, scaling, Type text into an xterm, the clipboard both ways, special keys seen by
// xev, screenshots, and reconnecting after an upstream restart (but never after a revoked token).
// Screenshots of each UI state go to test-artifacts/console-*.png.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import type { ManagedProcess } from '../fixtures/processes.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import { runOnDisplay, startXvnc, type Xvnc } from '../fixtures/xvnc.js';

const ROOT = '#2e8b57';
const ROOT_RGB = [0x2e, 0x8b, 0x57] as const;
const WIDTH = 640;
const HEIGHT = 480;
const token = `tok-${Math.random().toString(36).slice(2)}-console`;

let xvnc: Xvnc;
let upstream: Websockify;
let porthole: PortholeServer;
let browser: Browser;
let work: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'porthole-console-e2e-'));
  [xvnc, browser] = await Promise.all([startXvnc({ geometry: `${WIDTH}x${HEIGHT}`, rootColour: ROOT }), launchChromium()]);
  [upstream, porthole] = await Promise.all([startWebsockify({ tokens: { [token]: `127.0.0.1:${xvnc.rfbPort}` } }), startPorthole()]);
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await porthole?.stop();
  await upstream?.stop();
  await xvnc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function consoleUrl(port: number): string {
  return `http://127.0.0.1:${port}/vnc_auto.html?path=%3Ftoken%3D${token}`;
}

async function openPorthole(viewport = { width: 1100, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: porthole.origin });
  const page = await context.newPage();
  await page.goto(await porthole.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function startConnect(page: Page, port = upstream.port): Promise<void> {
  await page.getByLabel('Console URL').fill(consoleUrl(port));
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** Connects a new console and waits until its (new, selected) tab shows the remote screen. */
async function connect(page: Page, port = upstream.port): Promise<void> {
  const tabs = page.getByRole('tab');
  const before = await tabs.count();
  await startConnect(page, port);
  await expect.poll(() => tabs.count()).toBe(before + 1);
  await expect.poll(() => tabs.nth(before).getAttribute('aria-selected')).toBe('true');
  await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
  await waitForConsoleColour(page, ROOT_RGB);
}

function activePanelState(page: Page): Promise<string | null> {
  return page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-state');
}

/** CSS size of the active console's canvas, and whether its scroll box overflows. */
async function canvasBox(page: Page): Promise<{ width: number; height: number; scrollX: boolean; scrollY: boolean }> {
  return (await page.evaluate(`(() => {
    const canvas = document.querySelector('[aria-label="Console"] canvas');
    const box = canvas.getBoundingClientRect();
    const scroller = canvas.parentElement;
    return { width: Math.round(box.width), height: Math.round(box.height),
      scrollX: scroller.scrollWidth > scroller.clientWidth, scrollY: scroller.scrollHeight > scroller.clientHeight };
  })()`)) as { width: number; height: number; scrollX: boolean; scrollY: boolean };
}

function toolbar(page: Page) {
  return page.getByRole('toolbar', { name: 'Console controls' });
}

function readClipboard(selection: 'clipboard' | 'primary'): Promise<string> {
  return new Promise((resolve) => {
    execFile('/usr/bin/xclip', ['-o', '-selection', selection], { env: xvnc.env, timeout: 5000 }, (err, stdout) => resolve(err ? `<error: ${err.message}>` : stdout));
  });
}

function sessionsOpened(): number {
  return porthole.output().split('\n').filter((line) => line.includes('session opened')).length;
}

describe('the console window, end to end in Chromium against Xvnc', () => {
  it('opens a console in a tab with the full toolbar; fit scaling follows the window, actual size scrolls', async () => {
    const page = await openPorthole();
    await expect.poll(() => page.locator('[aria-label="Console"]').count()).toBe(1);
    await saveScreenshot(page, 'console-empty');
    await connect(page);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Connected to');
    expect(await page.getByRole('tab').count()).toBe(1);
    for (const name of ['Send Ctrl+Alt+Del', 'Send keys', 'Type text', 'Clipboard', 'Screenshot', 'Fullscreen', 'View only', 'Scaling', 'Disconnect']) {
      await expect.poll(() => toolbar(page).getByRole('button', { name, exact: true }).isEnabled(), { message: name }).toBe(true);
    }
    expect(await page.locator('[aria-label="Console"]').count()).toBe(1);
    await saveScreenshot(page, 'console-connected');

    // Fit (the default): the picture follows the window.
    const big = await canvasBox(page);
    expect(big.width).toBeGreaterThan(WIDTH);
    expect(big.width / big.height).toBeCloseTo(WIDTH / HEIGHT, 1);
    await page.setViewportSize({ width: 700, height: 560 });
    await expect.poll(async () => (await canvasBox(page)).width).toBeLessThan(big.width);
    const small = await canvasBox(page);
    expect(small.scrollX || small.scrollY).toBe(false);
    await saveScreenshot(page, 'console-fit');

    // Actual size: one remote pixel per CSS pixel, with scrollbars when the window is smaller.
    await toolbar(page).getByRole('button', { name: 'Scaling', exact: true }).click();
    await saveScreenshot(page, 'console-scaling-menu');
    await page.getByRole('menuitemradio', { name: 'Actual size (scroll)' }).click();
    await expect.poll(async () => (await canvasBox(page)).width).toBe(WIDTH);
    const actual = await canvasBox(page);
    expect(actual.height).toBe(HEIGHT);
    expect(actual.scrollX || actual.scrollY).toBe(true);
    await saveScreenshot(page, 'console-actual-size');

    // Fullscreen takes the console area (tabs, toolbar, screen) to the whole screen, and back.
    const fullscreen = toolbar(page).getByRole('button', { name: 'Fullscreen', exact: true });
    await fullscreen.click();
    await expect.poll(() => page.evaluate('document.fullscreenElement && document.fullscreenElement.id')).toBe('console-area');
    await expect.poll(() => fullscreen.getAttribute('aria-pressed')).toBe('true');
    await saveScreenshot(page, 'console-fullscreen');
    // Only the console shows; the toolbar comes down when the pointer reaches the top edge.
    await page.mouse.move(400, 300);
    await page.mouse.move(400, 2);
    await fullscreen.click();
    await expect.poll(() => page.evaluate('document.fullscreenElement')).toBe(null);
    await expect.poll(() => fullscreen.getAttribute('aria-pressed')).toBe('false');

    // View only is a toggle (on the toolbar in a wide window; narrower than 720 px it is in More).
    await page.setViewportSize({ width: 1100, height: 800 });
    const viewOnly = toolbar(page).getByRole('button', { name: 'View only', exact: true });
    await viewOnly.click();
    expect(await viewOnly.getAttribute('aria-pressed')).toBe('true');
    await viewOnly.click();
    expect(await viewOnly.getAttribute('aria-pressed')).toBe('false');

    // Disconnect keeps the tab, with no automatic reconnect; Reconnect brings it back.
    await toolbar(page).getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect.poll(() => activePanelState(page)).toBe('disconnected');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Disconnected.');
    await saveScreenshot(page, 'console-disconnected');
    await page.getByRole('button', { name: 'Reconnect', exact: true }).click();
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
    await waitForConsoleColour(page, ROOT_RGB);
  });

  it('types letters, digits, shifted punctuation and a newline into an xterm with “Type text”', async () => {
    const file = path.join(work, 'typed.txt');
    const text = 'Porthole typed: Hello, World! 0123456789 ~!@#$%^&*()_+{}|:"<>? `-=[]\\;\',./ OK\n';
    const xterm = runOnDisplay(xvnc, '/usr/bin/xterm', ['-geometry', '120x50+0+0', '-bg', 'white', '-fg', 'black', '-e', '/bin/sh', '-c', `cat > '${file}'`], { name: 'xterm' });
    try {
      const page = await openPorthole();
      await startConnect(page);
      await waitForConsoleColour(page, [255, 255, 255], { x: 320, y: 300, timeoutMs: 15_000 });
      // No window manager: the keyboard goes to the window under the pointer. Put it on the xterm.
      const canvas = page.locator('[aria-label="Console"] canvas');
      await canvas.hover({ position: { x: 200, y: 200 } });

      await toolbar(page).getByRole('button', { name: 'Type text', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Type text' });
      await dialog.getByLabel('Text to type').fill(text);
      await saveScreenshot(page, 'console-type-text-dialog');
      await dialog.getByRole('button', { name: 'Type', exact: true }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toContain(`Typed ${text.length} characters`);
      await expect.poll(() => { try { return readFileSync(file, 'utf8'); } catch { return ''; } }, { timeout: 10_000 }).toBe(text);
      await saveScreenshot(page, 'console-typed-into-xterm');
      expect(await dialog.isVisible()).toBe(false);
      // The typed text (it may be a password) does not stay in the page.
      expect(await page.locator('dialog.type-text-dialog textarea').inputValue()).toBe('');
    } finally {
      await xterm.stop();
    }
  });

  it('asks before typing long text, and Cancel stops typing', async () => {
    const page = await openPorthole();
    await connect(page);
    await toolbar(page).getByRole('button', { name: 'Type text', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Type text' });
    await dialog.getByLabel('Text to type').fill('x'.repeat(10_001));
    await dialog.getByRole('button', { name: 'Type', exact: true }).click();
    await expect.poll(() => dialog.textContent()).toContain('at most 10,000');
    await dialog.getByLabel('Text to type').fill('y'.repeat(800));
    await dialog.getByRole('button', { name: 'Type', exact: true }).click();
    await expect.poll(() => dialog.textContent()).toContain('This types 800 characters');
    await saveScreenshot(page, 'console-type-text-confirm');
    await dialog.getByRole('button', { name: 'Type anyway' }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/Typing… \d+ of 800/);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Typing cancelled after \d+ of 800 characters/);
  });

  it('moves clipboard text both ways; copies the remote clipboard to this computer only when opted in, and says so', async () => {
    const page = await openPorthole();
    await connect(page);
    const localText = `copied on this computer ${Date.now()}`;
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(localText)})`);
    // Server → page: an X client owns the CLIPBOARD; Xvnc offers it to its VNC clients.
    const fromServer = `from the server ${Date.now()}`;
    const owner: ManagedProcess = runOnDisplay(xvnc, '/usr/bin/xclip', ['-quiet', '-selection', 'clipboard', '-i'], { name: 'xclip', stdin: 'pipe' });
    let second: ManagedProcess | undefined;
    try {
      owner.child.stdin?.end(fromServer);
      await toolbar(page).getByRole('button', { name: 'Clipboard', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Clipboard' });
      await expect.poll(() => dialog.getByLabel('Remote clipboard', { exact: true }).inputValue(), { timeout: 10_000 }).toBe(fromServer);
      // … but this computer's clipboard is untouched: a guest cannot plant what the user pastes next.
      await new Promise((r) => setTimeout(r, 300));
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(localText);
      // Opted in for this console: the next remote text is copied, and the status line says so.
      const optIn = dialog.getByLabel('Copy this console’s clipboard to this computer automatically');
      expect(await optIn.isChecked()).toBe(false);
      await optIn.check();
      const fromServerAgain = `again from the server ${Date.now()}`;
      second = runOnDisplay(xvnc, '/usr/bin/xclip', ['-quiet', '-selection', 'clipboard', '-i'], { name: 'xclip-2', stdin: 'pipe' });
      second.child.stdin?.end(fromServerAgain);
      await expect.poll(() => page.evaluate('navigator.clipboard.readText()'), { timeout: 10_000 }).toBe(fromServerAgain);
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Copied \d+ characters from .+ clipboard to this computer/);
      await saveScreenshot(page, 'console-clipboard');

      // Page → server: typed into the panel, then sent.
      const fromPage = `from the page ${Date.now()} ✓`;
      await dialog.getByLabel('Text to send').fill(fromPage);
      await dialog.getByRole('button', { name: 'Send to remote machine' }).click();
      await expect.poll(() => readClipboard('clipboard'), { timeout: 10_000 }).toBe(fromPage);

      // This computer's clipboard → server, with one button.
      const fromSystem = `system clipboard ${Date.now()}`;
      await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(fromSystem)})`);
      await dialog.getByRole('button', { name: 'Paste from this computer' }).click();
      await expect.poll(() => readClipboard('clipboard'), { timeout: 10_000 }).toBe(fromSystem);
      await dialog.getByRole('button', { name: 'Close' }).click();
    } finally {
      await owner.stop();
      await second?.stop();
    }
  });

  it('sends Ctrl+Alt+Del, a menu entry and a custom combination that the X server sees', async () => {
    const xev = runOnDisplay(xvnc, '/usr/bin/xev', ['-root', '-event', 'keyboard'], { name: 'xev' });
    try {
      const page = await openPorthole();
      await connect(page);
      await toolbar(page).getByRole('button', { name: 'Send Ctrl+Alt+Del', exact: true }).click();
      await xev.waitForOutput(/keysym 0xffff, Delete/, 10_000);
      expect(xev.output()).toMatch(/KeyPress[^]*keysym 0xffe3, Control_L/);
      expect(xev.output()).toMatch(/KeyPress[^]*keysym 0xffe9, Alt_L/);

      await toolbar(page).getByRole('button', { name: 'Send keys', exact: true }).click();
      const menu = page.getByRole('menu', { name: 'Send keys' });
      await expect.poll(() => menu.getByRole('menuitem').count()).toBeGreaterThanOrEqual(17);
      for (const name of ['Ctrl+Alt+Del', 'Ctrl+Alt+F1', 'Ctrl+Alt+F12', 'Alt+Tab', 'Windows key', 'PrintScreen', 'Custom combination…']) {
        expect(await menu.getByRole('menuitem', { name, exact: true }).count(), name).toBe(1);
      }
      await saveScreenshot(page, 'console-send-keys-menu');
      await menu.getByRole('menuitem', { name: 'Windows key', exact: true }).click();
      await xev.waitForOutput(/keysym 0xffeb, Super_L/, 10_000);

      await toolbar(page).getByRole('button', { name: 'Send keys', exact: true }).click();
      await menu.getByRole('menuitem', { name: 'Custom combination…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send a key combination' });
      await dialog.getByLabel('Key combination').fill('ctrl+alt+shift+bogus');
      await dialog.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => dialog.textContent()).toContain('Unknown key “bogus”');
      await dialog.getByLabel('Key combination').fill('ctrl+alt+shift+t');
      await saveScreenshot(page, 'console-custom-combination');
      await dialog.getByRole('button', { name: 'Send', exact: true }).click();
      await xev.waitForOutput(/keysym 0x54, T\)/, 10_000);
      const after = xev.output().slice(xev.output().lastIndexOf('Super_L'));
      expect(after).toMatch(/KeyPress[^]*Control_L[^]*KeyPress[^]*Alt_L[^]*KeyPress[^]*Shift_L[^]*KeyPress[^]*keysym 0x54, T\)/);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Sent Ctrl+Alt+Shift+T');

      // Keyboard: with the console focused, keys go to the guest; the host key (Right Ctrl) never does.
      const canvas = page.locator('[aria-label="Console"] canvas');
      const deletes = (): number => xev.output().match(/KeyPress event[^\n]*\n[^\n]*\n[^\n]*keysym 0xffff, Delete/g)?.length ?? 0;
      await canvas.click({ position: { x: 50, y: 50 } });
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('CANVAS');
      await page.keyboard.press('KeyQ');
      await xev.waitForOutput(/keysym 0x71, q\)/, 10_000);
      const before = deletes();
      await page.keyboard.down('ControlRight');
      await page.keyboard.press('KeyK'); // Host+K: Send Ctrl+Alt+Del
      await page.keyboard.up('ControlRight');
      await expect.poll(deletes, { timeout: 10_000 }).toBe(before + 1);
      expect(xev.output()).not.toContain('Control_R');
      expect(xev.output()).not.toMatch(/keysym 0x6b, k\)/);
      // A tap of the host key releases the keyboard…
      await page.keyboard.press('ControlRight');
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.getAttribute("role")')).toBe('tab');
      // … and then Ctrl+Alt+Shift+letter chords are Porthole's: T opens Type text.
      await page.keyboard.press('Control+Alt+Shift+KeyT');
      await expect.poll(() => page.getByRole('dialog', { name: 'Type text' }).isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('dialog', { name: 'Type text' }).isVisible()).toBe(false);
      expect(xev.output()).not.toContain('Control_R');
    } finally {
      await xev.stop();
    }
  });

  it('saves a screenshot: a PNG of the framebuffer size in the remote colour', async () => {
    const page = await openPorthole();
    await connect(page);
    const [download] = await Promise.all([page.waitForEvent('download'), toolbar(page).getByRole('button', { name: 'Screenshot', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const png = readFileSync(await download.path());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT]);
    // Decode it in the page (the browser has a PNG decoder) and read pixels.
    const pixels = (await page.evaluate(`(async () => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(png.toString('base64'))}), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      return [[5, 5], [${WIDTH - 3}, ${HEIGHT - 3}], [320, 240]].map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)));
    })()`)) as number[][];
    for (const px of pixels) for (let i = 0; i < 3; i++) expect(Math.abs(px[i]! - ROOT_RGB[i]!)).toBeLessThanOrEqual(2);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Screenshot of');
  });

  it('runs three consoles in tabs; closing a tab closes its session', async () => {
    const page = await openPorthole();
    for (let i = 0; i < 3; i++) await connect(page);
    const tabs = page.getByRole('tab');
    expect(await tabs.count()).toBe(3);
    const names = await tabs.allTextContents();
    expect(new Set(names).size).toBe(3);
    expect(await tabs.nth(2).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[aria-label="Console"]').count()).toBe(1);
    expect(await page.getByRole('tablist', { name: 'Consoles' }).count()).toBe(1);
    await saveScreenshot(page, 'console-three-tabs');

    // Switching tabs shows that tab's console (still drawing).
    await tabs.nth(0).click();
    expect(await tabs.nth(0).getAttribute('aria-selected')).toBe('true');
    // … and takes the keyboard with it.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('CANVAS');
    await waitForConsoleColour(page, ROOT_RGB);
    const panelIds = (await page.evaluate(`[...document.querySelectorAll('[role="tabpanel"]')].map((p) => p.dataset.sessionId)`)) as string[];
    expect(new Set(panelIds).size).toBe(3);

    // Close the second tab: its session ends in main.
    // The tab list holds tabs only: the close mark is for the mouse, Delete on the tab for the keyboard.
    await tabs.nth(1).locator('.tab-close').click();
    expect(await tabs.count()).toBe(2);
    await expect.poll(() => porthole.output().split('\n').some((l) => l.includes('session ended') && l.includes(panelIds[1]!))).toBe(true);
    expect(porthole.output().split('\n').some((l) => l.includes('session ended') && l.includes(panelIds[0]!))).toBe(false);
    expect(await tabs.allTextContents()).toEqual([names[0], names[2]]);
    await waitForConsoleColour(page, ROOT_RGB);
  });

  it('reconnects by itself after the upstream restarts, and never after its token is revoked', { timeout: 60_000 }, async () => {
    const tokens = { [token]: `127.0.0.1:${xvnc.rfbPort}` };
    let own = await startWebsockify({ tokens });
    const port = own.port;
    try {
      const page = await openPorthole();
      await connect(page, port);
      const firstSession = await page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-session-id');

      // The upstream goes away and comes back on the same port: the console reconnects by itself.
      await own.stop();
      await expect.poll(() => activePanelState(page), { timeout: 10_000 }).toBe('reconnecting');
      await expect.poll(() => page.locator('.console-banner').textContent()).toMatch(/Reconnecting/);
      await saveScreenshot(page, 'console-reconnecting');
      own = await startWebsockify({ tokens, port });
      await expect.poll(() => activePanelState(page), { timeout: 20_000 }).toBe('connected');
      await waitForConsoleColour(page, ROOT_RGB);
      expect(await page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-session-id')).not.toBe(firstSession);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Connected to');
      await saveScreenshot(page, 'console-reconnected');

      // The token is revoked and the connection dropped: one try is refused, and that is the end.
      await own.stop();
      own = await startWebsockify({ tokens: {}, port });
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('token was rejected or has expired');
      expect(await activePanelState(page)).toBe('disconnected');
      const opened = sessionsOpened();
      await new Promise((r) => setTimeout(r, 3000));
      expect(sessionsOpened()).toBe(opened);
      expect(await activePanelState(page)).toBe('disconnected');
      await saveScreenshot(page, 'console-token-rejected');
      await page.getByRole('button', { name: 'Paste a new console URL' }).click();
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('console-url');
    } finally {
      await own.stop();
    }
  });
});
