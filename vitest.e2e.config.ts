import { defineConfig } from 'vitest/config';

// The browser test: `npm run dev` in the background and Debian's Chromium driven by playwright-core. Kept out of
// `npm test` because it needs the chromium package (`apt-get install chromium`); .ci/run runs both.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file runs its own `npm run dev`: one at a time on a two-core machine.
    fileParallelism: false,
  },
});
