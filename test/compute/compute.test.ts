/**
 * The statistics model against independent evidence: Ofsted's own snapshot files and the
 * published series, counted here straight from the CSVs, and a reviewed golden model.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../src/pipeline/build.js';
import { computeSnapshot, computeStats, type StatsModel } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import { percentValue } from '../../src/narrate/format.js';
import { loadDataset } from '../../src/load/dataset.js';
import { renderHtml } from '../../src/render/html.js';
import { readCsv, RELEASE_2025, ROOT } from '../support.js';

const config = loadReleaseConfig(RELEASE_2025);
const dataset = loadDataset(config);
const grades = config.framework.grades;

/** Grade id from Ofsted's spelling, by the framework's labels (independent of the loader). */
const gradeId = (label: string) => grades.find((g) => g.label.toLowerCase() === label.trim().toLowerCase())?.id;

/** Counts of each grade in a column of one of Ofsted's snapshot files. */
function countColumn(rows: Array<Record<string, string>>, column: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(grades.map((g) => [g.id, 0]));
  for (const row of rows) {
    const id = gradeId(row[column] ?? '');
    if (id) counts[id]! += 1;
  }
  return counts;
}

const countsOf = (d: StatsModel['current']['judgements'][string]) => Object.fromEntries(grades.map((g) => [g.id, d.grades[g.id]!.count]));

describe('snapshots', () => {
  it('as at 31 March 2025 equals Ofsted\'s own snapshot file, judgement by judgement and region by region', () => {
    const snapshot = computeSnapshot(dataset, '2025-03-31', '2025-06-30');
    const official = readCsv('ofsted-la-outcomes/csv-2025/Inspections_as_at_31_March.csv');
    expect(snapshot.inspected).toBe(official.length);
    const columns: Record<string, string> = {
      overall: 'Overall effectiveness',
      leaders: 'The impact of leaders on social work practice with children and families',
      helpProtection: 'The experiences and progress of children who need help and protection',
      inCare: 'The experiences and progress of children in care',
      careLeavers: 'The experiences and progress of care leavers',
    };
    for (const [id, column] of Object.entries(columns)) {
      expect(countsOf(snapshot.judgements[id]!), id).toEqual(countColumn(official, column));
    }
    for (const region of snapshot.regions) {
      const rows = official.filter((r) => r['Ofsted region'] === region.name);
      expect(countsOf(region.judgements.overall!), region.name).toEqual(countColumn(rows, 'Overall effectiveness'));
    }
  });

  it('as at 31 March 2023 (published by 30 June 2023) agrees with the published series', () => {
    const snapshot = computeSnapshot(dataset, '2023-03-31', '2023-06-30');
    const published = readCsv('published-series/overall-effectiveness-published.csv').find((r) => r.as_at === '2023-03-31')!;
    expect(snapshot.existing).toBe(Number(published.local_authorities_with_graded_judgement));
    expect(snapshot.inspected).toBe(Number(published.local_authorities_with_graded_judgement));
    const d = snapshot.judgements.overall!;
    expect([d.grades.outstanding!, d.grades.good!, d.grades.ri!, d.grades.inadequate!].map((p) => percentValue(p.share))).toEqual(
      [published.pct_outstanding, published.pct_good, published.pct_requires_improvement, published.pct_inadequate].map(Number),
    );
  });

  it('as at 31 March 2024 equals the 2024 snapshot file, except the care-leavers judgement Ofsted revised', () => {
    const snapshot = computeSnapshot(dataset, '2024-03-31', '2024-06-30');
    const official = readCsv('ofsted-la-outcomes/csv-2024/Inspections_31_March_2024.csv').filter((r) => gradeId(r['Overall effectiveness'] ?? ''));
    expect(snapshot.existing).toBe(153);
    expect(snapshot.inspected).toBe(official.length);
    expect(countsOf(snapshot.judgements.overall!)).toEqual(countColumn(official, 'Overall effectiveness'));
    expect(countsOf(snapshot.judgements.inCare!)).toEqual(countColumn(official, 'Experiences and progress of children in care'));
    // The 2025 notes: Staffordshire's care-leavers grade (6 November 2023) was Good in the 2024
    // publication and is Requires improvement to be good in the corrected 2025 data.
    const was = countColumn(official, 'Experiences and progress of care leavers');
    const now = countsOf(snapshot.judgements.careLeavers!);
    expect(now.good).toBe(was.good! - 1);
    expect(now.ri).toBe(was.ri! + 1);
    expect(now.outstanding).toBe(was.outstanding);
    expect(now.inadequate).toBe(was.inadequate);
  });

  it('counts only authorities that existed on the date', () => {
    const before = computeSnapshot(dataset, '2023-03-31', '2023-06-30');
    const after = computeSnapshot(dataset, '2023-04-01', '2023-07-01');
    const codes = (s: typeof before) => new Set(s.authorities.map((a) => a.code));
    expect(codes(before).has('E10000006')).toBe(true); // Cumbria until 31 March 2023
    expect(codes(after).has('E10000006')).toBe(false);
    expect(after.existing).toBe(153);
    expect(before.existing).toBe(152);
  });
});

