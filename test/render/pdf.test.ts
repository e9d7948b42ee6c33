/**
 * The PDF, read back with a PDF library and poppler: pages, bookmarks, metadata, fonts, the key
 * messages' numbers, alt text, page numbers in the contents, and reproducible text and metadata.
 * Printed with the system Chromium and once with the npm-shipped one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, type BuildResult } from '../../src/pipeline/build.js';
import { inlineText, type Block, type ReportDocument } from '../../src/document/document.js';
import { RELEASE_2025, tempDir } from '../support.js';

interface PdfFacts {
  pages: number;
  outline: string[];
  info: Record<string, unknown>;
  pageTexts: string[];
  figureAlts: string[];
}

async function readPdf(bytes: Uint8Array): Promise<PdfFacts> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: bytes.slice(), verbosity: 0 }).promise;
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
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pageTexts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    const tree = await page.getStructTree();
    const find = (node: { role?: string; alt?: string; children?: unknown[] } | null) => {
      if (!node) return;
      if (node.role === 'Figure' && node.alt) figureAlts.push(node.alt);
      for (const child of node.children ?? []) find(child as typeof node);
    };
    find(tree as never);
  }
  const { info } = await doc.getMetadata();
  await doc.destroy();
  return { pages: doc.numPages, outline, info: info as Record<string, unknown>, pageTexts, figureAlts };
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

async function buildPdf(): Promise<{ result: BuildResult; pdf: Uint8Array; file: string }> {
  const out = join(tempDir(), 'release');
  const result = await buildRelease({ configFile: RELEASE_2025, outDir: out, formats: ['html', 'pdf'] });
  const file = join(out, 'main-findings.pdf');
  return { result, pdf: new Uint8Array(readFileSync(file)), file };
}

let built: Awaited<ReturnType<typeof buildPdf>>;
let facts: PdfFacts;

beforeAll(async () => {
  built = await buildPdf();
  facts = await readPdf(built.pdf);
}, 120_000);

describe('the PDF release', () => {
  it('has a sane number of pages, none of them empty', () => {
    expect(facts.pages).toBeGreaterThanOrEqual(8);
    expect(facts.pages).toBeLessThanOrEqual(40);
    facts.pageTexts.forEach((text, i) => expect(text.trim().length, `page ${i + 1}`).toBeGreaterThan(50));
  });

  it('bookmarks every h2 and h3 heading', () => {
    const outline = facts.outline.map(squash);
    for (const h of headings(built.result.document.children).filter((h) => h.depth <= 3)) {
      expect(outline.some((t) => t.includes(squash(h.text))), h.text).toBe(true);
    }
  });

  it('titles every bookmark with its heading's own text, spaces kept and nothing doubled', () => {
    // The title (h1) and the contents list's heading come first, then every section heading in order.
    const expected = headings(built.result.document.children).map((h) => h.text.replace(/\s+/g, ' ').trim());
    const sections = facts.outline.slice(facts.outline.indexOf(expected[0]!));
    expect(sections).toEqual(expected);
    expect(facts.outline[0]).toBe(built.result.document.meta.title);
  });

  it('uses one font family, the body's, in the running footer too', () => {
    const fonts = execFileSync('pdffonts', [built.file], { encoding: 'utf8' }).trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''));
    expect(new Set(fonts.map((f) => f.split('-')[0]))).toEqual(new Set(['Arimo']));
  });

  it('carries the title, author, language and fixed dates in its metadata', () => {
    const meta = built.result.document.meta;
    expect(facts.info.Title).toBe(meta.title);
    expect(facts.info.Author).toBe(meta.producer);
    expect(facts.info.IsTaggedPDF ?? true).toBeTruthy();
    expect(String(facts.info.CreationDate)).toMatch(new RegExp(`^D:${meta.published.iso.replace(/-/g, '')}`));
    expect(String(facts.info.ModDate)).toMatch(new RegExp(`^D:${meta.published.iso.replace(/-/g, '')}`));
    expect(readFileSync(built.file).toString('latin1')).toMatch(/\/Lang\s*\(en-GB\)/);
  });

  it('has every number of the key messages as the page shows it', () => {
    const all = facts.pageTexts.join(' ');
    const values = keyMessageValues(built.result.document);
    expect(values.length).toBeGreaterThan(10);
    for (const v of values) expect(all, v).toContain(v);
  });

  it('embeds every font', () => {
    const out = execFileSync('pdffonts', [built.file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(out.length).toBeGreaterThan(0);
    for (const line of out) expect(line, line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$/);
  });

  it('gives every chart its alt text in the tagged structure', () => {
    const figures: string[] = [];
    const walk = (blocks: readonly Block[]) => {
      for (const b of blocks) {
        if (b.type === 'section') walk(b.children);
        if (b.type === 'figure') figures.push(b.altText);
      }
    };
    walk(built.result.document.children);
    for (const alt of figures) expect(facts.figureAlts, alt).toContain(alt);
  });

  it('numbers the pages in the footer and in the contents, correctly', () => {
    expect(facts.pageTexts[0]).toMatch(new RegExp(`Page 1 of ${facts.pages}`));
    const contents = execFileSync('pdftotext', ['-layout', '-l', '1', built.file, '-'], { encoding: 'utf8' });
    for (const h of headings(built.result.document.children).filter((h) => h.depth === 2)) {
      const line = contents.split('\n').find((l) => squash(l).startsWith(squash(h.text)));
      expect(line, h.text).toBeDefined();
      const page = Number(/(\d+)\s*$/.exec(line!)?.[1]);
      expect(squash(facts.pageTexts[page - 1] ?? ''), `${h.text} on page ${page}`).toContain(squash(h.text));
    }
  });

  it('gives the same text and metadata when built again', async () => {
    const again = await buildPdf();
    const text = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    const info = (file: string) => execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(text(again.file)).toBe(text(built.file));
    expect(info(again.file)).toBe(info(built.file));
  }, 120_000);
});

describe('with the npm-shipped Chromium', () => {
  const previous = process.env.STATPRESS_BROWSER;
  afterEach(() => {
    if (previous === undefined) delete process.env.STATPRESS_BROWSER;
    else process.env.STATPRESS_BROWSER = previous;
  });
  it('prints the same text', async () => {
    process.env.STATPRESS_BROWSER = 'npm';
    const npm = await buildPdf();
    expect(npm.result.browser).toBe('npm');
    expect(built.result.browser).toBe(process.env.PUPPETEER_EXECUTABLE_PATH ? 'env' : 'system');
    const dir = tempDir();
    writeFileSync(join(dir, 'a.pdf'), npm.pdf);
    const text = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text(join(dir, 'a.pdf'))).toBe(text(built.file));
  }, 180_000);
});
