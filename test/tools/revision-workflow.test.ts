/**
 * Revisions as a workflow: a correction of the data, declared in the config, rebuilds; the
 * revised release lists every published figure that moved (against the build as published,
 * `meta.revision.previous`, here the shared 2025 build), marks the moved cells [r] in the figures'
 * data, the workbook and the CSVs, and records the revision in the manifest. Undeclared, the same
 * correction is refused with the figures that moved and the YAML that declares it.
 *
 * The corrections are our own (copies of Ofsted's file, one row edited). What must move is counted
 * here from the raw CSV with csv-parse, never taken from statpress.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocument, buildRelease } from '../../src/pipeline/build.js';
import { diffDocuments, draftRevisionNotice } from '../../src/tools/diff.js';
import { renderHtml } from '../../src/render/html.js';
import { exactValues, tablesOf } from '../../src/pipeline/revision.js';
import type { ReportDocument, TableNode } from '../../src/document/document.js';
import { runCli } from '../../src/cli/main.js';
import { DATA, editedData, refusalOf, releaseVariant, sharedRelease, tempDir } from '../support.js';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';
const OVERALL = 'Overall effectiveness';
const GRADES = ['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate'];

type Row = Record<string, string>;
const rowsOf = (text: string): Row[] => parseCsv(text, { columns: true, skip_empty_lines: true }) as Row[];
const raw = (file: string) => readFileSync(join(DATA, file), 'utf8');

/** One inspection's overall effectiveness changed, found by authority and date (the line must be unique). */
function corrected(name: string, date: string, from: string, to: string): { file: string; text: string } {
  let text = '';
  const file = editedData(HISTORY, (original) => {
    const lines = original.split('\n');
    const at = lines.filter((l) => l.includes(`,${name},`) && l.includes(`,${date},`));
    expect(at, `${name} ${date}`).toHaveLength(1);
    const line = at[0]!;
    const fixed = line.replace(new RegExp(`(Inspection),${from},`), `$1,${to},`);
    expect(fixed).not.toBe(line);
    text = original.replace(line, fixed);
    return text;
  });
  return { file, text };
}

/**
 * The snapshot as at a date, counted here: each authority existing then (the register and its
 * changes), its latest graded inspection by the date with a report published by the cut-off.
 */
function snapshot(historyText: string, asAt: string, publishedBy: string, region?: string): { base: number; counts: Record<string, number> } {
  const lookup = rowsOf(raw('la-lookup/england_153_la_lookup.csv'));
  const changes = new Map(rowsOf(raw('la-lookup/la-changes.csv')).map((r) => [r.ons_code!, r]));
  const regionOf = new Map(lookup.map((r) => [r.ons_code!, r.ofsted_region!]));
  const exists = (code: string) => {
    const c = changes.get(code);
    return !c || ((!c.existed_from || c.existed_from <= asAt) && (!c.existed_until || c.existed_until >= asAt));
  };
  const codes = new Set([...lookup.map((r) => r.ons_code!), ...changes.keys()].filter(exists));
  const latest = new Map<string, Row>();
  for (const r of rowsOf(historyText)) {
    const code = r['Local authority area code']!;
    if (!codes.has(code) || !r[OVERALL] || r['Inspection date']! > asAt || r['Publication date']! > publishedBy) continue;
    if (region && regionOf.get(code) !== region) continue;
    const before = latest.get(code);
    if (!before || before['Inspection date']! < r['Inspection date']!) latest.set(code, r);
  }
  const counts = Object.fromEntries(GRADES.map((g) => [g, [...latest.values()].filter((r) => r[OVERALL] === g).length]));
  return { base: latest.size, counts };
}

/** Whole-number percentage, half up, in integer arithmetic. */
const pct = (count: number, base: number) => Math.floor((200 * count + base) / (2 * base));

/** The published series' row for a date. */
const published = (asAt: string) => rowsOf(raw('published-series/overall-effectiveness-published.csv')).find((r) => r.as_at === asAt)!;
const PUBLISHED_COLUMN: Record<string, string> = { Outstanding: 'pct_outstanding', Good: 'pct_good', 'Requires improvement to be good': 'pct_requires_improvement', Inadequate: 'pct_inadequate' };

/** The cell of a table whose row starts with `row` and whose column is `column`, with its table's label. */
function cellAt(doc: ReportDocument, row: RegExp, column: string): Array<{ label: string; row: string; text: string; raw: number | null | undefined }> {
  return tablesOf(doc).flatMap(({ label, table }) => {
    const ci = table.columns.findIndex((c) => c.label === column);
    if (ci < 1) return [];
    return table.rows.filter((r) => row.test(r.header.text)).map((r) => ({ label, row: r.header.text, text: r.cells[ci - 1]!.text, raw: r.cells[ci - 1]!.raw }));
  });
}

