import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'collector/**/*.test.ts',
      'tracker/**/*.test.ts',
      'dashboard/**/*.test.ts',
      'e2e/**/*.test.ts',
      'bench/**/*.test.ts',
      'test-support/**/*.test.ts',
    ],
    // chDB allows one data directory per process: each test file runs in its own process.
    pool: 'forks',
    // Two files at a time even on 2 cores: most of a file's time is waiting on the engine, a
    // browser or a timer, so two overlap well (485 s serial, 329 s with two on 2026-12-02). Three
    // gain nothing on 2 cores (867 s against 848 s with two, 2026-12-08).
    maxWorkers: 2,
    globalSetup: ['test-support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test-support/plain-summary.ts'],
  },
});
