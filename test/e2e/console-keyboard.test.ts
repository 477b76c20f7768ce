// The console first, with the keyboard, end to end in Chromium against a real Xvnc and an xterm:
// typing right after Connect reaches the guest with no click; a keyboard-only walkthrough (skip
// link, open a profile, type, release the keyboard, reach the toolbar, Tab back into the console);
// Ctrl+V pastes this computer's clipboard into the guest; Type text on non-US guest layouts set
// with setxkbmap (Xvnc maps keysyms itself, so this proves the text arrives intact on each layout,
// dead keys included; which physical key each character uses, what QEMU and BIOS consoles go by,
// is checked in test/unit/renderer-keyboard-layouts.test.ts). Screenshots: test-artifacts/keyboard-*.png.
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

const token = `tok-${Math.random().toString(36).slice(2)}-keys`;
let xvnc: Xvnc;
let upstream: Websockify;
let porthole: PortholeServer;
let browser: Browser;
let context: BrowserContext;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'porthole-keys-e2e-'));
  [xvnc, browser] = await Promise.all([startXvnc({ geometry: '640x480', rootColour: '#2e8b57' }), launchChromium()]);
  [upstream, porthole] = await Promise.all([startWebsockify({ tokens: { [token]: `127.0.0.1:${xvnc.rfbPort}` } }), startPorthole()]);
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: porthole.origin });
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await porthole?.stop();
  await upstream?.stop();
  await xvnc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const consoleUrl = (): string => `http://127.0.0.1:${upstream.port}/vnc_auto.html?path=%3Ftoken%3D${token}`;

async function openPorthole(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(await porthole.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: xvnc.env, timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve(stdout)));
  });
}

/** An xterm over the whole screen whose typed input lands in `file` (no window manager: focus follows the pointer, which is over it). */
async function startXterm(file: string): Promise<ManagedProcess> {
  const xterm = runOnDisplay(xvnc, '/usr/bin/xterm', ['-title', 'porthole-term', '-geometry', '120x50+0+0', '-bg', 'white', '-fg', 'black', '-e', '/bin/sh', '-c', `stty -echo; cat > '${file}'`], { name: 'xterm' });
  // Mapped on the screen (keys typed before would go to the root window and be lost).
  await expect.poll(() => run('/usr/bin/xwininfo', ['-name', 'porthole-term']).catch(() => ''), { timeout: 15_000 }).toContain('IsViewable');
  return xterm;
}

function fileText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const activeTag = (page: Page): Promise<unknown> => page.evaluate('document.activeElement && document.activeElement.tagName');
const activePanelState = (page: Page): Promise<string | null> => page.locator('[role="tabpanel"]:not([hidden])').getAttribute('data-state');
const toolbar = (page: Page) => page.getByRole('toolbar', { name: 'Console controls' });

