import { defineConfig } from 'vitest/config';

// Real peers (Xvnc, websockify, gnome-keyring, Chromium) are started by the tests themselves.
// Two cores: keep at most two test files running at once.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/fixtures/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 15_000,
    reporters: ['default', './test/fixtures/summary-reporter.ts'],
  },
});