const revisionOf = (previous: string, reason: string) => ({ date: '2025-10-02', reason, previous });

describe('a correction of a 2024-25 inspection (this year only)', () => {
  // Blackburn with Darwen's standard inspection of 3 March 2025, Good corrected to Requires improvement.
  const fix = corrected('Blackburn with Darwen', '2025-03-03', 'Good', 'Requires improvement to be good');
  const before = snapshot(raw(HISTORY), '2025-03-31', '2025-06-30');
  const after = snapshot(fix.text, '2025-03-31', '2025-06-30');
  const moved = GRADES.filter((g) => pct(before.counts[g]!, before.base) !== pct(after.counts[g]!, after.base));
  const earlier = [snapshot(raw(HISTORY), '2024-03-31', '2024-06-30'), snapshot(fix.text, '2024-03-31', '2024-06-30')];

  it('moves this year\'s headline only (the oracle)', () => {
    expect(moved.length).toBeGreaterThan(0);
    expect(earlier[1]).toEqual(earlier[0]);
  });

  it('is refused undeclared, naming every published figure that moved and the YAML to add', () => {
    const config = releaseVariant((c) => {
      c.sources[0].file = fix.file;
    });
    const error = refusalOf(() => buildDocument({ configFile: config, gates: false }));
    const text = error.describe();
    const row = published('2025-03-31');
    const listed = text.split('\n').filter((l) => /^ {2}as at /.test(l));
    // Every moved figure, and only those: the independent count against the published series.
    const expected = GRADES.filter((g) => Number(row[PUBLISHED_COLUMN[g]!]) !== pct(after.counts[g]!, after.base));
    expect(listed).toHaveLength(expected.length);
    for (const g of expected) {
      expect(text).toContain(`as at 31 March 2025, % ${g}: published ${row[PUBLISHED_COLUMN[g]!]}% (row 5), the data give ${pct(after.counts[g]!, after.base)}%`);
    }
    expect(text).toMatch(/^published-series\/overall-effectiveness-published\.csv: the data change \d+ published figures? of the series/);
    expect(text).toContain(`declare the revision in ${config}`);
    expect(text).toMatch(/\n {2}meta:\n {4}revision:\n {6}date: YYYY-MM-DD .*\n {6}reason: .*\n {6}previous: /);
  });

  describe('declared, against the build as published', () => {
    let previous = '';
    let out = '';
    let doc: ReportDocument;
    let manifest: any;
    beforeAll(async () => {
      previous = (await sharedRelease()).dir;
      const config = releaseVariant((c) => {
        c.sources[0].file = fix.file;
        c.meta.revision = revisionOf(previous, "Blackburn with Darwen's overall effectiveness at its inspection of 3 March 2025 corrected");
      });
      out = join(tempDir(), 'revised');
      const result = await buildRelease({ configFile: config, outDir: out, formats: ['html', 'docx', 'ods', 'xlsx', 'csv'], gates: 'document' });
      doc = result.document;
      manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    }, 180_000);

    it('lists in the notice, page and Word, every figure the diff names, with the headline percentages', async () => {
      const shared = await sharedRelease();
      const values = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).values;
      const report = diffDocuments(shared.document, doc, undefined, { old: values(shared.dir), new: values(out) });
      const cells = report.sections.flatMap((s) => s.changes.filter((c) => c.kind === 'cell'));
      const changes = doc.meta.revision!.changes!;
      expect(changes.length).toBeGreaterThan(0);
      // The overall distribution as at 31 March 2025, counted here, old → new in the notice.
      for (const g of moved) {
        const line = changes.find((c) => c.where.endsWith(`column "% ${g}"`) && c.old === String(pct(before.counts[g]!, before.base)) && c.new === String(pct(after.counts[g]!, after.base)));
        expect(line, g).toBeDefined();
      }
      // The North West, Blackburn's region: its row moves wherever a figure shows regions.
      const [nwBefore, nwAfter] = [snapshot(raw(HISTORY), '2025-03-31', '2025-06-30', 'North West'), snapshot(fix.text, '2025-03-31', '2025-06-30', 'North West')];
      const nwCell = cells.find((c) => c.kind === 'cell' && c.row === 'North West' && c.column === '% Good');
      expect(nwCell).toBeDefined();
      if (nwCell?.kind === 'cell') {
        expect(nwCell.oldRaw).toBeCloseTo(nwBefore.counts.Good! / nwBefore.base, 9);
        expect(nwCell.newRaw).toBeCloseTo(nwAfter.counts.Good! / nwAfter.base, 9);
      }
      // No cell of an earlier date moved.
      expect(cells.filter((c) => c.kind === 'cell' && /31 March 202[234]/.test(c.row))).toEqual([]);
      const html = readFileSync(join(out, 'main-findings.html'), 'utf8');
      expect(html).toContain(`${changes.length} published figures changed, compared with the release published on 25 September 2025`);
      for (const c of changes.slice(0, 5)) expect(html).toContain(c.where.replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
      const JSZip = (await import('jszip')).default;
      const xml = await (await JSZip.loadAsync(readFileSync(join(out, 'main-findings.docx')))).file('word/document.xml')!.async('string');
      expect(xml).toContain(`${changes.length} published figures changed`);
      // The PDF is printed from the page's print mode, where the list follows the contents.
      const print = renderHtml(doc, { mode: 'print' });
      expect(print).toMatch(/<div class="app-revision-list"><p class="govuk-body"><strong>Revised<\/strong>: \d+ published figures changed/);
      expect(print.indexOf('app-revision-list')).toBeGreaterThan(print.indexOf('Contents'));
    });

    it('marks the moved cells [r] in the figures\' data, the workbook and the CSVs, with the mark explained', () => {
      for (const g of moved) {
        const cells = cellAt(doc, /^England|^All /, `% ${g}`).filter((c) => c.text.startsWith(String(pct(after.counts[g]!, after.base))));
        expect(cells.some((c) => c.text === `${pct(after.counts[g]!, after.base)} [r]`), g).toBe(true);
      }
      const csvs = readFileSync(join(out, 'data/data-guidance.txt'), 'utf8');
      expect(csvs).toContain('[r] means revised.');
      const figureCsv = ['figure-1', 'figure-2', 'figure-3', 'figure-4'].map((f) => { try { return readFileSync(join(out, `data/${f}.csv`), 'utf8'); } catch { return ''; } }).join('\n');
      expect(figureCsv).toMatch(/,\d+ \[r\]/);
    });

    it('records the revision, the build compared with and every source\'s columns in the manifest', () => {
      expect(manifest.release.revised).toBe('2025-10-02');
      expect(manifest.release.revision.previous.published).toBe('2025-09-25');
      expect(manifest.release.revision.previous.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.release.revision.changes).toEqual(doc.meta.revision!.changes);
      const history = manifest.sources.find((s: { setting: string }) => s.setting === 'sources[0].file');
      expect(history.columns).toEqual(Object.keys(rowsOf(raw(HISTORY))[0]!));
    });

    it('statpress diff against the published folder (or its manifest) names the same figures, and --notice lists them', async () => {
      const outText: string[] = [];
      const status = await runCli(['diff', join(previous, 'manifest.json'), out, '--notice'], { out: (t) => outText.push(t), err: (t) => outText.push(t) });
      expect(status).toBe(0);
      const text = outText.join('');
      for (const c of doc.meta.revision!.changes!) expect(text).toContain(`- ${c.where}: ${c.old} → ${c.new}`);
    });
  });
});

