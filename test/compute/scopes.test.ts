/**
 * Two graded inspection types on one visit do not collapse: each snapshot scope keeps its own
 * latest event per unit, and two events of one scope, unit and date are a warning naming both
 * rows, or an error where the release declares `sameDayEvents: error`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { computeStats } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import { loadDataset } from '../../src/load/dataset.js';
import { fixtureVariant, refusalOf, ROOT } from '../support.js';

const FIXTURE = join(ROOT, 'test/fixtures/older-framework');
const read = (file: string) => parseCsv(readFileSync(join(FIXTURE, file)), { columns: true }) as Array<Record<string, string>>;
const rows = read('events.csv');
const load = (dir: string) => {
  const config = loadReleaseConfig(join(dir, 'release.yaml'));
  return { config, dataset: loadDataset(config) };
};

/** Grade counts per judgement as at the fixture's dates, worked out from the raw rows. */
function expectedCounts(): Record<string, Record<string, number>> {
  const retired = new Set(read('changes.csv').filter((r) => r.until !== '' && r.until! < '2010-12-31').map((r) => r.code));
  const latest = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const [month, year] = row.published!.split('/').map(Number) as [number, number];
    if (Number(row.year) > 2010 || year * 100 + month > 201103 || retired.has(row.code)) continue;
    const key = `${row.code} ${row.type}`;
    const before = latest.get(key);
    if (!before || Number(before.year) <= Number(row.year)) latest.set(key, row);
  }
  const counts: Record<string, Record<string, number>> = { safeguarding: {}, looked_after: {} };
  for (const row of latest.values()) {
    for (const column of ['safeguarding', 'looked_after']) {
      const grade = row[column]!.toLowerCase();
      if (grade) counts[column]![grade] = (counts[column]![grade] ?? 0) + 1;
    }
  }
  return counts;
}

describe('two graded types, each with its own snapshot scope', () => {
  it('keeps both judgements of a visit: every grade counted from the raw rows', () => {
    const { config, dataset } = load(FIXTURE);
    expect(dataset.warnings).toEqual([]);
    const model = computeStats(dataset, config.period);
    const expected = expectedCounts();
    for (const [judgement, column] of [['safeguarding', 'safeguarding'], ['lookedAfter', 'looked_after']] as const) {
      const got = Object.fromEntries(Object.entries(model.current.judgements[judgement]!.grades).filter(([, p]) => p.count > 0).map(([g, p]) => [g, p.count]));
      expect(got, judgement).toEqual(expected[column]);
    }
    // Both judgements of the authorities inspected for both: the looked-after grade is not lost.
    const both = new Set(rows.filter((r) => r.type === 'looked after children').map((r) => r.code));
    for (const a of model.current.authorities) if (both.has(a.code)) expect(a.grades.lookedAfter, a.code).not.toBeNull();
  });

  it('moves each judgement against its own scope\'s previous event', () => {
    const { config, dataset } = load(FIXTURE);
    const southville = computeStats(dataset, config.period).current.authorities.find((a) => a.code === 'E06000902')!;
    const earlier = rows.filter((r) => r.code === 'E06000902' && r.year === '2009');
    expect(southville.grades.safeguarding).toBe('adequate');
    expect(southville.previous?.grades.safeguarding).toBe(earlier.find((r) => r.type === 'safeguarding')!.safeguarding!.toLowerCase());
  });
});

it('the query stage keeps the scopes apart too: statpress query counts the same grades', async () => {
  let out = '';
  const sql = 'SELECT judgement, grade, count(*) AS n FROM latest_judgements GROUP BY ALL ORDER BY ALL';
  const code = await runCli(['query', join(FIXTURE, 'release.yaml'), sql, '--csv', '--quiet'], { out: (t) => (out += t), err: () => {} });
  expect(code).toBe(0);
  const expected = expectedCounts();
  const got: Record<string, Record<string, number>> = { safeguarding: {}, looked_after: {} };
  for (const row of parseCsv(out, { columns: true }) as Array<Record<string, string>>) {
    got[row.judgement === 'lookedAfter' ? 'looked_after' : row.judgement!]![row.grade!] = Number(row.n);
  }
  expect(got).toEqual(expected);
});

describe('two graded types sharing one scope', () => {
  const shared = (extra: Record<string, (t: string) => string> = {}) =>
    fixtureVariant('older-framework', { 'framework.yaml': (t) => t.replace(/, scope: \w+/g, ''), ...extra });

  it('is a warning naming both rows of each unit and date', () => {
    const { dataset } = load(shared());
    const pairs = rows
      .map((r, i) => ({ ...r, row: i + 2 }))
      .filter((r) => r.type === 'looked after children')
      .map((lac) => [rows.findIndex((r) => r.code === lac.code && r.year === lac.year && r.type === 'safeguarding') + 2, lac.row] as const);
    expect(dataset.warnings).toHaveLength(pairs.length);
    for (const [first, second] of pairs) {
      expect(dataset.warnings).toContainEqual(expect.stringMatching(new RegExp(`^events\\.csv, row ${second}: a looked-after children inspection and a safeguarding inspection of .* on the same date, \\d{4}, are in one snapshot scope \\("graded"\\), which keeps one graded event per unit \\(the other is at events\\.csv row ${first}\\)`)));
    }
  });

  it('is an error at the row where the release declares sameDayEvents: error', () => {
    const dir = shared({ 'release.yaml': (t) => `${t}sameDayEvents: error\n` });
    expect(refusalOf(() => load(dir)).describe()).toMatch(/events\.csv, row 3, value "2008": a looked-after children inspection and a safeguarding inspection of Old County \(E10000901\) on the same date/);
  });
});

it('the same inspection twice is an error, whatever the scopes', () => {
  const dir = fixtureVariant('older-framework', { 'events.csv': (t) => `${t}E06000903,2010,06/2010,safeguarding,Good,\n` });
  expect(refusalOf(() => load(dir)).describe()).toMatch(new RegExp(`events\\.csv, row ${rows.length + 2}, value "2010": the same safeguarding inspection of Eastbury \\(E06000903\\) on 2010 is also at events\\.csv row \\d+`));
});

it('a scope on a type no snapshot counts is refused at its line', () => {
  const dir = fixtureVariant('older-framework', {
    'framework.yaml': (t) => `${t}  - { id: visit, label: Visit, graded: false, scope: visits }\n`.replace('judgements:', 'judgements:'),
  });
  expect(refusalOf(() => loadReleaseConfig(join(dir, 'release.yaml'))).describe()).toMatch(/framework\.yaml, line \d+, column \d+, setting "eventTypes\[2\]\.scope".*not graded/);
});
