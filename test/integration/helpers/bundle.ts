// Bundles a TypeScript helper script (and the main/ modules it imports) into one .mjs that plain
// `node` runs in a child process. The output goes under test-artifacts/ inside the repository, so
// packages left external (native ones such as @napi-rs/keyring) resolve from its node_modules.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface BundledHelper {
  /** The .mjs to run with node. */
  path: string;
  cleanup(): void;
}

export async function bundleHelper(entry: string, external: string[] = []): Promise<BundledHelper> {
  const root = join(repoRoot, 'test-artifacts');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'helper-'));
  const path = join(dir, `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    logLevel: 'silent',
    // Bundled CommonJS dependencies may call require(); give the ESM output one.
    banner: { js: "import { createRequire as __portholeCreateRequire } from 'node:module'; const require = __portholeCreateRequire(import.meta.url);" },
  });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
