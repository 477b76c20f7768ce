// `npm run bench`: Porthole's loopback proxy against Debian's websockify, side by side on this
// machine, interleaved (the order rotates every round), medians over rounds, 127.0.0.1 only.
// Prints a table and writes bench-results/<timestamp>.json. `--quick` for a smoke check; --help for flags.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  closeSessions,
  measureLatency,
  measureThroughput,
  openIdleSessions,
  tcpStream,
  verifyEcho,
  wsStream,
} from './bench/lib/clients.mjs';
import { makePki } from './bench/lib/pki.mjs';
import { APP_ORIGIN, bundleProxyHost, startPortholeProxy } from './bench/lib/porthole-proxy.mjs';
import { cpuSampler, killAllNow, removeTempDir, spawnManaged, stopAll, trackTempDir, treeMemory, waitForOutput } from './bench/lib/procs.mjs';
import { CHROMIUM_ARGS, novncFirstFrame, portholeFirstFrame, startPortholeServe, startXvnc } from './bench/lib/ttff.mjs';
import { measureEcho, measurePair, measureUpdates, openVariant, startEchoTerminal, startFullScreenChanges } from './bench/lib/ui.mjs';
import { withNewChild } from './bench/lib/cpu-split.mjs';
import { startNovncPages } from './bench/lib/novnc-pages.mjs';
import { startWebsockify } from './bench/lib/websockify.mjs';
import { securityRelay, securityReport, securityTargets, securityTtff } from './bench/lib/security.mjs';
import { fmt, median, ratio, rotate, sampleInterleaved, sleep } from './bench/lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PHASES = ['throughput', 'latency', 'memory', 'ttff', 'ui'];

const usage = `Usage: node --expose-gc scripts/bench.mjs [options]
  --quick               smoke check: 1 round, small sizes (explicit flags still win)
  --rounds N            rounds for throughput and latency (default 9)
  --mib N               MiB per throughput run (default 256)
  --rtts N              64-byte round trips per latency run (default 2000)
  --sessions A,B        idle Porthole session counts for the memory test (default 100,1000)
  --wsfy-sessions N     idle websockify sessions for its RSS figure (default 100)
  --ttff-rounds N       time-to-first-frame samples per variant (default 10)
  --ui-rounds N         rounds of the console measurements (echo, updates/s) per variant (default 3)
  --ui-lite             also the vnc_lite-like bench pages (Debian's noVNC 1.3, npm's 1.7, 1.7 bundled)
  --only LIST           phases to run, comma-separated: ${PHASES.join(',')} (default all)
  --out DIR             where the JSON goes (default bench-results/)`;

