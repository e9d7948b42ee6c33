/**
 * The gates on the rendered formats: they pass on the real 2025 release in all three formats
 * (the release built once for the run, with every gate collected: test/setup/release.ts), and
 * each fails, naming the place, when one format is deliberately broken.
 */
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type Browser, type BrowserSession } from '../../src/platform/browser.js';
import type { ReportDocument, TableNode } from '../../src/document/document.js';
import { checkFormats, checkPdfStructure, readPdf } from '../../src/quality/gates/format-gates.js';
import { sharedRelease } from '../support.js';

const shared = await sharedRelease();
const built = { document: shared.document, gates: shared.gates };
const html = shared.text('main-findings.html');
const pdf = shared.bytes('main-findings.pdf');
const docx = shared.bytes('main-findings.docx');

// One browser for the checks that render the web page, launched while the others run.
let session: BrowserSession;
const browser = (): Promise<Browser> => session.ready.then((s) => s.browser);
beforeAll(() => {
  session = startBrowser();
});
afterAll(async () => {
  await session?.close();
});

const failing = (results: Awaited<ReturnType<typeof checkFormats>>) =>
  Object.fromEntries(results.filter((r) => r.findings.length > 0).map((r) => [r.gate, r.findings.map((f) => `${f.where}: ${f.message}`)]));

