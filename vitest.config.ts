import { defineConfig } from 'vitest/config';

// Unit and integration tests run in plain Node. Each test file gets its own process (pool "forks")
// because TensorFlow.js keeps global backend state.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
