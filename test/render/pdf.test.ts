/**
 * The PDF, read back with pdf.js: pages, bookmarks, metadata and tagging, fonts, the key
 * messages' numbers, alt text, page numbers in the footer and the contents, and the same text
 * when printed with the npm-shipped Chromium. Reads the release built once for the run
 * (test/setup/release.ts); the same checks through poppler are in test/interop/pdf.test.ts, and
 * "the same text and metadata when built again" is with the reproducible builds in
 * test/tools/revision.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/pipeline/build.js';
import { inlineText, type Block, type ReportDocument } from '../../src/document/document.js';
import { openPdf, pageLines, pdfFonts } from '../../src/quality/readers/pdf.js';
import { RELEASE_2025, sharedRelease, tempDir } from '../support.js';

interface PdfFacts {
  pages: number;
  outline: string[];
  info: Record<string, unknown>;
  marked: boolean | undefined;
  /** Whether each page has a structure tree (tagged content). */
  structured: boolean[];
  pageTexts: string[];
  figureAlts: string[];
  /** Page 1 as lines across the page. */
  firstPageLines: string[];
}

async function readPdf(bytes: Uint8Array): Promise<PdfFacts> {
  const doc = await openPdf(bytes);
  try {
    const outline: string[] = [];
    const walk = (items: Array<{ title: string; items?: unknown[] }>) => {
      for (const item of items) {
        outline.push(item.title);
        walk((item.items ?? []) as Array<{ title: string }>);
      }
    };
    walk(((await doc.getOutline()) ?? []) as Array<{ title: string }>);
    const pageTexts: string[] = [];
    const figureAlts: string[] = [];
    const structured: boolean[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      pageTexts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      const tree = await page.getStructTree();
      structured.push(tree !== null);
      const find = (node: { role?: string; alt?: string; children?: unknown[] } | null) => {
        if (!node) return;
        if (node.role === 'Figure' && node.alt) figureAlts.push(node.alt);
        for (const child of node.children ?? []) find(child as typeof node);
      };
      find(tree as never);
    }
    const { info } = await doc.getMetadata();
    const markInfo = await doc.getMarkInfo();
    return {
      pages: doc.numPages,
      outline,
      info: info as Record<string, unknown>,
      marked: markInfo?.Marked,
      structured,
      pageTexts,
      figureAlts,
      firstPageLines: await pageLines(doc, 1),
    };
  } finally {
    await doc.destroy();
  }
}

const squash = (s: string) => s.replace(/\s+/g, '');

function headings(blocks: readonly Block[], out: Array<{ depth: number; text: string; id: string }> = []) {
  for (const b of blocks) {
    if (b.type === 'section') {
      out.push({ depth: b.depth, text: inlineText(b.title), id: b.id });
      headings(b.children, out);
    }
  }
  return out;
}

function keyMessageValues(doc: ReportDocument): string[] {
  const values: string[] = [];
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'section') walk(b.children);
      if (b.type === 'keyMessages') for (const p of b.children) for (const n of p.children) if (n.type === 'value') values.push(n.text);
    }
  };
  walk(doc.children);
  return values;
}

const shared = await sharedRelease();
const document = shared.document;
const pdf = shared.bytes('main-findings.pdf');
let facts: PdfFacts;

beforeAll(async () => {
  facts = await readPdf(pdf);
});

