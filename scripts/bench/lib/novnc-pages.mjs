// Bench only: a loopback web server for scripts/bench/pages/novnc-lite.html, a vnc_lite-like page that
// runs a chosen noVNC core against any websockify, so the gap between Porthole's console and Debian's
// noVNC page can be split into library version (Debian's 1.3 vs npm's 1.7, both as plain ES modules),
// bundling (1.7 through esbuild with the renderer's options) and Porthole's own page.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE = path.join(root, 'scripts/bench/pages/novnc-lite.html');
const TREES = { '/n13/': '/usr/share/novnc/', '/n17/': path.join(root, 'node_modules/@novnc/novnc/') };
const TYPES = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.map': 'application/json' };

/** noVNC 1.7 alone, bundled as scripts/build.mjs bundles the renderer (ESM, es2022/chrome120, minified). */
async function bundleNovnc() {
  const out = await build({
    stdin: { contents: "export { default } from '@novnc/novnc';", resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120'],
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0].contents;
}

export async function startNovncPages() {
  const bundle = await bundleNovnc();
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (pathname === '/lite.html') return send(TYPES['.html'], readFileSync(PAGE));
      if (pathname === '/bundle/novnc.js') return send(TYPES['.js'], bundle);
      for (const [prefix, dir] of Object.entries(TREES)) {
        if (!pathname.startsWith(prefix)) continue;
        const file = path.resolve(dir, `.${pathname.slice(prefix.length - 1)}`);
        if (!file.startsWith(dir)) break;
        return send(TYPES[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
      }
    } catch {
      // unreadable: 404 below
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    /** The page with `core` (n13, n17, bundle) connected to `wsUrl`; opts.scale, opts.bg as in the page. */
    url: (core, wsUrl, opts = {}) => {
      const q = new URLSearchParams({ core, url: wsUrl });
      if (opts.scale) q.set('scale', '1');
      if (opts.bg) q.set('bg', opts.bg);
      return `http://127.0.0.1:${port}/lite.html?${q}`;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