function parseConfig() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      mib: { type: 'string' },
      rtts: { type: 'string' },
      sessions: { type: 'string' },
      'wsfy-sessions': { type: 'string' },
      'ttff-rounds': { type: 'string' },
      'ui-rounds': { type: 'string' },
      'ui-lite': { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const int = (name, dflt) => {
    const v = values[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : PHASES;
  for (const p of only) if (!PHASES.includes(p)) throw new Error(`--only: unknown phase ${p}`);
  const sessions = (values.sessions ?? (quick ? '10,100' : '100,1000')).split(',').map(Number);
  if (sessions.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sessions must be positive integers');
  return {
    quick,
    rounds: int('rounds', quick ? 1 : 9),
    mib: int('mib', quick ? 16 : 256),
    rtts: int('rtts', quick ? 200 : 2000),
    sessions: [...new Set(sessions)].sort((a, b) => a - b),
    wsfySessions: int('wsfy-sessions', quick ? 10 : 100),
    ttffRounds: int('ttff-rounds', quick ? 1 : 10),
    uiRounds: int('ui-rounds', quick ? 1 : 3),
    uiLite: values['ui-lite'] ?? false,
    phases: only,
    out: path.resolve(values.out ?? path.join(root, 'bench-results')),
  };
}

// ---- small helpers ----

const log = (msg) => process.stderr.write(`${msg}\n`);

function machineInfo() {
  const cpus = os.cpus();
  let websockify = 'unknown';
  try {
    websockify = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'websockify']).toString();
  } catch {
    // not a Debian system
  }
  return { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}`, websockify, totalMemMiB: Math.round(os.totalmem() / MiB) };
}

// ---- cleanup ----

const cleanups = [];
let cleaning;
let interrupted = false;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await Promise.race([fn(), sleep(4000)]);
      } catch {
        // best effort
      }
    }
    await stopAll();
  })();
  return cleaning;
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = true;
    log(`\n${sig}: stopping everything…`);
    const force = setTimeout(() => process.exit(130), 15_000); // the exit hook kills what is left
    void cleanup().finally(() => {
      clearTimeout(force);
      process.exit(130);
    });
  });
}

// ---- set-up shared by throughput and latency ----

async function startPeers(pki) {
  const proc = spawnManaged(process.execPath, [path.join(root, 'scripts/bench/peers.mjs'), '--cert', pki.certPath, '--key', pki.keyPath], { name: 'peers', stdin: 'pipe' });
  const m = await waitForOutput(proc, /^(\{"ports".*\})$/m, 10_000);
  return { ...JSON.parse(m[1]), proc };
}

/** A plain Node relay (scripts/bench/node-relay.mjs) in its own process, to one target. */
async function startNodeRelay(target, { tls = false, caPath } = {}) {
  const args = [path.join(root, 'scripts/bench/node-relay.mjs'), '--target', target, ...(tls ? ['--tls', '--ca', caPath] : [])];
  const proc = spawnManaged(process.execPath, args, { name: 'node-relay', stdin: 'pipe' });
  const m = await waitForOutput(proc, /^\{"port":(\d+)\}$/m, 10_000);
  return { port: Number(m[1]), pid: proc.pid, stop: () => proc.stop(2000) };
}

// ---- phase: throughput + CPU, and latency (interleaved in the same rounds) ----

async function relayPhases(cfg, ctx, results) {
  const { peers, pki, porthole } = ctx;
  const host = '127.0.0.1';
  const caPolicy = { allowInsecure: false, caPem: pki.caPem };
  const [wsfySource, wsfySourceTls, wsfyEcho] = await Promise.all([
    startWebsockify({ target: `${host}:${peers.ports.source}` }),
    startWebsockify({ target: `${host}:${peers.ports.sourceTls}`, sslTarget: true }),
    startWebsockify({ target: `${host}:${peers.ports.echo}` }),
  ]);
  cleanups.push(() => Promise.all([wsfySource.stop(), wsfySourceTls.stop(), wsfyEcho.stop()]));
  const [nodeSource, nodeSourceTls, nodeEcho] = await Promise.all([
    startNodeRelay(`${host}:${peers.ports.source}`),
    startNodeRelay(`${host}:${peers.ports.sourceTls}`, { tls: true, caPath: pki.caPath }),
    startNodeRelay(`${host}:${peers.ports.echo}`),
  ]);
  cleanups.push(() => Promise.all([nodeSource.stop(), nodeSourceTls.stop(), nodeEcho.stop()]));

  const wsfyUrl = (w) => () => `ws://${host}:${w.port}/`;
  const pOpen = (target, tls) => async () => (await porthole.open(target, tls))[0];
  const streams = {
    plain: {
      porthole: { open: wsStream(pOpen({ kind: 'vnc-tcp', tls: false, host, port: peers.ports.source }), APP_ORIGIN), cpu: porthole.pid },
      websockify: { open: wsStream(wsfyUrl(wsfySource), 'http://127.0.0.1'), cpu: wsfySource.pid },
      node: { open: wsStream(wsfyUrl(nodeSource), 'http://127.0.0.1'), cpu: nodeSource.pid },
      direct: { open: tcpStream(peers.ports.source) },
    },
    tls: {
      porthole: { open: wsStream(pOpen({ kind: 'vnc-tcp', tls: true, host, port: peers.ports.sourceTls }, caPolicy), APP_ORIGIN), cpu: porthole.pid },
      websockify: { open: wsStream(wsfyUrl(wsfySourceTls), 'http://127.0.0.1'), cpu: wsfySourceTls.pid },
      node: { open: wsStream(wsfyUrl(nodeSourceTls), 'http://127.0.0.1'), cpu: nodeSourceTls.pid },
      direct: { open: tcpStream(peers.ports.sourceTls, { ca: pki.caPem }) },
    },
    echo: {
      porthole: { open: wsStream(pOpen({ kind: 'vnc-tcp', tls: false, host, port: peers.ports.echo }), APP_ORIGIN) },
      websockify: { open: wsStream(wsfyUrl(wsfyEcho), 'http://127.0.0.1') },
      node: { open: wsStream(wsfyUrl(nodeEcho), 'http://127.0.0.1') },
      direct: { open: tcpStream(peers.ports.echo) },
    },
  };
  const impls = ['porthole', 'websockify', 'node', 'direct'];
  const bytes = cfg.mib * MiB;
  const doThroughput = cfg.phases.includes('throughput');
  const doLatency = cfg.phases.includes('latency');

  // websockify's --ssl-target: does it verify the upstream certificate? Our CA is in no trust store,
  // so a successful relay means it does not.
  if (doThroughput) {
    try {
      await measureThroughput(streams.tls.websockify.open, 4 * MiB);
      results.websockifySslTargetVerifies = false;
    } catch {
      results.websockifySslTargetVerifies = true;
    }
  }

  log('warm-up…');
  for (const impl of impls) {
    if (doThroughput) {
      await measureThroughput(streams.plain[impl].open, Math.min(bytes, 32 * MiB));
      await measureThroughput(streams.tls[impl].open, Math.min(bytes, 16 * MiB));
    }
    if (doLatency) await measureLatency(streams.echo[impl].open, { count: 300, warmup: 100 });
  }

  const samples = { throughputPlain: [], throughputTls: [], latency: [] };
  for (let r = 0; r < cfg.rounds; r++) {
    const order = rotate(impls, r);
    const line = [];
    if (doThroughput) {
      for (const kind of ['plain', 'tls']) {
        for (const impl of order) {
          const s = streams[kind][impl];
          const res = await measureThroughput(s.open, bytes, s.cpu === undefined ? undefined : cpuSampler(s.cpu));
          const cpuPerGiB = res.cpuSeconds === undefined ? undefined : res.cpuSeconds / (res.bytes / GiB);
          samples[kind === 'plain' ? 'throughputPlain' : 'throughputTls'].push({ round: r, impl, ...res, cpuPerGiB });
          line.push(`${kind}/${impl} ${fmt(res.mibPerSec, 0)} MiB/s`);
          await sleep(100);
        }
      }
    }
    if (doLatency) {
      for (const impl of order) {
        const res = await measureLatency(streams.echo[impl].open, { count: cfg.rtts, warmup: 200 });
        samples.latency.push({ round: r, impl, ...res });
        line.push(`rtt/${impl} p50 ${fmt(res.p50us, 0)} µs`);
      }
    }
    log(`round ${r + 1}/${cfg.rounds}: ${line.join(', ')}`);
  }
  results.samples = { ...results.samples, ...samples };

  const by = (list, impl, key) => median(list.filter((s) => s.impl === impl).map((s) => s[key]));
  const summary = {};
  for (const impl of impls) {
    summary[impl] = {
      throughputMiBps: by(samples.throughputPlain, impl, 'mibPerSec'),
      throughputTlsMiBps: by(samples.throughputTls, impl, 'mibPerSec'),
      cpuSecPerGiB: by(samples.throughputPlain, impl, 'cpuPerGiB'),
      cpuSecPerGiBTls: by(samples.throughputTls, impl, 'cpuPerGiB'),
      firstByteMs: by(samples.throughputPlain, impl, 'firstByteMs'),
      firstByteMsTls: by(samples.throughputTls, impl, 'firstByteMs'),
      rttP50us: by(samples.latency, impl, 'p50us'),
      rttP99us: by(samples.latency, impl, 'p99us'),
    };
  }
  results.relay = summary;
}

// ---- phase: memory and scale ----

async function memoryPhase(cfg, ctx, results) {
  const { peers, bundle } = ctx;
  const echoTarget = { kind: 'vnc-tcp', tls: false, host: '127.0.0.1', port: peers.ports.echo };
  // A fresh proxy process, so earlier bulk transfers do not colour its heap.
  const proxy = await startPortholeProxy(bundle.file);
  cleanups.push(() => proxy.stop());
  const urls = (k) => proxy.open(echoTarget, undefined, k);

  log('memory: warm-up…');
  const warm = await openIdleSessions(20, urls, APP_ORIGIN);
  await verifyEcho(warm.sockets);
  await closeSessions(warm.sockets);
  await proxy.closeAll();
  await sleep(500);
  const base = (await proxy.gc()).memory;

  const porthole = [];
  let all = [];
  let failed = 0;
  let firstError;
  for (const n of cfg.sessions) {
    log(`memory: opening Porthole sessions up to ${n}…`);
    const r = await openIdleSessions(n - all.length, urls, APP_ORIGIN);
    all = all.concat(r.sockets);
    failed += r.failed;
    firstError ??= r.firstError;
    await sleep(300);
    const m = (await proxy.gc()).memory;
    const opened = all.length;
    const answered = await verifyEcho(all);
    porthole.push({
      sessions: n,
      opened,
      failedToOpen: failed,
      firstError,
      answered,
      rssBytes: m.rss,
      rssPerSession: (m.rss - base.rss) / opened,
      heapUsedPerSession: (m.heapUsed - base.heapUsed) / opened,
      externalPerSession: (m.external - base.external) / opened,
    });
    log(`memory: ${opened} Porthole sessions, ${fmt((m.rss - base.rss) / opened / 1024, 1)} KiB RSS each, ${answered} answered`);
  }
  await closeSessions(all);
  await proxy.stop();

  // websockify: its process tree (one forked handler per connection).
  log(`memory: ${cfg.wsfySessions} websockify sessions…`);
  const wsfy = await startWebsockify({ target: `127.0.0.1:${peers.ports.echo}` });
  cleanups.push(() => wsfy.stop());
  await sleep(300);
  const before = treeMemory(wsfy.pid);
  const w = await openIdleSessions(cfg.wsfySessions, async (k) => Array.from({ length: k }, () => `ws://127.0.0.1:${wsfy.port}/`), 'http://127.0.0.1', 25);
  await sleep(500);
  const after = treeMemory(wsfy.pid);
  const answered = await verifyEcho(w.sockets);
  await closeSessions(w.sockets);
  await wsfy.stop();
  const opened = w.sockets.length;
  results.memory = {
    baseRssBytes: base.rss,
    porthole,
    websockify: {
      sessions: cfg.wsfySessions,
      opened,
      answered,
      processes: after.processes,
      rssBytes: after.rss,
      rssPerSession: (after.rss - before.rss) / opened,
      pssBytes: after.pss,
      pssPerSession: (after.pss - before.pss) / opened,
    },
  };
}

// ---- phase: time to first frame ----

/**
 * What the browser phases share: Xvnc (root window in the given colour) behind websockify with its
 * noVNC pages and one token, Porthole in browser mode, and Chromium; all stopped at exit.
 */
async function startBrowserRig(rootColour) {
  const serveJs = path.join(root, 'dist/main/serve.js');
  if (!existsSync(serveJs)) throw new Error('dist/main/serve.js is missing: run "npm run build" first (npm run bench does)');
  const { chromium } = await import('playwright-core');
  const token = `bench-${randomBytes(12).toString('hex')}`;
  const xvnc = await startXvnc(rootColour);
  cleanups.push(() => xvnc.stop());
  const wsfy = await startWebsockify({ web: '/usr/share/novnc', tokens: { [token]: `127.0.0.1:${xvnc.rfbPort}` } });
  cleanups.push(() => wsfy.stop());
  const dataDir = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-data-')));
  cleanups.push(() => removeTempDir(dataDir));
  const serve = await startPortholeServe(serveJs, dataDir);
  cleanups.push(() => serve.stop());
  // The pid of this phase's own Chromium, for CPU per process (an earlier phase's may still run).
  const { result: browser, pid: browserPid } = await withNewChild('chromium', () => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS }));
  cleanups.push(() => browser.close());
  return {
    xvnc,
    wsfy,
    serve,
    browser,
    browserPid,
    wsUrl: `ws://127.0.0.1:${wsfy.port}/?token=${token}`,
    consoleUrl: `http://127.0.0.1:${wsfy.port}/vnc_auto.html?path=%3Ftoken%3D${token}`,
    novncUrl: `http://127.0.0.1:${wsfy.port}/vnc_lite.html?path=%3Ftoken%3D${token}`,
  };
}

