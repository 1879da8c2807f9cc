import { defineConfig } from 'vitest/config';

// End-to-end tests: `peft-lab serve` in a child process, the built renderer driven in Debian's Chromium through
// playwright-core. One file at a time (they train real runs on the machine's cores), generous timeouts.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
