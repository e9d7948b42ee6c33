/**
 * Coverage: a release is built only for dates its sources cover, and says why not otherwise.
 * What each file covers is worked out here from the raw CSVs, independently of the loader.
 */
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../src/pipeline/build.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { formatDate } from '../../src/core/dates.js';
import { readCsv, RELEASE_2025, refusalOf, releaseVariant } from '../support.js';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';


describe('what the sources cover', () => {
  it('infers an undeclared coverage from the rows: first and last event, last publication', () => {
    const rows = readCsv(HISTORY);
    const dates = rows.map((r) => r['Inspection date']!).sort();
    const published = rows.map((r) => r['Publication date']!).filter(Boolean).sort();
    const variant = releaseVariant((c) => {
      delete c.sources[0].covers;
    });
    const coverage = new Pipeline({ configFile: variant }, nodeEffects({ storeDir: false })).dataset().coverage[0]!;
    expect(coverage.from).toBe(dates[0]);
    expect(coverage.until).toBe(dates[dates.length - 1]);
    expect(coverage.publishedUntil).toBe(published[published.length - 1]);
    expect(coverage.declared).toEqual({ from: false, until: false, publishedUntil: false });
    // Inferred, the history stops before the release's cut-off, so the release is refused.
    const error = refusalOf(() => buildDocument({ configFile: variant }));
    expect(error.describe()).toContain(`with reports published up to ${formatDate(published[published.length - 1]!)}`);
  });

  it('refuses a date after what the history covers, naming the file and its coverage', () => {
    const error = refusalOf(() => buildDocument({ configFile: RELEASE_2025, asAt: '2025-06-30', draft: true }));
    expect(error.code).toBe('coverage');
    expect(error.describe()).toMatch(/counts standard inspections and short inspections carried out by that date with a report published by 30 September 2025, but ofsted-la-outcomes\/csv-2025\/ILACS_inspection_history\.csv covers \d+ \w+ \d{4} to 31 March 2025, with reports published up to 30 June 2025/);
  });

  it('refuses an in-year period the visit files do not cover', () => {
    const error = refusalOf(() => buildDocument({ configFile: RELEASE_2025, asAt: '2023-03-31', draft: true }));
    expect(error.describe()).toMatch(/the in-year figures count focused visits and monitoring visits from 1 April 2022 to 31 March 2023, but .*In-year_inspections\.csv covers 1 April 2024 to 31 March 2025.*Inspections_in_year_2023-24\.csv covers 1 April 2023 to 31 March 2024/);
  });

  it('refuses a date in the future', () => {
    const effects = nodeEffects({ storeDir: false, today: () => '2025-03-30' });
    const error = refusalOf(() => new Pipeline({ configFile: RELEASE_2025 }, effects).model());
    expect(error.describe()).toMatch(/the as-at date 31 March 2025 is after today \(30 March 2025\)/);
  });

  it('leaves out the year before where no source covers it, instead of counting nothing', () => {
    // As at 31 March 2024 the year before (2022-23) has no visit file in the 2025 config.
    const { model, document } = buildDocument({ configFile: RELEASE_2025, asAt: '2024-03-31' });
    expect(model.inYear.previousThemes).toBeNull();
    const text = JSON.stringify(document);
    expect(text).toContain('shows the themes of focused visits in this year');
    expect(text).not.toContain('1 April 2022 to 31 March 2023');
    // Covered, as at 31 March 2025, the year before is there, counted from the 2023-24 file.
    const counted = readCsv('ofsted-la-outcomes/csv-2024/Inspections_in_year_2023-24.csv').filter(
      (r) => r['Inspection/Visit type'] === 'ILACS Focused Visit' && r['Inspection/Visit date']! >= '2023-04-01' && r['Inspection/Visit date']! <= '2024-03-31',
    ).length;
    expect(buildDocument({ configFile: RELEASE_2025 }).model.inYear.previousThemes!.visits).toBe(counted);
  });
});
