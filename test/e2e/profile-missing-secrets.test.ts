// Issue 14: a profile that lacks its token (here: imported without secrets) asks for it when it is
// opened, in Chromium against the real Secret Service and the shared websockify/Xvnc. With
// "Remember" the token lands in the keychain and the console connects; the page never receives it
// back, and it is in no file of the data directory nor in the logs. A wrong token typed for one
// connect only fails the tab, which offers "Edit profile": that opens the profile's editor. The
// same prompt comes from every way in: the failed tab's "Connect again", and a deep link
// (porthole://open?profile=…, given to `npm run serve`) that names the profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seriousA11yViolations } from '../fixtures/a11y.js';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { keychainHas } from '../fixtures/keychain-lookup.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { filesUnder } from '../fixtures/files-under.js';

const peers = sharedPeers();
const ROOT_RGB = [0x1e, 0x90, 0xff] as const; // the shared Xvnc's root colour
const wrongToken = `wrong-token-${Math.random().toString(36).slice(2)}`;
const keyringDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-keyring-'));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-data-'));

let browser: Browser;
let server: PortholeServer;
let page: Page;
/** Every text frame the page received from Porthole (the contract socket). */
const received: string[] = [];
const nativeDialogs: string[] = [];
/** What servers stopped during the run printed and logged. */
const earlierOutput: string[] = [];

/** An export from another machine: two websockify profiles whose token slots came without values. */
function bundleFile(): string {
  const profile = (id: string, name: string) => ({
    id,
    name,
    folder: 'Imported',
    tags: [],
    endpoint: { kind: 'websockify', address: `ws://127.0.0.1:${peers.websockify.port}/websockify`, tokenIn: 'query', headers: {}, secretHeaders: [] },
    createdAt: new Date().toISOString(),
    secretSlots: ['token'],
  });
  const bundle = {
    format: 'porthole-profiles',
    version: 1,
    exportedAt: new Date().toISOString(),
    profiles: [profile('imported-vm', 'Imported VM'), profile('other-vm', 'Other VM'), profile('linked-vm', 'Linked VM')],
  };
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'porthole-import-')), 'profiles.json');
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

/** A fresh browser page signed in to the running server, recording what it receives. */
async function openPage(): Promise<Page> {
  // bypassCSP only so that axe can be injected for the accessibility check.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 800 } });
  const fresh = await context.newPage();
  fresh.on('dialog', (dialog) => {
    nativeDialogs.push(dialog.message());
    void dialog.dismiss();
  });
  fresh.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1'))));
  await fresh.goto(await server.newLaunchUrl());
  await fresh.waitForSelector('body[data-ready="true"]');
  return fresh;
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startPorthole({ dataDir, keyringDir });
  page = await openPage();
}, 60_000);

afterAll(async () => {
  await page?.context().close();
  await server?.stop();
  await browser?.close();
});

