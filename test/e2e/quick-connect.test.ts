// The walking skeleton end to end, as a user does it: open browser mode in Chromium, paste a
// Nova-style console URL, press Connect, and see the VM's screen — real Xvnc behind Debian's
// websockify (plain and TLS), through Porthole's loopback proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CORNER_RGB } from '../../main/demo/test-pattern.js';
import { launchChromium, saveScreenshot, waitForConsoleColour } from '../fixtures/browser.js';
import { makeTestPki, type TestPki } from '../fixtures/certs.js';
import { startPorthole, type PortholeServer } from '../fixtures/porthole-server.js';
import { startTlsFront } from '../fixtures/tls-front.js';
import { startWebsockify, type Websockify } from '../fixtures/websockify.js';
import { startXvnc, type Xvnc } from '../fixtures/xvnc.js';

const ROOT = '#1e90ff';
const ROOT_RGB = [0x1e, 0x90, 0xff] as const;
const token = `tok-${Math.random().toString(36).slice(2)}-secret`;

let pki: TestPki;
let xvnc: Xvnc;
let plain: Websockify;
let secure: Websockify;
let untrusted: Websockify;
let porthole: PortholeServer;
let browser: Browser;

beforeAll(async () => {
  pki = await makeTestPki();
  xvnc = await startXvnc({ rootColour: ROOT });
  const tokens = { [token]: `127.0.0.1:${xvnc.rfbPort}` };
  [plain, secure, untrusted] = await Promise.all([
    startWebsockify({ tokens }),
    startWebsockify({ tokens, tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath }, sslOnly: true }),
    startWebsockify({ tokens, tls: { certPath: pki.otherServer.certPath, keyPath: pki.otherServer.keyPath }, sslOnly: true }),
  ]);
  // The test CA is trusted the way an admin's corporate CA would be: through the system / Node store.
  porthole = await startPorthole({ env: { NODE_EXTRA_CA_CERTS: pki.ca.certPath } });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await porthole?.stop();
  await Promise.all([plain?.stop(), secure?.stop(), untrusted?.stop()]);
  await xvnc?.stop();
});

async function openPorthole(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(await porthole.newLaunchUrl());
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function connectTo(page: Page, url: string): Promise<void> {
  await page.getByLabel('Console URL').fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

describe('quick connect, end to end in Chromium', () => {
  it('shows the built-in Demo console', async () => {
    const page = await openPorthole();
    await page.getByRole('button', { name: 'Demo' }).click();
    await waitForConsoleColour(page, DEMO_CORNER_RGB);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Connected to “Porthole Demo”');
    await saveScreenshot(page, 'skeleton-demo');
    await page.close();
  });

  it('shows the VM screen for a Nova URL over plain HTTP, and says the connection is unencrypted', async () => {
    const page = await openPorthole();
    await connectTo(page, `http://127.0.0.1:${plain.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
    await waitForConsoleColour(page, ROOT_RGB);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Unencrypted connection');
    await saveScreenshot(page, 'skeleton-nova-plain');
    await page.close();
  });

  it('shows the VM screen for a Nova vnc_lite URL over verified TLS', async () => {
    const page = await openPorthole();
    await connectTo(page, `https://localhost:${secure.port}/vnc_lite.html?path=%3Ftoken%3D${token}`);
    await waitForConsoleColour(page, ROOT_RGB);
    const status = await page.getByRole('status').textContent();
    expect(status).toContain('Connected');
    expect(status).not.toContain('Unencrypted');
    await page.close();
  });

  it('shows the VM screen for a websockify wss:// URL', async () => {
    const page = await openPorthole();
    await connectTo(page, `wss://127.0.0.1:${secure.port}/websockify?token=${token}`);
    await waitForConsoleColour(page, ROOT_RGB);
    await page.close();
  });

  it('shows the VM screen for a direct vnc:// address (the proxy does websockify\'s job in-process)', async () => {
    const page = await openPorthole();
    await connectTo(page, `vnc://127.0.0.1:${xvnc.rfbPort}`);
    await waitForConsoleColour(page, ROOT_RGB);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Unencrypted connection');
    await page.close();
  });

  it('shows the VM screen for VNC over TLS-wrapped TCP (vnc+tls://, a server behind stunnel)', async () => {
    const front = await startTlsFront(pki.server, xvnc.rfbPort);
    try {
      const page = await openPorthole();
      await connectTo(page, `vnc+tls://localhost:${front.port}`);
      await waitForConsoleColour(page, ROOT_RGB);
      expect(await page.getByRole('status').textContent()).not.toContain('Unencrypted');
      await page.close();
    } finally {
      await front.stop();
    }
  });

  it('says the token was rejected when it is wrong', async () => {
    const page = await openPorthole();
    await connectTo(page, `https://localhost:${secure.port}/vnc_auto.html?path=%3Ftoken%3Dwrong-token`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toContain('token was rejected or has expired');
    await saveScreenshot(page, 'skeleton-token-rejected');
    await page.close();
  });

  it('says the certificate is not trusted when another CA signed it', async () => {
    const page = await openPorthole();
    await connectTo(page, `https://localhost:${untrusted.port}/vnc_auto.html?path=%3Ftoken%3D${token}`);
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('certificate is not trusted');
    await page.close();
  });

  it('says what is wrong with a bad URL', async () => {
    const page = await openPorthole();
    await connectTo(page, 'ftp://example.org/console');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not a console URL');
    await page.close();
  });

  it('never writes the console token to its output or logs', () => {
    expect(porthole.output()).toContain('session opened');
    expect(porthole.output()).not.toContain(token);
  });
});
