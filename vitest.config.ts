import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/temp-root.ts'],
    setupFiles: ['test/setup/yield-between-tests.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