async function ttffPhase(cfg, results) {
  const ROOT_COLOUR = '#1e90ff';
  const ROOT_RGB = [0x1e, 0x90, 0xff];
  const DEMO_RGB = [240, 128, 32];
  const { serve, browser, consoleUrl, novncUrl } = await startBrowserRig(ROOT_COLOUR);
  const variants = {
    porthole: () => portholeFirstFrame(browser, serve.launchUrl, { consoleUrl, rgb: ROOT_RGB }),
    novnc: () => novncFirstFrame(browser, novncUrl, { rgb: ROOT_RGB }),
    demo: () => portholeFirstFrame(browser, serve.launchUrl, { rgb: DEMO_RGB }),
  };
  log('time to first frame: warm-up…');
  const samples = await sampleInterleaved(variants, cfg.ttffRounds, 'first frame', log);
  results.samples = { ...results.samples, ttff: samples };
  const med = (v) => median(samples.filter((s) => s.variant === v).map((s) => s.ms));
  results.ttff = { portholeMs: med('porthole'), novncPageMs: med('novnc'), demoMs: med('demo'), rounds: cfg.ttffRounds };
}

// ---- phase: the console as a user feels it (echo latency, canvas updates per second) ----

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

async function uiPhase(cfg, results) {
  const { xvnc, wsfy, serve, browser, browserPid, wsUrl, consoleUrl, novncUrl } = await startBrowserRig('#404040');
  // vnc_lite-like pages with Debian's noVNC 1.3, npm's 1.7 as modules, and 1.7 bundled as Porthole bundles it.
  const pages = await startNovncPages();
  cleanups.push(() => pages.stop());
  const urls = { launchUrl: serve.launchUrl, consoleUrl, novncUrl, vncUrl: `vnc://127.0.0.1:${xvnc.rfbPort}`, liteUrl: (core) => pages.url(core, wsUrl) };
  const cpuRoots = { chromium: browserPid, xvnc: xvnc.proc.pid, websockify: wsfy.pid, porthole: serve.proc.pid };
  const names = ['porthole', 'novnc', 'porthole-actual', 'porthole-vnc'];
  const updateNames = [...names, 'novnc-scaled', ...(cfg.uiLite ? ['lite-n13', 'lite-n17', 'lite-bundle'] : [])];
  const echoCount = cfg.quick ? 8 : 30;
  const seconds = cfg.quick ? 3 : 6;
  // After connecting, each page settles (first full frame, JIT warm-up) before it is counted.
  const settleMs = cfg.quick ? 1000 : 3000;
  const echo = Object.fromEntries(names.map((n) => [n, []]));
  const updates = Object.fromEntries(updateNames.map((n) => [n, []]));

  const term = startEchoTerminal(xvnc.env);
  await sleep(1500);
  for (let r = 0; r < cfg.uiRounds; r++) {
    for (const n of rotate(names, r)) {
      const v = await openVariant(browser, n, urls);
      await sleep(500);
      const ms = await measureEcho(v, echoCount);
      echo[n].push(...ms);
      await v.close();
      log(`echo ${r + 1}/${cfg.uiRounds} ${n}: median ${fmt(median(ms), 1)} ms`);
    }
  }
  await term.stop(2000);

  const changes = startFullScreenChanges(xvnc.env);
  cleanups.push(() => changes.stop(2000));
  await sleep(500);
  for (let r = 0; r < cfg.uiRounds; r++) {
    for (const n of rotate(updateNames, r)) {
      const v = await openVariant(browser, n, urls);
      await sleep(settleMs);
      const u = await measureUpdates(v, seconds, cpuRoots);
      updates[n].push(u);
      await v.close();
      const cpu = Object.entries(u.cpuMsPerUpdate).filter(([, ms]) => ms >= 0.05).map(([k, ms]) => `${k} ${fmt(ms, 2)}`).join(', ');
      log(`updates ${r + 1}/${cfg.uiRounds} ${n}: ${fmt(u.updatesPerSec, 1)} draws/s, ${fmt(u.framesPerSec, 1)} frames/s${u.fbuPerSec === undefined ? '' : `, ${fmt(u.fbuPerSec, 1)} FramebufferUpdates/s`}; per update: task ${fmt(u.taskMsPerUpdate, 2)} ms, script ${fmt(u.scriptMsPerUpdate, 2)} ms, style+layout ${fmt(u.styleLayoutMsPerUpdate, 2)} ms; CPU ms: ${cpu}`);
    }
  }
  // Side by side: both pages of a pair draw the same changing screen over the same seconds.
  // Each as its users reach this Xvnc: the noVNC page needs websockify; Porthole goes straight to
  // the VNC port ('porthole-vnc'). And Porthole through websockify too, as on a Nova console, where
  // its proxy is one hop more than the page has.
  const pairs = [
    ['porthole-vnc', 'novnc-scaled'],
    ['porthole', 'novnc-scaled'],
    ['porthole-actual', 'novnc'],
    ...(cfg.uiLite ? [['lite-n17', 'lite-n13'], ['lite-bundle', 'lite-n17'], ['porthole-actual', 'lite-bundle']] : []),
  ];
  const pairKey = ([a, b]) => `${a}/${b}`;
  const paired = Object.fromEntries(pairs.map((p) => [pairKey(p), []]));
  for (let r = 0; r < cfg.uiRounds; r++) {
    for (const pair of rotate(pairs, r)) {
      // Which page connects first alternates by round.
      const opened = [];
      for (const n of r % 2 === 0 ? pair : [...pair].reverse()) opened.push(await openVariant(browser, n, urls));
      const [a, b] = pair.map((n) => opened.find((v) => v.name === n));
      await sleep(settleMs);
      const m = await measurePair(a, b, seconds);
      paired[pairKey(pair)].push(m);
      for (const v of opened) await v.close();
      log(`side by side ${r + 1}/${cfg.uiRounds} ${pair[0]} ${fmt(m.a, 1)} vs ${pair[1]} ${fmt(m.b, 1)} updates/s: ${fmt(ratio(m.a, m.b), 2)}×`);
    }
  }
  await changes.stop(2000);
  await pages.stop();
  results.samples = { ...results.samples, uiEcho: echo, uiUpdates: updates, uiSideBySide: paired };
  const sideBySide = Object.fromEntries(
    Object.entries(paired).map(([k, ms]) => [k, { a: median(ms.map((m) => m.a)), b: median(ms.map((m) => m.b)), ratio: median(ms.map((m) => ratio(m.a, m.b))) }]),
  );
  const cpuLabels = [...new Set(Object.values(updates).flatMap((us) => us.flatMap((u) => Object.keys(u.cpuMsPerUpdate))))];
  const sum = (n) => (updates[n] ? summary(n) : undefined);
  const summary = (n) => ({
    echoP50ms: echo[n] ? median(echo[n]) : undefined,
    echoP95ms: echo[n] ? percentile(echo[n], 95) : undefined,
    updatesPerSec: median(updates[n].map((u) => u.updatesPerSec)),
    framesPerSec: median(updates[n].map((u) => u.framesPerSec)),
    taskMsPerUpdate: median(updates[n].map((u) => u.taskMsPerUpdate)),
    scriptMsPerUpdate: median(updates[n].map((u) => u.scriptMsPerUpdate)),
    styleLayoutMsPerUpdate: median(updates[n].map((u) => u.styleLayoutMsPerUpdate)),
    // CPU ms per update by process (medians of each), and the median of the per-run totals.
    cpuMsPerUpdate: Object.fromEntries(cpuLabels.map((k) => [k, median(updates[n].map((u) => u.cpuMsPerUpdate[k] ?? 0))])),
    cpuMsPerUpdateTotal: median(updates[n].map((u) => Object.values(u.cpuMsPerUpdate).reduce((a, b) => a + b, 0))),
  });
  results.ui = {
    porthole: sum('porthole'),
    novnc: sum('novnc'),
    portholeActual: sum('porthole-actual'),
    portholeVnc: sum('porthole-vnc'),
    novncScaled: sum('novnc-scaled'),
    lite13: sum('lite-n13'),
    lite17: sum('lite-n17'),
    liteBundle: sum('lite-bundle'),
    sideBySide,
    rounds: cfg.uiRounds,
    echoPerRound: echoCount,
    seconds,
  };
}

