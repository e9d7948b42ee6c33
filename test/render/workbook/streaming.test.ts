/**
 * Long tables at scale: a build makes only the formats asked for, a CSV is written as its rows
 * are made (never more than a piece's worth held), and a sheet with more links than Excel keeps
 * gets its addresses as text instead of a workbook Excel would have to repair.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { buildRelease } from '../../../src/pipeline/build.js';
import { underlyingDataFiles } from '../../../src/render/workbook/files.js';
import type { DataTable, Rows, SheetCell, Workbook } from '../../../src/render/workbook/workbook.js';
import { EXCEL_HYPERLINKS_PER_SHEET, writeXlsx } from '../../../src/render/workbook/xlsx.js';
import type { StreamedOutput } from '../../../src/platform/output.js';
import { RELEASE_2025, tempDir } from '../../support.js';

/** A table of `count` rows made on demand, counting how many have been made. */
function madeTable(count: number, row: (i: number) => SheetCell[]): { table: DataTable; made: () => number } {
  let made = 0;
  const rows: Rows = {
    length: count,
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) {
        made++;
        yield row(i);
      }
    },
  };
  const table: DataTable = {
    id: 'long',
    sheet: 'Long',
    title: 'A long table',
    description: 'One row per event.',
    columns: [
      { key: 'n', label: 'Number', description: 'A number.', width: 10 },
      { key: 'webLink', label: 'Web link', description: 'A link.', width: 40 },
    ],
    rows,
  };
  return { table, made: () => made };
}

const book = (tables: DataTable[]): Workbook => ({
  cover: [],
  notes: [],
  tables,
  meta: { title: 'Test', published: '2025-09-25', language: 'en-GB', producer: 'Test', draft: false },
});

describe('formats', () => {
  it('an HTML build makes no workbook and links to none, and draws no PNG', async () => {
    const out = join(tempDir(), 'release');
    const result = await buildRelease({ configFile: RELEASE_2025, outDir: out, formats: ['html'], gates: 'document' });
    expect(result.timings.data).toBeUndefined();
    expect([...result.outputs.keys()].filter((f) => f.startsWith('underlying-data') || f.startsWith('data/'))).toEqual([]);
    // Each document's web page, and no landing page, govspeak or publish folder (they need every format).
    expect(readdirSync(out).sort()).toEqual(['charts', 'document.json', 'documents', 'main-findings.html', 'manifest.json', 'methodology.html', 'pre-release-access-list.html']);
    // The charts' PNGs are the Word file's pictures: none without it.
    expect(readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.png'))).toEqual([]);
    expect(readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg')).length).toBeGreaterThan(0);
    const html = result.files.get('main-findings.html') as string;
    const downloads = html.slice(html.indexOf('app-downloads'), html.indexOf('</ul>', html.indexOf('app-downloads')));
    expect(downloads).not.toMatch(/underlying-data|data-guidance/);
  });

  it('a CSV build writes the CSVs and their guidance, and no workbook', async () => {
    const out = join(tempDir(), 'release');
    const result = await buildRelease({ configFile: RELEASE_2025, outDir: out, formats: ['csv'], gates: 'document' });
    const written = [...result.outputs.keys()];
    expect(written).toContain('data/inspection-history.csv');
    expect(written).toContain('data/data-guidance.txt');
    expect(written.filter((f) => f.startsWith('underlying-data') || f.endsWith('.html'))).toEqual([]);
    // Streamed: written to disk, not kept in memory.
    expect(result.files.has('data/inspection-history.csv')).toBe(false);
    expect(result.outputs.get('data/inspection-history.csv')!.bytes).toBeGreaterThan(10_000);
  });
});

describe('a CSV of a long table', () => {
  it('is written as its rows are made, a piece at a time', async () => {
    const { table, made } = madeTable(200_000, (i) => [{ kind: 'number', value: i }, { kind: 'link', text: `https://example.org/${i}`, url: `https://example.org/${i}` }]);
    let written = 0;
    let pieces = 0;
    for await (const [name, content] of underlyingDataFiles(book([table]), ['csv'])) {
      if (name !== 'data/long.csv') continue;
      for await (const piece of (content as StreamedOutput).chunks()) {
        pieces++;
        written += Buffer.from(piece).toString('utf8').split('\n').length - 1;
        // Rows made but not yet written: at most a piece's worth (a row here is ~30 bytes).
        expect(made() - (written - 1)).toBeLessThan((1 << 16) / 25);
      }
    }
    expect(written).toBe(200_001);
    expect(pieces).toBeGreaterThan(50);
  });
});

describe('a sheet with more links than Excel keeps', () => {
  it('writes the addresses as text, and keeps the links of a sheet within the limit', async () => {
    const link = (i: number): SheetCell[] => [{ kind: 'number', value: i }, { kind: 'link', text: `https://example.org/${i}`, url: `https://example.org/${i}` }];
    const many = madeTable(EXCEL_HYPERLINKS_PER_SHEET + 10, link).table;
    const few = { ...madeTable(20, link).table, id: 'short', sheet: 'Short' };
    const zip = await JSZip.loadAsync(await writeXlsx(book([many, few])));
    const workbook = await zip.file('xl/workbook.xml')!.async('string');
    const names = [...workbook.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]!);
    const sheet = async (name: string) => zip.file(`xl/worksheets/sheet${names.indexOf(name) + 1}.xml`)!.async('string');
    const rels = (name: string) => zip.file(`xl/worksheets/_rels/sheet${names.indexOf(name) + 1}.xml.rels`)?.async('string');
    const long = await sheet('Long');
    expect(long).not.toContain('<hyperlink ');
    expect(await rels('Long')).not.toContain('hyperlink');
    // The last row's address is there, as text in the plain format.
    const last = EXCEL_HYPERLINKS_PER_SHEET + 9;
    expect(long).toMatch(new RegExp(`<c r="B${last + 4}" s="0" t="s">`));
    const short = await sheet('Short');
    expect(short.match(/<hyperlink ref="B\d+" r:id="rId\d+"\/>/g)).toHaveLength(20);
    expect((await rels('Short'))!.match(/TargetMode="External"/g)).toHaveLength(20);
  }, 60_000);
});
