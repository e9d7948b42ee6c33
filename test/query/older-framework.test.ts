/**
 * A synthetic quarterly release of an older framework (test/fixtures/older-framework/quarterly),
 * made from configuration, templates and SQL alone: two graded inspection types on one visit, each
 * its own snapshot scope; an annual performance rating on a scale of its own, dated by the year
 * only; a retired authority that keeps its region; windows by date range, months back, quarter and
 * year; a pairing of the two judgements of one visit; movement against the first inspection; and
 * counts of inspections beside counts of authorities. Every expected number is counted here from
 * the fixture's raw rows with csv-parse, never through statpress or DuckDB.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildDocument, buildRelease, type BuildResult } from '../../src/pipeline/build.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { openDataModel } from '../../src/query/database.js';
import type { FigureNode, ReportDocument, TableNode } from '../../src/document/document.js';
import { find, values } from './tree.js';
import { fixtureVariant, refusalOf, ROOT, tempDir } from '../support.js';

const NAME = 'older-framework/quarterly';
const FIXTURE = join(ROOT, 'test/fixtures', NAME);
const RELEASE = join(FIXTURE, 'release.yaml');
type Row = Record<string, string>;
const read = (file: string): Row[] => parseCsv(readFileSync(join(FIXTURE, file)), { columns: true }) as Row[];

// The release's dates, as its config gives them.
const AS_AT = '2010-12-31';
const PUBLISHED_BY = '2011-01-31';
/** The windows the release declares, worked out by hand from their kinds. */
const WINDOWS: Record<string, [string, string]> = {
  cycle: ['2009-04-01', '2010-12-31'], // from and to
  last_nine_months: ['2010-04-01', '2010-12-31'], // monthsBack: 9
  last_quarter: ['2010-10-01', '2010-12-31'], // quarter: latest
  year_2009: ['2009-01-01', '2009-12-31'], // year: 2009
  year_2010: ['2010-01-01', '2010-12-31'], // year: latest
  first_half_2010: ['2010-01-01', '2010-06-30'], // from and to: holds the start of a year but not all of it
};

const framework = parseYaml(readFileSync(join(FIXTURE, 'framework.yaml'), 'utf8')) as {
  grades: Array<{ id: string; label: string; scale?: string }>;
  judgements: Array<{ id: string; label: string; scale?: string }>;
  eventTypes: Array<{ id: string; scope: string }>;
};
/** The inspection scale (the framework's own) and the annual rating's, best first. */
const INSPECTION_GRADES = framework.grades.filter((g) => g.scale === undefined).map((g) => g.label);
const ANNUAL_GRADES = framework.grades.filter((g) => g.scale === 'annual').map((g) => g.label);
const rank = (label: string) => INSPECTION_GRADES.indexOf(label);

/** dd/MM/yyyy → yyyy-MM-dd. */
const iso = (d: string) => d.split('/').reverse().join('-');
const inspections = read('inspections.csv').map((r) => ({ ...r, date: iso(r.visit_date!), published: iso(r.published!) }));
const counted = inspections.filter((r) => r.date <= AS_AT && r.published <= PUBLISHED_BY);
const SG = 'Safeguarding';
const LAC = 'Looked after children';
const inWindow = (date: string, name: string) => date >= WINDOWS[name]![0] && date <= WINDOWS[name]![1];

/** Units that exist on the as-at date, and every unit's region, from the register files. */
const changes = read('changes.csv');
const authorities = read('authorities.csv');
const existing = new Set(authorities.map((a) => a.code!));
for (const c of changes) if (c.until && c.until < AS_AT) existing.delete(c.code!);
const region = new Map([...authorities.map((a) => [a.code!, a.region!] as const), ...changes.filter((c) => c.region).map((c) => [c.code!, c.region!] as const)]);

