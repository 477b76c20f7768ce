// Starts scripts/bench/proxy-host.mjs (bundled with esbuild, since it imports main/*.ts) as a child
// process and talks to it over its stdin/stdout control channel.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { removeTempDir, spawnManaged, trackTempDir } from './procs.mjs';

export const APP_ORIGIN = 'http://127.0.0.1:1';

/** Bundles the proxy host under node_modules/.cache so its bare imports (ws, pino) resolve from the repo. */
export async function bundleProxyHost(repoRoot) {
  const parent = path.join(repoRoot, 'node_modules', '.cache', 'porthole-bench');
  // Bundles left by runs that were killed outright (one directory per bench pid).
  if (existsSync(parent)) {
    for (const name of readdirSync(parent)) if (/^\d+$/.test(name) && !existsSync(`/proc/${name}`)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const dir = trackTempDir(path.join(parent, String(process.pid)));
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'proxy-host.mjs');
  await build({
    entryPoints: [path.join(repoRoot, 'scripts', 'bench', 'proxy-host.mjs')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { file: outfile, remove: () => removeTempDir(dir) };
}

/** `nodeArgs`: extra Node flags for the proxy process (e.g. --cpu-prof when profiling the relay). */
export async function startPortholeProxy(bundleFile, { nodeArgs = [] } = {}) {
  const proc = spawnManaged(process.execPath, ['--expose-gc', ...nodeArgs, bundleFile], {
    name: 'porthole-proxy',
    stdin: 'pipe',
    keepStdout: false,
    env: { ...process.env, BENCH_APP_ORIGIN: APP_ORIGIN },
  });
  const pending = new Map();
  let nextId = 1;
  let readyResolve;
  const ready = new Promise((resolve) => (readyResolve = resolve));
  createInterface({ input: proc.child.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      proc.keep(`${line}\n`);
      return;
    }
    if (msg.ready) return readyResolve(msg);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`proxy host: ${msg.error}`));
  });
  void proc.exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`proxy host exited:\n${proc.output()}`));
    pending.clear();
  });
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      if (proc.exitInfo()) return reject(new Error(`proxy host is not running:\n${proc.output()}`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      proc.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  const info = await Promise.race([
    ready,
    proc.exited.then(() => {
      throw new Error(`proxy host exited during start-up:\n${proc.output()}`);
    }),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`proxy host did not start:\n${proc.output()}`)), 15_000)),
  ]);
  return {
    pid: proc.pid,
    port: info.port,
    origin: APP_ORIGIN,
    proc,
    /** Opens `count` sessions to the target; returns their single-use renderer URLs. */
    async open(target, tls = { allowInsecure: false }, count = 1) {
      return (await call('open', { target, tls, count })).urls;
    },
    stats: () => call('stats'),
    gc: () => call('gc'),
    closeAll: () => call('closeAll'),
    async stop() {
      try {
        await Promise.race([call('quit'), new Promise((r) => setTimeout(r, 2000))]);
        // It exits by itself after answering (and writes a --cpu-prof profile on the way out).
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
      } catch {
        // exited already
      }
      await proc.stop(3000);
    },
  };
}
