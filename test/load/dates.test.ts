/**
 * Dates given as a year or a year and month mean that period: read as such, printed as such,
 * and a cut-off that falls inside the period is refused at the row rather than guessed. A date
 * pattern without a year is refused when the layout is loaded, at its line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import { datePatternProblem, formatPeriod, parseDate, parseDatePeriod } from '../../src/core/dates.js';
import { loadDataset } from '../../src/load/dataset.js';
import { loadTemplateSet, narrateReport } from '../../src/narrate/narrate.js';
import { buildWorkbook, tableCsv } from '../../src/render/workbook/workbook.js';
import { fixtureVariant, refusalOf, ROOT } from '../support.js';

const FIXTURE = join(ROOT, 'test/fixtures/older-framework');
const rows = parseCsv(readFileSync(join(FIXTURE, 'events.csv')), { columns: true }) as Array<Record<string, string>>;

describe('reading a date that is a period', () => {
  it('reads a year, a month and a day, each as the days it can mean', () => {
    expect(parseDatePeriod('2009', 'yyyy')).toEqual({ from: '2009-01-01', until: '2009-12-31', precision: 'year' });
    expect(parseDatePeriod('02/2012', 'MM/yyyy')).toEqual({ from: '2012-02-01', until: '2012-02-29', precision: 'month' });
    expect(parseDatePeriod('2011-11', 'yyyy-MM')).toEqual({ from: '2011-11-01', until: '2011-11-30', precision: 'month' });
    expect(parseDatePeriod('31/03/2011', 'dd/MM/yyyy')).toEqual({ from: '2011-03-31', until: '2011-03-31', precision: 'day' });
    expect(parseDatePeriod('13/2011', 'MM/yyyy')).toBeUndefined();
    expect(parseDatePeriod('00/03/2011', 'dd/MM/yyyy')).toBeUndefined();
    expect(parseDate('2009', 'yyyy')).toBeUndefined();
  });
  it('prints a period as a reader reads it', () => {
    expect(formatPeriod('2009-01-01', '2009-12-31')).toBe('2009');
    expect(formatPeriod('2009-03-01', '2009-03-31')).toBe('March 2009');
    expect(formatPeriod('2009-03-05', '2009-03-05')).toBe('5 March 2009');
  });
  it('refuses a pattern without a year, or with a day but no month', () => {
    expect(datePatternProblem('ddMM')).toMatch(/has no year/);
    expect(datePatternProblem('dd/yyyy')).toMatch(/a day but no month/);
    expect(datePatternProblem('yyyy-MM-dd hh')).toMatch(/letters other than/);
    for (const ok of ['yyyy', 'MM/yyyy', 'yyyy-MM', 'dd/MM/yy']) expect(datePatternProblem(ok)).toBeUndefined();
  });
});

describe('a layout whose date pattern has no year', () => {
  it('is refused at load, at the line and column of the setting', () => {
    const dir = fixtureVariant('older-framework', { 'layout.yaml': (t) => t.replace('publishedFormat: MM/yyyy', 'publishedFormat: ddMM') });
    const error = refusalOf(() => loadReleaseConfig(join(dir, 'release.yaml')));
    const line = readFileSync(join(dir, 'layout.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('publishedFormat')) + 1;
    expect(error.describe()).toContain(`layout.yaml, line ${line}, column 18, setting "publishedFormat"`);
    expect(error.message).toMatch(/"ddMM" has no year/);
  });
});

describe('a source with year-only inspection dates and month-and-year reports', () => {
  const config = loadReleaseConfig(join(FIXTURE, 'release.yaml'));
  const dataset = loadDataset(config);

  it('keeps each date as the period it means', () => {
    expect(dataset.events).toHaveLength(rows.length);
    for (const row of rows) {
      const [month, year] = row.published!.split('/') as [string, string];
      const last = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
      expect(dataset.events).toContainEqual(
        expect.objectContaining({
          authority: row.code,
          date: `${row.year}-01-01`,
          dateUntil: `${row.year}-12-31`,
          published: `${year}-${month}-01`,
          publishedUntil: `${year}-${month}-${String(last).padStart(2, '0')}`,
          origin: expect.objectContaining({ row: rows.indexOf(row) + 2 }),
        }),
      );
    }
  });

  it('builds a snapshot as at a year end, which no year straddles', () => {
    const model = computeStats(dataset, config.period);
    const inspectedBy = new Set(rows.filter((r) => Number(r.year) <= 2010 && r.code !== 'E10000901').map((r) => r.code));
    expect(model.current.authorities.map((a) => a.code).sort()).toEqual([...inspectedBy].sort());
  });

  it('refuses an as-at date inside a year an inspection is dated by, naming the row', () => {
    const error = refusalOf(() => computeStats(dataset, { ...config.period, asAt: '2010-06-30', publishedBy: '2010-12-31', inYear: { from: '2009-07-01', to: '2010-06-30' }, comparisons: [] }));
    const first2010 = rows.findIndex((r) => r.year === '2010') + 2;
    expect(error.describe()).toContain(`events.csv, row ${first2010}: the inspection or visit is dated 2010 only: whether it was carried out by 30 June 2010 cannot be told`);
  });

  it('refuses a publication cut-off inside a month a report is dated by', () => {
    const error = refusalOf(() => computeStats(dataset, { ...config.period, publishedBy: '2011-03-15' }));
    const march = rows.findIndex((r) => r.published === '03/2011') + 2;
    expect(error.describe()).toContain(`events.csv, row ${march}: the report is dated March 2011 only: whether it was published by 15 March 2011 cannot be told`);
  });

  it('writes such dates in the underlying data as the period, never as a day', () => {
    const model = computeStats(dataset, config.period);
    const doc = narrateReport(model, config, loadTemplateSet(join(FIXTURE, 'templates')));
    const history = buildWorkbook(config, dataset, model, doc).tables.find((t) => t.id === 'inspection-history')!;
    const csv = tableCsv(history);
    expect(csv).toContain(',2009,December 2009,');
    expect(csv).not.toMatch(/2009-01-01|2009-12-31/);
  });
});
