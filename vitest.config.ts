import { defineConfig } from 'vitest/config';

// Dates in the release are calendar dates; pin the zone so nothing depends on the machine.
process.env.TZ = 'UTC';
// Every test draws its charts afresh; the chart cache has its own test with its own folder.
process.env.STATPRESS_CACHE_DIR = 'off';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