/** Each existing unit's inspections of one type that count, oldest first. */
function histories(type: string): Map<string, Array<(typeof counted)[number]>> {
  const out = new Map<string, Array<(typeof counted)[number]>>();
  for (const r of counted) if (r.inspection === type && existing.has(r.la_code!)) out.set(r.la_code!, [...(out.get(r.la_code!) ?? []), r]);
  for (const list of out.values()) list.sort((a, b) => a.date.localeCompare(b.date));
  return out;
}

const percent = (part: number, whole: number) => Math.floor((200 * part + whole) / (2 * whole));

const cells = (table: TableNode) => table.rows.map((r) => [r.header.text, ...r.cells.map((c) => c.text)]);
/** The number a sentence printed from a query's column (row 1). */
const printed = (doc: ReportDocument, query: string, column: string) => values(doc.children).find((v) => v.ref === `query ${query}, row 1, column ${column}`)?.raw;

let built: BuildResult;
let html: string;
beforeAll(async () => {
  const out = tempDir();
  built = await buildRelease({ configFile: RELEASE, outDir: out, formats: ['html'], gates: 'document', chartCache: false });
  html = readFileSync(join(out, 'main-findings.html'), 'utf8');
}, 30_000);

describe('a synthetic older-framework release from configuration, templates and SQL', () => {
  it('builds end to end, every number traced to a query', () => {
    expect(html).toContain('Synthetic inspection outcomes: the quarter to 31 December 2010');
    expect(built.gates.every((g) => g.findings.length === 0)).toBe(true);
    const found = values(built.document.children);
    expect(found.length).toBeGreaterThan(0);
    for (const v of found) expect(v.ref, v.text).toMatch(/^query [a-z-]+, row \d+, column [a-z_]+$|^period\./);
  });

  it('counts inspections and visits as well as local authorities', () => {
    const cycle = counted.filter((r) => inWindow(r.date, 'cycle'));
    expect(printed(built.document, 'cycle-totals', 'inspections')).toBe(cycle.length);
    expect(printed(built.document, 'cycle-totals', 'visits')).toBe(new Set(cycle.map((r) => `${r.la_code} ${r.date}`)).size);
    expect(printed(built.document, 'cycle-totals', 'authorities')).toBe(new Set(cycle.map((r) => r.la_code)).size);
  });

  it('keeps both graded types of one visit, each in its own snapshot scope (figure of the latest judgements)', () => {
    const figure = find<FigureNode>(built.document, 'figure', 'figure-1');
    const expected = [
      ['Safeguarding', SG, 'safeguarding'],
      ['Looked-after children', LAC, 'looked_after'],
    ].map(([label, type, column]) => {
      const latest = [...histories(type!).values()].map((list) => list[list.length - 1]![column!]!);
      return [`${label} (${latest.length})`, ...INSPECTION_GRADES.map((g) => String(percent(latest.filter((x) => x === g).length, latest.length)))];
    });
    expect(cells(figure.dataTable)).toEqual(expected);
    // Every existing authority was inspected for both, so neither judgement collapsed into the other.
    expect(expected.map((r) => r[0])).toEqual([`Safeguarding (${existing.size})`, `Looked-after children (${existing.size})`]);
  });

  it('counts inspections by grade over windows of each kind side by side: last quarter, months back, each year, a date range', () => {
    const table = find<TableNode>(built.document, 'table', 'table-1');
    const names = ['last_quarter', 'last_nine_months', 'year_2009', 'year_2010', 'cycle'];
    const expected = [
      ['Safeguarding', SG, 'safeguarding'],
      ['Looked-after children', LAC, 'looked_after'],
    ].flatMap(([label, type, column]) =>
      INSPECTION_GRADES.map((g) => [
        `${label}: ${g}`,
        ...names.map((w) => String(counted.filter((r) => r.inspection === type && r[column!] === g && inWindow(r.date, w)).length)),
      ]),
    );
    expect(cells(table)).toEqual(expected);
    expect(table.columns.map((c) => c.label)).toEqual(['Judgement and grade', 'Last quarter', 'Last nine months', '2009', '2010', 'Cycle to date']);
  });

  it('pairs the two judgements of one visit: safeguarding inadequate, and looked-after children inadequate too', () => {
    const sgInadequate = counted.filter((r) => r.inspection === SG && r.safeguarding === 'Inadequate' && inWindow(r.date, 'cycle'));
    const both = sgInadequate.filter((s) => inspections.some((l) => l.inspection === LAC && l.la_code === s.la_code && l.date === s.date && l.looked_after === 'Inadequate'));
    expect(printed(built.document, 'inadequate-pairing', 'safeguarding_inadequate')).toBe(sgInadequate.length);
    expect(printed(built.document, 'inadequate-pairing', 'both_inadequate')).toBe(both.length);
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(sgInadequate.length);
  });

  it('measures movement from the first inspection, with the wording the configuration selects', () => {
    const expected = movement('first');
    expect(['compared', 'improved', 'same', 'declined'].map((c) => printed(built.document, 'safeguarding-movement', c))).toEqual(expected);
    expect(html).toContain('Compared with their first inspection, of the');
    // From the previous inspection instead: other numbers (this fixture has a unit where the two differ) and other words.
    const previous = buildDocument({ configFile: join(fixtureVariant(NAME, { 'release.yaml': (t) => t.replace('movementBase: first', 'movementBase: previous') }), 'release.yaml') });
    expect(movement('previous')).not.toEqual(expected);
    expect(['compared', 'improved', 'same', 'declined'].map((c) => printed(previous.document, 'safeguarding-movement', c))).toEqual(movement('previous'));
    expect(JSON.stringify(previous.document)).toContain('Compared with their previous inspection, of the');
    expect(JSON.stringify(previous.document)).not.toContain('Compared with their first inspection');
  });

  it('rates annual performance on a scale of its own, dated by the year only', () => {
    const table = find<TableNode>(built.document, 'table', 'table-2');
    const latest = new Map<string, Row>();
    for (const r of read('apa.csv')) {
      const [month, year] = r.published!.split('/');
      if (!existing.has(r.la_code!) || r.year! > AS_AT.slice(0, 4) || `${year}-${month}` > PUBLISHED_BY.slice(0, 7)) continue;
      if (!latest.has(r.la_code!) || latest.get(r.la_code!)!.year! < r.year!) latest.set(r.la_code!, r);
    }
    const ratings = [...latest.values()].map((r) => r.rating);
    expect(cells(table)).toEqual(ANNUAL_GRADES.map((g) => [g, String(ratings.filter((x) => x === g).length)]));
  });

  it('counts a retired authority in the region the register gives it', () => {
    const table = find<TableNode>(built.document, 'table', 'table-3');
    const rows = counted.filter((r) => inWindow(r.date, 'year_2009'));
    const regions = [...new Set(rows.map((r) => region.get(r.la_code!)!))].sort();
    expect(cells(table)).toEqual(regions.map((g) => {
      const here = rows.filter((r) => region.get(r.la_code!) === g);
      return [g, String(here.length), String(new Set(here.map((r) => r.la_code)).size)];
    }));
    // The retired authority is among them.
    const retired = changes.filter((c) => c.until && c.until < AS_AT).map((c) => c.code);
    expect(rows.some((r) => retired.includes(r.la_code))).toBe(true);
  });
});