describe('a correction of a 2023 inspection (moves the 31 March 2024 comparison point)', () => {
  // Barnsley's short inspection of 11 September 2023, Good corrected to Requires improvement.
  const fix = corrected('Barnsley', '2023-09-11', 'Good', 'Requires improvement to be good');
  const before = snapshot(raw(HISTORY), '2024-03-31', '2024-06-30');
  const after = snapshot(fix.text, '2024-03-31', '2024-06-30');
  let doc: ReportDocument;
  let old: ReportDocument;
  let values: { old: Record<string, number>; new: Record<string, number> };
  beforeAll(async () => {
    const shared = await sharedRelease();
    old = shared.document;
    const config = releaseVariant((c) => {
      c.sources[0].file = fix.file;
      c.meta.revision = revisionOf(shared.dir, "Barnsley's overall effectiveness at its inspection of 11 September 2023 corrected");
    });
    const built = buildDocument({ configFile: config, gates: false });
    doc = built.document;
    values = { old: JSON.parse(shared.text('manifest.json')).values, new: exactValues(doc, built.model) };
  }, 120_000);

  it('shows the revised 2024 point marked [r], and the notice and diff give its old and new value', () => {
    expect(before.base).toBe(Number(published('2024-03-31').local_authorities_with_graded_judgement));
    const changes = doc.meta.revision!.changes!;
    const report = diffDocuments(old, doc, undefined, values);
    let printedMoves = 0;
    for (const g of GRADES) {
      const [o, n] = [pct(before.counts[g]!, before.base), pct(after.counts[g]!, after.base)];
      const cells = cellAt(doc, /^As at 31 March 2024/, `% ${g}`);
      expect(cells.length, g).toBeGreaterThan(0);
      for (const cell of cells) {
        expect(cell.raw).toBe(n);
        if (o === n && before.counts[g] === after.counts[g]) expect(cell.text).toBe(String(n));
        else if (o === n) {
          // Moved by less than the rounding: printed the same, not marked, listed by value.
          expect(cell.text).toBe(String(n));
          expect(changes.some((c) => c.where === `${cell.label}, row "As at 31 March 2024", column "% ${g}"` && c.raw?.startsWith(`${Math.round((before.counts[g]! / before.base) * 10000) / 10000} → `))).toBe(true);
        } else {
          printedMoves++;
          expect(cell.text).toBe(`${n} [r]`);
          expect(changes).toContainEqual({ where: `${cell.label}, row "As at 31 March 2024", column "% ${g}"`, old: String(o), new: String(n) });
          const change = report.sections.flatMap((s) => s.changes).find((c) => c.kind === 'cell' && c.table === cell.label && c.row === 'As at 31 March 2024' && c.column === `% ${g}`);
          expect(change?.kind === 'cell' && [change.old, change.new]).toEqual([String(o), String(n)]);
        }
      }
    }
    expect(printedMoves).toBeGreaterThan(0);
    // The draft notice of `statpress diff --notice` carries the same list.
    const notice = draftRevisionNotice(diffDocuments(old, doc, { old: 'the release as published', new: 'revised' }, values));
    for (const c of changes) expect(notice).toContain(`- ${c.where}: ${c.old} → ${c.new}`);
  });
});

