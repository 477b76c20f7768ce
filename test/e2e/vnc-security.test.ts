// RFB security answered in main, end to end in Chromium through browser mode: password-protected
// Xvnc and QEMU consoles (VNC authentication), VeNCrypt X509Vnc with the test CA against QEMU and
// Xvnc, X509Plain against Xvnc checking a real local user through PAM, anonymous TLSVnc, and a
// server offering only types Porthole does not speak. The page never receives a saved password or
// user name: every WebSocket frame it gets (contract and console) is searched. The dialog: its title
// names the user name when one is asked, vnc://user@host pre-fills it, a Plain server on plain TCP
// is announced as receiving the password unencrypted, and a prompt the server gave up on says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seriousA11yViolations } from '../fixtures/a11y.js';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { makeTestPki, type TestPki } from '../fixtures/certs.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { startOddTypesServer, type OddServer } from '../fixtures/rfb-odd-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startQemu, startSecuredXvnc, VNC_PASSWORD, type Qemu } from '../fixtures/vnc-secured.js';
import type { Xvnc } from '../fixtures/xvnc.js';

const ROOT_RGB = [0x2e, 0x8b, 0x57] as const; // seagreen
const ROOT = '#2e8b57';
/** This run's local account, checked by Xvnc through PAM (X509Plain). */
const pamUser = sharedPeers().pamUser;

let pki: TestPki;
let vncAuth: Xvnc;
let x509: Xvnc;
let x509Plain: Xvnc;
let plainOnly: Xvnc;
let impatient: Xvnc;
let anon: Xvnc;
let qemu: Qemu;
let qemuTls: Qemu;
let odd: OddServer;
let porthole: PortholeServer;
let browser: Browser;
const keyringDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-vncauth-keyring-'));

beforeAll(async () => {
  pki = await makeTestPki();
  [vncAuth, x509, x509Plain, plainOnly, impatient, anon, qemu, qemuTls, odd] = await Promise.all([
    startSecuredXvnc({ securityTypes: 'VncAuth', rootColour: ROOT }),
    startSecuredXvnc({ securityTypes: 'X509Vnc', pki, rootColour: ROOT }),
    startSecuredXvnc({ securityTypes: 'X509Plain', pki, plainUsers: [pamUser.name], rootColour: ROOT }),
    // VeNCrypt Plain only, on plain TCP: the password can only travel in clear.
    startSecuredXvnc({ securityTypes: 'Plain', plainUsers: [pamUser.name], rootColour: ROOT }),
    // Drops a connection still in the security handshake after 15 s (its own timeout).
    startSecuredXvnc({ securityTypes: 'VncAuth', idleTimeoutS: 1, rootColour: ROOT }),
    startSecuredXvnc({ securityTypes: 'TLSVnc', rootColour: ROOT }),
    startQemu({ password: VNC_PASSWORD }),
    startQemu({ password: VNC_PASSWORD, pki }),
    startOddTypesServer(),
  ]);
  // The test CA is trusted as an admin's CA would be: through Node's extra CA store.
  porthole = await startPorthole({ keyringDir, env: { NODE_EXTRA_CA_CERTS: pki.ca.certPath } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await porthole?.stop();
  await Promise.all([vncAuth?.stop(), x509?.stop(), x509Plain?.stop(), plainOnly?.stop(), impatient?.stop(), anon?.stop(), qemu?.stop(), qemuTls?.stop(), odd?.stop()]);
});

/** A page whose every received WebSocket frame (contract socket and console sockets) is kept. `axe`: CSP bypassed so axe can be injected. */
async function openPorthole(options: { axe?: boolean } = {}): Promise<{ page: Page; frames: string[] }> {
  const page = options.axe
    ? await (await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 800 } })).newPage()
    : await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1')));
  });
  await page.goto(await porthole.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return { page, frames };
}

