/* global window, document, requestAnimationFrame, Element */
// RFB security in the bench (issue 10): sessions whose upstream asks for a VNC password or speaks
// VeNCrypt X509 against sessions with None, interleaved in the same run through the same proxy
// process — after the handshake nothing of the security stage is on the byte path, so relay
// throughput and round trips should match None (VeNCrypt against None over a TLS upstream, since
// both decrypt TLS). And the time from Connect to the first frame for Xvnc + VncAuth and for
// QEMU + VeNCrypt X509Vnc in Chromium through browser mode.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureLatency, measureThroughput, wsStream } from './clients.mjs';
import { APP_ORIGIN } from './porthole-proxy.mjs';
import { cpuSampler, freePort, removeTempDir, spawnManaged, trackTempDir } from './procs.mjs';
import { fmt, median, rotate, sampleInterleaved, sleep } from './stats.mjs';
import { CHROMIUM_ARGS, startPortholeServe, xvncDisplay } from './ttff.mjs';

/** The password of the bench's VNC-auth peers (scripts/bench/peers.mjs has the same). */
export const BENCH_VNC_PASSWORD = 'benchpw1';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export async function securityRelay(cfg, ctx, results, { log }) {
  const { peers, pki, porthole } = ctx;
  const host = '127.0.0.1';
  const ca = { allowInsecure: false, caPem: pki.caPem };
  const open = (port, extra = {}, tls = { allowInsecure: false }) => wsStream(async () => (await porthole.open({ kind: 'vnc-tcp', tls: false, host, port, ...extra }, tls))[0], APP_ORIGIN);
  const variants = {
    none: { source: open(peers.ports.source), echo: open(peers.ports.echo) },
    vncauth: { source: open(peers.ports.sourceVnc, { password: BENCH_VNC_PASSWORD }), echo: open(peers.ports.echoVnc, { password: BENCH_VNC_PASSWORD }) },
    'none-tls': { source: open(peers.ports.sourceTls, { tls: true }, ca), echo: open(peers.ports.echoTls, { tls: true }, ca) },
    'vencrypt-x509': { source: open(peers.ports.sourceVencrypt, {}, ca), echo: open(peers.ports.echoVencrypt, {}, ca) },
  };
  const names = Object.keys(variants);
  const doThroughput = cfg.phases.includes('throughput');
  const doLatency = cfg.phases.includes('latency');
  const bytes = cfg.mib * MiB;
  log('security variants: warm-up…');
  for (const n of names) {
    if (doThroughput) await measureThroughput(variants[n].source, Math.min(bytes, 16 * MiB));
    if (doLatency) await measureLatency(variants[n].echo, { count: 200, warmup: 50 });
  }
  const samples = [];
  for (let r = 0; r < cfg.rounds; r++) {
    const line = [];
    for (const n of rotate(names, r)) {
      const v = variants[n];
      const sample = { round: r, variant: n };
      if (doThroughput) {
        const res = await measureThroughput(v.source, bytes, cpuSampler(porthole.pid));
        Object.assign(sample, { mibPerSec: res.mibPerSec, firstByteMs: res.firstByteMs, cpuPerGiB: res.cpuSeconds / (res.bytes / GiB) });
        line.push(`${n} ${fmt(res.mibPerSec, 0)} MiB/s`);
        await sleep(100);
      }
      if (doLatency) {
        const res = await measureLatency(v.echo, { count: cfg.rtts, warmup: 200 });
        Object.assign(sample, { p50us: res.p50us, p99us: res.p99us });
        line.push(`${n} p50 ${fmt(res.p50us, 0)} µs`);
      }
      samples.push(sample);
    }
    log(`security round ${r + 1}/${cfg.rounds}: ${line.join(', ')}`);
  }
  const by = (n, key) => median(samples.filter((s) => s.variant === n).map((s) => s[key]));
  const variantsSummary = {};
  for (const n of names) variantsSummary[n] = { throughputMiBps: by(n, 'mibPerSec'), cpuSecPerGiB: by(n, 'cpuPerGiB'), firstByteMs: by(n, 'firstByteMs'), rttP50us: by(n, 'p50us'), rttP99us: by(n, 'p99us') };
  results.samples = { ...results.samples, security: samples };
  results.security = { ...results.security, relay: variantsSummary, rounds: cfg.rounds };
}

