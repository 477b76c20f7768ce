#!/usr/bin/env node
// Renders the one icon source, build/icon.svg, into the PNGs electron-builder packages:
//   build/icon.png            1024×1024 (electron-builder derives the macOS .icns and Windows .ico from it)
//   build/icons/<N>x<N>.png   16…512 (Linux hicolor sizes, used for the AppImage and .deb)
//   build/icons/source.sha256 the SVG's hash, so a test can tell when the PNGs are stale.
// Rendering uses headless Chromium through playwright-core (both already needed by the test suite);
// no network. Set CHROMIUM_PATH to use another Chromium build.
//   node scripts/make-icons.mjs            render
//   node scripts/make-icons.mjs --check    exit 1 if the PNGs are missing or older than the SVG
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'build');
const iconsDir = path.join(buildDir, 'icons');
const svgPath = path.join(buildDir, 'icon.svg');
const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512];
const hashFile = path.join(iconsDir, 'source.sha256');

const svg = readFileSync(svgPath);
const hash = createHash('sha256').update(svg).digest('hex');
const outputs = [path.join(buildDir, 'icon.png'), ...linuxSizes.map((s) => path.join(iconsDir, `${s}x${s}.png`))];

function upToDate() {
  return outputs.every((f) => existsSync(f)) && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash;
}

if (process.argv.includes('--check')) {
  if (upToDate()) process.exit(0);
  console.error('Icons are missing or stale: run `node scripts/make-icons.mjs`.');
  process.exit(1);
}

const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const dataUrl = `data:image/svg+xml;base64,${svg.toString('base64')}`;
  mkdirSync(iconsDir, { recursive: true });
  for (const [size, file] of [[1024, outputs[0]], ...linuxSizes.map((s, i) => [s, outputs[i + 1]])]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent"><img id="i" src="${dataUrl}" width="${size}" height="${size}" style="display:block"></body></html>`);
    await page.waitForFunction('document.getElementById("i")?.complete === true');
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    writeFileSync(file, png);
    console.log(`${path.relative(root, file)} (${png.length} bytes)`);
  }
  writeFileSync(hashFile, `${hash}\n`);
} finally {
  await browser.close();
}