async function quickConnect(page: Page, url: string): Promise<void> {
  await page.getByLabel('Console URL').fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

function passwordDialog(page: Page) {
  return page.getByRole('dialog', { name: /password/i });
}

async function waitForConnected(page: Page): Promise<void> {
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toContain('Connected to');
}

/** Width × height of the console canvas (SeaBIOS draws a 720×400 text screen). */
async function canvasSize(page: Page): Promise<string> {
  return (await page.evaluate(`(() => { const c = document.querySelector('[aria-label="Console"] canvas'); return c ? c.width + 'x' + c.height : ''; })()`)) as string;
}

async function saveProfile(page: Page, name: string, address: string, password: string, username = ''): Promise<void> {
  await page.getByRole('button', { name: 'New profile' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Console URL').fill(address);
  if (username) await dialog.getByLabel('Username').fill(username);
  if (password) await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain(`Saved “${name}”.`);
}

describe('VNC passwords and VeNCrypt, answered in main', () => {
  it('quick connect to a password-protected Xvnc asks; a wrong password shows the alert and the dialog again; the right one connects', async () => {
    const { page } = await openPorthole();
    await quickConnect(page, `vnc://127.0.0.1:${vncAuth.rfbPort}`);
    const dialog = passwordDialog(page);
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole('button', { name: 'Connect' }).count()).toBe(1);
    await expect.poll(() => dialog.getByRole('button', { name: 'Cancel' }).count()).toBe(1);
    // Quick connect: nothing to remember it in.
    expect(await dialog.getByLabel('Remember in the keychain').count()).toBe(0);
    // Only a password: the title says so; VNC authentication on plain TCP is announced as not encrypted.
    expect(await dialog.getByRole('heading').textContent()).toMatch(/^Password for /);
    expect(await dialog.textContent()).toContain('The connection to this server is not encrypted');
    await dialog.getByLabel('Password').fill('wrong-pw');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const alert = passwordDialog(page).getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect((await alert.textContent())?.toLowerCase()).toContain('password');
    expect(await alert.textContent()).toContain('Authentication failure');
    await saveScreenshot(page, 'vnc-auth-wrong-password');
    await passwordDialog(page).getByLabel('Password').fill(VNC_PASSWORD);
    await passwordDialog(page).getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await waitForConnected(page);
    expect(await passwordDialog(page).count()).toBe(0);
    await page.close();
  });

  it('a saved profile with a Password opens password-protected Xvnc and QEMU with no prompt, and the page never receives the password', async () => {
    const { page, frames } = await openPorthole();
    const xvncPassword = VNC_PASSWORD;
    await saveProfile(page, 'Xvnc with a password', `vnc://127.0.0.1:${vncAuth.rfbPort}`, xvncPassword);
    await page.locator('.tree').getByRole('button', { name: 'Xvnc with a password', exact: true }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await saveProfile(page, 'QEMU with a password', `vnc://127.0.0.1:${qemu.rfbPort}`, VNC_PASSWORD);
    await page.locator('.tree').getByRole('button', { name: 'QEMU with a password', exact: true }).click();
    await expect.poll(() => canvasSize(page), { timeout: 30_000 }).toBe('720x400');
    await waitForConnected(page);
    await saveScreenshot(page, 'vnc-auth-qemu-profile');
    expect(await passwordDialog(page).count()).toBe(0);
    expect(frames.length).toBeGreaterThan(10);
    for (const frame of frames) expect(frame).not.toContain(xvncPassword);
    await page.close();
  });

  it('a profile without a saved password asks with “Remember in the keychain”; remembered, the next connection is silent', async () => {
    const first = await openPorthole();
    await saveProfile(first.page, 'Xvnc to remember', `vnc://127.0.0.1:${vncAuth.rfbPort}`, '');
    await first.page.locator('.tree').getByRole('button', { name: 'Xvnc to remember', exact: true }).click();
    const dialog = passwordDialog(first.page);
    await dialog.getByLabel('Password').fill(VNC_PASSWORD);
    await dialog.getByLabel('Remember in the keychain').check();
    await saveScreenshot(first.page, 'vnc-auth-remember');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(first.page, ROOT_RGB, { timeoutMs: 20_000 });
    await first.page.close();

    const second = await openPorthole();
    await second.page.locator('.tree').getByRole('button', { name: 'Xvnc to remember', exact: true }).click();
    await waitForConsoleColour(second.page, ROOT_RGB, { timeoutMs: 20_000 });
    expect(await passwordDialog(second.page).count()).toBe(0);
    for (const frame of second.frames) expect(frame).not.toContain(VNC_PASSWORD);
    await second.page.close();
  });

  it('VeNCrypt X509Vnc against QEMU (password in the address) and Xvnc (asked), verified with the test CA', async () => {
    const { page, frames } = await openPorthole();
    await quickConnect(page, `vnc://:${VNC_PASSWORD}@localhost:${qemuTls.rfbPort}`);
    await expect.poll(() => canvasSize(page), { timeout: 30_000 }).toBe('720x400');
    await waitForConnected(page);
    for (const frame of frames) expect(frame).not.toContain(VNC_PASSWORD);
    await quickConnect(page, `vnc://127.0.0.1:${x509.rfbPort}`);
    await passwordDialog(page).getByLabel('Password').fill(VNC_PASSWORD);
    await passwordDialog(page).getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await saveScreenshot(page, 'vnc-auth-x509-xvnc');
    await page.close();
  });

  it('quick connect to an X509Plain Xvnc asks for a Username and a Password; after a wrong password the user name is kept; the right ones (a real PAM user) show the picture', async () => {
    const { page, frames } = await openPorthole();
    await quickConnect(page, `vnc://127.0.0.1:${x509Plain.rfbPort}`);
    const dialog = passwordDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    expect(await dialog.getByLabel('Username').count()).toBe(1);
    expect(await dialog.getByLabel('Password').count()).toBe(1);
    expect(await dialog.textContent()).toContain('asks for a user name and password');
    expect(await dialog.getByRole('heading').textContent()).toBe('User name and password for 127.0.0.1');
    // Inside verified TLS: nothing to warn about, and no user name to pre-fill.
    expect(await dialog.textContent()).not.toContain('encrypted');
    expect(await dialog.getByLabel('Username').inputValue()).toBe('');
    await dialog.getByLabel('Username').fill(pamUser.name);
    // A wrong password first: the dialog comes back with the reason and the user name still typed in.
    await dialog.getByLabel('Password').fill('wrong-password');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await passwordDialog(page).getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await passwordDialog(page).getByLabel('Username').inputValue()).toBe(pamUser.name);
    expect(await passwordDialog(page).getByLabel('Password').inputValue()).toBe('');
    await passwordDialog(page).getByLabel('Password').fill(pamUser.password);
    await saveScreenshot(page, 'vnc-auth-x509plain-prompt');
    await passwordDialog(page).getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await waitForConnected(page);
    expect(await passwordDialog(page).count()).toBe(0);
    for (const frame of frames) expect(frame).not.toContain(pamUser.password);
    await page.close();
  });

  it('a saved profile with Username and Password opens the X509Plain Xvnc with no prompt, and the page never receives either', async () => {
    const { page, frames } = await openPorthole();
    await saveProfile(page, 'Xvnc X509Plain', `vnc://127.0.0.1:${x509Plain.rfbPort}`, pamUser.password, pamUser.name);
    await page.locator('.tree').getByRole('button', { name: 'Xvnc X509Plain', exact: true }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await waitForConnected(page);
    expect(await passwordDialog(page).count()).toBe(0);
    expect(frames.length).toBeGreaterThan(10);
    for (const frame of frames) {
      expect(frame).not.toContain(pamUser.password);
      expect(frame).not.toContain(pamUser.name);
    }
    await page.close();
  });

  it('vnc://user@host to the X509Plain Xvnc: the dialog comes with the Username filled in and the Password focused; the typed password connects', async () => {
    const { page, frames } = await openPorthole();
    await quickConnect(page, `vnc://${pamUser.name}@127.0.0.1:${x509Plain.rfbPort}`);
    const dialog = page.getByRole('dialog', { name: 'User name and password for 127.0.0.1' });
    await dialog.waitFor({ timeout: 15_000 });
    expect(await dialog.getByLabel('Username').inputValue()).toBe(pamUser.name);
    await expect.poll(() => page.evaluate(`document.activeElement && document.activeElement.getAttribute('type')`)).toBe('password');
    await saveScreenshot(page, 'vnc-auth-prefilled-user');
    await dialog.getByLabel('Password').fill(pamUser.password);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await waitForConnected(page);
    for (const frame of frames) expect(frame).not.toContain(pamUser.password);
    await page.close();
  });

  it('a Plain-only Xvnc on plain TCP: before anything is typed the dialog says the password goes unencrypted; with the PAM user it connects', async () => {
    const { page } = await openPorthole({ axe: true });
    await quickConnect(page, `vnc://${pamUser.name}@127.0.0.1:${plainOnly.rfbPort}`);
    const dialog = passwordDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    const clear = 'This server will receive your password unencrypted: anyone on the network path can read it.';
    expect(await dialog.textContent()).toContain(clear);
    // Read out with the Password field, too.
    const describedBy = (await dialog.getByLabel('Password').getAttribute('aria-describedby')) ?? '';
    const described = (await Promise.all(describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()))).join(' ');
    expect(described).toContain(clear);
    expect(await dialog.getByLabel('Username').inputValue()).toBe(pamUser.name);
    await saveScreenshot(page, 'vnc-auth-plain-in-clear');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByLabel('Password').fill(pamUser.password);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await waitForConnected(page);
    await page.close();
  });

  it('a prompt the server stops waiting for (Xvnc drops the handshake after 15 s) says it timed out instead of vanishing', async () => {
    const { page } = await openPorthole({ axe: true });
    await quickConnect(page, `vnc://127.0.0.1:${impatient.rfbPort}`);
    const dialog = passwordDialog(page);
    await dialog.waitFor({ timeout: 15_000 });
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('Timed out');
    expect(await alert.textContent()).toContain('the server closed the connection while the password was being asked for');
    expect(await dialog.getByLabel('Password').isDisabled()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Connect' }).count()).toBe(0);
    await saveScreenshot(page, 'vnc-auth-prompt-timed-out');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => passwordDialog(page).count()).toBe(0);
    await expect.poll(() => page.locator('#alert').getAttribute('data-code'), { timeout: 5_000 }).toBe('vnc-auth-timeout');
    await page.close();
  });

  it('anonymous TLSVnc in browser mode', async () => {
    const { page } = await openPorthole();
    await quickConnect(page, `vnc://127.0.0.1:${anon.rfbPort}`);
    await passwordDialog(page).getByLabel('Password').fill(VNC_PASSWORD);
    await passwordDialog(page).getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB, { timeoutMs: 20_000 });
    await page.close();
  });

  it('a server offering only types Porthole does not speak gives a typed error naming them', async () => {
    const { page } = await openPorthole();
    await quickConnect(page, `vnc://127.0.0.1:${odd.port}`);
    const alert = page.locator('#alert');
    await expect.poll(() => alert.getAttribute('data-code'), { timeout: 15_000 }).toBe('vnc-security-unsupported');
    expect(await alert.textContent()).toContain('Apple Remote Desktop');
    await page.close();
  });

  it('never logged a password', () => {
    expect(porthole.output()).not.toContain(VNC_PASSWORD);
    expect(porthole.output()).not.toContain(pamUser.password);
  });
});
