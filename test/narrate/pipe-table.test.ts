/**
 * GFM pipe tables written in a section template become table nodes (caption, header row, row
 * headers), numbered with the declared tables in reading order, rendered in every format and in
 * the underlying data; anything else with a row of pipes is a located error, never a paragraph.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import { StatpressError } from '../../src/core/errors.js';
import { formatDate } from '../../src/core/dates.js';
import type { Block, TableNode } from '../../src/document/document.js';
import { loadDataset } from '../../src/load/dataset.js';
import { loadTemplateSet, narrateReport } from '../../src/narrate/narrate.js';
import { parseCaptionLine, parseDelimiterRow, splitPipeRow } from '../../src/narrate/pipe-table.js';
import { renderDocx } from '../../src/render/docx.js';
import { renderHtml } from '../../src/render/html.js';
import { buildWorkbook, tableCsv } from '../../src/render/workbook/workbook.js';
import { unzipSync, strFromU8 } from 'fflate';
import { readCsv, RELEASE_2025, ROOT, tempDir } from '../support.js';

const FIXTURE = join(ROOT, 'test/fixtures/pipe-table');
const config = loadReleaseConfig(RELEASE_2025);
const dataset = loadDataset(config);
const model = computeStats(dataset, config.period, config.publishedSeries?.computeFrom);

function tablesOf(blocks: readonly Block[]): TableNode[] {
  return blocks.flatMap((b) => (b.type === 'table' ? [b] : b.type === 'section' ? tablesOf(b.children) : []));
}

/** The fixture set with its one section replaced by `section`, in a temp folder. */
function withSection(section: string): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'tables.md.hbs'), section);
  return dir;
}