function table1(doc: ReportDocument): TableNode {
  const found: TableNode[] = [];
  const walk = (blocks: ReportDocument['children']) => {
    for (const b of blocks) {
      if (b.type === 'table' && b.number === 1) found.push(b);
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  return found[0]!;
}

async function editDocx(bytes: Uint8Array, edit: (xml: string) => string): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  zip.file('word/document.xml', edit(await zip.file('word/document.xml')!.async('string')));
  return zip.generateAsync({ type: 'uint8array' });
}

describe('gates on the rendered formats', () => {
  it('all pass on the 2025 release built in every format', () => {
    expect(built.gates.map((g) => g.gate)).toEqual(['structure', 'numbers-trace', 'directions', 'rounding', 'style', 'claims', 'accessibility', 'pdf-structure', 'pagination', 'pdf-ua', 'docx-structure', 'agreement', 'govspeak', 'release']);
    expect(failing(built.gates)).toEqual({});
  });

  it('agreement: a Word table cell that differs is named by table, row and column, with both readings', async () => {
    const table = table1(built.document);
    const row = table.rows[0]!;
    const cell = row.cells[0]!;
    const wrong = String(Number(cell.raw) + 1);
    // Change that one cell's text in the Word XML: find the row by its header, then the first cell after it.
    const broken = await editDocx(docx, (xml) => {
      const at = xml.indexOf(`>${row.header.text}</w:t>`, xml.indexOf('_table_1'));
      const cellAt = xml.indexOf(`>${cell.text}</w:t>`, at + 1);
      return `${xml.slice(0, cellAt)}>${wrong}</w:t>${xml.slice(cellAt + `>${cell.text}</w:t>`.length)}`;
    });
    const results = failing(await checkFormats({ document: built.document, docx: broken }));
    expect(Object.keys(results)).toEqual(['agreement']);
    expect(results.agreement).toEqual([`Table 1, row "${row.header.text}", column "${table.columns[1]!.label}": the document says "${cell.text}", the DOCX says "${wrong}"`]);
  });

  it('agreement: a key-message number that differs on the web page and in the PDF is caught in both', async () => {
    const doc = structuredClone(built.document);
    // The tree now says something the rendered HTML and PDF do not.
    const walk = (blocks: ReportDocument['children']): boolean => {
      for (const b of blocks) {
        if (b.type === 'keyMessages') {
          const value = b.children[0]!.children.find((n) => n.type === 'value');
          if (value && value.type === 'value') {
            value.text = `${value.text}0`;
            return true;
          }
        }
        if (b.type === 'section' && walk(b.children)) return true;
      }
      return false;
    };
    expect(walk(doc.children)).toBe(true);
    const results = failing(await checkFormats({ document: doc, html, pdf, browser: await browser() }));
    expect(results.agreement?.some((m) => m.startsWith('key message 1: the document says') && m.includes('the HTML says'))).toBe(true);
    expect(results.agreement?.some((m) => m.startsWith('key message 1: the document says') && m.includes('the PDF'))).toBe(true);
  }, 60_000);

  it('agreement: a PDF whose table row reads differently is caught, naming the page', async () => {
    const doc = structuredClone(built.document);
    const table = table1(doc);
    table.rows[1]!.cells[1]!.text = 'nine hundred';
    const results = failing(await checkFormats({ document: doc, pdf }));
    expect(results.agreement).toHaveLength(1);
    expect(results.agreement![0]).toMatch(new RegExp(`^Table 1, row "${table.rows[1]!.header.text}": the document reads .*nine hundred.* but the PDF reads ".*" on page \\d+$`));
  });

  it('accessibility: an image without alt text and an unlabelled form field fail axe-core', async () => {
    const broken = html.replace('</main>', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main>');
    const results = failing(await checkFormats({ document: built.document, html: broken, browser: await browser() }));
    const rules = (results.accessibility ?? []).map((m) => m.split(': ')[1]!.split(' ')[0]);
    expect(rules).toEqual(expect.arrayContaining(['image-alt', 'label']));
  }, 60_000);

  it('accessibility: tables that widen the page on a phone fail the reflow check', async () => {
    // Without their scroll boxes the wide tables push the page past a 320 px window.
    const unboxed = html.replace(/class="app-table-scroll"/g, 'class="app-unboxed"');
    expect(unboxed).not.toBe(html);
    const results = failing(await checkFormats({ document: built.document, html: unboxed, browser: await browser() }));
    const reflow = (results.accessibility ?? []).filter((m) => m.includes('reflow (WCAG 1.4.10)'));
    expect(reflow).toHaveLength(1);
    expect(reflow[0]).toMatch(/^HTML .*table.*: reflow \(WCAG 1\.4\.10\): in a 320 px window the page is \d+ px wide/);
  }, 60_000);

  it('docx-structure: an image without a description and a table without a header row are caught', async () => {
    const broken = await editDocx(docx, (xml) => xml.replace(/(<wp:docPr [^>]*)descr="[^"]*"/, '$1descr=""').replace('<w:tblHeader/>', ''));
    const results = failing(await checkFormats({ document: built.document, docx: broken }));
    expect(results['docx-structure']).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Word image 1: has no description$/), expect.stringMatching(/^Figure 1: no Word image carries its alt text$/), expect.stringMatching(/its first row is not a repeating header row$/)]),
    );
  });

  it('pdf-structure: an untagged PDF without bookmarks or figure tags is caught', async () => {
    const facts = await readPdf(pdf);
    expect(checkPdfStructure(built.document, facts).findings).toEqual([]);
    const bare = checkPdfStructure(built.document, { ...facts, tagged: false, outline: facts.outline.slice(0, 2), figureAlts: [] });
    const messages = bare.findings.map((f) => `${f.where}: ${f.message}`);
    expect(messages).toContain('PDF: the PDF is not tagged (no MarkInfo /Marked true)');
    expect(messages).toContain('section "Introduction": has no bookmark in the PDF outline');
    expect(messages).toContain('Figure 1: its chart has no Figure tag with the alt text in the PDF');

    // A contents list whose numbers went stale: the section moved a page on, the list did not.
    const at = facts.outline.findIndex((t) => t.replace(/\s+/g, ' ').trim() === 'Further information');
    expect(at).toBeGreaterThan(-1);
    const listed = facts.outlinePages[at]!;
    const moved = facts.outlinePages.map((p, i) => (i === at ? p + 1 : p));
    const stale = checkPdfStructure(built.document, { ...facts, outlinePages: moved }).findings.map((f) => `${f.where}: ${f.message}`);
    expect(stale).toEqual([`contents, "Further information": the contents say page ${listed} but the section starts on page ${listed + 1}`]);
  });

  it('agreement: a table missing from a format is named', async () => {
    const { checkAgreement } = await import('../../src/quality/gates/format-gates.js');
    const doc = structuredClone(built.document);
    const table = table1(doc);
    table.rows[0]!.cells[0]!.text = 'x';
    const result = checkAgreement(doc, [{ name: 'DOCX', text: { tables: new Map(), pages: [''] }, tableFor: () => undefined }]);
    expect(result.findings.some((f) => f.where === 'Table 1' && f.message === 'the DOCX has no such table')).toBe(true);
  });
});
