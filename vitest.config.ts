import { defineConfig } from 'vitest/config';

// CI asks for a JSON report (its summary line is built from it).
const report = process.env.SIDELIGHT_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: report ? ['default', 'json'] : ['default'],
    ...(report ? { outputFile: { json: report } } : {}),
    // Issue 19: every `vitest run` prints v8 line coverage of src/ (per file, then
    // totals). No thresholds: the number is for reading, not for gaming. Code that
    // runs only in spawned CLI processes (test/integration/cli*.test.ts) is not
    // counted, since v8 coverage is collected in the test workers.
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text', 'text-summary'],
    },
  },
});
