/**
 * The query stage: the data model in DuckDB, named queries, the (query …) helper and its trace,
 * figures and tables bound to queries, and `statpress query` / `statpress model`. Expected
 * numbers are counted here from the raw CSV files, never taken from the code under test.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../src/cli/main.js';
import { buildDocument } from '../../src/pipeline/build.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { openDataModel, runNamedQueries } from '../../src/query/database.js';
import type { QueryEngine } from '../../src/query/engine.js';
import { DATA_MODEL, dataModelReference } from '../../src/query/model.js';
import type { FigureNode, TableNode } from '../../src/document/document.js';
import { find, values } from './tree.js';
import { readCsv, refusalOf, releaseVariant, RELEASE_2025, ROOT, tempDir } from '../support.js';

const AS_AT = '2025-03-31';
const PUBLISHED_BY = '2025-06-30';
const IN_YEAR = { from: '2024-04-01', to: AS_AT };
const PREVIOUS_YEAR = { from: '2023-04-01', to: '2024-03-31' };
const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';
const VISITS_2025 = 'ofsted-la-outcomes/csv-2025/In-year_inspections.csv';
const VISITS_2024 = 'ofsted-la-outcomes/csv-2024/Inspections_in_year_2023-24.csv';
const FIXTURE = join(ROOT, 'test/fixtures/query-set');

/** The framework's labels, by the raw spellings Ofsted's files use (read from the framework file, not from the code). */
const framework = parseYaml(readFileSync(join(ROOT, 'frameworks/ilacs-2018.yaml'), 'utf8')) as {
  eventTypes: Array<{ id: string; label: string }>;
  grades: Array<{ id: string; label: string }>;
};
const TYPE_ID: Record<string, string> = {
  'ILACS Standard Inspection': 'standard',
  'ILACS Short Inspection': 'short',
  'ILACS Focused Visit': 'focused',
  'LA Monitoring visit': 'monitoring',
};
const typeLabel = (raw: string) => framework.eventTypes.find((t) => t.id === TYPE_ID[raw])!.label;

/** Each authority's latest overall effectiveness as at 31 March 2025, counted by grade, from the raw files. */
function latestOverallCounts(): Map<string, number> {
  const existing = new Set(readCsv('la-lookup/england_153_la_lookup.csv').map((r) => r.ons_code!));
  for (const change of readCsv('la-lookup/la-changes.csv')) {
    const exists = (!change.existed_from || change.existed_from <= AS_AT) && (!change.existed_until || change.existed_until >= AS_AT);
    if (exists) existing.add(change.ons_code!);
    else existing.delete(change.ons_code!);
  }
  const latest = new Map<string, Record<string, string>>();
  for (const row of readCsv(HISTORY)) {
    const code = row['Local authority area code']!;
    if (!existing.has(code) || row['Inspection date']! > AS_AT || row['Publication date']! > PUBLISHED_BY) continue;
    const known = latest.get(code);
    if (!known || known['Inspection date']! < row['Inspection date']!) latest.set(code, row);
  }
  const counts = new Map<string, number>();
  for (const row of latest.values()) counts.set(row['Overall effectiveness']!, (counts.get(row['Overall effectiveness']!) ?? 0) + 1);
  return counts;
}

/** Whole percentage, rounded half up, in whole-number arithmetic. */
const percent = (part: number, whole: number) => Math.floor((200 * part + whole) / (2 * whole));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('the data model', () => {
  let engine: QueryEngine;
  let pipeline: Pipeline;
  beforeAll(() => {
    pipeline = new Pipeline({ configFile: RELEASE_2025 }, nodeEffects());
    const config = pipeline.config();
    engine = openDataModel({ dataset: pipeline.dataset(), framework: config.framework, period: config.period });
  });

  it('has every column its reference documents, with the documented type, and nothing else', () => {
    for (const relation of DATA_MODEL) {
      const described = engine.query(`DESCRIBE "${relation.name}"`).rows.map((r) => `${String(r[0])} ${String(r[1])}`);
      expect(described, relation.name).toEqual(relation.columns.map((c) => `${c.name} ${c.type}`));
    }
  });

  it('is documented in docs/data-model.md as the definition writes it (npm run schema)', () => {
    expect(readFileSync(join(ROOT, 'docs/data-model.md'), 'utf8')).toBe(dataModelReference());
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('docs/data-model.md');
  });

  it('keeps where each event came from: its file and row', () => {
    const rows = readCsv(HISTORY);
    const result = engine.query(`SELECT source_row, unit, date FROM events WHERE source_file = '${HISTORY}' ORDER BY source_row`);
    expect(result.rows.length).toBe(rows.length);
    // Row 2 of the file is its first data row.
    for (const [row, unit, date] of result.rows as Array<[number, string, string]>) {
      expect([unit, date]).toEqual([rows[row - 2]!['Local authority area code'], rows[row - 2]!['Inspection date']]);
    }
  });

  it('refuses a query of several rows without a top-level ORDER BY, naming the query and its file', () => {
    const query = { name: 'by-grade', sql: "SELECT grade, count(*) AS n FROM latest_judgements WHERE judgement = 'overall' GROUP BY grade", file: 'set.yaml', line: 7 };
    const error = refusalOf(() => runNamedQueries(engine, [query], pipeline.config()));
    expect(error.describe()).toMatch(/^set\.yaml, line 7: query "by-grade" gives 4 rows but has no ORDER BY at its top level/);
    // A window's ORDER BY is not the result's order; one row needs none.
    const windowed = { ...query, sql: 'SELECT unit, row_number() OVER (ORDER BY date) AS n FROM latest_events' };
    expect(() => runNamedQueries(engine, [windowed], pipeline.config())).toThrow(/no ORDER BY/);
    const single = { ...query, sql: 'SELECT count(*) AS n FROM units' };
    expect(runNamedQueries(engine, [single], pipeline.config()).get('by-grade')!.rows).toEqual([[new Set([...readCsv('la-lookup/england_153_la_lookup.csv'), ...readCsv('la-lookup/la-changes.csv')].map((r) => r.ons_code)).size]]);
  });

  it('locates a SQL error: the file, the query, the line and column in it and in the file, and DuckDB\'s message', () => {
    const query = { name: 'broken', sql: "SELECT grade,\n  count(*) AS n, nope\nFROM latest_judgements\nORDER BY grade", file: 'template-set.yaml', line: 10 };
    const error = refusalOf(() => runNamedQueries(engine, [query], pipeline.config()));
    expect(error.code).toBe('query');
    expect(error.location).toMatchObject({ file: 'template-set.yaml', line: 11, col: 18 });
    expect(error.message).toMatch(/^query "broken", line 2, column 18: Binder Error: Referenced column "nope" not found/);
  });
});

