/**
 * The workbooks' zip writer: small parts give the very bytes JSZip gave (so ordinary workbooks
 * are unchanged), large parts are compressed as they are made and read back whole by other
 * zip readers, and the same parts always give the same file.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { LARGE_PART, writeZip } from '../../../src/render/workbook/zip.js';
import { tempDir } from '../../support.js';

const date = new Date('2025-09-25T00:00:00Z');

describe('writeZip', () => {
  it('writes small parts byte for byte as JSZip does', async () => {
    const parts = [
      { name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
      { name: 'content.xml', content: `<?xml version="1.0"?><x>${'<row>café “quoted” 123</row>'.repeat(5000)}</x>` },
      { name: 'META-INF/manifest.xml', content: '<manifest/>' },
      { name: 'empty.xml', content: '' },
    ];
    const jszip = new JSZip();
    for (const p of parts) jszip.file(p.name, p.content, { date, createFolders: false, ...(p.store ? { compression: 'STORE' as const } : {}) });
    const expected = await jszip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
    const written = await writeZip(parts, date);
    expect(Buffer.from(written).equals(Buffer.from(expected))).toBe(true);
    // Made as pieces, the same bytes.
    const pieces = await writeZip(parts.map((p) => ({ ...p, content: () => [Buffer.from(p.content.slice(0, 7)), Buffer.from(p.content.slice(7))] })), date);
    expect(Buffer.from(pieces).equals(Buffer.from(expected))).toBe(true);
  });

  it('compresses a part larger than 4 MiB as it comes, and other readers get it back whole', async () => {
    let made = 0;
    const rows = 120_000;
    const row = (i: number) => `<row r="${i}"><c>${i % 97}</c><c>authority ${i % 153}</c></row>`;
    const content = function* () {
      for (let i = 0; i < rows; i++) {
        made++;
        yield Buffer.from(row(i));
      }
    };
    const expected = Array.from({ length: rows }, (_, i) => row(i)).join('');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(LARGE_PART);
    const written = await writeZip([{ name: 'xl/worksheets/sheet1.xml', content: content }, { name: 'small.xml', content: '<x/>' }], date);
    expect(made).toBe(rows);
    const back = await JSZip.loadAsync(written, { checkCRC32: true });
    expect(await back.file('xl/worksheets/sheet1.xml')!.async('string')).toBe(expected);
    expect(await back.file('small.xml')!.async('string')).toBe('<x/>');
    const file = join(tempDir(), 'large.zip');
    writeFileSync(file, written);
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
    // The same parts, the same bytes.
    made = 0;
    expect(Buffer.from(await writeZip([{ name: 'xl/worksheets/sheet1.xml', content: content }, { name: 'small.xml', content: '<x/>' }], date)).equals(Buffer.from(written))).toBe(true);
  });
});
