import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['collector/**/*.test.ts', 'tracker/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/**/*.test.ts', 'test-support/**/*.test.ts'],
    // chDB allows one data directory per process: each test file runs in its own process.
    pool: 'forks',
    globalSetup: ['test-support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test-support/plain-summary.ts'],
  },
});
