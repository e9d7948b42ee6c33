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
/**
 * Process-level tests, run with the interop tier (vitest.interop.config.ts) because each starts
 * builds, Chromium or a server in processes of its own and together they take about a minute:
 * signals and faults, the preview server's security, the streamed scale test, the compiled Word thread.
 */
export const SYSTEM = ['test/cli/faults.test.ts', 'test/tools/preview-security.test.ts', 'test/render/workbook/streaming.test.ts', 'test/platform/docx-thread.test.ts'];

/** Test files that replace a module (`vi.mock`): they get fresh modules, so the stand-in reaches nobody else. */
const ISOLATED = ['test/cli/cli-progress.test.ts'];

const SHARED_BUILD = [
  'test/render/pdf.test.ts',
  'test/render/docx.test.ts',
  'test/render/workbook.test.ts',
  'test/quality/gates.test.ts',
  'test/quality/pdf-gates.test.ts',
  'test/render/html-layout.test.ts',
  'test/tools/revision.test.ts',
  'test/tools/revision-workflow.test.ts',
  'test/cli/cli.test.ts',
  'test/render/release-documents.test.ts',
];

/**
 * The order files start in. The CLI tests first: the longest file (each command builds the
 * release its own way), and the shared build is needed only from their second test. Then the
 * unit tests, which run while the main process makes the shared build; then the format tests,
 * which wait for it. (vitest's own order needs a results cache, which a fresh clone lacks.)
 */
class SharedBuildOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => (f.moduleId.endsWith('/test/cli/cli.test.ts') ? 0 : f.project.name === 'unit' ? 1 : 2);
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
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
    sequence: { sequencer: SharedBuildOrder },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/interop/**', ...SHARED_BUILD, ...ISOLATED, ...SYSTEM] },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED, isolate: true },
      },
      {
        extends: true,
        test: { name: 'formats', include: SHARED_BUILD, globalSetup: ['test/setup/release.ts'] },
      },
    ],
  },
});