function bundleSize(results) {
  const file = path.join(root, 'dist/renderer/main.js');
  if (!existsSync(file)) return;
  const raw = readFileSync(file);
  results.bundle = { file: 'dist/renderer/main.js', rawBytes: raw.length, gzipBytes: gzipSync(raw).length };
}

// ---- report ----

function targets(results, cfg) {
  const out = [];
  const add = (name, value, ok, detail) => out.push({ name, value, met: Number.isFinite(value) ? ok(value) : null, detail });
  const r = results.relay;
  if (r && cfg.phases.includes('throughput')) {
    // The relay targets: parity with websockify and with a plain Node relay in its own process.
    add('throughput ≥ 0.95× websockify (parity)', ratio(r.porthole.throughputMiBps, r.websockify.throughputMiBps), (x) => x >= 0.95, 'plain TCP upstream');
    add('throughput ≥ 0.95× websockify (TLS upstream)', ratio(r.porthole.throughputTlsMiBps, r.websockify.throughputTlsMiBps), (x) => x >= 0.95, 'TLS upstream');
    add('throughput ≥ 0.95× a plain Node relay (parity)', ratio(r.porthole.throughputMiBps, r.node.throughputMiBps), (x) => x >= 0.95, 'plain TCP upstream; node-relay.mjs, own process');
    add('throughput ≥ 0.95× a plain Node relay (TLS upstream)', ratio(r.porthole.throughputTlsMiBps, r.node.throughputTlsMiBps), (x) => x >= 0.95, 'TLS upstream; node-relay.mjs, own process');
    add('throughput ≥ 0.5× direct TCP', ratio(r.porthole.throughputMiBps, r.direct.throughputMiBps), (x) => x >= 0.5, 'plain TCP upstream');
    add('CPU s/GiB ≤ websockify', ratio(r.porthole.cpuSecPerGiB, r.websockify.cpuSecPerGiB), (x) => x <= 1, 'plain; ratio Porthole/websockify');
    add('CPU s/GiB ≤ websockify (TLS upstream)', ratio(r.porthole.cpuSecPerGiBTls, r.websockify.cpuSecPerGiBTls), (x) => x <= 1, 'TLS; ratio Porthole/websockify');
  }
  if (r && cfg.phases.includes('latency')) {
    // Parity, not a fraction: a user-space hop costs ~200 µs here in any language (the old ≤ 0.5× target is retired).
    add('round trip p50 ≤ 1.05× websockify (parity)', ratio(r.porthole.rttP50us, r.websockify.rttP50us), (x) => x <= 1.05, '64 B, sequential');
    add('round trip p50 ≤ 1.05× a plain Node relay (parity)', ratio(r.porthole.rttP50us, r.node.rttP50us), (x) => x <= 1.05, '64 B, sequential');
    add('round trip p99 (no target; tail noise)', ratio(r.porthole.rttP99us, r.websockify.rttP99us), () => null, '64 B, sequential');
  }
  const m = results.memory;
  if (m) {
    for (const p of m.porthole) add(`≤ 32 KiB RSS per idle session (${p.sessions})`, p.rssPerSession / 1024, (x) => x <= 32, 'KiB per session');
    const big = m.porthole.find((p) => p.sessions === 1000) ?? m.porthole.at(-1);
    add(`${big.sessions} concurrent sessions all answering`, big.answered / big.sessions, (x) => x === 1, `${big.answered}/${big.sessions} answered`);
  }
  const t = results.ttff;
  if (t) add('time to first frame ≤ 0.5× noVNC page', ratio(t.portholeMs, t.novncPageMs), (x) => x <= 0.5, 'Porthole click→frame / noVNC navigation→frame');
  const u = results.ui;
  if (u) {
    add('key → echo p50 ≤ noVNC page, each as its users connect', ratio(u.portholeVnc.echoP50ms, u.novnc.echoP50ms), (x) => x <= 1, 'Porthole straight to the VNC port, the page through websockify');
    add('key → echo p50 ≤ noVNC page, Porthole through websockify too', ratio(u.porthole.echoP50ms, u.novnc.echoP50ms), (x) => x <= 1, 'as on a Nova console: Porthole\'s proxy is one hop more');
    // Same scaling on both sides: vnc_lite.html does not scale by default, so Porthole at actual size;
    // and Porthole's default "fit" against the same page with ?scale=true.
    // Measured side by side (the same seconds, the same load), median of the per-round ratios.
    add('canvas updates/s ≥ noVNC page, both fit, each as its users connect', u.sideBySide['porthole-vnc/novnc-scaled'].ratio, (x) => x >= 1, 'side by side; Porthole straight to the VNC port, the page through websockify');
    add('canvas updates/s ≥ noVNC page, both fit, Porthole through websockify too', u.sideBySide['porthole/novnc-scaled'].ratio, (x) => x >= 1, 'side by side; as on a Nova console: Porthole\'s proxy is one hop more');
    add('canvas updates/s ≥ noVNC page, neither scales, Porthole through websockify too', u.sideBySide['porthole-actual/novnc'].ratio, (x) => x >= 1, 'side by side; Porthole at actual size');
  }
  return out;
}

