/**
 * The Word version opened in LibreOffice Writer: it loads, lays out on several pages, and shows
 * every section heading. The Word XML itself is checked in test/render/docx.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineText, type Block } from '../../src/document/document.js';
import { sharedRelease, tempDir } from '../support.js';
import { run, soffice } from './tools.js';

const shared = await sharedRelease();

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
});
