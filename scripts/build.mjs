// Builds main (browser-mode shell, Electron shell, preload) and the renderer into dist/.
// `--if-needed` skips the build when dist/ is newer than every source file.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const sourceDirs = ['app', 'main', 'renderer'].map((d) => path.join(root, d));

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(full) : st.mtimeMs);
  }
  return newest;
}

const stamp = path.join(dist, '.built');
if (process.argv.includes('--if-needed') && existsSync(stamp)) {
  const sources = Math.max(statSync(path.join(root, 'package.json')).mtimeMs, ...sourceDirs.map(newestMtime));
  if (statSync(stamp).mtimeMs >= sources) process.exit(0);
}

// Build into a fresh folder and swap it in whole, so a build never leaves a half-written dist/ under a
// running browser-mode server or test (they read their files at start).
const staging = `${dist}.staging-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
const define = { 'process.env.PORTHOLE_VERSION': JSON.stringify(pkg.version) };
const nodeCommon = { bundle: true, platform: 'node', target: 'node20', packages: 'external', define, sourcemap: 'linked', logLevel: 'warning' };

const electronMain = path.join(root, 'main/electron/main.ts');
const electronPreload = path.join(root, 'main/electron/preload.ts');
// Keychain code reads import.meta.url in ESM and __filename in CJS; esbuild warns about the former in CJS.
nodeCommon.logOverride = { 'empty-import-meta': 'silent' };

await Promise.all([
  // Browser mode (plain Node).
  build({ ...nodeCommon, entryPoints: { serve: 'main/web/serve.ts' }, outdir: path.join(staging, 'main'), format: 'esm' }),
  // Electron main process and preload, both CommonJS (sandboxed preloads cannot be ESM).
  build({ ...nodeCommon, entryPoints: [electronMain], outfile: path.join(staging, 'electron', 'main.cjs'), format: 'cjs', target: 'node22', external: ['electron'] }),
  build({
    ...nodeCommon,
    entryPoints: [electronPreload],
    outfile: path.join(staging, 'electron', 'preload.cjs'),
    format: 'cjs',
    target: 'chrome140',
    minify: true,
    packages: undefined,
    external: ['electron'],
  }),
  // Renderer: noVNC 1.7 is ESM with a top-level await, so bundle as ESM for ES2022 browsers.
  build({
    entryPoints: { main: 'renderer/main.ts' },
    outdir: path.join(staging, 'renderer'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120'],
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
]);
mkdirSync(path.join(staging, 'renderer'), { recursive: true });
for (const file of ['index.html', 'style.css']) copyFileSync(path.join(root, 'renderer', file), path.join(staging, 'renderer', file));
copyFileSync(path.join(root, 'package.json'), path.join(staging, '.built'));
const old = `${dist}.old-${process.pid}`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
console.log(`built Porthole ${pkg.version} into dist/`);