// ---- time to first frame: Xvnc + VncAuth, QEMU + VeNCrypt X509Vnc ----

function run(cmd, args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, timeout: 10_000, encoding: 'buffer' }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd}: ${err.message}\n${stderr}`)) : resolve(stdout)));
    if (input !== undefined) child.stdin.end(input);
  });
}

async function waitForBanner(port, proc, timeoutMs) {
  const net = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitInfo()) break;
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      const t = setTimeout(() => (s.destroy(), resolve(false)), 1000);
      s.once('data', (d) => (clearTimeout(t), s.destroy(), resolve(d.toString('latin1').startsWith('RFB '))));
      s.once('error', () => (clearTimeout(t), resolve(false)));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`no RFB banner on ${port}:\n${proc.output()}`);
}

async function startXvncVncAuth(dir, colour) {
  const passwd = path.join(dir, 'passwd');
  writeFileSync(passwd, await run('/usr/bin/vncpasswd', ['-f'], { input: `${BENCH_VNC_PASSWORD}\n${BENCH_VNC_PASSWORD}\n` }), { mode: 0o600 });
  mkdirSync('/tmp/.X11-unix', { recursive: true });
  const rfbPort = await freePort();
  const proc = spawnManaged('/usr/bin/Xvnc', ['-displayfd', '3', '-rfbport', String(rfbPort), '-localhost', '-SecurityTypes', 'VncAuth', '-PasswordFile', passwd, '-UseBlacklist=0',
    '-geometry', '1024x768', '-depth', '24', '-nolisten', 'tcp'], { name: 'Xvnc-vncauth', extraFds: 1, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const display = await xvncDisplay(proc);
  await waitForBanner(rfbPort, proc, 10_000);
  await run('/usr/bin/xsetroot', ['-solid', colour], { env: { PATH: process.env.PATH, HOME: os.tmpdir(), DISPLAY: `:${display}` } });
  return { rfbPort, stop: () => proc.stop(3000) };
}

async function startQemuX509(dir, pki) {
  const tlsDir = path.join(dir, 'qemu-tls');
  mkdirSync(tlsDir);
  copyFileSync(pki.caPath, path.join(tlsDir, 'ca-cert.pem'));
  copyFileSync(pki.certPath, path.join(tlsDir, 'server-cert.pem'));
  copyFileSync(pki.keyPath, path.join(tlsDir, 'server-key.pem'));
  const port = await freePort();
  const proc = spawnManaged('/usr/bin/qemu-system-x86_64', ['-nodefaults', '-vga', 'std', '-display', 'none', '-m', '64', '-accel', 'tcg', '-serial', 'none', '-monitor', 'none',
    '-object', `secret,id=vncpw,data=${BENCH_VNC_PASSWORD}`, '-object', `tls-creds-x509,id=tls0,dir=${tlsDir},endpoint=server,verify-peer=off`,
    '-vnc', `127.0.0.1:${port - 5900},password-secret=vncpw,tls-creds=tls0`], { name: 'qemu' });
  await waitForBanner(port, proc, 20_000);
  return { rfbPort: port, stop: () => proc.stop(3000) };
}

/** In the page: t0 at the click on Connect, t1 at the first animation frame whose pixel is `rgb` and opaque. */
function probe({ x, y, rgb }) {
  const state = { t0: null, t1: null };
  window.__ttffSec = state;
  document.addEventListener('click', (e) => {
    if (state.t0 === null && e.target instanceof Element && e.target.closest('#quick-connect button[type="submit"]')) state.t0 = performance.now();
  }, true);
  const tick = () => {
    if (state.t0 !== null) {
      const canvas = document.querySelector('[aria-label="Console"] canvas');
      if (canvas && canvas.width > x && canvas.height > y) {
        const d = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
        if (d[3] === 255 && Math.abs(d[0] - rgb[0]) <= 2 && Math.abs(d[1] - rgb[1]) <= 2 && Math.abs(d[2] - rgb[2]) <= 2) {
          state.t1 = performance.now();
          return;
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function firstFrame(browser, launchUrl, consoleUrl, where) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(await launchUrl());
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.evaluate(probe, where);
    await page.getByLabel('Console URL', { exact: true }).fill(consoleUrl);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForFunction(() => window.__ttffSec.t1 !== null, null, { timeout: 30_000, polling: 50 });
    const { t0, t1 } = await page.evaluate(() => window.__ttffSec);
    return t1 - t0;
  } finally {
    await context.close();
  }
}

export async function securityTtff(cfg, results, { root, pki, cleanups, log }) {
  const { chromium } = await import('playwright-core');
  const dir = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-sec-')));
  cleanups.push(() => removeTempDir(dir));
  const COLOUR = [0x2e, 0x8b, 0x57];
  const [xvnc, qemu] = await Promise.all([startXvncVncAuth(dir, '#2e8b57'), startQemuX509(dir, pki)]);
  cleanups.push(() => xvnc.stop(), () => qemu.stop());
  // The bench CA is trusted the way an admin's CA would be: Node's extra CA store of the serve process.
  const before = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = pki.caPath;
  const serve = await startPortholeServe(path.join(root, 'dist/main/serve.js'), trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-sec-data-'))));
  if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = before;
  cleanups.push(() => serve.stop());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
  const variants = {
    'xvnc-vncauth': () => firstFrame(browser, serve.launchUrl, `vnc://:${BENCH_VNC_PASSWORD}@127.0.0.1:${xvnc.rfbPort}`, { x: 5, y: 5, rgb: COLOUR }),
    // SeaBIOS's text screen: a black, opaque pixel away from the text.
    'qemu-x509vnc': () => firstFrame(browser, serve.launchUrl, `vnc://:${BENCH_VNC_PASSWORD}@127.0.0.1:${qemu.rfbPort}`, { x: 700, y: 390, rgb: [0, 0, 0] }),
  };
  const samples = await sampleInterleaved(variants, cfg.ttffRounds, 'first frame (security)', log);
  const med = (n) => median(samples.filter((s) => s.variant === n).map((s) => s.ms));
  results.samples = { ...results.samples, securityTtff: samples };
  results.security = { ...results.security, ttff: { xvncVncAuthMs: med('xvnc-vncauth'), qemuX509VncMs: med('qemu-x509vnc'), rounds: cfg.ttffRounds } };
  await browser.close();
  await serve.stop();
  await Promise.all([xvnc.stop(), qemu.stop()]);
}