function refusal(section: string): StatpressError {
  try {
    narrateReport(model, config, loadTemplateSet(withSection(section)));
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected the template to be refused');
}

describe('splitting a row', () => {
  it('splits on unescaped pipes, with or without pipes at the ends', () => {
    expect(splitPipeRow('| a | b\\|c | d |').map((c) => c.text)).toEqual(['a', 'b\\|c', 'd']);
    expect(splitPipeRow('a | b').map((c) => c.text)).toEqual(['a', 'b']);
    expect(splitPipeRow('| a \\\\| b |').map((c) => c.text)).toEqual(['a \\\\', 'b']);
    expect(splitPipeRow('| a | b |')[1]!.start).toBe(6);
  });
  it('reads alignment from the delimiter row, and nothing else as one', () => {
    expect(parseDelimiterRow('| :--- | ---: | --- | :-: |')).toEqual(['left', 'right', undefined, 'center']);
    expect(parseDelimiterRow('---')).toBeUndefined();
    expect(parseDelimiterRow('| a | --- |')).toBeUndefined();
  });
  it('reads a caption line and its id', () => {
    expect(parseCaptionLine('Table: Counts by region {#by-region}')).toEqual({ text: 'Counts by region', id: 'by-region' });
    expect(parseCaptionLine('Counts')).toBeUndefined();
  });
});

describe('a pipe table in a template', () => {
  const doc = narrateReport(model, config, loadTemplateSet(FIXTURE));
  const tables = tablesOf(doc.children);
  const byRegion = tables.find((t) => t.id === 'by-region-table')!;

  it('is a table node with a caption, column headers and a row header per row', () => {
    expect(byRegion).toBeDefined();
    expect(byRegion.caption).toBe(`Table 1: Local authorities by region, as at ${formatDate(config.period.asAt)}`);
    expect(byRegion.columns).toEqual([
      { label: 'Region', align: 'left' },
      { label: 'Local authorities', align: 'right' },
      { label: 'Outstanding', align: 'right' },
    ]);
    // Counted from the register itself: every authority in the lookup existed on 31 March 2025
    // and had a graded inspection by then.
    const counts = new Map<string, number>();
    for (const row of readCsv('la-lookup/england_153_la_lookup.csv')) counts.set(row.ofsted_region!, (counts.get(row.ofsted_region!) ?? 0) + 1);
    const regionRows = byRegion.rows.slice(0, -1);
    expect(regionRows.map((r) => r.header.text)).toEqual([...counts.keys()].sort());
    for (const row of regionRows) {
      expect(row.cells[0]).toMatchObject({ text: String(counts.get(row.header.text)), raw: counts.get(row.header.text) });
      expect(row.cells[0]!.ref).toMatch(/^current\.regions\.\d+\.authorities$|authorities$/);
    }
    const total = byRegion.rows[byRegion.rows.length - 1]!;
    expect(total.header.text).toBe('England');
    // The published release: 36 authorities outstanding of 153.
    expect(total.cells.map((c) => c.text)).toEqual(['153', '36']);
    expect(total.cells[1]!.ref).toBe('current.judgements.overall.grades.outstanding.count');
  });

  it('is numbered with the declared tables in reading order, and references carry the numbers', () => {
    expect(tables.map((t) => [t.id, t.number])).toEqual([
      ['by-region-table', 1],
      ['movement', 2],
      ['table-overall-effectiveness-in-england', 3],
    ]);
    const paragraph = doc.children[0]!.type === 'section' ? doc.children[0]!.children[0] : undefined;
    const links = JSON.stringify(paragraph);
    expect(links).toContain('"url":"#by-region-table","children":[{"type":"text","value":"Table 1"}]');
    expect(links).toContain('"url":"#movement","children":[{"type":"text","value":"Table 2"}]');
    expect(tables[1]!.caption).toBe('Table 2: Change in overall effectiveness');
  });

  it('gives the grades table the published counts, 36/67/31/19, a column of words aligned left', () => {
    const grades = tables[2]!;
    expect(grades.rows.map((r) => [r.header.text, r.cells[0]!.text])).toEqual([
      ['Outstanding', '36'],
      ['Good', '67'],
      ['Requires improvement to be good', '31'],
      ['Inadequate', '19'],
    ]);
    expect(grades.columns[1]!.align).toBe('right');
  });

  it('is a real table in the HTML, the Word file and the underlying data', async () => {
    const html = renderHtml(doc);
    const table = /<table[^>]*>[\s\S]*?<\/table>/.exec(html.slice(html.indexOf('Local authorities by region')))?.[0] ?? '';
    expect(html).toMatch(/<caption[^>]*>[^<]*Table 1: Local authorities by region/);
    expect(table).toMatch(/<th[^>]*scope="col"[^>]*>Region<\/th>/);
    expect(table).toMatch(/<th[^>]*scope="row"[^>]*>England<\/th>/);
    expect(html).not.toMatch(/\|\s*Region\s*\|/);
    const docx = strFromU8(unzipSync(await renderDocx(doc))['word/document.xml']!);
    expect(docx).toContain('Table 1: Local authorities by region');
    expect(docx).toMatch(/<w:tblHeader\/>/);
    expect(docx).not.toContain('| Region |');
    const book = buildWorkbook(config, dataset, model, doc);
    const sheet = book.tables.find((t) => t.sheet === 'Table_1')!;
    expect(sheet.title).toBe(`Table 1: Local authorities by region, as at ${formatDate(config.period.asAt)}`);
    const csv = tableCsv(sheet).split(/\r?\n/);
    expect(csv[0]).toBe('region,local_authorities,outstanding');
    expect(csv).toContain('England,153,36');
  });
});

describe('a table that cannot be read is refused where it is written', () => {
  const at = (error: StatpressError) => `${error.location.file?.split('/').pop()}:${error.location.line}:${error.location.col}`;
  const table = (rows: string) => `## T {#t}\n\nSome text.\n\nTable: Counts\n${rows}`;

  it('a table without a caption', () => {
    const error = refusal('## T {#t}\n\n| Region | Count |\n| --- | --- |\n| {{release.coverage}} | {{count current.existing}} |\n');
    expect(error.message).toMatch(/a table needs a caption/);
    expect(at(error)).toBe('tables.md.hbs:3:1');
  });
  it('rows of pipes with no delimiter row', () => {
    const error = refusal(table('| Region | Count |\n| {{release.coverage}} | {{count current.existing}} |\n'));
    expect(error.message).toMatch(/no header row followed by a delimiter row/);
    expect(at(error)).toBe('tables.md.hbs:6:1');
  });
  it('a row of the wrong length, at its line, after rows an #each repeats', () => {
    const error = refusal(table('| Region | Count |\n| --- | --: |\n{{#each current.regions}}\n| {{name}} | {{count authorities}} |\n{{/each}}\n| {{release.coverage}} |\n'));
    expect(error.message).toBe('this row has 1 cells and the header row 2');
    expect(at(error)).toBe('tables.md.hbs:11:1');
  });
  it('an empty cell, at its column', () => {
    const error = refusal(table('| Region | Count |\n| --- | --: |\n| {{release.coverage}} |  |\n'));
    expect(error.message).toMatch(/a cell is empty: write \[x\]/);
    expect(at(error)).toBe('tables.md.hbs:8:25');
  });
  it('bold text in a cell, which not every format could show', () => {
    const error = refusal(table('| Region | Count |\n| --- | --: |\n| **{{release.coverage}}** | {{count current.existing}} |\n'));
    expect(error.message).toMatch(/a table cell holds text and values, not strong text/);
    expect(at(error)).toBe('tables.md.hbs:8:3');
  });
  it('a centred column, and text directly above the table', () => {
    expect(refusal(table('| Region | Count |\n| --- | :-: |\n| {{release.coverage}} | {{count current.existing}} |\n')).message).toMatch(/not centred/);
    const error = refusal('## T {#t}\n\nSome text.\n| Region | Count |\n| --- | --- |\n| {{release.coverage}} | {{count current.existing}} |\n');
    expect(error.message).toMatch(/only a caption line/);
    expect(at(error)).toBe('tables.md.hbs:3:1');
  });
  it('a number typed into a cell (the digit lint)', () => {
    const error = refusal(table('| Region | Count |\n| --- | --: |\n| {{release.coverage}} | 153 |\n'));
    expect(error.code).toBe('template-digit');
  });
  it('a reference to a table that exists nowhere', () => {
    expect(refusal('## T {#t}\n\nSee {{tableRef "nowhere"}}.\n').message).toBe('no table "nowhere" in template-set.yaml');
  });
  it('two tables with one id', () => {
    expect(refusal(table('| Region | Count |\n| --- | --: |\n| {{release.coverage}} | {{count current.existing}} |\n\nTable: Again {#table-counts}\n| Region | Count |\n| --- | --: |\n| {{release.coverage}} | {{count current.existing}} |\n')).message).toMatch(/two tables have the id "table-counts"/);
  });
});

it('the fixture holds no number typed in', () => {
  expect(readFileSync(join(FIXTURE, 'tables.md.hbs'), 'utf8')).not.toMatch(/\d/);
});
