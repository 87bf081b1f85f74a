import { defineConfig } from 'vitest/config';

// Integration tests start real servers on port 0; running files in parallel on a
// 2-core machine is fine, but give socket-heavy tests room.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