describe('statpress query and statpress model', () => {
  it('answers the count of latest overall-effectiveness grades as at the release date, as counted from the raw files', async () => {
    const sql = "SELECT g.label AS grade, count(*) AS authorities FROM latest_judgements j JOIN grades g ON g.grade = j.grade WHERE j.judgement = 'overall' GROUP BY g.label, g.grade_rank ORDER BY g.grade_rank";
    const { code, out } = await cli('query', RELEASE_2025, sql, '--csv', '--quiet');
    expect(code).toBe(0);
    const expected = latestOverallCounts();
    const lines = out.trimEnd().split('\r\n');
    expect(lines[0]).toBe('grade,authorities');
    expect(lines.slice(1)).toEqual(framework.grades.map((g) => `${g.label},${expected.get(g.label)}`));
    // The same as a table: the reference's 36, 67, 31 and 19.
    const table = await cli('query', RELEASE_2025, sql, '--quiet');
    expect(table.out).toMatch(/^grade +authorities\n-+ +-+\nOutstanding +36\nGood +67\nRequires improvement to be good +31\nInadequate +19\n\(4 rows\)\n$/);
  });

  it('exits 1 on a SQL error, saying where', async () => {
    const { code, err } = await cli('query', RELEASE_2025, 'SELECT code,\n  nope FROM units', '--quiet');
    expect(code).toBe(1);
    expect(err).toMatch(/statpress: error: the query's line 2, column 3: Binder Error: Referenced column "nope" not found/);
  });

  it('lists the tables, views, named queries and value paths with their current values', async () => {
    const file = releaseVariant((c) => (c.templates = FIXTURE));
    const { code, out } = await cli('model', file, '--quiet');
    expect(code).toBe(0);
    for (const relation of DATA_MODEL) expect(out).toContain(` ${relation.name} (`);
    expect(out).toMatch(/latest-overall \(4 rows\):/);
    expect(out).toMatch(/current\.judgements\.overall\.grades\.outstanding\.count +36\n/);
  });

  it('is in the help', async () => {
    expect((await cli('help')).out).toMatch(/query <release\.yaml> <sql>/);
    expect((await cli('query', RELEASE_2025)).code).toBe(2);
  });
});

describe('a template set with queries', () => {
  let built: ReturnType<typeof buildDocument>;
  beforeAll(() => {
    built = buildDocument({ configFile: releaseVariant((c) => (c.templates = FIXTURE)) });
  });

  it('prints query values through helpers, traced to the query, row and column', () => {
    const found = values(built.document.children);
    const counts = latestOverallCounts();
    framework.grades.forEach((g, i) => {
      const value = found.find((v) => v.ref === `query latest-overall, row ${i + 1}, column authorities`);
      expect(value?.raw, g.label).toBe(counts.get(g.label));
    });
    expect(found.find((v) => v.ref === 'query period-dates, row 1, column ends')?.text).toBe('31 March 2025');
    // The numbers-trace gate passed (buildDocument refuses a release whose gates fail).
    expect(built.checks.find((g) => g.gate === 'numbers-trace')?.findings).toEqual([]);
  });

  it('draws a figure of a shape no kind in src/ makes: in-year outcomes by inspection type', () => {
    const figure = find<FigureNode>(built.document, 'figure', 'figure-1');
    const byType = new Map<string, Map<string, number>>();
    for (const row of readCsv(HISTORY)) {
      const date = row['Inspection date']!;
      if (date < IN_YEAR.from || date > IN_YEAR.to || row['Publication date']! > PUBLISHED_BY) continue;
      const type = typeLabel(row['Inspection type']!);
      const grades = byType.get(type) ?? new Map<string, number>();
      grades.set(row['Overall effectiveness']!, (grades.get(row['Overall effectiveness']!) ?? 0) + 1);
      byType.set(type, grades);
    }
    const expected = framework.eventTypes.filter((t) => byType.has(t.label)).map((t) => {
      const grades = byType.get(t.label)!;
      const total = [...grades.values()].reduce((a, b) => a + b, 0);
      return [`${t.label} (${total})`, ...framework.grades.map((g) => String(percent(grades.get(g.label) ?? 0, total)))];
    });
    expect(figure.dataTable.rows.map((r) => [r.header.text, ...r.cells.map((c) => c.text)])).toEqual(expected);
    // The counts behind the percentages go with them, for the workbook's count columns.
    const expectedCounts = framework.eventTypes.filter((t) => byType.has(t.label)).map((t) => framework.grades.map((g) => byType.get(t.label)!.get(g.label) ?? 0));
    expect(figure.dataTable.rows.map((r) => r.cells.map((c) => c.count))).toEqual(expectedCounts);
    expect(figure.dataTable.columns.map((c) => c.label)).toEqual(['Type of inspection', ...framework.grades.map((g) => `% ${g.label}`)]);
    expect(figure.chart.domain).toEqual(framework.grades.map((g) => g.label));
    expect(figure.altText).toMatch(/^Bar chart of the overall effectiveness given by \d+ inspections/);
    expect(figure.notes.length).toBeGreaterThan(0);
  });

  it('makes a table of a shape no kind in src/ makes: every kind of event in two years side by side', () => {
    const table = find<TableNode>(built.document, 'table', 'table-1');
    const counts = new Map<string, [number, number]>(framework.eventTypes.map((t) => [t.label, [0, 0]]));
    const count = (raw: string, date: string) => {
      const slot = date >= PREVIOUS_YEAR.from && date <= PREVIOUS_YEAR.to ? 0 : date >= IN_YEAR.from && date <= IN_YEAR.to ? 1 : -1;
      if (slot >= 0) counts.get(typeLabel(raw))![slot]++;
    };
    for (const row of readCsv(HISTORY)) if (row['Publication date']! <= PUBLISHED_BY) count(row['Inspection type']!, row['Inspection date']!);
    for (const row of readCsv(VISITS_2025)) if (TYPE_ID[row['Inspection/Visit type']!] === 'focused' || TYPE_ID[row['Inspection/Visit type']!] === 'monitoring') count(row['Inspection/Visit type']!, row['Inspection/Visit date']!);
    for (const row of readCsv(VISITS_2024)) {
      const id = TYPE_ID[row['Inspection/Visit type']!];
      if ((id === 'focused' || id === 'monitoring') && row['Inspection/Visit date']! >= PREVIOUS_YEAR.from) count(row['Inspection/Visit type']!, row['Inspection/Visit date']!);
    }
    expect(table.rows.map((r) => [r.header.text, ...r.cells.map((c) => c.raw)])).toEqual([...counts].map(([label, [a, b]]) => [label, a, b]));
    expect(table.columns.map((c) => c.label)).toEqual(['Inspection or visit type', 'Year before', 'Year to the as-at date']);
    expect(table.rows[0]!.cells[0]!.ref).toBe('query events-by-year, row 1, column previous_year');
  });

  it('runs DuckDB only for a template set with queries', () => {
    const plain = new Pipeline({ configFile: RELEASE_2025 }, nodeEffects());
    plain.document();
    expect(Object.keys(plain.timings)).not.toContain('database');
    expect(Object.keys(built.timings)).toContain('database');
  });

  it('refuses a figure bound to a column its query does not give, and a query the set does not declare', () => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    const yaml = readFileSync(join(dir, 'template-set.yaml'), 'utf8');
    writeFileSync(join(dir, 'template-set.yaml'), yaml.replace('value: inspections', 'value: inspection'));
    const column = refusalOf(() => buildDocument({ configFile: releaseVariant((c) => (c.templates = dir)) }));
    expect(column.describe()).toMatch(/figure figure-1: the query "in-year-outcomes" gives no column "inspection" \(it gives: type, grade, inspections\)/);
    writeFileSync(join(dir, 'template-set.yaml'), yaml.replace('query: events-by-year', 'query: events-by-yaer'));
    const missing = refusalOf(() => buildDocument({ configFile: releaseVariant((c) => (c.templates = dir)) }));
    expect(missing.describe()).toMatch(/template-set\.yaml, line \d+, column \d+, setting "tables\[0\]\.query", value "events-by-yaer": no query "events-by-yaer" under queries/);
  });
});
