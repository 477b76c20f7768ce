// Child processes for the benchmark: a registry that stops everything on exit or Ctrl+C, a graceful
// stop (SIGTERM, then SIGKILL after a grace period, to the whole process group when the child forks),
// and CPU / memory figures for a process tree read from /proc.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';

const live = new Set();

/** Spawns a child whose output is kept in a ring buffer. `group`: own process group (for forking peers). */
export function spawnManaged(cmd, args, { name = cmd, env, cwd, group = false, stdin = 'ignore', extraFds = 0, ringBytes = 256 * 1024, keepStdout = true } = {}) {
  const stdio = [stdin, 'pipe', 'pipe', ...Array.from({ length: extraFds }, () => 'pipe')];
  const child = spawn(cmd, args, { env, cwd, stdio, detached: group });
  let ring = '';
  const keep = (chunk) => {
    ring += chunk.toString();
    if (ring.length > ringBytes) ring = ring.slice(ring.length - ringBytes);
  };
  let exitInfo;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(proc);
      resolve(exitInfo);
    });
    child.once('error', (err) => {
      keep(`spawn error: ${err.message}\n`);
      exitInfo = { code: -1, signal: null };
      live.delete(proc);
      resolve(exitInfo);
    });
  });
  const proc = {
    name,
    child,
    pid: child.pid,
    group,
    exited,
    exitInfo: () => exitInfo,
    output: () => ring,
    keep,
    signal(sig) {
      try {
        process.kill(group ? -child.pid : child.pid, sig);
      } catch {
        // already gone
      }
    },
    async stop(graceMs = 3000) {
      if (exitInfo) {
        if (group) proc.signal('SIGKILL'); // stragglers in the group
        return exitInfo;
      }
      proc.signal('SIGTERM');
      const timer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      if (group) proc.signal('SIGKILL');
      return info;
    },
  };
  child.stderr?.on('data', keep);
  if (keepStdout) child.stdout?.on('data', keep);
  if (!child.pid) keep(`could not start ${cmd}\n`);
  live.add(proc);
  return proc;
}

/** Waits until output (stdout + stderr) matches the pattern. */
export function waitForOutput(proc, pattern, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(proc.output());
      if (m) {
        done();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${proc.name}: no ${pattern} within ${timeoutMs} ms:\n${proc.output()}`));
    }, timeoutMs);
    const onExit = () => {
      done();
      reject(new Error(`${proc.name} exited during start-up:\n${proc.output()}`));
    };
    const done = () => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', check);
      proc.child.stderr?.off('data', check);
      proc.child.off('exit', onExit);
    };
    proc.child.stdout?.on('data', check);
    proc.child.stderr?.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}

export async function stopAll() {
  await Promise.all([...live].map((p) => p.stop()));
}

const tempDirs = new Set();

/** A directory to remove at the latest when the bench exits, however it exits. */
export function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Last resort at exit: synchronous SIGKILL to whatever is left, and temp directories removed. */
export function killAllNow() {
  for (const p of live) p.signal('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** A port that was free a moment ago on 127.0.0.1 (callers retry on a bind race). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForTcp(port, { timeoutMs = 10_000, abort } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = abort?.();
    if (why) throw new Error(why);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- /proc ----

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return undefined;
  }
}

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** pid and all its descendants (by scanning /proc for ppid links). */
export function processTree(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out = [];
  const walk = (pid) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

/**
 * CPU seconds used by a process tree so far: user + system of every live member, plus what reaped
 * children left in their parents' cutime / cstime (websockify forks and reaps one handler per connection).
 */
export function treeCpuSeconds(rootPid) {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    const st = readStat(pid);
    if (st) ticks += st.utime + st.stime + st.cutime + st.cstime;
  }
  return ticks / ticksPerSecond();
}

/**
 * A cheap repeated CPU reading for a tree: the first call finds the members, later calls reread only
 * those (plus the root's cutime / cstime, which collects members that exit and are reaped meanwhile).
 */
export function cpuSampler(rootPid) {
  let pids;
  return () => {
    pids ??= processTree(rootPid);
    let ticks = 0;
    for (const pid of pids) {
      const st = readStat(pid);
      if (st) ticks += st.utime + st.stime + st.cutime + st.cstime;
    }
    return ticks / ticksPerSecond();
  };
}

/** Sum of VmRSS and of Pss (proportional set size: shared pages split between sharers) over a tree, bytes. */
export function treeMemory(rootPid) {
  const pids = processTree(rootPid);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += statusKb(pid, 'VmRSS') * 1024;
    pss += pssKb(pid) * 1024;
  }
  return { rss, pss, processes: pids.length };
}
