/**
 * The underlying data: LibreOffice opens the workbook and exports every sheet, which is then
 * read back and checked against the report built from the same inputs, and against the
 * Analysis Function's spreadsheet rules. The tidy CSVs and data guidance are checked too.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, type BuildResult } from '../../src/pipeline/build.js';
import type { Block, FigureNode } from '../../src/document/document.js';
import { StatpressError } from '../../src/core/errors.js';
import { readCsv, RELEASE_2025, releaseVariant, tempDir } from '../support.js';

let result: BuildResult;
let out: string;
const sheets = new Map<string, string[][]>();
const xlsxSheets = new Map<string, string>();
const odsSheetText = new Map<string, string>();

beforeAll(async () => {
  out = join(tempDir(), 'release');
  result = await buildRelease({ configFile: RELEASE_2025, outDir: out, formats: ['html', 'ods', 'xlsx', 'csv'], gates: 'document' });
  // LibreOffice Calc writes every sheet to its own CSV (sheet index -1), values as stored.
  const csvDir = tempDir('statpress-ods-');
  execFileSync('soffice', ['--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', join(out, 'underlying-data.ods'), '--outdir', csvDir], { stdio: 'ignore', timeout: 60_000 });
  for (const file of readdirSync(csvDir)) {
    const name = /^underlying-data-(.+)\.csv$/.exec(file)?.[1];
    if (name) sheets.set(name, parseCsv(readFileSync(join(csvDir, file)), { relaxColumnCount: true }) as string[][]);
  }
  // The Excel twin, read the same way.
  const xlsxDir = tempDir('statpress-xlsx-');
  execFileSync('soffice', ['--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', join(out, 'underlying-data.xlsx'), '--outdir', xlsxDir], { stdio: 'ignore', timeout: 60_000 });
  for (const file of readdirSync(xlsxDir)) {
    const name = /^underlying-data-(.+)\.csv$/.exec(file)?.[1];
    if (name) xlsxSheets.set(name, readFileSync(join(xlsxDir, file), 'utf8'));
    if (name) odsSheetText.set(name, readFileSync(join(csvDir, file), 'utf8'));
  }
}, 120_000);

/** Rows of a table sheet: title (A1), description (A2), header (A3), then the data. */
function table(name: string): { title: string; header: string[]; rows: string[][] } {
  const grid = sheets.get(name)!;
  return { title: grid[0]![0]!, header: grid[2]!, rows: grid.slice(3) };
}

function figure(number: number): FigureNode {
  const found: FigureNode[] = [];
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'figure' && b.number === number) found.push(b);
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(result.document.children);
  return found[0]!;
}

