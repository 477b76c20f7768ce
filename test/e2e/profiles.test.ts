// A support user's day with profiles, end to end in Chromium against a real Secret Service and a
// real Xvnc behind websockify: build a folder of profiles, restart, search, connect by clicking a
// name, export, import on a fresh data directory — and the token is only ever in the keychain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seriousA11yViolations } from '../fixtures/a11y.js';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { keychainHas } from '../fixtures/keychain-lookup.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startHeaderGateway } from '../fixtures/header-gateway.js';
import { startNovaGate } from '../fixtures/nova-gate.js';
import { startTlsFront } from '../fixtures/tls-front.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import { filesUnder } from '../fixtures/files-under.js';

const peers = sharedPeers();
const ROOT_RGB = [0x1e, 0x90, 0xff] as const; // the shared Xvnc's root colour
const token = `profile-token-${Math.random().toString(36).slice(2)}`;

let websockify: Websockify;
let browser: Browser;
const keyringDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-keyring-'));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-data-'));
const outputs: string[] = [];
const nativeDialogs: string[] = [];
let exportedFile = '';

/** Saves a profile through the editor. */
async function saveProfile(page: Page, name: string, address: string, folder = ''): Promise<void> {
  await page.getByRole('button', { name: 'New profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'New profile' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Console URL').fill(address);
  if (folder) await dialog.getByLabel('Folder').fill(folder);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.locator('#status').textContent()).toContain(`Saved “${name}”.`);
}

async function openEditor(page: Page, name: string): Promise<void> {
  await page.locator('.tree').getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Edit…' }).click();
}

function profileId(name: string): string {
  const doc = JSON.parse(readFileSync(path.join(dataDir, 'profiles.json'), 'utf8')) as { profiles: Array<{ id: string; name: string }> };
  const p = doc.profiles.find((x) => x.name === name);
  if (!p) throw new Error(`no profile ${name}`);
  return p.id;
}

/** A TCP listener that records every byte sent to it and answers 404: "the new host". */
async function startRecorder(): Promise<{ port: number; received(): string; stop(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).includes('\r\n\r\n')) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received: () => Buffer.concat(chunks).toString('latin1'),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function open(server: PortholeServer): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  // No native confirm()/alert() anywhere: every question is an in-app dialog. Any that appears is recorded.
  page.on('dialog', (dialog) => {
    nativeDialogs.push(dialog.message());
    void dialog.dismiss();
  });
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