const within = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);

/** Targets: VncAuth and VeNCrypt sessions within 5% of None (throughput; round trip). */
export function securityTargets(results) {
  const v = results.security?.relay;
  if (!v) return [];
  const out = [];
  const add = (name, value, ok, detail) => out.push({ name, value, met: Number.isFinite(value) ? ok(value) : null, detail });
  add('VncAuth session throughput ≥ 0.95× None', within(v.vncauth.throughputMiBps, v.none.throughputMiBps), (x) => x >= 0.95, 'same proxy, same run');
  add('VeNCrypt X509 throughput ≥ 0.95× None over TLS', within(v['vencrypt-x509'].throughputMiBps, v['none-tls'].throughputMiBps), (x) => x >= 0.95, 'both decrypt TLS in main');
  add('VncAuth round trip p50 ≤ 1.05× None', within(v.vncauth.rttP50us, v.none.rttP50us), (x) => x <= 1.05, 'same proxy, same run');
  add('VeNCrypt X509 round trip p50 ≤ 1.05× None over TLS', within(v['vencrypt-x509'].rttP50us, v['none-tls'].rttP50us), (x) => x <= 1.05, 'both decrypt TLS in main');
  return out;
}

export function securityReport(results) {
  const s = results.security;
  if (!s) return '';
  const lines = [];
  if (s.relay) {
    lines.push('RFB security (Porthole only, interleaved)   MiB/s   CPU s/GiB   first byte ms   RTT p50 µs   RTT p99 µs');
    for (const [n, v] of Object.entries(s.relay)) {
      lines.push(`  ${n.padEnd(41)} ${fmt(v.throughputMiBps, 0).padStart(6)}   ${fmt(v.cpuSecPerGiB, 2).padStart(9)}   ${fmt(v.firstByteMs, 2).padStart(13)}   ${fmt(v.rttP50us, 0).padStart(10)}   ${fmt(v.rttP99us, 0).padStart(10)}`);
    }
  }
  if (s.ttff) {
    lines.push(`Connect → first frame: Xvnc + VncAuth ${fmt(s.ttff.xvncVncAuthMs, 0)} ms; QEMU + VeNCrypt X509Vnc ${fmt(s.ttff.qemuX509VncMs, 0)} ms (medians of ${s.ttff.rounds})`);
  }
  return lines.join('\n');
}