describe('a correction that moves a figure by less than its rounding', () => {
  // Worcestershire's 2019 inspection, Requires improvement corrected to Good: it was the latest
  // as at 31 March 2023 only (re-inspected in May 2023), so only that point moves.
  const fix = corrected('Worcestershire', '2019-06-17', 'Requires improvement to be good', 'Good');
  const before = snapshot(raw(HISTORY), '2023-03-31', '2023-06-30');
  const after = snapshot(fix.text, '2023-03-31', '2023-06-30');

  it('still lists each moved value by its raw value, though none prints differently there', async () => {
    const shared = await sharedRelease();
    // The oracle: at 31 March 2023 the two grades that moved print the same.
    const movedGrades = GRADES.filter((g) => before.counts[g] !== after.counts[g]);
    expect(movedGrades).toHaveLength(2);
    for (const g of movedGrades) expect(pct(after.counts[g]!, after.base)).toBe(pct(before.counts[g]!, before.base));
    const config = releaseVariant((c) => {
      c.sources[0].file = fix.file;
      c.meta.revision = revisionOf(shared.dir, "Worcestershire's 2019 judgement corrected");
    });
    const doc = buildDocument({ configFile: config, gates: false }).document;
    const changes = doc.meta.revision!.changes!;
    const r4 = (x: number) => String(Math.round(x * 10000) / 10000);
    for (const g of movedGrades) {
      const line = changes.find((c) => c.where.endsWith(`row "As at 31 March 2023", column "% ${g}"`));
      expect(line, g).toEqual(expect.objectContaining({ old: String(pct(before.counts[g]!, before.base)), new: String(pct(after.counts[g]!, after.base)), raw: `${r4(before.counts[g]! / before.base)} → ${r4(after.counts[g]! / after.base)}` }));
      // Printed the same: not marked [r].
      for (const cell of cellAt(doc, /^As at 31 March 2023/, `% ${g}`)) expect(cell.text).toBe(String(pct(after.counts[g]!, after.base)));
    }
    expect(renderHtml(doc)).toContain('(printed the same; value');
  }, 120_000);
});

describe('replacement checks', () => {
  it('refuses a revised source that renamed, dropped or added a column, naming each', async () => {
    const shared = await sharedRelease();
    const file = editedData(HISTORY, (text) => {
      const [head, ...rest] = text.split('\n');
      return [head!.replace('Local authority status', 'LA status').concat(',Inspector'), ...rest.map((l) => (l ? `${l},` : l))].join('\n');
    });
    const config = releaseVariant((c) => {
      c.sources[0].file = file;
      c.meta.revision = revisionOf(shared.dir, 'test');
    });
    const error = refusalOf(() => buildDocument({ configFile: config, gates: false }));
    expect(error.code).toBe('column-missing');
    expect(error.location).toEqual(expect.objectContaining({ row: 1, column: 'Local authority status' }));
    expect(error.message).toContain('column "Local authority status" renamed "LA status" (column 4)');
    expect(error.message).toContain('column "Inspector" added (column 14)');
  }, 60_000);
});
