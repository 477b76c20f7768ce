// A support user's day with profiles, end to end in Chromium against a real Secret Service and a
// real Xvnc behind websockify: build a folder of profiles, restart, search, connect by clicking a
// name, export, import on a fresh data directory — and the token is only ever in the keychain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startHeaderGateway } from '../fixtures/header-gateway.js';
import { startNovaGate } from '../fixtures/nova-gate.js';
import { startTlsFront } from '../fixtures/tls-front.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';

const peers = sharedPeers();
const ROOT_RGB = [0x1e, 0x90, 0xff] as const; // the shared Xvnc's root colour
const token = `profile-token-${Math.random().toString(36).slice(2)}`;

let websockify: Websockify;
let browser: Browser;
const keyringDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-keyring-'));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-data-'));
const outputs: string[] = [];
let exportedFile = '';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

async function open(server: PortholeServer): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(await server.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function withPorthole<T>(dir: string, run: (page: Page, server: PortholeServer) => Promise<T>): Promise<T> {
  const server = await startPorthole({ dataDir: dir, keyringDir });
  try {
    const page = await open(server);
    try {
      return await run(page, server);
    } finally {
      await page.context().close();
    }
  } finally {
    await server.stop();
    outputs.push(server.output());
  }
}

beforeAll(async () => {
  websockify = await startWebsockify({ tokens: { [token]: `127.0.0.1:${peers.xvnc.rfbPort}` } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await websockify?.stop();
});

describe('profiles, end to end with the OS keychain', () => {
  it('saves profiles into nested folders; the token goes to the keychain', async () => {
    await withPorthole(dataDir, async (page) => {
      for (const [name, folder] of [
        ['ACME web-01', 'Customers/ACME'],
        ['ACME db-01', 'Customers/ACME'],
        ['Lab console', 'Lab'],
      ] as const) {
        await page.getByRole('button', { name: 'New profile' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill(name);
        await dialog.getByLabel('Console URL').fill(`http://127.0.0.1:${websockify.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
        await dialog.getByLabel('Folder').fill(folder);
        await dialog.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => page.getByRole('status').textContent()).toContain(`Saved “${name}”.`);
      }
      await expect.poll(() => page.getByRole('button', { name: 'ACME web-01', exact: true }).count()).toBe(1);
      await saveScreenshot(page, 'profiles-saved');
    });
  });

  it('after a restart: search, then connect by clicking a name (the token comes from the keychain)', async () => {
    await withPorthole(dataDir, async (page) => {
      const search = page.getByLabel('Search profiles');
      await search.fill('lab');
      await expect.poll(() => page.getByRole('button', { name: 'Lab console', exact: true }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'ACME web-01', exact: true }).count()).toBe(0);
      await search.fill('no-such-thing');
      await expect.poll(() => page.locator('.profile-list').textContent()).toContain('No profile matches.');
      await search.fill('acme');
      await page.getByRole('button', { name: 'ACME web-01', exact: true }).click();
      await waitForConsoleColour(page, ROOT_RGB);
      await saveScreenshot(page, 'profiles-connected');
      // Used profiles show up under Recent.
      await search.fill('');
      await expect.poll(() => page.locator('.recent').textContent({ timeout: 2000 })).toContain('ACME web-01');
    });
  });

  it('duplicates and deletes (after confirmation)', async () => {
    await withPorthole(dataDir, async (page) => {
      await page.getByRole('button', { name: 'Duplicate Lab console' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Lab console (copy)', exact: true }).count()).toBe(1);
      await page.getByRole('button', { name: 'Delete Lab console (copy)' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Lab console (copy)', exact: true }).count()).toBe(0);
    });
  });

  it('exports the folder without secrets and imports it on a fresh data directory', async () => {
    await withPorthole(dataDir, async (page) => {
      await page.getByLabel('Search profiles').fill('acme');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export profiles' }).click();
      exportedFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'porthole-export-')), 'export.json');
      await (await download).saveAs(exportedFile);
    });
    const bundle = readFileSync(exportedFile, 'utf8');
    expect(JSON.parse(bundle).profiles.map((p: { name: string }) => p.name).sort()).toEqual(['ACME db-01', 'ACME web-01']);
    expect(bundle).not.toContain(token);

    const freshDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-fresh-'));
    await withPorthole(freshDir, async (page) => {
      await page.locator('input[type=file]').setInputFiles(exportedFile);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Imported: 2 added, 0 updated.');
      await expect.poll(() => page.getByRole('button', { name: 'ACME db-01', exact: true }).count()).toBe(1);
    });
  });

  it('trusts a certificate on first use for one profile, and refuses it loudly once it changes', async () => {
    // A TLS front whose certificate (from a CA nobody trusts) can be swapped while it runs.
    const front = await startTlsFront(peers.pki.otherServer, websockify.port);
    const port = front.port;
    try {
      await withPorthole(dataDir, async (page) => {
        await page.getByRole('button', { name: 'New profile' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill('Self-signed lab');
        await dialog.getByLabel('Console URL').fill(`https://localhost:${port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.locator('.tree').getByRole('button', { name: 'Self-signed lab', exact: true }).click();
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('certificate is not trusted');

        await page.getByRole('button', { name: 'Test connection Self-signed lab' }).click();
        const report = page.getByRole('dialog', { name: 'Connection test' });
        await expect.poll(() => report.textContent()).toContain('Server certificate');
        await saveScreenshot(page, 'profiles-certificate-review');
        await report.getByRole('button', { name: 'Trust this certificate for this profile' }).click();
        await expect.poll(() => page.getByRole('status').textContent()).toContain('now trusts the certificate');

        await page.locator('.tree').getByRole('button', { name: 'Self-signed lab', exact: true }).click();
        await waitForConsoleColour(page, ROOT_RGB);

        // The server's certificate changes (same CA-less situation, another key): refused, loudly.
        front.swapCertificate(peers.pki.rotated);
        await page.locator('.tree').getByRole('button', { name: 'Self-signed lab', exact: true }).click();
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('certificate has changed since you trusted it');
        await saveScreenshot(page, 'profiles-pin-mismatch');
      });
    } finally {
      await front.stop();
    }
  });

  it('connects an older Nova console that takes its token from a cookie', async () => {
    const gate = await startNovaGate({ tokens: new Map([[token, { host: '127.0.0.1', port: peers.xvnc.rfbPort }]]) });
    try {
      await withPorthole(dataDir, async (page) => {
        await page.getByRole('button', { name: 'New profile' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill('Old Nova');
        await dialog.getByLabel('Console URL').fill(`http://127.0.0.1:${gate.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
        await dialog.getByText('Display, headers and TLS').click();
        await dialog.getByLabel('Send the token as a cookie (older Nova consoles)').check();
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.locator('.tree').getByRole('button', { name: 'Old Nova', exact: true }).click();
        await waitForConsoleColour(page, ROOT_RGB);
      });
      expect(gate.accepted()).toBeGreaterThan(0);
    } finally {
      await gate.stop();
    }
  });

  it('connects a Proxmox-style vncwebsocket whose API token is a secret header', async () => {
    const gateway = await startHeaderGateway(`PVEAPIToken=root@pam!porthole=${token}`, peers.xvnc.rfbPort);
    try {
      await withPorthole(dataDir, async (page) => {
        await page.getByRole('button', { name: 'New profile' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill('pve1 vm 100');
        await dialog.getByLabel('Console URL').fill(`ws://127.0.0.1:${gateway.port}/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900`);
        await dialog.getByText('Display, headers and TLS').click();
        await dialog.getByLabel('Secret headers').fill(`Authorization: PVEAPIToken=root@pam!porthole=${token}`);
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.locator('.tree').getByRole('button', { name: 'pve1 vm 100', exact: true }).click();
        await waitForConsoleColour(page, ROOT_RGB);
      });
      expect(gateway.seenAuthorization()).toContain(`PVEAPIToken=root@pam!porthole=${token}`);
    } finally {
      await gateway.stop();
    }
  });

  it('never wrote the token to the data directory, the logs or the export', () => {
    for (const file of filesUnder(dataDir)) expect(readFileSync(file, 'latin1'), file).not.toContain(token);
    expect(outputs.join('\n')).not.toContain(token);
    expect(readFileSync(exportedFile, 'utf8')).not.toContain(token);
  });
});
