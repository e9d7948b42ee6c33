/**
 * The Word version, read through its XML and its text (mammoth): heading styles, numbers equal
 * to the page's, image descriptions, repeating header rows, escaped hostile text, properties,
 * identical rebuilds and draft marking. Reads the release built once for the run
 * (test/setup/release.ts); that LibreOffice opens it is in test/interop/docx.test.ts.
 */
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { beforeAll, describe, expect, it } from 'vitest';
import { inlineText, type Block, type ReportDocument } from '../../src/document/document.js';
import { renderDocx } from '../../src/render/docx.js';
import { HOSTILE, sampleDocument } from '../fixtures/sample-document.js';
import { sharedRelease } from '../support.js';

async function parts(bytes: Uint8Array): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(bytes);
  const out: Record<string, string> = {};
  for (const name of ['word/document.xml', 'word/footnotes.xml', 'word/styles.xml', 'word/header1.xml', 'docProps/core.xml']) {
    out[name] = (await zip.file(name)?.async('string')) ?? '';
  }
  return out;
}
const textOf = async (bytes: Uint8Array) => (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Paragraphs with a heading style, in order: [style, text]. */
function styledHeadings(xml: string): Array<[string, string]> {
  return [...xml.matchAll(/<w:p>(?:(?!<\/w:p>).)*?<w:pStyle w:val="(Heading\d)"\/>(.*?)<\/w:p>/gs)].map((m) => [
    m[1]!,
    unescapeXml([...m[2]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('')),
  ]);
}

function treeHeadings(blocks: readonly Block[], out: Array<[string, string]> = []): Array<[string, string]> {
  for (const b of blocks) {
    if (b.type === 'section') {
      out.push([`Heading${b.depth - 1}`, inlineText(b.title)]);
      treeHeadings(b.children, out);
    }
  }
  return out;
}

const shared = await sharedRelease();
const document = shared.document;
const bytes = shared.bytes('main-findings.docx');
let xml: Record<string, string>;
let text: string;

beforeAll(async () => {
  xml = await parts(bytes);
  text = await textOf(bytes);
});

describe('the Word release', () => {
  it('uses Word heading styles for every section, in order', () => {
    expect(styledHeadings(xml['word/document.xml']!)).toEqual(treeHeadings(document.children));
    expect(xml['word/document.xml']).toMatch(/<w:pStyle w:val="Title"\/>/);
    expect(xml['word/document.xml']).toMatch(/TOC \\h \\o &quot;1-2&quot;/);
  });

  it('states every key message, number for number, as the web page does', () => {
    const html = shared.text('main-findings.html');
    const keyMessages: string[] = [];
    const walk = (blocks: readonly Block[]) => {
      for (const b of blocks) {
        if (b.type === 'section') walk(b.children);
        if (b.type === 'keyMessages') for (const p of b.children) keyMessages.push(inlineText(p.children));
      }
    };
    walk(document.children);
    const flat = text.replace(/\s+/g, ' ');
    const page = html.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    for (const message of keyMessages) {
      expect(flat).toContain(message);
      expect(page).toContain(message);
      for (const number of message.match(/\d[\d,.]*%?/g) ?? []) expect(flat).toContain(number);
    }
  });

  it('describes every image with the figure\'s alt text, and has an SVG with a PNG fallback', () => {
    const docPrs = [...xml['word/document.xml']!.matchAll(/<wp:docPr [^>]*descr="([^"]*)"/g)].map((m) => unescapeXml(m[1]!));
    const alts: string[] = [];
    const walk = (blocks: readonly Block[]) => {
      for (const b of blocks) {
        if (b.type === 'section') walk(b.children);
        if (b.type === 'figure') alts.push(b.altText);
      }
    };
    walk(document.children);
    expect(docPrs).toEqual(alts);
    expect(xml['word/document.xml']!.match(/asvg:svgBlip/g)).toHaveLength(alts.length);
  });

  it('marks the header row of every table to repeat, and right-aligns numbers', () => {
    const tables = xml['word/document.xml']!.match(/<w:tbl>.*?<\/w:tbl>/gs) ?? [];
    // Table 1 and the annex's four figure tables (the map's 153 rows are in the workbook).
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const table of tables) {
      const firstRow = /<w:tr>.*?<\/w:tr>/s.exec(table)![0];
      expect(firstRow).toMatch(/<w:tblHeader\/>/);
    }
    // Every table has numeric columns, right-aligned.
    expect(tables.filter((t) => /<w:jc w:val="right"\/>/.test(t)).length).toBe(tables.length);
  });

  it('has no markup or template syntax in its text', () => {
    expect(text).not.toMatch(/\{\{|<\/?[a-z]+[ >]|\*\*/);
  });

  it('sets title, creator, language and fixed dates', () => {
    const core = xml['docProps/core.xml']!;
    expect(core).toContain(`<dc:title>${document.meta.title}</dc:title>`);
    expect(core).toContain(`<dc:creator>${document.meta.producer}</dc:creator>`);
    expect(core).toMatch(new RegExp(`<dcterms:created[^>]*>${document.meta.published.iso}T00:00:00Z</dcterms:created>`));
    expect(core).toMatch(new RegExp(`<dcterms:modified[^>]*>${document.meta.published.iso}T00:00:00Z</dcterms:modified>`));
    expect(xml['word/styles.xml']).toMatch(/<w:lang w:val="en-GB"\/>/);
  });
});

describe('Word rendering of the document tree', () => {
  it('keeps hostile text as text', async () => {
    const docx = await renderDocx(sampleDocument);
    const { 'word/document.xml': body } = await parts(docx);
    expect(body).not.toContain('<script>');
    expect(body).toContain('&lt;script&gt;');
    expect(await textOf(docx)).toContain(HOSTILE);
  });

  it('writes footnotes as Word footnotes', async () => {
    const docx = await renderDocx(sampleDocument);
    const { 'word/footnotes.xml': footnotes, 'word/document.xml': body } = await parts(docx);
    expect(footnotes).toContain('Reports published by 30 June 2025.');
    expect(body).toMatch(/<w:footnoteReference w:id="1"\/>/);
  });

  it('gives identical bytes for the same tree', async () => {
    const a = await renderDocx(sampleDocument);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const b = await renderDocx(sampleDocument);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('marks a draft in the header and the title, and only a draft', async () => {
    const draft: ReportDocument = structuredClone(sampleDocument);
    draft.meta.draft = true;
    const withDraft = await parts(await renderDocx(draft));
    expect(withDraft['word/header1.xml']).toContain('DRAFT');
    expect(withDraft['docProps/core.xml']).toContain('<dc:title>DRAFT: ');
    const final = await parts(await renderDocx(sampleDocument));
    expect(final['word/header1.xml']).not.toContain('DRAFT');
    expect(final['docProps/core.xml']).not.toContain('DRAFT');
  });
});

