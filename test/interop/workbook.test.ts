/**
 * The underlying-data workbooks opened in LibreOffice Calc: it reads every cell of the .ods and
 * of the .xlsx as the files hold them (type, stored value and link; the cover's publication date
 * a date cell of that day), and shows the .xlsx exactly as the .ods. What the cells hold is
 * checked against the report in test/render/workbook.test.ts, on the files as written.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOds, type Sheet, type SheetCell } from '../../src/quality/readers/spreadsheet.js';
import { sharedRelease, tempDir } from '../support.js';
import { run, soffice } from './tools.js';

const shared = await sharedRelease();

/** CSV of every sheet (sheet index -1), UTF-8, values as stored, as Calc's own export writes them. */
const CSV = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';

let written: Sheet[];
beforeAll(async () => {
  written = await readOds(shared.bytes('underlying-data.ods'));
});

/** The two workbooks side by side in one folder; the Excel one renamed so the outputs do not collide. */
function workbooks(): { dir: string; ods: string; xlsx: string } {
  const dir = tempDir('statpress-calc-');
  copyFileSync(shared.file('underlying-data.ods'), join(dir, 'ods.ods'));
  copyFileSync(shared.file('underlying-data.xlsx'), join(dir, 'xlsx.xlsx'));
  return { dir, ods: join(dir, 'ods.ods'), xlsx: join(dir, 'xlsx.xlsx') };
}

let asRead: Promise<{ ods: Sheet[]; xlsx: Sheet[] }> | undefined;
/** Both workbooks as LibreOffice reads them, saved again by it as flat OpenDocument. */
function readByCalc(): Promise<{ ods: Sheet[]; xlsx: Sheet[] }> {
  asRead ??= (async () => {
    const { dir, ods, xlsx } = workbooks();
    soffice('fods', [ods, xlsx], dir);
    const read = (name: string) => {
      const file = join(dir, name);
      expect(existsSync(file), `LibreOffice wrote no ${name}: it could not open the workbook`).toBe(true);
      return readOds(readFileSync(file, 'utf8'));
    };
    return { ods: await read('ods.fods'), xlsx: await read('xlsx.fods') };
  })();
  return asRead;
}

let shown: Promise<{ ods: Map<string, string>; xlsx: Map<string, string> }> | undefined;
/** Each sheet of both workbooks as Calc's CSV export. */
function csvByCalc(): Promise<{ ods: Map<string, string>; xlsx: Map<string, string> }> {
  shown ??= (async () => {
    const { dir, ods, xlsx } = workbooks();
    const out = join(dir, 'csv');
    soffice(CSV, [ods, xlsx], out);
    const sheets = (prefix: string) =>
      new Map(
        readdirSync(out).flatMap((f) => {
          const name = new RegExp(`^${prefix}-(.+)\\.csv$`).exec(f)?.[1];
          return name ? [[name, readFileSync(join(out, f), 'utf8')] as const] : [];
        }),
      );
    return { ods: sheets('ods'), xlsx: sheets('xlsx') };
  })();
  return shown;
}

const stored = (cell: SheetCell | undefined) => (cell ? `${cell.type} ${JSON.stringify(cell.value)}${cell.link ? ` → ${cell.link}` : ''}` : '(none)');

function expectSameCells(read: Sheet[], label: string): void {
  expect(read.map((s) => s.name), label).toEqual(written.map((s) => s.name));
  written.forEach((sheet, i) => {
    const theirs = read[i]!;
    expect(theirs.rows.length, `${label}: ${sheet.name}`).toBe(sheet.rows.length);
    sheet.rows.forEach((row, r) => {
      expect(theirs.rows[r]!.length, `${label}: ${sheet.name} row ${r + 1}`).toBe(row.length);
      row.forEach((cell, c) => expect(stored(theirs.rows[r]![c]), `${label}: ${sheet.name} row ${r + 1} column ${c + 1}`).toBe(stored(cell)));
    });
  });
}

describe('the underlying data in LibreOffice Calc', () => {
  it('opens the .ods with a cover, contents and notes first, and reads every cell as written', async () => {
    const { ods } = await readByCalc();
    expect(ods.map((s) => s.name).slice(0, 3)).toEqual(['Cover', 'Contents', 'Notes']);
    for (const name of ['Latest_judgements', 'In_year_inspections', 'Inspection_history']) expect(ods.some((s) => s.name === name), name).toBe(true);
    expectSameCells(ods, '.ods in Calc');
    // And shows each cell as the file does (dates as the report writes them).
    written.forEach((sheet, i) => sheet.rows.forEach((row, r) => row.forEach((cell, c) => expect(ods[i]!.rows[r]![c]!.text, `${sheet.name} row ${r + 1} column ${c + 1}`).toBe(cell.text))));
  });

  it('opens the .xlsx and reads every cell as the .ods holds it', async () => {
    expectSameCells((await readByCalc()).xlsx, '.xlsx in Calc');
  });

  it('reads the cover\'s publication date as a date cell of the day of publication, in both', async () => {
    const { ods, xlsx } = await readByCalc();
    for (const [label, book] of [['.ods', ods], ['.xlsx', xlsx]] as const) {
      const published = book[0]!.rows.find((r) => r[0]?.text === 'Published')?.[1];
      expect(published, label).toMatchObject({ type: 'date', value: shared.document.meta.published.iso });
    }
  });

  it('exports the .xlsx to CSV exactly as the .ods, sheet by sheet', async () => {
    const { ods, xlsx } = await csvByCalc();
    expect(ods.size).toBeGreaterThan(5);
    expect([...xlsx.keys()].sort()).toEqual([...ods.keys()].sort());
    for (const [name, text] of xlsx) expect(text, name).toBe(ods.get(name));
  });

  it('lists every table sheet on the contents sheet, as Calc exports it', async () => {
    const { ods } = await csvByCalc();
    const listed = ods.get('Contents')!.trim().split('\n').slice(3).map((line) => line.split(',')[0]);
    expect(listed.sort()).toEqual([...ods.keys()].filter((n) => !['Cover', 'Contents'].includes(n)).sort());
  });

  it('shows every date and number in full when Calc lays the .ods out: no ### anywhere', () => {
    const { dir, ods } = workbooks();
    soffice('pdf', [ods], dir);
    const pdf = join(dir, 'ods.pdf');
    expect(existsSync(pdf), 'LibreOffice wrote no PDF of the workbook').toBe(true);
    const shown = run('pdftotext', ['-layout', pdf, '-']);
    // Every sheet was laid out (the figure sheets' counts are there), and no cell is too narrow.
    for (const sheet of ['Latest_judgements', 'In_year_inspections', 'Inspection_history', 'Figure_2']) expect(shown).toContain(sheet);
    expect(shown.split('\n').filter((line) => line.includes('###'))).toEqual([]);
  }, 180_000);
});