/** [compared, improved, same, declined] for the latest safeguarding judgement against the first or previous one. */
function movement(base: 'first' | 'previous'): number[] {
  const out = [0, 0, 0, 0];
  for (const list of histories(SG).values()) {
    if (list.length < 2) continue;
    const latest = rank(list[list.length - 1]!.safeguarding!);
    const before = rank(list[base === 'first' ? 0 : list.length - 2]!.safeguarding!);
    out[0]++;
    out[latest < before ? 1 : latest === before ? 2 : 3]++;
  }
  return out;
}

describe('the data model of the synthetic release', () => {
  const model = () => {
    const pipeline = new Pipeline({ configFile: RELEASE }, nodeEffects());
    const config = pipeline.config();
    return openDataModel({ dataset: pipeline.dataset(), framework: config.framework, period: config.period });
  };

  it('loads two graded types of one visit without a same-day warning: each is in its own scope', () => {
    const dataset = new Pipeline({ configFile: RELEASE }, nodeEffects()).dataset();
    expect(dataset.warnings).toEqual([]);
    expect(dataset.events.length).toBe(inspections.length + read('apa.csv').length);
  });

  it('holds each declared window as a row of the windows table, and movement_base in period', () => {
    const engine = model();
    const rows = engine.query(`SELECT window_name, date_from, date_to FROM windows WHERE window_name NOT IN ('in_year', 'previous_year') ORDER BY window_name`).rows;
    expect(rows).toEqual(Object.entries(WINDOWS).sort(([a], [b]) => a.localeCompare(b)).map(([n, [f, t]]) => [n, f, t]));
    expect(engine.query('SELECT movement_base FROM period').rows).toEqual([['first']]);
  });

  it('fills each judgement\'s scale from the framework, and ranks grades within their own scale', () => {
    const engine = model();
    expect(engine.query('SELECT judgement, scale FROM judgement_areas ORDER BY position').rows).toEqual(
      framework.judgements.map((j) => [j.id, j.scale ?? 'synthetic-2009-quarterly']),
    );
    const grades = engine.query('SELECT label, grade_rank, scale FROM grades ORDER BY scale, grade_rank').rows;
    expect(grades).toEqual([
      ...ANNUAL_GRADES.map((g, i) => [g, i + 1, 'annual']),
      ...INSPECTION_GRADES.map((g, i) => [g, i + 1, 'synthetic-2009-quarterly']),
    ]);
    // Each type's snapshot scope is the framework's.
    expect(engine.query('SELECT type, snapshot_scope FROM event_types ORDER BY position').rows).toEqual(framework.eventTypes.map((t) => [t.id, t.scope]));
  });

  it('puts an event dated by its year only in the windows that hold the whole year, and in no other', () => {
    const engine = model();
    const apa = read('apa.csv').filter((r) => `${r.published!.slice(3)}-${r.published!.slice(0, 2)}` <= PUBLISHED_BY.slice(0, 7));
    for (const name of Object.keys(WINDOWS)) {
      const [from, to] = WINDOWS[name]!;
      const expected = apa.filter((r) => `${r.year}-01-01` >= from && `${r.year}-12-31` <= to).length;
      const got = engine.query(`SELECT count(*) AS n FROM window_events WHERE type = 'apa' AND window_name = '${name}'`).rows[0]![0];
      expect(got, name).toBe(expected);
    }
    // Not in the first half of its year: it may have been in the second.
    expect(apa.some((r) => r.year === '2010')).toBe(true);
  });

  it('refuses a grade of another scale than its judgement\'s, at its file, row and column', () => {
    const dir = fixtureVariant(NAME, { 'inspections.csv': (t) => t.replace('Safeguarding,Adequate,', 'Safeguarding,Performs well,') });
    const error = refusalOf(() => new Pipeline({ configFile: join(dir, 'release.yaml') }, nodeEffects()).dataset());
    const row = inspections.findIndex((r) => r.inspection === SG && r.safeguarding === 'Adequate') + 2;
    expect(error.location).toMatchObject({ row, column: 'safeguarding', value: 'Performs well' });
    expect(error.location.file).toMatch(/inspections\.csv$/);
    expect(error.message).toMatch(/scale/);
  });

  it('refuses a window given two ways, at its setting', () => {
    const dir = fixtureVariant(NAME, { 'release.yaml': (t) => t.replace('{ name: last_quarter, quarter: latest }', '{ name: last_quarter, quarter: latest, year: 2010 }') });
    const error = refusalOf(() => new Pipeline({ configFile: join(dir, 'release.yaml') }, nodeEffects()).config());
    expect(error.location.setting).toBe('period.windows[2]');
    expect(error.message).toMatch(/exactly one of/);
  });
});
