/**
 * No cell from the data starts a formula in anything a spreadsheet opens: authorities named as
 * formulas are built into the CSVs (prefixed with an apostrophe), the OpenDocument workbook
 * (typed text cells) and the Excel workbook (text cells marked quotePrefix). The interop tier
 * (test/interop/formulas.test.ts) opens each in LibreOffice with formula evaluation on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHostileRelease, HOSTILE, NAMES } from './hostile.js';

let out: string;

beforeAll(async () => {
  out = await buildHostileRelease();
}, 120_000);

describe('CSV files', () => {
  it('write each formula-like name with an apostrophe in front, and nothing else changed', () => {
    const rows = parseCsv(readFileSync(join(out, 'data/latest-judgements.csv')), { columns: true }) as Array<Record<string, string>>;
    for (const hostile of NAMES) expect(rows.map((r) => r.name)).toContain(`'${hostile}`);
    // Names that start no formula are written as they are.
    expect(rows.map((r) => r.name)).toContain('Barking and Dagenham');
    const map = readFileSync(join(out, 'charts/figure-3.csv'), 'utf8');
    expect(map).toContain(`"'${HOSTILE.Barnet!.replace(/"/g, '""')}"`);
  });
});

describe('the OpenDocument workbook', () => {
  it('holds each name as a typed text cell', async () => {
    const content = await (await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.ods')))).file('content.xml')!.async('string');
    expect(content).not.toContain('table:formula=');
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    for (const hostile of NAMES) expect(content).toContain(`<table:table-cell office:value-type="string" calcext:value-type="string" table:style-name="wrap"><text:p>${escape(hostile)}</text:p>`);
  });
});

describe('the Excel workbook', () => {
  it('holds each name as a shared-string cell marked quotePrefix, and no formula', async () => {
    const zip = await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.xlsx')));
    const strings = [...(await zip.file('xl/sharedStrings.xml')!.async('string')).matchAll(/<si><t xml:space="preserve">([\s\S]*?)<\/t><\/si>/g)].map((m) =>
      m[1]!.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    );
    const styles = await zip.file('xl/styles.xml')!.async('string');
    const formats = [...styles.slice(styles.indexOf('<cellXfs')).matchAll(/<xf [^>]*>/g)].map((m) => m[0]);
    const sheets = Object.keys(zip.files).filter((f) => /^xl\/worksheets\/sheet\d+\.xml$/.test(f));
    let seen = 0;
    for (const name of sheets) {
      const sheet = await zip.file(name)!.async('string');
      expect(sheet, name).not.toMatch(/<f[ >]/);
      for (const [, style, index] of sheet.matchAll(/<c r="[A-Z]+\d+" s="(\d+)" t="s"><v>(\d+)<\/v><\/c>/g)) {
        const text = strings[Number(index)]!;
        const quoted = formats[Number(style)]!.includes('quotePrefix="1"');
        if (NAMES.includes(text)) {
          expect(quoted, `${name}: ${text}`).toBe(true);
          seen++;
        } else if (/^[A-Za-z0-9[]/.test(text)) expect(quoted, `${name}: ${text}`).toBe(false);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(NAMES.length * 2);
  });
});
