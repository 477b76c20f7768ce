// Lint, including the layering rule that keeps the process model honest:
//   app/       pure and shared: no Node, no DOM, no main/, no electron
//   renderer/  DOM only: no main/, no Node, no electron
//   main/      Node; only main/electron/ may import electron
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noMain = { group: ['**/main/**', '../main/*', '../../main/*'], message: 'Layering: only main/ may import main/.' };
const noElectron = { name: 'electron', message: 'Layering: only main/electron/ may import electron.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'Layering: no Node APIs here.' }));
// Web-platform globals every runtime we target (Node, Chromium, Electron) has; app/ may use these.
const universalGlobals = new Set(['URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'console', 'queueMicrotask', 'structuredClone', 'setTimeout', 'clearTimeout', 'crypto']);
const domGlobals = Object.keys(globals.browser).filter((g) => !(g in globals.es2021) && !universalGlobals.has(g));
const nodeOnlyGlobals = ['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist.staging-*/**', 'dist.old-*/**', 'node_modules/**', 'test-artifacts/**', 'bench-results/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['main/**/*.ts', 'test/**/*.ts', 'scripts/**/*.{js,mjs}', '*.{js,mjs,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [noMain] }],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [noMain, { group: ['**/renderer/**'], message: 'Layering: app/ is shared and must not import renderer/.' }] }],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals, ...domGlobals],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.{js,mjs}'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
