import { defineConfig } from 'vitest/config';
import { SYSTEM } from './vitest.config.js';

// As in vitest.config.ts: calendar dates in UTC, and no chart read from an earlier run.
process.env.TZ = 'UTC';
process.env.STATPRESS_CACHE_DIR = 'off';

/**
 * `npm run test:interop`: the release opened the way readers' software opens it, with
 * LibreOffice (Writer and Calc) and poppler (pdftotext, pdfinfo, pdffonts), and printed with the
 * system Chromium beside the npm one. A missing tool fails the test that needs it, naming the
 * Debian package to install. The release is built once for the run, as for `npm test`. The
 * process-level tests (signals and faults, the preview server, streaming at scale) run here too.
 */
export default defineConfig({
  test: {
    name: 'interop',
    include: ['test/interop/**/*.test.ts', ...SYSTEM],
    globalSetup: ['test/setup/release.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // As in vitest.config.ts: a worker per core, and files share their worker's modules.
    maxWorkers: '100%',
    isolate: false,
  },
});
