import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Dates in the release are calendar dates; pin the zone so nothing depends on the machine.
process.env.TZ = 'UTC';
// No test reads charts an earlier run left on disk; the chart cache has its own test with its own folder.
process.env.STATPRESS_CACHE_DIR = 'off';

/**
 * Test files that read the 2025 release built once by test/setup/release.ts (`sharedRelease()`).
 * Their project's global setup runs only when one of them is selected, so running a unit test
 * file alone does not pay for the build.
 */
const SHARED_BUILD = [
  'test/render/pdf.test.ts',
  'test/render/docx.test.ts',
  'test/render/workbook.test.ts',
  'test/quality/gates.test.ts',
  'test/tools/revision.test.ts',
  'test/cli/cli.test.ts',
];

/**
 * The CLI tests are the longest file (each command builds the release its own way): start them
 * first, so the other worker takes the rest meanwhile. vitest orders by the durations in its
 * results cache, which a fresh clone does not have.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => (f.moduleId.endsWith('/test/cli/cli.test.ts') ? 0 : 1);
    const group = (f: TestSpecification) => f.project.config.sequence.groupOrder;
    return (await super.sort(files)).sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}

/**
 * `npm test`: unit, pipeline and format tests that need only Node and the npm packages (Chromium
 * from the system or @sparticuz/chromium). The checks that open the files in LibreOffice and
 * poppler are the interop tier: vitest.interop.config.ts, `npm run test:interop`.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker per core (vitest's default leaves one for itself): the tests mostly wait on
    // Chromium, and the main process is idle but for the shared build.
    maxWorkers: '100%',
    // Test files share their worker's modules: imports, the chart engine and the charts it has
    // drawn (cached by everything that decides a drawing, so a reused one is byte-identical)
    // are paid for once per worker, not once per file. Tests restore what they change.
    isolate: false,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        // First, while the main process builds the release for the `formats` project.
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/interop/**', ...SHARED_BUILD], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'formats', include: SHARED_BUILD, globalSetup: ['test/setup/release.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
