/**
 * The underlying data: the workbook read back from its XML (both the OpenDocument file and its
 * Excel twin), checked against the report built from the same inputs and against the Analysis
 * Function's spreadsheet rules; and the tidy CSVs and data guidance. Reads the release built
 * once for the run (test/setup/release.ts). That LibreOffice reads every cell of both files as
 * written is in test/interop/workbook.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocument, buildRelease } from '../../src/pipeline/build.js';
import type { Block, FigureNode } from '../../src/document/document.js';
import { StatpressError } from '../../src/core/errors.js';
import { readOds, readXlsx, sheetText, type Sheet, type SheetCell } from '../../src/quality/readers/spreadsheet.js';
import { readCsv, RELEASE_2025, releaseVariant, sharedRelease, tempDir } from '../support.js';
import { measureText } from '../../src/platform/fonts.js';
import { figuresOf } from '../../src/pipeline/build.js';

const shared = await sharedRelease();
const out = shared.dir;
const document = shared.document;
/** The model and config the release was built from (the same inputs, built again here in memory). */
let built: ReturnType<typeof buildDocument>;
let odsSheets: Sheet[];
let xlsxSheets: Sheet[];
/** Each sheet of the .ods as the text of its cells. */
const sheets = new Map<string, string[][]>();

beforeAll(async () => {
  built = buildDocument({ configFile: RELEASE_2025 });
  odsSheets = await readOds(shared.bytes('underlying-data.ods'));
  xlsxSheets = await readXlsx(shared.bytes('underlying-data.xlsx'));
  for (const sheet of odsSheets) sheets.set(sheet.name, sheetText(sheet));
});

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
  walk(document.children);
  return found[0]!;
}

