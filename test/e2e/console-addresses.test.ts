// Console addresses and links end to end in Chromium, as a user meets them: a noVNC page behind a
// reverse-proxy directory, a websockify page that needs no token, vnc://…?ViewOnly=true, and links
// and .vv files handed to `npm run serve` that wait in a confirmation dialog — each reaching the
// real Xvnc (the run's shared one) through Porthole's loopback proxy.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { startReverseProxy, type ReverseProxy } from '../fixtures/reverse-proxy.js';
import { sharedPeers } from '../fixtures/shared-peers.js';
import { startTlsFront, type TlsFront } from '../fixtures/tls-front.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';

const peers = sharedPeers();
const ROOT_RGB = [0x1e, 0x90, 0xff] as const;
const VV_PASSWORD = 'vv-FAKE-pw-7Qz';

let browser: Browser;
let porthole: PortholeServer;
let withLinks: PortholeServer;
let tokenless: Websockify;
let proxy: ReverseProxy;
let front: TlsFront;
let dir: string;
let connectFile: string;
let cancelFile: string;

/** A .vv file as oVirt writes one: GKeyFile escapes, so the CA's newlines are "\n". */
function vvFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['[virt-viewer]', ...lines, ''].join('\n'));
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'porthole-links-'));
  const rfb = peers.xvnc.rfbPort;
  [tokenless, proxy, front] = await Promise.all([
    startWebsockify({ tokens: {}, target: `127.0.0.1:${rfb}` }),
    startReverseProxy('/novnc/', peers.websockify.port),
    startTlsFront(peers.pki.server, rfb),
  ]);
  const caPem = readFileSync(peers.pki.ca.certPath, 'utf8').trim().replace(/\n/g, '\\n');
  connectFile = vvFile('connect.vv', ['type=vnc', 'host=localhost', 'port=-1', `tls-port=${front.port}`, `ca=${caPem}`, 'title=Lab VM web-01', 'delete-this-file=1']);
  cancelFile = vvFile('cancel.vv', ['type=vnc', 'host=127.0.0.1', `port=${rfb}`, `password=${VV_PASSWORD}`, 'title=Not this one', 'delete-this-file=1']);
  // No NODE_EXTRA_CA_CERTS: the TLS console is trusted only through the CA the .vv file brings.
  [porthole, withLinks] = await Promise.all([
    startPorthole(),
    startPorthole({ args: [`vnc://127.0.0.1:${rfb}`, connectFile, path.relative(process.cwd(), cancelFile)] }),
  ]);
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([porthole?.stop(), withLinks?.stop(), tokenless?.stop(), proxy?.stop(), front?.stop()]);
});

async function open(server: PortholeServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(await server.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function connectTo(page: Page, url: string): Promise<void> {
  await page.getByLabel('Console URL').fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

describe('console addresses as people paste them, in Chromium', () => {
  it('opens a noVNC page behind a reverse-proxy directory through that directory', async () => {
    const page = await open(porthole);
    await connectTo(page, `http://127.0.0.1:${proxy.port}/novnc/vnc.html?path=websockify%3Ftoken%3D${peers.websockify.token}`);
    await waitForConsoleColour(page, ROOT_RGB);
    // The page's own rule (noVNC ≥ 1.5): "websockify" relative to /novnc/vnc.html.
    expect(proxy.seen).toContain(`/novnc/websockify?token=${peers.websockify.token}`);
    await saveScreenshot(page, 'address-reverse-proxy-directory');
    await page.close();
  });

  it('opens a websockify page that needs no token', async () => {
    const page = await open(porthole);
    await connectTo(page, `http://127.0.0.1:${tokenless.port}/vnc.html`);
    await waitForConsoleColour(page, ROOT_RGB);
    await page.close();
  });

  it('opens vnc://…?ViewOnly=true as a view-only console, and names a parameter it did not use', async () => {
    const page = await open(porthole);
    await connectTo(page, `vnc://127.0.0.1:${peers.xvnc.rfbPort}?ViewOnly=true&ColorLevel=8`);
    await waitForConsoleColour(page, ROOT_RGB);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('the parameter "ColorLevel" is not used by Porthole');
    const viewOnly = page.getByRole('toolbar', { name: 'Console controls' }).getByRole('button', { name: 'View only', exact: true });
    await expect.poll(() => viewOnly.getAttribute('aria-pressed')).toBe('true');
    await page.close();
  });

  it('refuses a Nova serial console URL without connecting, saying what it is', async () => {
    const page = await open(porthole);
    await connectTo(page, `ws://127.0.0.1:6083/?token=${peers.websockify.token}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Nova serial console');
    await page.close();
  });
});

describe('links and .vv files given to npm run serve, confirmed in a dialog', () => {
  it('prints what waits for confirmation, without secrets', () => {
    const out = withLinks.output();
    expect(out).toContain(`Waiting for you to confirm in the browser: vnc://127.0.0.1:${peers.xvnc.rfbPort}`);
    expect(out).toContain(`Waiting for you to confirm in the browser: vnc+tls://localhost:${front.port}`);
    expect(out).not.toContain(VV_PASSWORD);
  });

  it('shows each request in turn: Connect opens it (a .vv with its own CA), Cancel does not, and a .vv is deleted only after the answer', async () => {
    const page = await open(withLinks);
    const dialog = page.getByRole('dialog', { name: 'Open this console?' });

    // 1: the vnc:// link.
    await expect.poll(() => dialog.textContent()).toContain(`vnc://127.0.0.1:${peers.xvnc.rfbPort}`);
    await saveScreenshot(page, 'link-dialog-vnc');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitForConsoleColour(page, ROOT_RGB);

    // 2: the .vv file over TLS, verified with the CA from the file; its title is marked as the file's.
    await expect.poll(() => dialog.textContent()).toContain(`vnc+tls://localhost:${front.port}`);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('Title (from the file)');
    expect(text).toContain('“Lab VM web-01”');
    expect(existsSync(connectFile)).toBe(true); // not deleted before the answer
    await saveScreenshot(page, 'link-dialog-vv');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toContain('Lab VM web-01');
    await waitForConsoleColour(page, ROOT_RGB);
    await expect.poll(() => existsSync(connectFile)).toBe(false);

    // 3: the second .vv: Cancel. Nothing connects; the file goes once the user has answered.
    await expect.poll(() => dialog.textContent()).toContain('“Not this one”');
    expect(existsSync(cancelFile)).toBe(true);
    expect(await page.content()).not.toContain(VV_PASSWORD);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => existsSync(cancelFile)).toBe(false);
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByRole('tab').count()).toBe(2);
    expect(withLinks.output()).not.toContain(VV_PASSWORD);
    await page.close();
  });
});
