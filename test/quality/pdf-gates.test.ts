/**
 * The pagination and pdf-ua gates: both pass on the real 2025 PDF; each fails, naming the page
 * and the condition, on a PDF broken on purpose — a small document printed by Chromium with a
 * table, a list and a heading placed across page breaks, and the release's own PDF with its
 * PDF/UA finishing taken away piece by piece. The same PDF read by poppler and, where it is
 * installed, judged by veraPDF is in test/interop/pdf.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { withBrowser } from '../../src/platform/browser.js';
import { checkPagination } from '../../src/quality/gates/pagination.js';
import { checkPdfUa, readPdfUa } from '../../src/quality/gates/pdf-ua.js';
import { readLayout } from '../../src/quality/readers/pdf-layout.js';
import { isDict, name, PdfFile, PdfRef, type PdfDict } from '../../src/render/pdf-objects.js';
import { deflateSync } from 'node:zlib';
import { outlinePages, streamData } from '../../src/quality/readers/pdf-layout.js';
import { openPdf, outlineEntries } from '../../src/quality/readers/pdf.js';
import { sharedRelease } from '../support.js';

const shared = await sharedRelease();
const pdf = shared.bytes('main-findings.pdf');

const messages = (r: { findings: Array<{ where: string; message: string }> }) => r.findings.map((f) => `${f.where}: ${f.message}`);

/**
 * An A4 page with 20 mm margins has a text area 971 CSS px high. Every line is 20 px and nothing
 * has margins, so: page 1 ends in the middle of a four-item list; page 2 in the middle of a
 * five-row table; page 3 with a heading whose block moves on; page 4 holds a 400 px block and is
 * less than half full because the next block cannot split.
 */