describe('the console first, with the keyboard', () => {
  it('types right after Connect: keys pressed while it connects and after reach the guest, with no click', { timeout: 60_000 }, async () => {
    const file = path.join(work, 'after-connect.txt');
    const xterm = await startXterm(file);
    try {
      const page = await openPorthole();
      await page.getByLabel('Console URL').fill(consoleUrl());
      await page.getByLabel('Console URL').press('Enter');
      await page.keyboard.type('early ');
      await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
      await expect.poll(() => activeTag(page)).toBe('CANVAS');
      await expect.poll(() => page.locator('.capture-state').textContent()).toContain('Keyboard captured');
      await page.keyboard.type('late\n');
      await expect.poll(() => fileText(file), { timeout: 10_000 }).toBe('early late\n');
      expect(await page.getByLabel('Console URL').inputValue()).toBe(consoleUrl());
      await saveScreenshot(page, 'keyboard-typed-after-connect');
      await page.close();
    } finally {
      await xterm.stop();
    }
  });

  it('a keyboard-only walkthrough: Skip to console first, open a profile, type, release the keyboard, reach the toolbar, Tab back in', { timeout: 90_000 }, async () => {
    const name = 'Walkthrough VM';
    // Setup (not part of the walkthrough): a profile for the Xvnc, saved from quick connect.
    const setup = await openPorthole();
    await setup.getByLabel('Console URL').fill(`vnc://127.0.0.1:${xvnc.rfbPort}`);
    await setup.getByRole('button', { name: 'Save as profile' }).click();
    const editor = setup.locator('dialog[open]');
    await editor.getByLabel('Name', { exact: true }).fill(name);
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => setup.locator('#profiles').textContent()).toContain(name);
    await setup.close();

    const file = path.join(work, 'walkthrough.txt');
    const xterm = await startXterm(file);
    try {
      const page = await openPorthole();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to console');
      await saveScreenshot(page, 'keyboard-skip-link');
      // Tab to the profile and open it with Enter.
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = (await page.evaluate('document.activeElement.textContent')) === name;
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
      await expect.poll(() => activeTag(page)).toBe('CANVAS');
      await page.keyboard.type('walk\n');
      await expect.poll(() => fileText(file), { timeout: 10_000 }).toBe('walk\n');
      // The host key releases the keyboard: it goes to the tab, and the marker says so.
      await page.keyboard.press('ControlRight');
      await expect.poll(() => page.evaluate('document.activeElement.getAttribute("role")')).toBe('tab');
      await expect.poll(() => page.locator('.capture-state').textContent()).toContain('Keyboard not captured');
      await saveScreenshot(page, 'keyboard-released');
      // Tab from the tab reaches the toolbar…
      await page.keyboard.press('Tab');
      expect(await page.evaluate('!!document.activeElement.closest("[role=toolbar]")')).toBe(true);
      // … and further Tabs reach the console again.
      let back = false;
      for (let i = 0; i < 30 && !back; i++) {
        await page.keyboard.press('Tab');
        back = (await activeTag(page)) === 'CANVAS';
      }
      expect(back).toBe(true);
      await page.keyboard.type('again\n');
      await expect.poll(() => fileText(file), { timeout: 10_000 }).toBe('walk\nagain\n');
      // The host key from a text field takes the keyboard back to the console.
      await page.keyboard.press('ControlRight');
      await page.getByLabel('Console URL').focus();
      await page.keyboard.press('ControlRight');
      await expect.poll(() => activeTag(page)).toBe('CANVAS');
      await page.close();
    } finally {
      await xterm.stop();
    }
  });

  it('Ctrl+V in the console sends this computer’s clipboard to the guest; the Clipboard panel leaves the console usable', { timeout: 60_000 }, async () => {
    const page = await openPorthole();
    await page.getByLabel('Console URL').fill(consoleUrl());
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
    await waitForConsoleColour(page, [0x2e, 0x8b, 0x57]);
    const text = `pasted ${Date.now()} ✓`;
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    await expect.poll(() => activeTag(page)).toBe('CANVAS');
    await page.keyboard.press('Control+KeyV');
    await expect.poll(() => run('/usr/bin/xclip', ['-o', '-selection', 'clipboard']), { timeout: 10_000 }).toBe(text);
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Pasted ${Array.from(text).length} characters`);
    // The toolbar's Paste does the same.
    const second = `toolbar paste ${Date.now()}`;
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(second)})`);
    await toolbar(page).getByRole('button', { name: 'Paste', exact: true }).click();
    await expect.poll(() => run('/usr/bin/xclip', ['-o', '-selection', 'clipboard']), { timeout: 10_000 }).toBe(second);
    // The Clipboard panel is not modal: the console takes the keyboard while it is open.
    await toolbar(page).getByRole('button', { name: 'Clipboard', exact: true }).click();
    const panel = page.getByRole('dialog', { name: 'Clipboard' });
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await page.evaluate('document.querySelector("dialog.clipboard-dialog").matches(":modal")')).toBe(false);
    await page.locator('[aria-label="Console"] canvas').click({ position: { x: 20, y: 400 } });
    await expect.poll(() => activeTag(page)).toBe('CANVAS');
    expect(await panel.isVisible()).toBe(true);
    await saveScreenshot(page, 'keyboard-clipboard-panel-beside');
    await page.close();
  });

  it('Type text on UK, German, French, Swiss German and Nordic guest layouts: the guest receives what was written', { timeout: 120_000 }, async () => {
    const cases: Array<[string, string, string]> = [
      ['English (UK)', 'gb', 'Hello "£" @ # ~ \\ | `'],
      ['German', 'de', 'zY @ € ß äöü ÄÖÜ {[]} \\ | ~ <> ° § " & / = ? _ ; : *'],
      ['French (AZERTY)', 'fr', 'aqzwm AQZWM 1234567890 & é " \' ( - è _ ç à ) = @ # { [ | \\ ^ ] } ù % * µ ! § ; . : / ,'],
      ['Swiss German', 'ch', 'zY @ # | ç é à è ü ö ä ! $ £ { } [ ] \\ < > + * " /'],
      ['Nordic: Swedish / Finnish', 'se', 'åäö ÅÄÖ @ £ $ € { [ ] } \\ | § ½ \' * + ? < >'],
      ['Nordic: Norwegian', 'no', 'æøå ÆØÅ @ $ { } \\ | § \' * + ?'],
      ['Nordic: Danish', 'dk', 'æøå ÆØÅ @ $ { } \\ | § ½ \' * + ?'],
    ];
    const page = await openPorthole();
    await page.getByLabel('Console URL').fill(consoleUrl());
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => activePanelState(page), { timeout: 15_000 }).toBe('connected');
    const typeInto = async (label: string, text: string): Promise<void> => {
      await toolbar(page).getByRole('button', { name: 'Type text', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Type text' });
      await dialog.getByLabel('Keyboard layout of the remote machine').selectOption({ label });
      await dialog.getByLabel('Text to type').fill(text);
      await dialog.getByRole('button', { name: 'Type', exact: true }).click();
      await expect.poll(() => page.getByRole('dialog', { name: 'Type text' }).isVisible(), { timeout: 15_000 }).toBe(false);
    };
    try {
      for (const [label, xkb, text] of cases) {
        await run('/usr/bin/setxkbmap', ['-layout', xkb]);
        const file = path.join(work, `layout-${xkb}.txt`);
        const xterm = await startXterm(file);
        try {
          await waitForConsoleColour(page, [255, 255, 255], { x: 320, y: 300, timeoutMs: 15_000 });
          await typeInto(label, `${text}\n`);
          await expect.poll(() => fileText(file), { timeout: 15_000, message: label }).toBe(`${text}\n`);
        } finally {
          await xterm.stop();
        }
      }
      await saveScreenshot(page, 'keyboard-type-text-layouts');
    } finally {
      await run('/usr/bin/setxkbmap', ['-layout', 'us']);
    }
    await page.close();
  });
});
