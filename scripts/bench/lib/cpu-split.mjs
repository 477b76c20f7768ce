// CPU time per process over a window, split by who spends it (Chromium's renderer, GPU/display and
// browser processes, Xvnc, websockify, Porthole's proxy), for "CPU per canvas update" figures that
// hold up better than updates/s on a shared machine. Only processes alive at both ends of the window
// count, and only their own user + system time: a child reaped meanwhile (a closed tab's renderer,
// websockify's handler of an earlier connection) would otherwise add its whole lifetime at once.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from './procs.mjs';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function ownTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

function chromiumRole(pid) {
  try {
    const m = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    return m ? `chromium-${m[1]}` : 'chromium-browser';
  } catch {
    return 'chromium-browser';
  }
}

/** roots: { label: pid }; a label starting with "chromium" is split by Chromium process type. */
export function cpuSnapshot(roots) {
  const byPid = new Map();
  for (const [label, root] of Object.entries(roots)) {
    if (!root) continue;
    for (const pid of processTree(root)) {
      const ticks = ownTicks(pid);
      if (ticks !== undefined) byPid.set(pid, { label: label.startsWith('chromium') ? chromiumRole(pid) : label, ticks });
    }
  }
  return byPid;
}

/** Seconds of CPU per label between two snapshots (processes present in both). */
export function cpuBetween(before, after) {
  const out = {};
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (!b) continue;
    out[a.label] = (out[a.label] ?? 0) + (a.ticks - b.ticks) / TICKS;
  }
  return out;
}

/** Pids of the direct children of `parent` whose command line contains `text` (e.g. Chromium launched by playwright). */
export function childPids(parent, text) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Runs `launch` and returns its result with the pid of the one child process matching `text` that it
 * started: a bench phase's own browser, not one an earlier phase left running.
 */
export async function withNewChild(text, launch) {
  const before = new Set(childPids(process.pid, text));
  const result = await launch();
  const fresh = childPids(process.pid, text).filter((pid) => !before.has(pid));
  if (fresh.length !== 1) throw new Error(`expected one new ${text} process, found ${fresh.length}`);
  return { result, pid: fresh[0] };
}
