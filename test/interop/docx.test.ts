/**
 * The Word version opened in LibreOffice Writer: it loads, lays out on several pages, shows
 * every section heading, and its contents list shows a page number for every entry without
 * anyone updating fields. The Word XML itself is checked in test/render/docx.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { inlineText, type Block } from '../../src/document/document.js';
import { sharedRelease, tempDir } from '../support.js';
import { run, soffice } from './tools.js';

const shared = await sharedRelease();

/** The headings the Word contents list holds: the top two levels of sections. */
function contentsEntries(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.depth <= 3 ? [inlineText(b.title), ...contentsEntries(b.children)] : []));
}

function headings(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' ? [inlineText(b.title), ...headings(b.children)] : []));
}

describe('the Word release in LibreOffice', () => {
  it('opens, and prints on several pages with every heading', () => {
    const out = tempDir();
    soffice('pdf', [shared.file('main-findings.docx')], out);
    const pdf = join(out, 'main-findings.pdf');
    expect(existsSync(pdf), 'LibreOffice wrote no PDF: it could not open the Word file').toBe(true);
    const info = run('pdfinfo', [pdf]);
    expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThan(5);
    const text = run('pdftotext', [pdf, '-']).replace(/\s+/g, ' ');
    const all = headings(shared.document.children);
    expect(all.length).toBeGreaterThan(5);
    for (const heading of all) expect(text, heading).toContain(heading.replace(/\s+/g, ' '));
  }, 180_000);

  it('shows a page number for every contents entry, without updating fields, each near where LibreOffice lays its heading out', async () => {
    const out = tempDir();
    soffice('pdf', [shared.file('main-findings.docx')], out);
    const pdf = join(out, 'main-findings.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]))?.[1]);
    // Word is not asked to update fields on opening: the numbers are written with the document.
    const zip = await JSZip.loadAsync(shared.bytes('main-findings.docx'));
    const settings = await zip.file('word/settings.xml')!.async('string');
    expect(settings).toMatch(/<w:settings/);
    expect(settings).not.toMatch(/updateFields/);
    const laidOut = run('pdftotext', ['-layout', pdf, '-']).split('\f');
    const entries = contentsEntries(shared.document.children);
    // The contents begin on the title page and may run on to the next ones (its entries have dot leaders).
    const leaders = (page: string) => page.split('\n').map((line) => /^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$/.exec(line)).filter((m): m is RegExpExecArray => m !== null);
    const listed: RegExpExecArray[] = [];
    for (const page of laidOut) {
      const found = leaders(page);
      if (found.length === 0) break;
      listed.push(...found);
    }
    expect(listed.map((m) => m[1]!.replace(/\s+/g, ' '))).toEqual(entries.map((t) => t.replace(/\s+/g, ' ')));
    const numbers = listed.map((m) => Number(m[2]));
    // Each a page after the title page, in reading order, and each entry's heading on that page of
    // LibreOffice's own layout or the next or previous one (the numbers follow Word's layout).
    numbers.forEach((n, i) => {
      expect(n).toBeGreaterThanOrEqual(Math.max(2, numbers[i - 1] ?? 2));
      expect(n).toBeLessThanOrEqual(pages);
      const title = entries[i]!.replace(/\s+/g, ' ');
      const near = [n - 1, n, n + 1].some((p) => (laidOut[p - 1] ?? '').replace(/\s+/g, ' ').includes(title.slice(0, 25)));
      expect(near, `${title} listed on page ${n}`).toBe(true);
    });
  }, 180_000);
});
