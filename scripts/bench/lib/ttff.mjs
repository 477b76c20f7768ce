/* global window, document, requestAnimationFrame, Element */
// Time to first frame in Chromium (Debian's, through playwright-core; never downloads a browser):
// Porthole's browser mode vs Debian's noVNC page served by websockify, against the same Xvnc.
// Times come from performance.now() inside the page; a requestAnimationFrame loop polls one pixel.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { freePort, spawnManaged, waitForOutput } from './procs.mjs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 10_000 }, (err, _o, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve()));
  });
}

async function readBanner(port) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve('');
    }, 1000);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (text.length >= 12) {
        clearTimeout(t);
        s.destroy();
        resolve(text);
      }
    });
    s.on('error', () => {
      clearTimeout(t);
      resolve('');
    });
  });
}

/** The display number an Xvnc started with `-displayfd 3` writes to fd 3 (rejects if it exits first or takes over 10 s). */
export function xvncDisplay(proc) {
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`Xvnc gave no display number:\n${proc.output()}`)), 10_000);
    proc.child.stdio[3].on('data', (d) => {
      text += d.toString();
      const m = /^(\d+)\n/.exec(text);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    void proc.exited.then(() => {
      clearTimeout(t);
      reject(new Error(`Xvnc exited:\n${proc.output()}`));
    });
  });
}

/** Xvnc on a display it picks itself (-displayfd), root window painted `colour`. */
export async function startXvnc(colour, geometry = '1024x768') {
  mkdirSync('/tmp/.X11-unix', { recursive: true });
  try {
    chmodSync('/tmp/.X11-unix', 0o1777);
  } catch {
    // owned by the system, already right
  }
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const rfbPort = await freePort();
    const proc = spawnManaged('/usr/bin/Xvnc', ['-displayfd', '3', '-rfbport', String(rfbPort), '-localhost', '-SecurityTypes', 'None', '-UseBlacklist=0',
      '-geometry', geometry, '-depth', '24', '-nolisten', 'tcp'], { name: 'Xvnc', extraFds: 1, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    try {
      const display = await xvncDisplay(proc);
      const deadline = Date.now() + 10_000;
      while (!(await readBanner(rfbPort)).startsWith('RFB ')) {
        if (Date.now() > deadline || proc.exitInfo()) throw new Error(`Xvnc RFB port gave no banner:\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', DISPLAY: `:${display}`, LANG: 'C.UTF-8' };
      await run('/usr/bin/xsetroot', ['-solid', colour], env);
      return { display, rfbPort, env, proc, stop: () => proc.stop(3000) };
    } catch (err) {
      lastError = err;
      await proc.stop(1000);
    }
  }
  throw lastError;
}

/**
 * Porthole's browser mode as a user runs it. A launch URL lets in one browser once, so `launchUrl()`
 * asks for a fresh one each time (Enter on the server's stdin, as a user would).
 */
/** opts.nodeArgs: extra Node flags for the server process (e.g. --cpu-prof when profiling by hand). */
export async function startPortholeServe(serveJs, dataDir, { nodeArgs = [] } = {}) {
  const proc = spawnManaged(process.execPath, [...nodeArgs, serveJs, '--port', '0', '--no-open', '--data-dir', dataDir], {
    name: 'porthole-serve',
    env: { ...process.env, PORTHOLE_LOG_LEVEL: 'warn' },
    stdin: 'pipe',
  });
  const line = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?launch=[A-Za-z0-9_-]+)/g;
  const first = await waitForOutput(proc, new RegExp(line.source), 15_000);
  let printed = 1;
  let firstUsed = false;
  const launchUrl = async () => {
    if (!firstUsed) {
      firstUsed = true;
      return first[1];
    }
    const wanted = ++printed;
    proc.child.stdin.write('\n');
    const deadline = Date.now() + 10_000;
    for (;;) {
      // Logs are at "warn", so every printed URL is still in the output ring.
      const urls = [...proc.output().matchAll(line)].map((m) => m[1]);
      if (urls.length >= wanted) return urls[wanted - 1];
      if (Date.now() > deadline) throw new Error(`porthole-serve printed no new launch URL:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { launchUrl, proc, stop: () => proc.stop(8000) };
}

/**
 * Installed in the page: records t0 (0 = navigation start, or the moment of a click on `startSelector`)
 * and t1, the first animation frame in which the canvas pixel (5,5) is within ±2 of `rgb`.
 */
function probe({ canvasSelector, rgb, startSelector }) {
  const state = { t0: startSelector ? null : 0, t1: null, last: null };
  window.__ttff = state;
  if (startSelector) {
    document.addEventListener(
      'click',
      (e) => {
        if (state.t0 === null && e.target instanceof Element && e.target.closest(startSelector)) state.t0 = performance.now();
      },
      true,
    );
  }
  const tick = () => {
    if (state.t0 !== null) {
      const canvas = document.querySelector(canvasSelector);
      if (canvas && canvas.width > 5 && canvas.height > 5) {
        const d = canvas.getContext('2d').getImageData(5, 5, 1, 1).data;
        state.last = [d[0], d[1], d[2]];
        if (Math.abs(d[0] - rgb[0]) <= 2 && Math.abs(d[1] - rgb[1]) <= 2 && Math.abs(d[2] - rgb[2]) <= 2) {
          state.t1 = performance.now();
          return;
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function waitForFrame(page, timeoutMs) {
  try {
    await page.waitForFunction(() => window.__ttff && window.__ttff.t1 !== null, null, { timeout: timeoutMs, polling: 50 });
  } catch (err) {
    const last = await page.evaluate(() => window.__ttff?.last).catch(() => null);
    throw new Error(`no first frame within ${timeoutMs} ms (pixel ${JSON.stringify(last)}): ${err.message}`, { cause: err });
  }
  const { t0, t1 } = await page.evaluate(() => ({ t0: window.__ttff.t0, t1: window.__ttff.t1 }));
  return t1 - t0;
}

const PORTHOLE_CANVAS = '[aria-label="Console"] canvas';

/** Porthole: app already open and ready; from the click on Connect (or Demo) to the colour at (5,5). */
export async function portholeFirstFrame(browser, launchUrl, { consoleUrl, rgb, timeoutMs = 20_000 }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(typeof launchUrl === 'function' ? await launchUrl() : launchUrl);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const startSelector = consoleUrl ? '#quick-connect button[type="submit"]' : '#demo';
    await page.evaluate(probe, { canvasSelector: PORTHOLE_CANVAS, rgb, startSelector });
    if (consoleUrl) {
      await page.getByLabel('Console URL', { exact: true }).fill(consoleUrl);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
    } else {
      await page.getByRole('button', { name: 'Demo', exact: true }).click();
    }
    return await waitForFrame(page, timeoutMs);
  } finally {
    await context.close();
  }
}

/** Debian's noVNC page (fresh browser context: cold cache): from navigation start to the colour at (5,5). */
export async function novncFirstFrame(browser, pageUrl, { rgb, timeoutMs = 20_000 }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(probe, { canvasSelector: '#screen canvas', rgb, startSelector: null });
    await page.goto(pageUrl);
    return await waitForFrame(page, timeoutMs);
  } finally {
    await context.close();
  }
}
