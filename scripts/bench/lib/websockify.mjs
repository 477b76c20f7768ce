// Debian's websockify (/usr/bin/websockify, python3-websockify), in its own process group because it
// forks one handler process per connection. Run with a clean environment so the pyenv python on
// PATH does not leak into /usr/bin/python3.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, removeTempDir, spawnManaged, trackTempDir, waitForTcp } from './procs.mjs';

/**
 * opts.target: "host:port" (single target), or opts.tokens: {token: "host:port"} (TokenFile plugin).
 * opts.sslTarget: connect to the target over TLS. opts.web: serve this directory too.
 */
export async function startWebsockify(opts) {
  let tokenDir;
  const args = [];
  if (opts.tokens) {
    tokenDir = trackTempDir(mkdtempSync(path.join(tmpdir(), 'porthole-bench-wsfy-')));
    const file = path.join(tokenDir, 'tokens');
    writeFileSync(file, Object.entries(opts.tokens).map(([t, hp]) => `${t}: ${hp}\n`).join(''));
    args.push('--token-plugin', 'TokenFile', '--token-source', file);
  }
  if (opts.sslTarget) args.push('--ssl-target');
  if (opts.web) args.push('--web', opts.web);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawnManaged('/usr/bin/websockify', [...args, `127.0.0.1:${port}`, ...(opts.target ? [opts.target] : [])], {
      name: 'websockify',
      group: true,
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1' },
    });
    try {
      await waitForTcp(port, { timeoutMs: 10_000, abort: () => (proc.exitInfo() ? `websockify exited:\n${proc.output()}` : undefined) });
      // A probe connection makes websockify fork and log; let it settle before measuring anything.
      await new Promise((r) => setTimeout(r, 200));
      return {
        port,
        pid: proc.pid,
        proc,
        async stop() {
          await proc.stop(3000);
          if (tokenDir) removeTempDir(tokenDir);
        },
      };
    } catch (err) {
      lastError = err;
      await proc.stop(1000);
    }
  }
  if (tokenDir) removeTempDir(tokenDir);
  throw lastError;
}