describe('the PDF release', () => {
  it('has a sane number of pages, none of them empty', () => {
    expect(facts.pages).toBeGreaterThanOrEqual(8);
    expect(facts.pages).toBeLessThanOrEqual(40);
    facts.pageTexts.forEach((text, i) => expect(text.trim().length, `page ${i + 1}`).toBeGreaterThan(50));
  });

  it('bookmarks every h2 and h3 heading', () => {
    const outline = facts.outline.map(squash);
    const wanted = headings(document.children).filter((h) => h.depth <= 3);
    expect(wanted.length).toBeGreaterThan(5);
    for (const h of wanted) expect(outline.some((t) => t.includes(squash(h.text))), h.text).toBe(true);
  });

  it("titles every bookmark with its heading's own text, spaces kept and nothing doubled", () => {
    // The title (h1) and the contents list's heading come first, then every section heading in order.
    const expected = headings(document.children).map((h) => h.text.replace(/\s+/g, ' ').trim());
    const sections = facts.outline.slice(facts.outline.indexOf(expected[0]!));
    expect(sections).toEqual(expected);
    expect(facts.outline[0]).toBe(document.meta.title);
  });

  it("uses one font family, the body's, in the running footer too", async () => {
    const fonts = (await pdfFonts(pdf)).map((f) => f.name.replace(/^[A-Z]{6}\+/, ''));
    expect(fonts.length).toBeGreaterThan(0);
    expect(new Set(fonts.map((f) => f.split('-')[0]))).toEqual(new Set(['Arimo']));
  });

  it('is tagged, and carries the title, author, language and fixed dates in its metadata', () => {
    const meta = document.meta;
    expect(facts.info.Title).toBe(meta.title);
    expect(facts.info.Author).toBe(meta.producer);
    // Tagged: the catalogue marks the content (MarkInfo /Marked true) and every page has a structure tree.
    expect(facts.marked).toBe(true);
    expect(facts.structured.every(Boolean)).toBe(true);
    expect(String(facts.info.CreationDate)).toMatch(new RegExp(`^D:${meta.published.iso.replace(/-/g, '')}`));
    expect(String(facts.info.ModDate)).toMatch(new RegExp(`^D:${meta.published.iso.replace(/-/g, '')}`));
    expect(facts.info.Language).toBe('en-GB');
    expect(Buffer.from(pdf).toString('latin1')).toMatch(/\/Lang\s*\(en-GB\)/);
  });

  it('has every number of the key messages as the page shows it', () => {
    const all = facts.pageTexts.join(' ');
    const values = keyMessageValues(document);
    expect(values.length).toBeGreaterThan(10);
    for (const v of values) expect(all, v).toContain(v);
  });

  it('embeds every font, as a subset, with a map to Unicode', async () => {
    const fonts = await pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font, font.name).toMatchObject({ embedded: true, subset: true, unicode: true });
    // Every page draws its text with them.
    const used = new Set(fonts.flatMap((f) => f.pages));
    expect(used.size).toBe(facts.pages);
  });

  it('gives every chart its alt text in the tagged structure', () => {
    const figures: string[] = [];
    const walk = (blocks: readonly Block[]) => {
      for (const b of blocks) {
        if (b.type === 'section') walk(b.children);
        if (b.type === 'figure') figures.push(b.altText);
      }
    };
    walk(document.children);
    expect(figures.length).toBeGreaterThan(0);
    for (const alt of figures) expect(facts.figureAlts, alt).toContain(alt);
  });

  it('numbers the pages in the footer and in the contents, correctly', () => {
    expect(facts.pageTexts[0]).toMatch(new RegExp(`Page 1 of ${facts.pages}`));
    const sections = headings(document.children).filter((h) => h.depth === 2);
    expect(sections.length).toBeGreaterThan(3);
    const contents = facts.firstPageLines.slice(facts.firstPageLines.indexOf('Contents') + 1);
    for (const h of sections) {
      const line = contents.find((l) => squash(l).startsWith(squash(h.text)));
      expect(line, h.text).toBeDefined();
      const page = Number(/(\d+)\s*$/.exec(line!)?.[1]);
      expect(page, line).toBeGreaterThan(1);
      expect(squash(facts.pageTexts[page - 1] ?? ''), `${h.text} on page ${page}`).toContain(squash(h.text));
    }
  });
});

/**
 * Where the default build's browser should come from, from the README's order: STATPRESS_BROWSER
 * if set, then PUPPETEER_EXECUTABLE_PATH, then a system Chromium or Chrome, then the npm package.
 */
function expectedDefaultBrowser(): string {
  const forced = process.env.STATPRESS_BROWSER;
  if (forced) return forced;
  if (process.env.PUPPETEER_EXECUTABLE_PATH) return 'env';
  const system = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'];
  return system.some((p) => existsSync(p)) ? 'system' : 'npm';
}

describe('with the npm-shipped Chromium', () => {
  const previous = process.env.STATPRESS_BROWSER;
  afterEach(() => {
    if (previous === undefined) delete process.env.STATPRESS_BROWSER;
    else process.env.STATPRESS_BROWSER = previous;
  });
  it('prints the same pages and text as the default browser', async () => {
    expect(shared.browser).toBe(expectedDefaultBrowser());
    process.env.STATPRESS_BROWSER = 'npm';
    const out = join(tempDir(), 'release');
    // Every gate runs on this build too: it fails if the npm browser's page or PDF fails one.
    const npm = await buildRelease({ configFile: RELEASE_2025, outDir: out, formats: ['html', 'pdf'] });
    expect(npm.browser).toBe('npm');
    const theirs = await readPdf(npm.files.get('main-findings.pdf') as Uint8Array);
    expect(theirs.pages).toBe(facts.pages);
    expect(theirs.pageTexts).toEqual(facts.pageTexts);
    expect(theirs.outline).toEqual(facts.outline);
  }, 180_000);
});
