import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-yield.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'harness/**/*.ts'],
      exclude: ['src/cli/main.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Branch coverage of the pure core is a release gate (issue 2): keep it honest here.
      thresholds: {
        'src/core/**/*.ts': { branches: 90 },
      },
    },
  },
});