describe('underlying-data.ods', () => {
  it('is an OpenDocument spreadsheet with a cover, contents and notes first', async () => {
    const zip = await JSZip.loadAsync(shared.bytes('underlying-data.ods'));
    expect(await zip.file('mimetype')!.async('string')).toBe('application/vnd.oasis.opendocument.spreadsheet');
    expect(odsSheets.map((s) => s.name).slice(0, 3)).toEqual(['Cover', 'Contents', 'Notes']);
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
    const model = built.model.current;
    for (const judgement of built.config.framework.judgements) {
      const column = header.findIndex((h) => h.replace(/\s*\[note \d+\]/g, '') === judgement.label);
      expect(column, judgement.label).toBeGreaterThanOrEqual(0);
      for (const grade of built.config.framework.grades) {
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
      built.config.framework.grades.forEach((grade, i) => {
        const share = (100 * graded.filter((r) => r[column] === grade.label).length) / graded.length;
        expect(Number(row.cells[i]!.text), `${label} ${grade.label}`).toBe(Math.floor(share + 0.5));
      });
    }
  });

  it('gives each authority the web link of its latest inspection in the source, as a real link', async () => {
    // Independently of the loader: the raw history's link for the row of each authority's latest inspection.
    const latest = new Map(built.model.current.authorities.map((a) => [a.code, a.date]));
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
    const meta = document.meta;
    expect(sheets.get('Cover')![0]![0]).toBe(meta.title);
    expect(cover.get('Publication')).toContain(meta.title);
    expect(cover.get('Status')).toBe(meta.status);
    expect(cover.get('Produced by')).toBe(meta.producer);
    expect(cover.get('Email')).toBe(meta.contact.email);
    expect(cover.get('Licence')).toBe(meta.licence.name);
    expect(cover.get('Period covered')).toBe(meta.period);
    // A date cell: its stored value is the day of publication, shown as the report writes dates.
    const published = odsSheets[0]!.rows.find((r) => r[0]?.text === 'Published')![1]!;
    expect(published).toMatchObject({ type: 'date', value: meta.published.iso });
    const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    expect(published.text).toBe(longDate.format(new Date(`${meta.published.iso}T00:00:00Z`)));
  });

  it('gives every contact, the methodology and how often the statistics are published on its cover', () => {
    const cover = new Map(sheets.get('Cover')!.slice(2).map((r) => [r[0]!, r[1]!]));
    const meta = document.meta;
    expect(cover.get('Contact')).toBe(`${meta.contact.name}, ${meta.contact.team}`);
    expect(cover.get('Email')).toBe(meta.contact.email);
    expect(cover.get('Team email')).toBe(meta.contact.teamEmail);
    expect(cover.get('Publication frequency')).toBe('Annual');
    const methodology = odsSheets[0]!.rows.find((r) => r[0]?.text === 'Methodology')![1]!;
    expect(methodology.link).toBe(built.config.meta.releaseUrl);
  });

  it('puts the count beside each percentage of a figure, and the base in a column of its own', () => {
    for (const figure of figuresOf(document).filter((f) => f.dataTable.columns.some((c) => c.label.startsWith('% ')))) {
      const sheet = table(`Figure_${figure.number}`);
      const percents = sheet.header.map((h, i) => [h, i] as const).filter(([h]) => h.startsWith('% '));
      expect(percents.length, `Figure ${figure.number}`).toBeGreaterThan(0);
      for (const [label, i] of percents) expect(sheet.header[i + 1], `Figure ${figure.number}`).toBe(`${label.slice(2)} (number)`);
      const baseAt = sheet.header.indexOf('Base (number)');
      figure.dataTable.rows.forEach((row, r) => {
        const cells = sheet.rows[r]!;
        const printed = /\((\d+)\)$/.exec(row.header.text)?.[1];
        if (baseAt >= 0) {
          // The row's name without its base, and the base the report prints in brackets.
          expect(cells[0]).toBe(row.header.text.replace(/\s*\(\d+\)$/, ''));
          expect(cells[baseAt]).toBe(printed);
        }
        const base = Number(baseAt >= 0 ? printed : undefined);
        const counts: number[] = [];
        for (const [, i] of percents) {
          const count = cells[i + 1]!;
          if (count === '[x]') continue;
          counts.push(Number(count));
          // Each count is the printed percentage of the base, rounded.
          if (baseAt >= 0) expect(Math.round((Number(count) / base) * 100), `Figure ${figure.number} ${cells[0]}`).toBe(Number(cells[i]));
        }
        // A grade distribution's counts add up to its base (a row of published shares has none).
        if (baseAt >= 0 && counts.length === percents.length) expect(counts.reduce((a, b) => a + b, 0), `Figure ${figure.number} ${cells[0]}`).toBe(base);
      });
    }
    // The earliest point of Figure 1 is a published series with rounded shares only: no counts.
    const series = table('Figure_1');
    const earliest = series.rows[series.rows.length - 1]!;
    expect(earliest.filter((c) => c === '[x]').length).toBe(4);
  });

  it('explains the shorthand only where it is used', () => {
    for (const [name, grid] of sheets) {
      if (['Cover', 'Contents', 'Notes'].includes(name)) continue;
      const cells = grid.slice(3).flat();
      const description = grid[1]![0]!;
      expect(description.includes('[z] means'), `${name}: [z]`).toBe(cells.includes('[z]'));
      expect(description.includes('[x] means'), `${name}: [x]`).toBe(cells.includes('[x]'));
    }
    const all = [...sheets].filter(([n]) => !['Cover', 'Contents', 'Notes'].includes(n)).flatMap(([, g]) => g.slice(3).flat());
    const shorthand = new Map(sheets.get('Cover')!.slice(2).map((r) => [r[0]!, r[1]!])).get('Shorthand') ?? '';
    expect(shorthand.includes('[z] means')).toBe(all.includes('[z]'));
    expect(shorthand.includes('[x] means')).toBe(all.includes('[x]'));
  });

  it('makes each column as wide as its longest value as shown (dates in full), with room for a wider font', async () => {
    const zip = await JSZip.loadAsync(shared.bytes('underlying-data.ods'));
    const content = await zip.file('content.xml')!.async('string');
    const widthOf = new Map([...content.matchAll(/style:name="(w\d+)" style:family="table-column"><style:table-column-properties style:column-width="([\d.]+)cm"/g)].map((m) => [m[1]!, Number(m[2])]));
    const zero = measureText('0', 16);
    for (const sheet of odsSheets.filter((s) => !['Cover', 'Contents', 'Notes'].includes(s.name))) {
      const xml = new RegExp(`<table:table table:name="${sheet.name}">((?:<table:table-column[^>]*/>)+)`).exec(content)![1]!;
      const widths = [...xml.matchAll(/table:style-name="(w\d+)"/g)].map((m) => widthOf.get(m[1]!)!);
      sheet.rows.slice(3).forEach((row) =>
        row.forEach((cell, i) => {
          if (cell.type !== 'date' && cell.type !== 'float') return;
          // Arial's width of the text as shown, a fifth more for a fallback font, in cm at 96 px an inch.
          const needed = ((measureText(cell.text, 16) * 1.2) / 96) * 2.54;
          expect(widths[i]!, `${sheet.name} column ${i + 1}: "${cell.text}"`).toBeGreaterThanOrEqual(needed);
          expect(widths[i]!, `${sheet.name} column ${i + 1}`).toBeLessThanOrEqual(((zero * 60) / 96) * 2.54 + 0.01);
        }),
      );
    }
  });

  it('numbers the release config\'s notes and refers to them from titles and headers', () => {
    const notes = table('Notes').rows;
    expect(notes.map((r) => r[0])).toEqual(built.config.notes.map((_, i) => `note ${i + 1}`));
    expect(notes.map((r) => r[1])).toEqual(built.config.notes.map((n) => n.text));
    const latest = table('Latest_judgements');
    const careLeavers = built.config.notes.findIndex((n) => n.id === 'careLeavers') + 1;
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
  it('holds exactly the cells of the OpenDocument workbook, sheet by sheet: type, value and link', () => {
    expect(xlsxSheets.map((s) => s.name)).toEqual(odsSheets.map((s) => s.name));
    const stored = (cell: SheetCell | undefined) => (cell ? `${cell.type} ${JSON.stringify(cell.value)}${cell.link ? ` → ${cell.link}` : ''}` : '(none)');
    odsSheets.forEach((ods, i) => {
      const xlsx = xlsxSheets[i]!;
      expect(xlsx.rows.length, ods.name).toBe(ods.rows.length);
      ods.rows.forEach((row, r) => {
        expect(xlsx.rows[r]!.length, `${ods.name} row ${r + 1}`).toBe(row.length);
        row.forEach((cell, c) => expect(stored(xlsx.rows[r]![c]), `${ods.name} row ${r + 1} column ${c + 1}`).toBe(stored(cell)));
      });
    });
    // Dates, numbers and links are among them, so the comparison covers every kind of cell.
    const kinds = new Set(odsSheets.flatMap((s) => s.rows.flat().map((c) => (c.link ? 'link' : c.type))));
    expect([...kinds].sort()).toEqual(['date', 'float', 'link', 'string']);
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
    expect(inYear).toHaveLength(built.model.inYear.events);
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
    const html = shared.text('main-findings.html');
    const further = html.slice(html.indexOf('id="further-information"'));
    expect(further).toContain('href="underlying-data.ods"');
    expect(further).toContain('href="underlying-data.xlsx"');
    expect(further).toContain('href="data/data-guidance.txt"');
    const downloads = html.slice(html.indexOf('app-downloads'), html.indexOf('id="contents"') > 0 ? html.indexOf('id="contents"') : undefined);
    for (const file of ['underlying-data.ods', 'underlying-data.xlsx', 'data/data-guidance.txt']) expect(downloads).toContain(`href="${file}"`);
    // Every file the report links to is one the build wrote.
    for (const [, href] of html.matchAll(/href="((?:underlying-data|data\/)[^"#]*)"/g)) expect(existsSync(join(out, href!)), href).toBe(true);
  });
});