/** Aligns the array rows of one section; string rows are printed as they are. */
function table(rows) {
  const widths = [];
  for (const row of rows) if (Array.isArray(row)) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows
    .map((row) => (Array.isArray(row) ? row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd() : row))
    .join('\n');
}

function report(results, cfg) {
  const m = results.machine;
  const sections = [];
  sections.push([
    `Porthole bench — ${m.cores} cores (os.cpus().length), ${m.cpuModel}, ${m.totalMemMiB} MiB RAM, Node ${m.node}, websockify ${m.websockify}`,
    `${cfg.rounds} round(s), interleaved (order rotates each round), medians; ${cfg.mib} MiB per throughput run; ${cfg.rtts} round trips per latency run; load average at start ${results.loadAverage.map((x) => x.toFixed(1)).join(' ')}${cfg.quick ? '; QUICK MODE' : ''}`,
  ]);
  const r = results.relay;
  if (r) {
    const rows = [['relay (ws client → proxy → TCP peer)', 'Porthole', 'websockify', 'Node relay', 'direct', 'P/wsfy', 'P/Node', 'P/direct']];
    const line = (label, key, digits = 1) => [
      label,
      ...['porthole', 'websockify', 'node', 'direct'].map((impl) => fmt(r[impl][key], digits)),
      ...['websockify', 'node', 'direct'].map((impl) => `${fmt(ratio(r.porthole[key], r[impl][key]), 2)}×`),
    ];
    if (cfg.phases.includes('throughput')) {
      rows.push(line('throughput, plain TCP upstream (MiB/s)', 'throughputMiBps'));
      rows.push(line('throughput, TLS upstream (MiB/s)', 'throughputTlsMiBps'));
      const cpu = (label, key) => [label, fmt(r.porthole[key], 2), fmt(r.websockify[key], 2), fmt(r.node[key], 2), '', `${fmt(ratio(r.porthole[key], r.websockify[key]), 2)}×`, `${fmt(ratio(r.porthole[key], r.node[key]), 2)}×`, ''];
      rows.push(cpu('proxy CPU s/GiB, plain', 'cpuSecPerGiB'));
      rows.push(cpu('proxy CPU s/GiB, TLS upstream', 'cpuSecPerGiBTls'));
      rows.push(line('open → first byte, plain (ms)', 'firstByteMs', 2));
      rows.push(line('open → first byte, TLS upstream (ms)', 'firstByteMsTls', 2));
    }
    if (cfg.phases.includes('latency')) {
      rows.push(line('64 B round trip p50 (µs)', 'rttP50us'));
      rows.push(line('64 B round trip p99 (µs)', 'rttP99us'));
    }
    if (results.websockifySslTargetVerifies !== undefined) {
      rows.push(`websockify --ssl-target verifies the upstream certificate: ${results.websockifySslTargetVerifies ? 'yes' : 'NO (it relayed from a server whose CA it was never given)'}`);
    }
    sections.push(rows);
  }
  const mem = results.memory;
  if (mem) {
    const rows = [['idle sessions (12-byte banner, after GC)', 'sessions', 'RSS/session', 'heap/session', 'answered', 'total']];
    for (const p of mem.porthole) {
      rows.push(['Porthole proxy process, RSS', String(p.opened), `${fmt(p.rssPerSession / 1024)} KiB`, `${fmt(p.heapUsedPerSession / 1024)} KiB`, `${p.answered}/${p.sessions}`, `${fmt(p.rssBytes / MiB)} MiB`]);
    }
    const w = mem.websockify;
    rows.push([`websockify tree (${w.processes} processes), sum VmRSS`, String(w.opened), `${fmt(w.rssPerSession / 1024)} KiB`, '', `${w.answered}/${w.sessions}`, `${fmt(w.rssBytes / MiB)} MiB`]);
    rows.push(['websockify tree, sum Pss', String(w.opened), `${fmt(w.pssPerSession / 1024)} KiB`, '', '', `${fmt(w.pssBytes / MiB)} MiB`]);
    sections.push(rows);
  }
  const t = results.ttff;
  if (t) {
    sections.push([
      [`time to first frame, Chromium (median of ${t.rounds})`, 'ms'],
      ['Porthole: click Connect → Xvnc root colour at (5,5), via websockify', fmt(t.portholeMs, 0)],
      ['noVNC page vnc_lite.html (cold cache): navigation start → same', fmt(t.novncPageMs, 0)],
      ['Porthole Demo: click Demo → demo colour at (5,5)', fmt(t.demoMs, 0)],
    ]);
  }
  const u = results.ui;
  if (u) {
    sections.push([
      [`the console in Chromium, same Xvnc (${u.rounds} round(s) each, interleaved)`, 'Porthole', 'noVNC page', 'P/noVNC'],
      [`key press → echo drawn, median of ${u.rounds * u.echoPerRound} (ms; Porthole through websockify)`, fmt(u.porthole.echoP50ms), fmt(u.novnc.echoP50ms), `${fmt(ratio(u.porthole.echoP50ms, u.novnc.echoP50ms), 2)}×`],
      ['key press → echo drawn, p95 (ms; Porthole through websockify)', fmt(u.porthole.echoP95ms), fmt(u.novnc.echoP95ms), `${fmt(ratio(u.porthole.echoP95ms, u.novnc.echoP95ms), 2)}×`],
      [`canvas updates per second, full screen changing (${u.seconds} s runs; Porthole at actual size)`, fmt(u.portholeActual.updatesPerSec), fmt(u.novnc.updatesPerSec), `${fmt(ratio(u.portholeActual.updatesPerSec, u.novnc.updatesPerSec), 2)}×`],
      ['animation frames with a canvas update, per second', fmt(u.portholeActual.framesPerSec), fmt(u.novnc.framesPerSec), `${fmt(ratio(u.portholeActual.framesPerSec, u.novnc.framesPerSec), 2)}×`],
      ['page CPU per update: all tasks (ms)', fmt(u.portholeActual.taskMsPerUpdate, 2), fmt(u.novnc.taskMsPerUpdate, 2), `${fmt(ratio(u.portholeActual.taskMsPerUpdate, u.novnc.taskMsPerUpdate), 2)}×`],
      ['page CPU per update: script (ms)', fmt(u.portholeActual.scriptMsPerUpdate, 2), fmt(u.novnc.scriptMsPerUpdate, 2), `${fmt(ratio(u.portholeActual.scriptMsPerUpdate, u.novnc.scriptMsPerUpdate), 2)}×`],
      ['page CPU per update: style + layout (ms)', fmt(u.portholeActual.styleLayoutMsPerUpdate, 2), fmt(u.novnc.styleLayoutMsPerUpdate, 2), `${fmt(ratio(u.portholeActual.styleLayoutMsPerUpdate, u.novnc.styleLayoutMsPerUpdate), 2)}×`],
      `Porthole at actual size (no scaling): echo ${fmt(u.portholeActual.echoP50ms)} ms median, ${fmt(u.portholeActual.echoP95ms)} ms p95`,
      `Porthole scaled to fit (its default): ${fmt(u.porthole.updatesPerSec)} updates/s; the noVNC page scaled to fit (?scale=true): ${fmt(u.novncScaled.updatesPerSec)} updates/s`,
      'updates/s, rows above: Porthole at actual size against the noVNC page, which does not scale either',
      `Porthole straight to the VNC port (vnc://, no websockify): echo ${fmt(u.portholeVnc.echoP50ms)} ms median, ${fmt(u.portholeVnc.echoP95ms)} ms p95; ${fmt(u.portholeVnc.updatesPerSec)} updates/s`,
    ]);
    // Where each update's CPU goes, by process (all threads), for every page drawing the same screen:
    // updates/s follows the machine's load, CPU per update much less.
    const cpu = (x, ...labels) => labels.reduce((a, k) => a + (x.cpuMsPerUpdate[k] ?? 0), 0);
    const rows = [[`canvas updates: rate and CPU ms per update by process (medians of ${u.rounds})`, 'upd/s', 'page', 'GPU/viz', 'browser', 'relays', 'Xvnc', 'total']];
    const row = (label, x) => rows.push([label, fmt(x.updatesPerSec), fmt(cpu(x, 'chromium-renderer'), 2), fmt(cpu(x, 'chromium-gpu-process'), 2), fmt(cpu(x, 'chromium-browser', 'chromium-utility', 'chromium-zygote'), 2), fmt(cpu(x, 'websockify', 'porthole'), 2), fmt(cpu(x, 'xvnc'), 2), fmt(x.cpuMsPerUpdateTotal, 2)]);
    row('noVNC page (Debian vnc_lite.html, noVNC 1.3), no scaling', u.novnc);
    if (u.lite13) row('bench page, Debian noVNC 1.3 modules', u.lite13);
    if (u.lite17) row('bench page, npm noVNC 1.7 modules', u.lite17);
    if (u.liteBundle) row('bench page, noVNC 1.7 bundled like the renderer (esbuild)', u.liteBundle);
    row('Porthole at actual size (via its proxy and websockify)', u.portholeActual);
    row('Porthole, fit, straight to the VNC port (its proxy only)', u.portholeVnc);
    row('noVNC page scaled to fit (?scale=true)', u.novncScaled);
    row('Porthole, fit, through its proxy and websockify', u.porthole);
    rows.push('page = Chromium renderer process, GPU/viz = its display compositor (software here), relays = websockify + Porthole\'s proxy');
    rows.push('Xvnc sends a client at most ~60 updates/s (its FrameRate): on a quiet machine every page reaches that, and only CPU per update tells them apart');
    sections.push(rows);
    const label = { novnc: 'noVNC page', 'novnc-scaled': 'noVNC page, fit', porthole: 'Porthole, fit, through websockify', 'porthole-vnc': 'Porthole, fit, straight to the VNC port', 'porthole-actual': 'Porthole, actual size', 'lite-n13': 'bench page 1.3', 'lite-n17': 'bench page 1.7', 'lite-bundle': 'bench page 1.7 bundled' };
    const pairRows = [[`side by side: two pages on the same Xvnc at once, updates/s (medians of ${u.rounds})`, 'A', 'B', 'A/B']];
    for (const [k, x] of Object.entries(u.sideBySide)) {
      const [a, b] = k.split('/');
      pairRows.push([`${label[a]} (A) vs ${label[b]} (B)`, fmt(x.a), fmt(x.b), `${fmt(x.ratio, 2)}×`]);
    }
    sections.push(pairRows);
  }
  const b = results.bundle;
  if (b) sections.push([`renderer bundle ${b.file}: ${fmt(b.rawBytes / 1024)} KiB raw, ${fmt(b.gzipBytes / 1024)} KiB gzip (zlib, default level)`]);
  const rows = [['target', 'value', 'result', 'detail']];
  for (const tg of results.targets) rows.push([tg.name, fmt(tg.value, 2), tg.met === null ? 'n/a' : tg.met ? 'met' : 'MISSED', tg.detail]);
  sections.push(rows);
  return sections.map(table).join('\n\n');
}