describe('a profile without its token asks for it in place', { timeout: 60_000 }, () => {
  it('imports three profiles without their tokens: the list marks them', async () => {
    await page.locator('input.profile-import-file').setInputFiles(bundleFile());
    const preview = page.getByRole('dialog', { name: 'Import profiles' });
    await preview.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('Imported: 3 added, 0 updated.');
    await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Imported VM' }).textContent()).toContain('No token');
  });

  it('asks for the token, remembers it in the keychain and connects to the real console', async () => {
    await page.locator('.tree').getByRole('button', { name: 'Imported VM', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect to Imported VM' });
    await expect.poll(() => dialog.textContent()).toContain('has no saved token');
    const tokenField = dialog.getByLabel('Token', { exact: true });
    // The keyboard starts in the field, named for the slot ("Token" exactly: its hint is a description).
    await expect
      .poll(() => page.evaluate(`(() => { const a = document.activeElement; return !!a && a.closest('.missing-secrets-dialog') !== null && a.labels[0].textContent; })()`))
      .toBe('Token');
    expect(await dialog.getByLabel('Remember in the keychain').isChecked()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'profile-missing-token-dialog');

    const framesBefore = received.length;
    await tokenField.fill(peers.websockify.token);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB);
    await saveScreenshot(page, 'profile-missing-token-connected');

    expect(await keychainHas(keyringDir, 'imported-vm/token')).toBe(true);
    // The list now shows it saved; no frame after the submit carried the token back.
    await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Imported VM' }).textContent()).not.toContain('No token');
    expect(received.length).toBeGreaterThan(framesBefore);
    for (const frame of received) expect(frame).not.toContain(peers.websockify.token);
    // The dialog's field was cleared and the dialog is gone.
    expect(await page.getByRole('dialog', { name: 'Connect to Imported VM' }).count()).toBe(0);
  });

  it('a wrong token for this connect only fails the tab, which offers Edit profile, opening the editor', async () => {
    await page.locator('.tree').getByRole('button', { name: 'Other VM', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect to Other VM' });
    await dialog.getByLabel('Token', { exact: true }).fill(wrongToken);
    await dialog.getByLabel('Remember in the keychain').uncheck();
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const edit = page.getByRole('button', { name: 'Edit profile' });
    await expect.poll(() => edit.count(), { timeout: 20_000 }).toBe(1);
    await saveScreenshot(page, 'profile-failed-tab-edit-profile');
    // Used once, not kept: neither in the keychain nor still in main for the next connect.
    expect(await keychainHas(keyringDir, 'other-vm/token')).toBe(false);
    await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Other VM' }).textContent()).toContain('No token');
    await edit.click();
    const editor = page.getByRole('dialog', { name: 'Edit Other VM' });
    await expect.poll(() => editor.count()).toBe(1);
    expect(await editor.getByLabel('Console URL').inputValue()).toContain(`127.0.0.1:${peers.websockify.port}`);
    await saveScreenshot(page, 'profile-edit-from-failed-tab');
    await editor.getByRole('button', { name: 'Cancel' }).click();
  });

  it('"Connect again" on that failed tab asks again: Cancel leaves the tab as it was, a token connects in the same tab', async () => {
    const tabs = page.getByRole('tab');
    const tabsBefore = await tabs.count();
    const dialog = page.getByRole('dialog', { name: 'Connect to Other VM' });
    // main dropped the session whose token was refused, so Connect again opens the profile afresh: it has no token.
    await page.getByRole('button', { name: 'Connect again' }).click();
    await expect.poll(() => dialog.textContent()).toContain('has no saved token');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'profile-connect-again-asks');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    // Cancelled: still the failed tab, with its reason and both actions; no new tab.
    await expect.poll(() => page.getByRole('button', { name: 'Edit profile' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Connect again' }).count()).toBe(1);
    expect(await page.locator('.console-panel:not([hidden])').getAttribute('data-state')).toBe('disconnected');
    expect(await tabs.count()).toBe(tabsBefore);

    const framesBefore = received.length;
    await page.getByRole('button', { name: 'Connect again' }).click();
    await dialog.getByLabel('Token', { exact: true }).fill(peers.websockify.token);
    await dialog.getByLabel('Remember in the keychain').uncheck();
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB);
    await saveScreenshot(page, 'profile-connect-again-connected');
    // The same tab, now connected; the token was for this connect only.
    expect(await tabs.count()).toBe(tabsBefore);
    expect(await page.getByRole('tab', { selected: true }).textContent()).toContain('Other VM');
    expect(await keychainHas(keyringDir, 'other-vm/token')).toBe(false);
    await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Other VM' }).textContent()).toContain('No token');
    expect(received.length).toBeGreaterThan(framesBefore);
  });

  it('a deep link to a profile without its token asks for it after Connect: Cancel drops the request, a token connects it', async () => {
    // Browser mode takes links on its command line: restart with two links naming the same profile.
    await page.context().close();
    earlierOutput.push(server.output());
    await server.stop();
    server = await startPorthole({ dataDir, keyringDir, args: ['porthole://open?profile=linked-vm', 'porthole://open?profile=linked-vm'] });
    page = await openPage();
    const link = page.getByRole('dialog', { name: 'Open this console?' });
    const secrets = page.getByRole('dialog', { name: 'Connect to Linked VM' });

    // The first request: Connect, then Cancel in the secret prompt. Nothing connects and the request is gone.
    await expect.poll(() => link.textContent()).toContain('saved profile linked-vm');
    await link.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => secrets.textContent()).toContain('has no saved token');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'profile-deep-link-asks');
    await secrets.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('Not connected to saved profile linked-vm.');
    expect(await page.getByRole('tab').count()).toBe(0);

    // The second: Connect, the token, Remember (ticked by default): the console is up under the profile's name.
    await expect.poll(() => link.count()).toBe(1);
    await link.getByRole('button', { name: 'Connect' }).click();
    await secrets.getByLabel('Token', { exact: true }).fill(peers.websockify.token);
    expect(await secrets.getByLabel('Remember in the keychain').isChecked()).toBe(true);
    await secrets.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB);
    await saveScreenshot(page, 'profile-deep-link-connected');
    expect(await page.getByRole('tab', { selected: true }).textContent()).toContain('Linked VM');
    expect(await keychainHas(keyringDir, 'linked-vm/token')).toBe(true);
    await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Linked VM' }).textContent()).not.toContain('No token');
    expect(await link.count()).toBe(0);
  });

  it('never wrote a typed token to the data directory or the logs, and used no native dialog', () => {
    expect(nativeDialogs).toEqual([]);
    for (const secret of [peers.websockify.token, wrongToken]) {
      for (const file of filesUnder(dataDir)) expect(readFileSync(file, 'latin1'), file).not.toContain(secret);
      for (const output of [...earlierOutput, server.output()]) expect(output).not.toContain(secret);
      for (const frame of received) expect(frame).not.toContain(secret);
    }
  });
});
