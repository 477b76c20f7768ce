// Screenshots for issue #14 ("The console first"): the same four states of the page — the start
// screen, the Demo console connected, the profile list with a few profiles, a failed tab — at
// 1280×800, 800×600 and 200% zoom (a 640×400 CSS viewport drawn at 2×, so 1280×800 pixels).
// Not part of `npm test`. Runs the browser mode of a built tree (`node scripts/build.mjs` first) on
// its own ephemeral port, in a private Secret Service, with Debian's Chromium:
//
//   node scripts/screenshots-issue14.mjs                                   # this tree → docs/screenshots/issue-14/after
//   node scripts/screenshots-issue14.mjs --tree /tmp/before-14 --out docs/screenshots/issue-14/before
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { tree: { type: 'string' }, out: { type: 'string' } } });
const tree = path.resolve(values.tree ?? root);
const out = path.resolve(values.out ?? path.join(root, 'docs/screenshots/issue-14/after'));
const serveJs = path.join(tree, 'dist/main/serve.js');
if (!existsSync(serveJs)) throw new Error(`${serveJs} is missing: run "node scripts/build.mjs" in ${tree} first`);
// Older trees print one reusable launch URL and know no --launch-ttl; newer ones print a single-use
// URL and another on each Enter.
const singleUseLaunch = execFileSync(process.execPath, [serveJs, '--help'], { encoding: 'utf8' }).includes('--launch-ttl');

const sizes = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: '800x600', viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 },
  { name: 'zoom200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
];

/** A loopback port nothing listens on (bound, then closed): a console there fails at once. */
function closedPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A few profiles in the file format both trees read (unknown keys are dropped by the older one). */
function profilesFile(deadPort) {
  const now = new Date().toISOString();
  const profile = (fields) => ({ tags: [], notes: '', createdAt: now, secretSlots: [], ...fields });
  return {
    version: 1,
    profiles: [
      profile({ id: 'web-01', name: 'web-01', folder: 'Lab', endpoint: { kind: 'vnc-tcp', address: `vnc://127.0.0.1:${deadPort}`, tokenIn: 'query', headers: {}, secretHeaders: [] }, lastUsedAt: now }),
      // Imported without its token: the newer list marks it.
      profile({ id: 'build-server', name: 'Build server', folder: 'Lab', endpoint: { kind: 'websockify', address: 'ws://127.0.0.1:6080/websockify', tokenIn: 'query', headers: {}, secretHeaders: [] }, missingSecrets: ['token'] }),
      profile({ id: 'jump-host', name: 'Jump host', folder: '', endpoint: { kind: 'nova', address: 'wss://nova.example.test:6080/', tokenIn: 'query', headers: {}, secretHeaders: [] }, tls: { allowInsecure: true } }),
    ],
  };
}

/** Browser mode in its own D-Bus session with an unlocked, throwaway gnome-keyring; prints launch URLs. */
async function startServe(dataDir) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'porthole-shots-home-'));
  for (const sub of ['run', '.local/share', '.config', '.cache']) mkdirSync(path.join(home, sub), { recursive: true, mode: 0o700 });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    XDG_RUNTIME_DIR: path.join(home, 'run'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    KEYRING_PASSWORD: 'screenshots',
  };
  const script = 'printf "%s" "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null || exit 97; exec "$0" "$@"';
  const args = ['--', 'sh', '-c', script, process.execPath, serveJs, '--port', '0', '--no-open', ...(singleUseLaunch ? ['--launch-ttl', '600'] : []), '--data-dir', dataDir];
  const child = spawn('dbus-run-session', args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const urls = [];
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk.toString();
    urls.splice(0, urls.length, ...[...text.matchAll(/Open: (http:\/\/127\.0\.0\.1:\d+\/\?launch=[A-Za-z0-9_-]+)/g)].map((m) => m[1]));
  });
  child.stderr.on('data', (chunk) => (text += chunk.toString()));
  const waitFor = async (count) => {
    for (const deadline = Date.now() + 20_000; urls.length < count; ) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`browser mode printed no launch URL:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return urls[count - 1];
  };
  await waitFor(1);
  let used = 0;
  return {
    /** The first printed URL, then one more per Enter on its terminal (each lets in one browser). */
    async launchUrl() {
      if (!singleUseLaunch) return waitFor(1);
      used++;
      if (used > 1) child.stdin.write('\n');
      return waitFor(used);
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function openPage(browser, serve, size) {
  const context = await browser.newContext({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.dismiss());
  await page.goto(await serve.launchUrl());
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return page;
}

/** Waits until the page shows `pattern` (or gives up after a while and shoots what is there). */
async function waitForText(page, pattern, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test((await page.locator('body').innerText()) ?? '')) return true;
    await page.waitForTimeout(200);
  }
  console.warn(`  (did not see ${pattern} within ${timeoutMs} ms)`);
  return false;
}

async function shoot(page, name) {
  const file = path.join(out, `${name}.png`);
  // Let focus rings, fades and the console's first frames settle.
  await page.waitForTimeout(600);
  await page.screenshot({ path: file });
  // Whether the page scrolls sideways (content wider than the window), in CSS pixels.
  const { scrollWidth, innerWidth } = await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  console.log(`  ${path.relative(root, file)}  page ${scrollWidth} px wide in a ${innerWidth} px window${scrollWidth > innerWidth ? ' (scrolls sideways)' : ''}`);
}

async function main() {
  mkdirSync(out, { recursive: true });
  const deadPort = await closedPort();
  const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-shots-empty-'));
  const fullDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-shots-profiles-'));
  writeFileSync(path.join(fullDir, 'profiles.json'), JSON.stringify(profilesFile(deadPort), null, 2), { mode: 0o600 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  const empty = await startServe(emptyDir);
  const full = await startServe(fullDir);
  console.log(`${tree} → ${path.relative(root, out) || out}`);
  try {
    for (const size of sizes) {
      // The start screen: a first run, nothing saved yet.
      let page = await openPage(browser, empty, size);
      await shoot(page, `start-${size.name}`);
      await page.context().close();

      page = await openPage(browser, full, size);
      // In a narrow window the sidebar starts folded as a drawer: open it with its button for this shot.
      const toggle = page.locator('#toggle-profiles');
      const drawer = (await toggle.count()) === 1 && (await toggle.getAttribute('aria-expanded')) === 'false';
      if (drawer) await toggle.click();
      await waitForText(page, /Build server/);
      await shoot(page, `profiles-${size.name}`);
      if (drawer) await page.keyboard.press('Escape');
      await page.click('#demo');
      await page.locator('[aria-label="Console"] canvas').first().waitFor({ timeout: 20_000 });
      await waitForText(page, /Connected to/);
      await page.waitForTimeout(1000);
      await shoot(page, `demo-${size.name}`);
      // A failed console: an address where nothing listens (the Demo stays open in its tab).
      await page.fill('#console-url', `vnc://127.0.0.1:${deadPort}`);
      await page.press('#console-url', 'Enter');
      await waitForText(page, /refused|Disconnected|Not connected/i);
      await shoot(page, `failed-${size.name}`);
      await page.context().close();
    }
  } finally {
    await browser.close();
    await empty.stop();
    await full.stop();
    rmSync(emptyDir, { recursive: true, force: true });
    rmSync(fullDir, { recursive: true, force: true });
  }
}

await main();