describe('underlying-data.ods', () => {
  it('opens in LibreOffice, with a cover, contents and notes first', () => {
    expect(sheets.size).toBeGreaterThan(5);
    for (const name of ['Cover', 'Contents', 'Notes', 'Latest_judgements', 'In_year_inspections', 'Inspection_history']) expect(sheets.has(name), name).toBe(true);
  });

  it('lists every table sheet on the contents sheet, and every listed sheet exists', () => {
    const contents = table('Contents');
    const listed = contents.rows.map((r) => r[0]!);
    const tableSheets = [...sheets.keys()].filter((n) => !['Cover', 'Contents'].includes(n));
    expect(listed.sort()).toEqual(tableSheets.sort());
  });

  it('links each contents entry to its sheet', async () => {
    const zip = await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.ods')));
    const content = await zip.file('content.xml')!.async('string');
    const contentsSheet = /<table:table table:name="Contents">([\s\S]*?)<\/table:table>/.exec(content)![1]!;
    const links = [...contentsSheet.matchAll(/xlink:href="#([^".]+)\.A1"/g)].map((m) => m[1]);
    expect(links.sort()).toEqual(table('Contents').rows.map((r) => r[0]).sort());
    // Header rows are marked as such on every table sheet.
    const headed = [...content.matchAll(/<table:table table:name="([^"]+)">[\s\S]*?<\/table:table>/g)].filter((m) => m[0].includes('<table:table-header-rows>')).map((m) => m[1]);
    expect(headed.sort()).toEqual([...sheets.keys()].filter((n) => n !== 'Cover').sort());
    // Dates are date cells, not text.
    expect((content.match(/office:value-type="date"/g) ?? []).length).toBeGreaterThan(900);
    expect(content).not.toMatch(/<text:p>\d{4}-\d{2}-\d{2}<\/text:p>/);
  });

  it('has 153 authorities on the snapshot sheet whose judgement counts equal the report', () => {
    const { header, rows } = table('Latest_judgements');
    expect(rows).toHaveLength(153);
    const model = result.model.current;
    for (const judgement of result.config.framework.judgements) {
      const column = header.findIndex((h) => h.replace(/\s*\[note \d+\]/g, '') === judgement.label);
      expect(column, judgement.label).toBeGreaterThanOrEqual(0);
      for (const grade of result.config.framework.grades) {
        const count = rows.filter((r) => r[column] === grade.label).length;
        expect(count, `${judgement.label}: ${grade.label}`).toBe(model.judgements[judgement.id]!.grades[grade.id]!.count);
      }
    }
    // And the report's Figure 4 percentages follow from the sheet's counts.
    const fig = figure(4);
    for (const row of fig.dataTable.rows) {
      const label = row.header.text.replace(/\s*\(\d+\)$/, '');
      const column = header.findIndex((h) => h.replace(/\s*\[note \d+\]/g, '') === label);
      const graded = rows.filter((r) => r[column] !== '[z]');
      expect(row.header.text).toContain(`(${graded.length})`);
      result.config.framework.grades.forEach((grade, i) => {
        const share = (100 * graded.filter((r) => r[column] === grade.label).length) / graded.length;
        expect(Number(row.cells[i]!.text), `${label} ${grade.label}`).toBe(Math.floor(share + 0.5));
      });
    }
  });

  it('gives each authority the web link of its latest inspection in the source, as a real link', async () => {
    // Independently of the loader: the raw history's link for the row of each authority's latest inspection.
    const latest = new Map(result.model.current.authorities.map((a) => [a.code, a.date]));
    const expected = new Map(
      readCsv('ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv')
        .filter((r) => latest.get(r['Local authority area code']!) === r['Inspection date'])
        .map((r) => [r['Local authority area code']!, r['Web link']!]),
    );
    const { header, rows } = table('Latest_judgements');
    const column = header.indexOf('Web link');
    expect(column).toBeGreaterThan(0);
    expect(expected.size).toBe(153);
    for (const row of rows) expect(row[column], row[1]).toBe(expected.get(row[0]!));
    const content = await (await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.ods')))).file('content.xml')!.async('string');
    const sheet = /<table:table table:name="Latest_judgements">([\s\S]*?)<\/table:table>/.exec(content)![1]!;
    expect(sheet.match(/xlink:href="https:\/\/reports\.ofsted\.gov\.uk\/provider\/[^"]+"/g)).toHaveLength(153);
  });

  it('has no empty cells in any table, and each row as wide as its header', () => {
    for (const [name] of sheets) {
      if (name === 'Cover') continue;
      const { header, rows } = table(name);
      for (const [i, row] of rows.entries()) {
        expect(row.length, `${name} row ${i + 4}`).toBeLessThanOrEqual(header.length);
        for (let c = 0; c < header.length; c++) expect(row[c]?.trim(), `${name} row ${i + 4} column ${header[c]}`).toBeTruthy();
      }
    }
  });

  it('carries the report\'s metadata on its cover sheet', () => {
    const cover = new Map(sheets.get('Cover')!.slice(2).map((r) => [r[0]!, r[1]!]));
    const meta = result.document.meta;
    expect(sheets.get('Cover')![0]![0]).toBe(meta.title);
    expect(cover.get('Publication')).toContain(meta.title);
    expect(cover.get('Status')).toBe(meta.status);
    expect(cover.get('Produced by')).toBe(meta.producer);
    expect(cover.get('Email')).toBe(meta.contact.email);
    expect(cover.get('Licence')).toBe(meta.licence.name);
    expect(cover.get('Period covered')).toBe(meta.period);
    // Stored as a date: LibreOffice gives the value in its own date format.
    const [month, day, year] = cover.get('Published')!.split('/');
    expect(`${year}-${month}-${day}`).toBe(meta.published.iso);
  });

  it('numbers the release config\'s notes and refers to them from titles and headers', () => {
    const notes = table('Notes').rows;
    expect(notes.map((r) => r[0])).toEqual(result.config.notes.map((_, i) => `note ${i + 1}`));
    expect(notes.map((r) => r[1])).toEqual(result.config.notes.map((n) => n.text));
    const latest = table('Latest_judgements');
    const careLeavers = result.config.notes.findIndex((n) => n.id === 'careLeavers') + 1;
    expect(latest.header.find((h) => h.startsWith('Care leavers'))).toBe(`Care leavers [note ${careLeavers}]`);
    expect(latest.title).toMatch(/\[note \d+\]/);
  });

  it('refuses a note that applies to a table that does not exist, naming it', async () => {
    const config = releaseVariant((c) => {
      c.notes[0].appliesTo = ['no-such-table'];
    });
    const error = await buildRelease({ configFile: config, outDir: join(tempDir(), 'x'), formats: ['html', 'ods'], gates: 'document' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatpressError);
    expect((error as StatpressError).describe()).toMatch(/release\.yaml.*notes\[0\]\.appliesTo.*no-such-table/s);
  });
});

describe('underlying-data.xlsx', () => {
  it('holds exactly the cells of the OpenDocument workbook, sheet by sheet', () => {
    expect([...xlsxSheets.keys()].sort()).toEqual([...sheets.keys()].sort());
    for (const [name, text] of xlsxSheets) expect(text, name).toBe(odsSheetText.get(name));
  });

  it('marks each table as an Excel table over its header row, with date cells and real links', async () => {
    const zip = await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.xlsx')));
    const workbook = await zip.file('xl/workbook.xml')!.async('string');
    const names = [...workbook.matchAll(/<sheet name="([^"]+)" sheetId="(\d+)"/g)].map((m) => m[1]!);
    expect(names.slice(0, 3)).toEqual(['Cover', 'Contents', 'Notes']);
    for (const [i, name] of names.entries()) {
      if (name === 'Cover') continue;
      const sheet = await zip.file(`xl/worksheets/sheet${i + 1}.xml`)!.async('string');
      const rels = await zip.file(`xl/worksheets/_rels/sheet${i + 1}.xml.rels`)!.async('string');
      const target = /Type="[^"]+\/table" Target="\.\.\/(tables\/table\d+\.xml)"/.exec(rels)![1]!;
      const part = await zip.file(`xl/${target}`)!.async('string');
      const ref = /ref="A3:([A-Z]+)(\d+)"/.exec(part)!;
      const { header, rows } = table(name);
      expect(Number(ref[2]), name).toBe(3 + rows.length);
      expect([...part.matchAll(/<tableColumn id="\d+" name="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&apos;/g, "'")), name).toEqual(header);
      expect(sheet).toContain('<tablePart r:id=');
    }
    const latest = await zip.file(`xl/worksheets/sheet${names.indexOf('Latest_judgements') + 1}.xml`)!.async('string');
    expect(latest.match(/<c r="D\d+" s="3"><v>\d+<\/v><\/c>/g)).toHaveLength(153);
    const latestRels = await zip.file(`xl/worksheets/_rels/sheet${names.indexOf('Latest_judgements') + 1}.xml.rels`)!.async('string');
    expect(latestRels.match(/TargetMode="External"/g)).toHaveLength(153);
  });
});

describe('tidy CSVs and data guidance', () => {
  it('holds the same tables as the workbook, with snake_case headers and ISO dates', () => {
    const files = readdirSync(join(out, 'data')).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBe(sheets.size - 3);
    const latest = parseCsv(readFileSync(join(out, 'data/latest-judgements.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(latest).toHaveLength(153);
    for (const row of latest) {
      expect(row.inspection_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const [key, value] of Object.entries(row)) {
        expect(key).toMatch(/^[a-z0-9_]+$/);
        expect(value, key).not.toBe('');
      }
    }
    const history = parseCsv(readFileSync(join(out, 'data/inspection-history.csv')), { columns: true }) as unknown[];
    expect(history).toHaveLength(table('Inspection_history').rows.length);
    const inYear = parseCsv(readFileSync(join(out, 'data/in-year-inspections.csv')), { columns: true }) as unknown[];
    expect(inYear).toHaveLength(result.model.inYear.events);
  });

  it('describes every file and column in the data guidance', () => {
    const guidance = readFileSync(join(out, 'data/data-guidance.txt'), 'utf8');
    for (const file of readdirSync(join(out, 'data')).filter((f) => f.endsWith('.csv'))) {
      expect(guidance).toContain(`data/${file}`);
      const header = readFileSync(join(out, 'data', file), 'utf8').split('\n')[0]!.split(',');
      for (const column of header) expect(guidance, `${file}: ${column}`).toContain(`- ${column}: `);
    }
  });

  it('is linked from the report\'s further information section and its downloads', () => {
    const html = result.files.get('main-findings.html') as string;
    const further = html.slice(html.indexOf('id="further-information"'));
    expect(further).toContain('href="underlying-data.ods"');
    expect(further).toContain('href="underlying-data.xlsx"');
    expect(further).toContain('href="data/data-guidance.txt"');
    const downloads = html.slice(html.indexOf('app-downloads'), html.indexOf('id="contents"') > 0 ? html.indexOf('id="contents"') : undefined);
    for (const file of ['underlying-data.ods', 'underlying-data.xlsx', 'data/data-guidance.txt']) expect(downloads).toContain(`href="${file}"`);
    // Every file the report links to is one the build wrote.
    for (const [, href] of html.matchAll(/href="((?:underlying-data|data\/)[^"#]*)"/g)) expect(result.outputs.has(href!), href).toBe(true);
  });
});