// Each test starts Porthole (some twice) inside its own keyring session: 60 s leaves room on a loaded machine.
describe('profiles, end to end with the OS keychain', { timeout: 60_000 }, () => {
  it('saves profiles into nested folders; the token goes to the keychain', async () => {
    await withPorthole(dataDir, async (page) => {
      for (const [name, folder] of [
        ['ACME web-01', 'Customers/ACME'],
        ['ACME db-01', 'Customers/ACME'],
        ['Lab console', 'Lab'],
      ] as const) {
        await page.getByRole('button', { name: 'New profile' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name', { exact: true }).fill(name);
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

  it('duplicates (and says so) from the actions menu, deletes from the context menu, and undoes the delete', async () => {
    await withPorthole(dataDir, async (page) => {
      await page.getByRole('button', { name: 'Actions for Lab console' }).click();
      await page.getByRole('menuitem', { name: 'Duplicate' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toContain('Duplicated “Lab console” as “Lab console (copy)”, with its saved secrets.');
      await expect.poll(() => page.getByRole('button', { name: 'Lab console (copy)', exact: true }).count()).toBe(1);
      // The copy's name has the focus, so the keyboard can go on from there.
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Lab console (copy)');

      // The context menu, from the keyboard: Shift+F10 on the focused name, then arrows.
      await page.keyboard.press('Shift+F10');
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.getAttribute("role")')).toBe('menuitem');
      await page.keyboard.press('End');
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Delete');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('button', { name: 'Lab console (copy)', exact: true }).count()).toBe(0);
      await expect.poll(() => page.locator('.undo-bar').textContent()).toContain('Deleted “Lab console (copy)”');
      await saveScreenshot(page, 'profiles-deleted-undo');
      await page.locator('.undo-bar').getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Lab console (copy)', exact: true }).count()).toBe(1);
      // The restored profile takes the focus (the Undo button it came from is gone).
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Lab console (copy)');
      // Undo brought its token back too: it connects.
      await page.getByRole('button', { name: 'Lab console (copy)', exact: true }).click();
      await waitForConsoleColour(page, ROOT_RGB);

      // A right click on the row opens the same menu.
      await page.locator('.tree li.profile', { hasText: 'Lab console (copy)' }).click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Delete' }).click();
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
      await page.locator('input.profile-import-file').setInputFiles(exportedFile);
      const preview = page.getByRole('dialog', { name: 'Import profiles' });
      await expect.poll(() => preview.textContent()).toContain('Add 2');
      await preview.getByRole('button', { name: 'Import' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toContain('Imported: 2 added, 0 updated.');
      await expect.poll(() => page.getByRole('button', { name: 'ACME db-01', exact: true }).count()).toBe(1);
      // Imported without secrets: the list says the token is missing.
      await expect.poll(() => page.locator('.tree li.profile', { hasText: 'ACME db-01' }).textContent()).toContain('No token');
      await saveScreenshot(page, 'profiles-imported-missing-secret');
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
        await dialog.getByLabel('Name', { exact: true }).fill('Self-signed lab');
        await dialog.getByLabel('Console URL').fill(`https://localhost:${port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.locator('.tree').getByRole('button', { name: 'Self-signed lab', exact: true }).click();
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('certificate is not trusted');

        await page.locator('.tree').getByRole('button', { name: 'Actions for Self-signed lab' }).click();
        await page.getByRole('menuitem', { name: 'Test connection' }).click();
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
        await dialog.getByLabel('Name', { exact: true }).fill('Old Nova');
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
        await dialog.getByLabel('Name', { exact: true }).fill('pve1 vm 100');
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

  it('a changed host drops the saved token: the keychain entry is gone and the new host never receives it', async () => {
    const listener = await startRecorder();
    try {
      await withPorthole(dataDir, async (page) => {
        await saveProfile(page, 'Moving VM', `http://127.0.0.1:${websockify.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
        await openEditor(page, 'Moving VM');
        const dialog = page.getByRole('dialog', { name: 'Edit Moving VM' });
        await dialog.getByLabel('Console URL').fill(`ws://127.0.0.1:${listener.port}/websockify`);
        const notice = dialog.locator('.endpoint-change');
        await expect.poll(() => notice.textContent()).toContain(`The saved token was saved for ws://127.0.0.1:${websockify.port}. This profile now points to ws://127.0.0.1:${listener.port}.`);
        await saveScreenshot(page, 'profiles-endpoint-changed');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => page.locator('#status').textContent()).toContain('its saved token was removed because the address changed');
        await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Moving VM' }).textContent()).toContain('No token');
      });
      const id = profileId('Moving VM');
      expect(await keychainHas(keyringDir, `${id}/token`)).toBe(false);

      // After a restart, opening it asks for a token (it has none); the new address gets only what is typed there.
      const typed = 'token-typed-for-the-new-host';
      await withPorthole(dataDir, async (page) => {
        await page.locator('.tree').getByRole('button', { name: 'Moving VM', exact: true }).click();
        const ask = page.getByRole('dialog', { name: 'Connect to Moving VM' });
        await ask.getByLabel('Token', { exact: true }).fill(typed);
        await ask.getByLabel('Remember in the keychain').uncheck();
        await ask.getByRole('button', { name: 'Connect' }).click();
        await expect.poll(() => listener.received().length, { timeout: 10_000 }).toBeGreaterThan(0);
        await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
      });
      const seen = listener.received();
      expect(seen).toContain(`GET /websockify?token=${typed}`);
      expect(seen).not.toContain(token);
    } finally {
      await listener.stop();
    }
  }, 90_000);

  it('"Keep" carries the saved token to the new address the user chose, and it connects there', async () => {
    await withPorthole(dataDir, async (page) => {
      await saveProfile(page, 'Kept VM', `http://127.0.0.1:${websockify.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
      await openEditor(page, 'Kept VM');
      const dialog = page.getByRole('dialog', { name: 'Edit Kept VM' });
      // Same websockify, reached by another name: another endpoint as far as the binding goes.
      await dialog.getByLabel('Console URL').fill(`ws://localhost:${websockify.port}/websockify`);
      await dialog.getByLabel(`Keep the saved token for ws://localhost:${websockify.port}`).check();
      await saveScreenshot(page, 'profiles-endpoint-keep');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toContain('Saved “Kept VM”.');
      await page.locator('.tree').getByRole('button', { name: 'Kept VM', exact: true }).click();
      await waitForConsoleColour(page, ROOT_RGB);
    });
    const id = profileId('Kept VM');
    expect(await keychainHas(keyringDir, `${id}/token`)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'profiles.json'), 'utf8')).profiles.find((p: { id: string }) => p.id === id).secretBindings).toEqual({
      token: `ws://localhost:${websockify.port}`,
    });
  }, 60_000);

  it('an import that moves a profile shows old → new values and the token it drops; Undo restores both', async () => {
    await withPorthole(dataDir, async (page) => {
      await saveProfile(page, 'Imported VM', `http://127.0.0.1:${websockify.port}/vnc_auto.html?path=%3Ftoken%3D${token}`, 'Shipped/Here');
      const id = profileId('Imported VM');
      const current = JSON.parse(readFileSync(path.join(dataDir, 'profiles.json'), 'utf8')).profiles.find((p: { id: string }) => p.id === id);
      const bundle = {
        format: 'porthole-profiles',
        version: 1,
        exportedAt: new Date().toISOString(),
        profiles: [{ ...current, endpoint: { ...current.endpoint, address: 'wss://elsewhere.example.test:443/websockify' }, notes: 'moved by the import' }],
      };
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'porthole-import-')), 'update.json');
      writeFileSync(file, JSON.stringify(bundle));
      await page.locator('input.profile-import-file').setInputFiles(file);
      const preview = page.getByRole('dialog', { name: 'Import profiles' });
      const row = (field: string) => preview.locator('tr', { has: page.locator('th', { hasText: field }) });
      await expect.poll(() => row('Console URL').locator('.old-value').textContent()).toBe(current.endpoint.address);
      expect(await row('Console URL').locator('.new-value').textContent()).toBe('wss://elsewhere.example.test:443/websockify');
      expect(await row('Notes').locator('.old-value').textContent()).toBe('(none)');
      expect(await row('Notes').locator('.new-value').textContent()).toBe('moved by the import');
      expect(await preview.locator('.drops-secrets').textContent()).toContain('Its saved token will be removed from the keychain: the address it was saved for changes.');
      expect(await preview.textContent()).not.toContain(token);
      await saveScreenshot(page, 'profiles-import-update-preview');
      await preview.getByRole('button', { name: 'Import' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toContain('Imported: 0 added, 1 updated.');
      await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Imported VM' }).textContent()).toContain('elsewhere.example.test:443');
      await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Imported VM' }).textContent()).toContain('No token');

      await page.locator('.undo-bar').getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => page.locator('.tree li.profile', { hasText: 'Imported VM' }).textContent()).toContain(`127.0.0.1:${websockify.port}`);
      await page.locator('.tree').getByRole('button', { name: 'Imported VM', exact: true }).click();
      await waitForConsoleColour(page, ROOT_RGB);
    });
  });

  it('a crafted import (CR LF, NUL, DEL, unicode in headers; a bad Origin) gets a clear error and Porthole keeps working', async () => {
    await withPorthole(dataDir, async (page, server) => {
      const crafted = [
        { 'X-Evil': 'a\r\nX-Injected: 1' },
        { 'X-Evil': 'nul\u0000byte' },
        { 'X-Evil': 'del\u007f' },
        { 'X-Evil': 'caf\u00e9' },
        { 'Sec-WebSocket-Protocol': 'binary' },
      ].map((headers) => ({ endpoint: { kind: 'websockify', address: 'ws://127.0.0.1:9/x', headers } }));
      crafted.push({ endpoint: { kind: 'websockify', address: 'ws://127.0.0.1:9/x', originOverride: 'https://a.test\r\nX: 1' } as never });
      for (const [i, extra] of crafted.entries()) {
        const bundle = { format: 'porthole-profiles', version: 1, exportedAt: 'x', profiles: [{ id: `crafted-${i}`, name: `Crafted ${i}`, createdAt: 'x', ...extra }] };
        const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'porthole-crafted-')), 'crafted.json');
        writeFileSync(file, JSON.stringify(bundle));
        await page.evaluate('document.getElementById("alert").textContent = ""');
        await page.locator('input.profile-import-file').setInputFiles(file);
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('not a Porthole profile export');
      }
      await saveScreenshot(page, 'profiles-crafted-import-refused');
      expect(server.process.exitInfo()).toBeUndefined();
      expect(await page.getByRole('button', { name: /^Crafted/ }).count()).toBe(0);
      // Still alive and working: a saved profile connects.
      await page.locator('.tree').getByRole('button', { name: 'Lab console', exact: true }).click();
      await waitForConsoleColour(page, ROOT_RGB);
    });
  });

  it('opening a profile with the keyboard keeps the focus (never dropped to the page body)', async () => {
    await withPorthole(dataDir, async (page) => {
      await page.getByLabel('Sort by').selectOption('last-used');
      await page.locator('.tree').getByRole('button', { name: 'Kept VM', exact: true }).focus();
      await page.keyboard.press('Enter');
      await waitForConsoleColour(page, ROOT_RGB);
      // The list redraws after connecting ("last used" order); whatever has the focus, it is not the body.
      await page.waitForTimeout(500);
      // In the console (ready for typing) or still on the profile just opened; never on the body.
      const active = await page.evaluate('document.activeElement === null || document.activeElement === document.body ? "body" : document.activeElement.tagName === "CANVAS" ? "console" : document.activeElement.textContent');
      expect(['console', 'Kept VM']).toContain(active);
      // "Last used" puts the profile just opened first.
      await expect.poll(() => page.locator('.tree > li.profile .profile-name').first().textContent()).toBe('Kept VM');
      await page.getByLabel('Sort by').selectOption('name');
      await page.getByLabel('Search profiles').fill('');
      await page.setViewportSize({ width: 1200, height: 800 });
      await page.locator('.tree li.profile', { hasText: 'Kept VM' }).hover();
      await saveScreenshot(page, 'profiles-list');
    });
  });

  it('has no serious axe findings in the list, its row menu, the editor with the endpoint notice and the import preview', async () => {
    const server = await startPorthole({ dataDir, keyringDir });
    // axe is injected as a script, which the page's CSP forbids: this context alone bypasses it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(server.launchUrl);
      await page.waitForSelector('body[data-ready="true"]');
      await expect.poll(() => page.locator('.tree li.profile').count()).toBeGreaterThan(3);
      expect(await seriousA11yViolations(page), 'list').toEqual([]);
      await page.locator('.tree').getByRole('button', { name: 'Actions for Kept VM' }).click();
      await expect.poll(() => page.getByRole('menu', { name: 'Actions for Kept VM' }).isVisible()).toBe(true);
      await saveScreenshot(page, 'profiles-row-menu');
      expect(await seriousA11yViolations(page), 'row menu').toEqual([]);
      await page.getByRole('menuitem', { name: 'Edit…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit Kept VM' });
      await dialog.getByLabel('Console URL').fill('ws://127.0.0.1:9/elsewhere');
      await expect.poll(() => dialog.locator('.endpoint-change').isVisible()).toBe(true);
      expect(await seriousA11yViolations(page), 'editor with the endpoint notice').toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      const id = profileId('Kept VM');
      const current = JSON.parse(readFileSync(path.join(dataDir, 'profiles.json'), 'utf8')).profiles.find((p: { id: string }) => p.id === id);
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'porthole-a11y-')), 'update.json');
      writeFileSync(file, JSON.stringify({ format: 'porthole-profiles', version: 1, exportedAt: 'x', profiles: [{ ...current, notes: 'checked' }, { ...current, id: 'a11y-new', name: 'New one' }] }));
      await page.locator('input.profile-import-file').setInputFiles(file);
      await expect.poll(() => page.getByRole('dialog', { name: 'Import profiles' }).isVisible()).toBe(true);
      expect(await seriousA11yViolations(page), 'import preview').toEqual([]);
      await page.getByRole('dialog', { name: 'Import profiles' }).getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await context.close();
      await server.stop();
      outputs.push(server.output());
    }
  });

  it('never wrote the token to the data directory, the logs or the export', () => {
    expect(nativeDialogs).toEqual([]);
    for (const file of filesUnder(dataDir)) expect(readFileSync(file, 'latin1'), file).not.toContain(token);
    expect(outputs.join('\n')).not.toContain(token);
    expect(readFileSync(exportedFile, 'utf8')).not.toContain(token);
  });
});