// ---- main ----

async function main() {
  const cfg = parseConfig();
  const started = new Date();
  const results = { startedAt: started.toISOString(), config: cfg, machine: machineInfo(), loadAverage: os.loadavg(), samples: {} };
  log(`Porthole bench: ${results.machine.cores} cores, ${cfg.quick ? 'quick' : 'full'} run, phases ${cfg.phases.join(',')}`);

  const pki = await makePki();
  cleanups.push(() => removeTempDir(pki.dir));
  const needRelay = cfg.phases.some((p) => p === 'throughput' || p === 'latency' || p === 'memory');
  if (needRelay) {
    const peers = await startPeers(pki);
    cleanups.push(() => peers.proc.stop());
    const bundle = await bundleProxyHost(root);
    cleanups.push(() => bundle.remove());
    const ctx = { peers, pki, bundle };
    if (cfg.phases.includes('throughput') || cfg.phases.includes('latency')) {
      ctx.porthole = await startPortholeProxy(bundle.file);
      cleanups.push(() => ctx.porthole.stop());
      await relayPhases(cfg, ctx, results);
      await securityRelay(cfg, ctx, results, { log });
      await ctx.porthole.stop();
    }
    if (cfg.phases.includes('memory')) await memoryPhase(cfg, ctx, results);
  }
  if (cfg.phases.includes('ttff')) await ttffPhase(cfg, results);
  if (cfg.phases.includes('ttff')) await securityTtff(cfg, results, { root, pki, cleanups, log });
  if (cfg.phases.includes('ui')) await uiPhase(cfg, results);
  bundleSize(results);
  results.targets = [...targets(results, cfg), ...securityTargets(results)];
  results.durationSec = (Date.now() - started.getTime()) / 1000;

  const text = [report(results, cfg), securityReport(results)].filter(Boolean).join('\n\n');
  console.log(`\n${text}\n`);
  mkdirSync(cfg.out, { recursive: true });
  const file = path.join(cfg.out, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), file)} (${fmt(results.durationSec, 0)} s)`);
}

try {
  await main();
  await cleanup();
} catch (err) {
  if (!interrupted) console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  await cleanup();
  process.exitCode = 1;
}