const BROKEN_HTML = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Broken</title>
<style>@page{size:A4;margin:20mm} *{margin:0;padding:0} body{font:16px/20px sans-serif} table{border-spacing:0}
.block{background:#ddd;break-inside:avoid} ul{list-style:none}</style></head><body>
<h1>Pagination on purpose</h1>
<div class="block" style="height:930px">A block that fills most of the first page.</div>
<ul>${['one', 'two', 'three', 'four'].map((w) => `<li>item ${w}</li>`).join('')}</ul>
<div class="block" style="height:840px">Another block.</div>
<table><caption>Five rows</caption><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
<tbody>${[1, 2, 3, 4, 5].map((n) => `<tr><th scope="row">Row ${n}</th><td>${n}</td></tr>`).join('')}</tbody></table>
<div class="block" style="height:840px">Filler to the foot of the page.</div>
<h2>A heading left at the foot</h2>
<div class="block" style="height:400px">A block that cannot split.</div>
<div class="block" style="height:700px">A bigger one that moves to the next page.</div>
<p>The last page.</p>
</body></html>`;

describe('the pagination gate', () => {
  it('passes on the 2025 release', async () => {
    expect(messages(await checkPagination(pdf))).toEqual([]);
  });

  it('names a split short table, a split list, a heading at a page foot and an under-filled page', async () => {
    const broken = await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.setContent(BROKEN_HTML);
      const bytes = await page.pdf({ format: 'a4', tagged: true, margin: { top: '20mm', bottom: '20mm', left: '20mm', right: '20mm' } });
      await page.close();
      return bytes;
    });
    const found = messages(await checkPagination(broken));
    expect(found.some((m) => /^PDF page 2: table "Five rows" \(5 rows\) is split across pages 2 and 3: a table of up to 10 rows is kept whole$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^PDF page \d: list "item one" \(4 items\) is split \d and \d across pages \d and \d: a list of up to 6 items is kept whole$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^PDF page \d: the heading "A heading left at the foot" is the last thing on page \d; what it introduces starts on page \d$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^PDF page \d: page \d is only \d+% full, and is not the last page of a section$/.test(m)), found.join('\n')).toBe(true);
  }, 60_000);
});

/** The release's PDF with one more incremental update made by `edit`. */
function edited(edit: (file: PdfFile) => void): Uint8Array {
  const file = new PdfFile(pdf);
  edit(file);
  return file.save();
}

function elements(file: PdfFile, role: string): Array<{ num: number; dict: PdfDict }> {
  const out: Array<{ num: number; dict: PdfDict }> = [];
  for (const o of file.objects.values()) if (isDict(o.value) && (o.value.get('S') as { name?: string } | undefined)?.name === role) out.push({ num: o.num, dict: o.value });
  return out;
}

describe('the pdf-ua gate', () => {
  it('passes on the 2025 release, whose XMP packet carries the title and pdfuaid:part 1', async () => {
    const facts = await readPdfUa(pdf);
    expect(messages(checkPdfUa(facts))).toEqual([]);
    expect(facts.xmp).toEqual({ title: shared.document.meta.title, part: '1' });
    expect(facts.pageMode).toBe('UseOutlines');
    expect(facts.displayDocTitle).toBe(true);
  });

  it('names each missing piece of the catalog and metadata', async () => {
    const broken = edited((file) => {
      const catalog = file.catalog;
      catalog.delete('Metadata');
      catalog.delete('Lang');
      catalog.delete('PageMode');
      catalog.set('ViewerPreferences', new Map([['DisplayDocTitle', false]]));
      file.update((file.trailer.get('Root') as PdfRef).num);
    });
    const found = messages(checkPdfUa(await readPdfUa(broken)));
    expect(found).toEqual(
      expect.arrayContaining([
        'PDF catalog: 06-001: there is no XMP metadata stream',
        'PDF catalog: 07-001: ViewerPreferences does not ask viewers to show the title (DisplayDocTitle)',
        'PDF catalog: the PDF does not open with its bookmarks shown (/PageMode is UseNone, not /UseOutlines)',
        'PDF catalog: 11-006: the document has no natural language (/Lang)',
      ]),
    );
  });

  it('names a figure without alt text, a header cell without scope, an undescribed link, a skipped heading level and untagged painting', async () => {
    const broken = edited((file) => {
      const figure = elements(file, 'Figure').find((f) => f.dict.has('Alt'))!;
      figure.dict.delete('Alt');
      file.update(figure.num);
      const th = elements(file, 'TH')[0]!;
      th.dict.delete('A');
      file.update(th.num);
      const h3 = elements(file, 'H3')[0]!;
      h3.dict.set('S', name('H5'));
      file.update(h3.num);
      for (const o of file.objects.values()) {
        if (isDict(o.value) && (o.value.get('Subtype') as { name?: string } | undefined)?.name === 'Link' && o.value.has('Contents')) {
          o.value.delete('Contents');
          file.update(o.num);
          break;
        }
      }
      // A rectangle painted outside any marked content at the start of page 2.
      const layout = readLayout(file);
      const page = file.dict(new PdfRef(layout.pages[1]!.ref))!;
      const ref = page.get('Contents') as PdfRef;
      const text = `0 0 10 10 re f\n${streamData(file, ref)}`;
      file.update(ref.num, new Map([['Filter', name('FlateDecode')]]), deflateSync(Buffer.from(text, 'latin1')).toString('latin1'));
    });
    const found = messages(checkPdfUa(await readPdfUa(broken)));
    expect(found.some((m) => /^page \d+: 13-004: figure \d+ has no alternate text$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^page \d+: 15-003: a table header cell has no Scope$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^page \d+: 14-003: an H5 follows an H2, skipping a level$/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^page \d+: 28-011: a link annotation has no description in \/Contents$/.test(m)), found.join('\n')).toBe(true);
    expect(found).toContain('page 2: 01-005: 1 painting operations are neither tagged nor marked as artifacts');
  });

});

describe('the outline read from the parsed PDF (the contents page numbers come from it)', () => {
  it('lists every bookmark with its page as pdf.js does', async () => {
    const doc = await openPdf(pdf);
    const expected = await outlineEntries(doc);
    await doc.destroy();
    expect(expected.length).toBeGreaterThan(5);
    expect(outlinePages(new PdfFile(pdf))).toEqual(expected);
  });

  it('gives up on a bookmark that goes to a named destination, so pdf.js reads it instead', () => {
    const text = Buffer.from(pdf).toString('latin1');
    // Every explicit destination (the bookmarks', in each version of them) becomes a named one.
    const named = text.replace(/\/Dest \[\d+ 0 R [^\]]*\]/g, '/Dest /introduction');
    expect(named).not.toBe(text);
    expect(outlinePages(new PdfFile(named))).toBeUndefined();
  });
});
