/* global window, document, requestAnimationFrame, CanvasRenderingContext2D */
// The console as a user feels it, in Chromium, Porthole's browser mode vs Debian's noVNC page
// (vnc_lite.html) against the same Xvnc in the same run:
// - key press → echo drawn: an xterm running `cat` echoes what is typed; from the keydown event in
//   the page to the first animation frame in which the echoed cell differs on the canvas;
// - canvas updates per second while the whole screen keeps changing (a full-screen xterm pouring
//   out random hex): draws onto the page's visible canvas, counted by a wrapper around
//   CanvasRenderingContext2D.drawImage/putImageData installed before the page loads. noVNC 1.3 and
//   1.7 both draw into a canvas outside the page and copy it to the visible one once per
//   FramebufferUpdate (Display.flip), so this counts updates the same way for both: the bench pages
//   with plain noVNC modules count FramebufferUpdate messages and flips themselves, and all three agree.
import { cpuBetween, cpuSnapshot } from './cpu-split.mjs';
import { spawnManaged } from './procs.mjs';

const PORTHOLE_CANVAS = '[aria-label="Console"] canvas';
const NOVNC_CANVAS = '#screen canvas';

/** Installed before any page script: counts draws onto canvases that are in the document. */
function drawCounter() {
  const counts = { draws: 0, frames: 0, drewThisFrame: false, since: performance.now() };
  window.__draws = counts;
  for (const name of ['drawImage', 'putImageData']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      if (this.canvas.isConnected) {
        counts.draws++;
        counts.drewThisFrame = true;
      }
      return original.apply(this, args);
    };
  }
  const tick = () => {
    if (counts.drewThisFrame) counts.frames++;
    counts.drewThisFrame = false;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** One echo sample: arms on the next keydown, resolves t1 at the first frame where the region changed. */
function echoProbe({ selector, region }) {
  const canvas = document.querySelector(selector);
  const ctx = canvas.getContext('2d');
  const snap = () => {
    const d = ctx.getImageData(region.x, region.y, region.w, region.h).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 4) h = (Math.imul(h, 31) + d[i] + d[i + 1] * 7 + d[i + 2] * 13) | 0;
    return h;
  };
  const state = { t0: null, t1: null, base: snap() };
  window.__echo = state;
  window.addEventListener(
    'keydown',
    () => {
      state.base = snap();
      state.t0 = performance.now();
    },
    { capture: true, once: true },
  );
  const tick = () => {
    if (state.t0 !== null && snap() !== state.base) {
      state.t1 = performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function echoSample(page, selector, key) {
  await page.evaluate(echoProbe, { selector, region: { x: 0, y: 0, w: 48, h: 24 } });
  await page.keyboard.press(key);
  await page.waitForFunction(() => window.__echo.t1 !== null, null, { timeout: 5000, polling: 20 });
  return page.evaluate(() => window.__echo.t1 - window.__echo.t0);
}

/** A page per variant, connected and holding the keyboard; `selector` is its console canvas. */
export async function openVariant(browser, name, { launchUrl, consoleUrl, novncUrl, vncUrl, liteUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(drawCounter);
  let selector;
  if (name.startsWith('porthole')) {
    selector = PORTHOLE_CANVAS;
    // "porthole-actual": the console at actual size (no scaling), to see what scaling costs.
    if (name === 'porthole-actual') await page.addInitScript(() => window.localStorage.setItem('porthole.console.settings', JSON.stringify({ scaling: 'actual' })));
    await page.goto(await launchUrl());
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    // "porthole-vnc": Porthole straight to the VNC port (as many hops as the noVNC page through websockify).
    await page.getByLabel('Console URL', { exact: true }).fill(name === 'porthole-vnc' ? vncUrl : consoleUrl);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForSelector('[role="tabpanel"][data-state="connected"]', { timeout: 15_000 });
  } else if (name.startsWith('lite-')) {
    // The vnc_lite-like bench page (scripts/bench/pages/novnc-lite.html) with another noVNC core.
    selector = NOVNC_CANVAS;
    await page.goto(liteUrl(name.slice('lite-'.length)));
  } else {
    selector = NOVNC_CANVAS;
    // "novnc-scaled": the same page scaling the screen to fit (its ?scale=true), to set against Porthole's "fit".
    await page.goto(name === 'novnc-scaled' ? `${novncUrl}&scale=true` : novncUrl);
  }
  await page.waitForFunction((sel) => {
    const c = document.querySelector(sel);
    return c && c.width > 100;
  }, selector, { timeout: 15_000 });
  // Both the same way: a click on the console gives it the keyboard (and puts X's pointer on the xterm).
  await page.locator(selector).click({ position: { x: 200, y: 200 } });
  return { name, page, selector, close: () => context.close() };
}

/** Echo latencies (ms) for `count` key presses, alternating a letter and BackSpace (the cell stays put). */
export async function measureEcho(variant, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(await echoSample(variant.page, variant.selector, i % 2 === 0 ? 'x' : 'Backspace'));
    await new Promise((r) => setTimeout(r, 60));
  }
  return out;
}

/** Canvas draws and frames-with-a-draw per second over `seconds`, while the picture changes. */
export async function measureUpdates(variant, seconds, cpuRoots = {}) {
  // The renderer's own CPU per update (script, style, layout), from Chromium's performance metrics:
  // CPU time, so it says what the page costs even when the machine is busy.
  const cdp = await variant.page.context().newCDPSession(variant.page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const read = () => variant.page.evaluate(() => ({ ...window.__draws, fbu: window.__fbu ? { ...window.__fbu } : undefined, now: performance.now() }));
  const before = await read();
  const cpu0 = cpuSnapshot(cpuRoots);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu1 = cpuSnapshot(cpuRoots);
  const after = await read();
  const m1 = await metrics();
  const s = (after.now - before.now) / 1000;
  const draws = Math.max(1, after.draws - before.draws);
  const perUpdateMs = (name) => ((m1[name] - m0[name]) * 1000) / draws;
  return {
    updatesPerSec: (after.draws - before.draws) / s,
    framesPerSec: (after.frames - before.frames) / s,
    // Bench pages with plain noVNC modules also count FramebufferUpdate messages and flips themselves.
    fbuPerSec: after.fbu ? (after.fbu.updates - before.fbu.updates) / s : undefined,
    flipsPerSec: after.fbu ? (after.fbu.flips - before.fbu.flips) / s : undefined,
    taskMsPerUpdate: perUpdateMs('TaskDuration'),
    scriptMsPerUpdate: perUpdateMs('ScriptDuration'),
    styleLayoutMsPerUpdate: perUpdateMs('RecalcStyleDuration') + perUpdateMs('LayoutDuration'),
    // Whole processes (all threads: raster, compositing, the relay hops), ms of CPU per update.
    cpuMsPerUpdate: Object.fromEntries(Object.entries(cpuBetween(cpu0, cpu1)).map(([k, sec]) => [k, (sec * 1000) / draws])),
  };
}

/** A full-screen xterm pouring out random hex: the whole picture changes all the time (until stopped). */
export function startFullScreenChanges(env) {
  return spawnManaged('/usr/bin/xterm', ['-geometry', '170x64+0+0', '-bg', 'black', '-fg', '#b0ffb0', '-e', '/bin/sh', '-c', 'exec od -An -tx1 /dev/urandom'], { name: 'xterm-noise', env });
}

/** An xterm over the whole screen that echoes what is typed (cat with the tty echoing). */
export function startEchoTerminal(env) {
  return spawnManaged('/usr/bin/xterm', ['-geometry', '160x60+0+0', '-bg', 'white', '-fg', 'black', '-e', '/bin/cat'], { name: 'xterm', env });
}

/**
 * Two pages at once, each with its own connection to the same Xvnc, counted over the same seconds:
 * whatever else the machine runs weighs on both alike, so their ratio holds up on a shared machine
 * where runs one after the other (minutes apart) do not. Returns updates/s of each.
 */
export async function measurePair(a, b, seconds) {
  const read = (v) => v.page.evaluate(() => ({ draws: window.__draws.draws, now: performance.now() }));
  const [a0, b0] = await Promise.all([read(a), read(b)]);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const [a1, b1] = await Promise.all([read(a), read(b)]);
  const rate = (x0, x1) => (x1.draws - x0.draws) / ((x1.now - x0.now) / 1000);
  return { a: rate(a0, a1), b: rate(b0, b1) };
}