describe('the statistics model', () => {
  it('matches the reviewed golden model for 2025', () => {
    const model = computeStats(dataset, config.period, config.publishedSeries?.computeFrom);
    // Comparison snapshots carry every authority; the golden keeps their summaries only.
    const summary = { ...model, comparisons: model.comparisons.map(({ authorities: _a, ...rest }) => rest) };
    const golden = join(ROOT, 'test/compute/golden/stats-2025.json');
    const actual = `${JSON.stringify(summary, null, 1)}\n`;
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      if (process.env.CI) throw new Error('golden files are never written in CI');
      writeFileSync(golden, actual);
    }
    expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });

  it('records a computed point that disagrees with the published series as a revision, and the build refuses it undeclared', async () => {
    const { releaseVariant, editedData, refusalOf } = await import('../support.js');
    const file = editedData('published-series/overall-effectiveness-published.csv', (text) => text.replace('2024-03-31,151,20,40,28,11', '2024-03-31,151,21,39,28,11'));
    const variant = releaseVariant((c) => {
      c.publishedSeries.file = file;
    });
    const cfg = loadReleaseConfig(variant);
    const model = computeStats(loadDataset(cfg), cfg.period, cfg.publishedSeries?.computeFrom);
    expect(model.seriesRevisions.map((r) => [r.asAt, r.measure, r.published, r.computed, r.origin.row])).toEqual([
      ['2024-03-31', 'outstanding', 21, 20, 4],
      ['2024-03-31', 'good', 39, 40, 4],
    ]);
    const error = refusalOf(() => buildDocument({ configFile: variant, gates: false }));
    expect(error.describe()).toMatch(/the data change 2 published figures of the series[^]*as at 31 March 2024, % Outstanding: published 21% \(row 4\), the data give 20%\n {2}as at 31 March 2024, % Good: published 39% \(row 4\), the data give 40%/);
  });
});

describe('the same templates as at 31 March 2024', () => {
  const { document } = buildDocument({ configFile: RELEASE_2025, asAt: '2024-03-31', publishedBy: '2024-06-30' });
  const html = renderHtml(document);
  const official = readCsv('ofsted-la-outcomes/csv-2024/Inspections_31_March_2024.csv').filter((r) => gradeId(r['Overall effectiveness'] ?? ''));
  const counts = countColumn(official, 'Overall effectiveness');
  const n = official.length;

  it('titles and dates the release for 2024', () => {
    expect(document.meta.title).toBe('Main findings: local authority inspection outcomes as at 31 March 2024');
    expect(html).toContain('As at 31 March 2024 (151)');
    expect(html).toContain('1 April 2023 to 31 March 2024');
  });

  it('states the 2024 snapshot counted independently from the 2024 file', () => {
    const text = html.replace(/<[^>]+>/g, '');
    for (const g of grades) {
      expect(text).toContain(`${counts[g.id]} (${percentValue(counts[g.id]! / n)}%)`);
    }
    expect(text).toContain(`${n} of the 153 local authorities in England had received a graded inspection`);
    expect(text).toContain('2 had not yet been inspected');
  });

  it('has regional rows that equal the 2024 file', () => {
    for (const region of new Set(official.map((r) => r['Ofsted region']!))) {
      const rows = official.filter((r) => r['Ofsted region'] === region);
      const c = countColumn(rows, 'Overall effectiveness');
      const cells = grades.map((g) => String(percentValue(c[g.id]! / rows.length))).join('</td><td class="govuk-table__cell govuk-table__cell--numeric"[^>]*>');
      const escaped = region.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(html, region).toMatch(new RegExp(`${escaped} \\(${rows.length}\\)</th><td class="govuk-table__cell govuk-table__cell--numeric"[^>]*>${cells}</td>`));
    }
  });

  it('compares with 31 March 2023 in the change sections', () => {
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('since 31 March 2023');
    expect(text).not.toContain('since 31 March 2024');
  });
});
