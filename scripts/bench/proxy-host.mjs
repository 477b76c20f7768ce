// Porthole's loopback proxy and session manager in a process of their own, so the benchmark can
// read the proxy's CPU time and RSS apart from the load generator. Bundled on the fly with esbuild
// (it imports the TypeScript sources) and run with --expose-gc.
//
// Control channel: one JSON request per line on stdin, one JSON answer per line on stdout:
//   {id, op: 'open', target, tls, count?}  → {id, ok, result: {urls: [...]}}
//   {id, op: 'stats'}                       → {id, ok, result: {memory, cpu, sessions}}
//   {id, op: 'gc'}                          → {id, ok, result: {memory}}
//   {id, op: 'closeAll'} / {id, op: 'quit'}
// Logs (pino, level warn) go to stderr.
import { createInterface } from 'node:readline';
import { createLogger } from '../../main/log/logger.js';
import { LoopbackProxy } from '../../main/proxy/proxy-server.js';
import { defaultSessionLimits, SessionManager } from '../../main/sessions.js';

const appOrigin = process.env.BENCH_APP_ORIGIN ?? 'http://127.0.0.1:1';
const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
const sessions = new SessionManager(logger, () => undefined, { ...defaultSessionLimits, maxSessions: 100_000, maxSessionsPerCaller: 100_000 });
const proxy = await LoopbackProxy.start({ appOrigin, logger, onAdmitted: sessions.onAdmitted });
sessions.attachProxy(proxy);

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function collect() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick();
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc();
}

async function handle(req) {
  switch (req.op) {
    case 'open': {
      const urls = [];
      for (let i = 0; i < (req.count ?? 1); i++) {
        const { wsUrl } = sessions.open({ callerId: 'bench', title: 'bench', displayAddress: 'bench target', target: req.target, tls: req.tls ?? { allowInsecure: false } });
        urls.push(wsUrl);
      }
      return { urls };
    }
    case 'stats':
      return { memory: process.memoryUsage(), cpu: process.cpuUsage(), sessions: sessions.count };
    case 'gc':
      await collect();
      return { memory: process.memoryUsage(), sessions: sessions.count };
    case 'closeAll':
      sessions.closeAll();
      return { sessions: sessions.count };
    case 'quit':
      sessions.closeAll();
      await proxy.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown op ${String(req.op)}`);
  }
}

const send = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  handle(req).then(
    (result) => send({ id: req.id, ok: true, result }),
    (err) => send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.stdin.on('end', () => process.exit(0));
send({ ready: true, appOrigin, port: proxy.port, pid: process.pid });
