/**
 * Quality gates on the rendered formats, run after rendering and before anything is written:
 *
 *   accessibility   axe-core (WCAG 2.2 AA rules) on the web page in Chromium
 *   pdf-structure   the PDF is tagged, has a bookmark for every section, alt text on every chart
 *   pagination      the PDF's pages break where a publisher would break them (pagination.ts)
 *   pdf-ua          the PDF meets PDF/UA-1's machine-checkable conditions (pdf-ua.ts)
 *   docx-structure  every Word image has a description, every table a repeating header row
 *   agreement       every key message and every table cell reads the same in HTML, PDF and DOCX
 *
 * The agreement gate reads each format back the way a reader meets it (the page's rendered text
 * in Chromium, the PDF's text layer, the Word XML) and compares it with the document tree all
 * three were rendered from, so a disagreement names the table, row and column, what the tree
 * says and what the format says.
 */
import JSZip from 'jszip';
import type { Browser } from 'puppeteer-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { inlineText, type Block, type FigureNode, type Inline, type ReportDocument, type SectionNode, type TableNode } from '../../document/document.js';
import type { Finding, GateResult } from './document-gates.js';
import { openPdf, outlineEntries, withPdf } from '../readers/pdf.js';
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';
import { readLayout, type PdfLayout } from '../readers/pdf-layout.js';
import { checkPagination, PAGINATION_GUARANTEE } from './pagination.js';
import { checkPdfUa, PDF_UA_GUARANTEE, readPdfUa } from './pdf-ua.js';
import { markSpan } from '../../core/progress.js';

export interface RenderedFormats {
  document: ReportDocument;
  /** The web page (not the print version). */
  html?: string;
  pdf?: Uint8Array;
  docx?: Uint8Array;
  /** A running browser, for the checks that need one. */
  browser?: Browser;
  /** The web page already read (`readHtml`), e.g. while the PDF was printing; instead of `html`. */
  htmlReading?: HtmlReading;
}

export const FORMAT_GATES: Record<string, string> = {
  accessibility: 'axe-core finds no WCAG 2.2 AA violation on the web page rendered in Chromium, with every collapsed part opened, and the page fits a 320 px window without sideways scrolling',
  'pdf-structure': 'the PDF is tagged, has a bookmark for every section heading, alt text on every chart, and a contents list whose page numbers are the pages the sections start on',
  pagination: PAGINATION_GUARANTEE,
  'pdf-ua': PDF_UA_GUARANTEE,
  'docx-structure': 'every Word image has a description (the figure\'s alt text) and every table a repeating header row',
  agreement: 'every key message and every table cell reads the same in the HTML, the PDF text and the Word text',
};

/** Text compared without whitespace or compatibility forms, as extraction splits lines differently. */
export function squash(text: string): string {
  return text.normalize('NFKC').replace(/[\s\u00ad\u200b\u2060]+/g, '');
}

// ── Reading the formats back ────────────────────────────────────────────────────────────────

export interface TableText {
  caption: string;
  /** Header row first, then each body row: the row header and the cells. */
  rows: string[][];
}

export interface FormatText {
  /** Key-message paragraphs (HTML only; the others give only running text). */
  keyMessages?: string[];
  /** Tables found, by tree table id. */
  tables: Map<string, TableText>;
  /** Running text per page (one page for HTML and DOCX). */
  pages: string[];
}

const require = createRequire(import.meta.url);

/** The web page as Chromium renders it: key messages, tables, and the page's text. */
export type HtmlReading = FormatText & {
  axe: AxeViolation[];
  /** WCAG 1.4.10 (reflow): how wide the page is in a 320 px window, and what sticks out. */
  reflow: { width: number; culprits: string[] };
};

/** The narrowest window WCAG 1.4.10 asks a page to fit without scrolling sideways. */
const REFLOW_WIDTH = 320;

export async function readHtml(html: string, browser: Browser): Promise<HtmlReading> {
  const at = performance.now();
  const page = await browser.newPage();
  try {
    await page.setContent(html, { waitUntil: 'load' });
    // A reader opens every "view data" section; so do the checks (axe then covers the tables too).
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
    });
    const read = await page.evaluate(() => {
      const text = (el: Element) => ((el as HTMLElement).innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
      const keyMessages = [...document.querySelectorAll('.app-key-messages p, .app-key-messages li')].map(text);
      const tables = [...document.querySelectorAll('table[id]')].map((t) => ({
        id: t.id,
        caption: text(t.querySelector('caption') ?? document.createElement('caption')),
        rows: [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map(text)),
      }));
      return { keyMessages, tables, body: document.body.textContent ?? '' };
    });
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const axe = (await page.evaluate(async () => {
      const runner = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
      const result = await runner.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        resultTypes: ['violations'],
      });
      return result.violations;
    })) as AxeViolation[];
    await page.setViewport({ width: REFLOW_WIDTH, height: 800 });
    const reflow = await page.evaluate(() => {
      const limit = window.innerWidth;
      // What a scroll box holds may be wider: the box scrolls, not the page.
      const culprits = [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > limit + 1 && !el.parentElement?.closest('.app-table-scroll'))
        .filter((el, _, all) => !all.some((other) => other !== el && other.contains(el)))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''}`);
      return { width: document.documentElement.scrollWidth, culprits };
    });
    return {
      keyMessages: read.keyMessages,
      tables: new Map(read.tables.map((t) => [t.id, { caption: t.caption, rows: t.rows }])),
      pages: [read.body],
      axe,
      reflow,
    };
  } finally {
    await page.close();
    markSpan('web page in Chromium (axe, reflow)', at);
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

export interface PdfFacts extends FormatText {
  tagged: boolean;
  outline: string[];
  /** The page (1-based) each bookmark in `outline` goes to; 0 where it has no page. */
  outlinePages: number[];
  figureAlts: string[];
}

interface StructNode {
  role?: string;
  alt?: string;
  children?: StructNode[];
}

/** The PDF's text layer, bookmarks, tagging and figure alt text. */
export async function readPdf(pdf: Uint8Array | PDFDocumentProxy): Promise<PdfFacts> {
  return withPdf(pdf, async (doc) => {
    const entries = await outlineEntries(doc);
    const outline = entries.map((e) => e.title);
    const outlinePages = entries.map((e) => e.page);
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    const pages: string[] = [];
    const figureAlts: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      const find = (node: StructNode | null): void => {
        if (!node) return;
        if (node.role === 'Figure' && node.alt) figureAlts.push(node.alt);
        for (const child of node.children ?? []) find(child);
      };
      find((await page.getStructTree()) as StructNode | null);
    }
    return { tagged: markInfo?.Marked === true, outline, outlinePages, figureAlts, pages, tables: new Map() };
  });
}

export interface DocxFacts extends FormatText {
  /** Every image's description (docPr descr), in order. */
  imageDescriptions: string[];
  /** Tables (by bookmark name) whose first row is not marked as a repeating header. */
  tablesWithoutHeader: string[];
  /** Bookmark names of tables, for matching with tree ids. */
  bookmarks: string[];
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

/** Visible text of a piece of WordprocessingML: text runs, tabs and breaks. */
function runText(xml: string): string {
  let out = '';
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:br\/>|<w:p[ >]/g)) {
    if (m[1] !== undefined) out += unescapeXml(m[1]);
    else out += ' ';
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Bookmark name → tree id, as the Word renderer names them. */
export function docxBookmarkName(id: string): string {
  return `_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 40);
}

/** The Word document's text, tables (keyed by the bookmark on their caption) and image descriptions. */
export async function readDocx(docx: Uint8Array): Promise<DocxFacts> {
  const zip = await JSZip.loadAsync(docx);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  const imageDescriptions = [...xml.matchAll(/<wp:docPr\b([^>]*)>/g)].map((m) => unescapeXml(/\sdescr="([^"]*)"/.exec(m[1]!)?.[1] ?? ''));
  const tables = new Map<string, TableText>();
  const tablesWithoutHeader: string[] = [];
  const bookmarks: string[] = [];
  let lastBookmark = '';
  let lastCaption = '';
  // Top-level body parts in order: paragraphs and (unnested) tables.
  for (const m of xml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>|<w:p\b[\s\S]*?<\/w:p>/g)) {
    if (m[1] === undefined) {
      const name = /<w:bookmarkStart [^>]*w:name="([^"]*)"/.exec(m[0])?.[1];
      if (name) {
        lastBookmark = name;
        lastCaption = runText(m[0]);
      }
      continue;
    }
    const rows = [...m[1].matchAll(/<w:tr\b[\s\S]*?<\/w:tr>/g)].map((r) => r[0]);
    const key = lastBookmark || `(table ${tables.size + 1})`;
    if (!/<w:tblHeader\/>/.test(rows[0] ?? '')) tablesWithoutHeader.push(lastCaption || key);
    tables.set(key, { caption: lastCaption, rows: rows.map((r) => [...r.matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => runText(c[0]))) });
    bookmarks.push(key);
    lastBookmark = '';
  }
  return { imageDescriptions, tablesWithoutHeader, bookmarks, tables, pages: [runText(xml)] };
}

// ── What the tree says ──────────────────────────────────────────────────────────────────────

/** Runs of text between footnote markers: each must appear as it is, in order. */
function segments(inlines: readonly Inline[]): string[] {
  const out: string[] = [];
  let current: Inline[] = [];
  for (const node of inlines) {
    if (node.type === 'footnoteRef') {
      out.push(inlineText(current));
      current = [];
    } else current.push(node);
  }
  out.push(inlineText(current));
  return out.map((s) => s.trim()).filter(Boolean);
}

function keyMessageParagraphs(blocks: readonly Block[]): Inline[][] {
  const out: Inline[][] = [];
  for (const b of blocks) {
    if (b.type === 'keyMessages') out.push(...b.children.map((p) => p.children));
    if (b.type === 'section') out.push(...keyMessageParagraphs(b.children));
  }
  return out;
}

interface TreeTable {
  table: TableNode;
  /** For a figure's data table: the annex table that stands in for it on paper, if any. */
  figure?: FigureNode;
}

function treeTables(blocks: readonly Block[], out: TreeTable[] = []): TreeTable[] {
  for (const b of blocks) {
    if (b.type === 'table') out.push({ table: b });
    if (b.type === 'figure') out.push({ table: b.dataTable, figure: b });
    if (b.type === 'section') treeTables(b.children, out);
  }
  return out;
}

function tableRows(table: TableNode): string[][] {
  return [table.columns.map((c) => c.label), ...table.rows.map((r) => [r.header.text, ...r.cells.map((c) => c.text)])];
}

function sections(blocks: readonly Block[], out: SectionNode[] = []): SectionNode[] {
  for (const b of blocks) {
    if (b.type === 'section') {
      out.push(b);
      sections(b.children, out);
    }
  }
  return out;
}

/** What a format shows where the tree's text should be: the same length from the best anchor. */
function nearest(hay: string, needle: string): string | undefined {
  for (const length of [30, 16, 8]) {
    if (needle.length < length) continue;
    for (const from of [0, Math.max(0, needle.length - length)]) {
      const anchor = needle.slice(from, from + length);
      const at = hay.indexOf(anchor);
      if (at >= 0) return hay.slice(Math.max(0, at - from), Math.max(0, at - from) + needle.length);
    }
  }
  return undefined;
}

const quote = (s: string, max = 90) => `"${s.length > max ? `${s.slice(0, max)}…` : s}"`;

// ── The gates ───────────────────────────────────────────────────────────────────────────────

export function checkAxe(violations: AxeViolation[], reflow?: HtmlReading['reflow']): GateResult {
  const findings: Finding[] = violations.flatMap((v) =>
    v.nodes.map((n) => ({ gate: 'accessibility', where: `HTML ${n.target.map(String).join(' ')}`, message: `${v.id} (${v.impact ?? 'unknown'}): ${v.help}` })),
  );
  if (reflow && reflow.width > REFLOW_WIDTH) {
    findings.push({
      gate: 'accessibility',
      where: `HTML ${reflow.culprits.join(', ') || 'page'}`,
      message: `reflow (WCAG 1.4.10): in a ${REFLOW_WIDTH} px window the page is ${reflow.width} px wide, so readers must scroll sideways`,
    });
  }
  return { gate: 'accessibility', guarantees: FORMAT_GATES.accessibility!, findings };
}

export function checkPdfStructure(doc: ReportDocument, pdf: PdfFacts): GateResult {
  const findings: Finding[] = [];
  if (!pdf.tagged) findings.push({ gate: 'pdf-structure', where: 'PDF', message: 'the PDF is not tagged (no MarkInfo /Marked true)' });
  const outline = new Set(pdf.outline.map(squash));
  for (const section of sections(doc.children)) {
    const title = inlineText(section.title);
    if (!outline.has(squash(title))) findings.push({ gate: 'pdf-structure', where: `section "${title}"`, message: 'has no bookmark in the PDF outline' });
  }
  const alts = new Set(pdf.figureAlts);
  for (const { figure } of treeTables(doc.children)) {
    if (figure && !alts.has(figure.altText)) findings.push({ gate: 'pdf-structure', where: `Figure ${figure.number}`, message: 'its chart has no Figure tag with the alt text in the PDF' });
  }
  findings.push(...checkPdfContents(doc, pdf));
  return { gate: 'pdf-structure', guarantees: FORMAT_GATES['pdf-structure']!, findings };
}

/**
 * The contents list printed at the front gives, for each top-level section, the page its
 * bookmark goes to. Read from the PDF itself, so a contents list whose numbers went stale
 * (printed from another layout) cannot pass.
 */
function checkPdfContents(doc: ReportDocument, pdf: PdfFacts): Finding[] {
  const findings: Finding[] = [];
  const front = pdf.pages.slice(0, 2).join(' ').replace(/\s+/g, ' ');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const block of doc.children) {
    if (block.type !== 'section') continue;
    const title = inlineText(block.title).replace(/\s+/g, ' ').trim();
    const listed = new RegExp(`${title.split(' ').map(escape).join('\\s*')}\\s+(\\d+)(?!\\d)`).exec(front);
    if (!listed) {
      findings.push({ gate: 'pdf-structure', where: `contents, "${title}"`, message: 'the section is not in the printed contents with a page number' });
      continue;
    }
    const index = pdf.outline.findIndex((t) => squash(t) === squash(title));
    const page = index >= 0 ? pdf.outlinePages[index] : undefined;
    if (page !== undefined && page !== Number(listed[1])) {
      findings.push({ gate: 'pdf-structure', where: `contents, "${title}"`, message: `the contents say page ${listed[1]} but the section starts on page ${page}` });
    }
  }
  return findings;
}

export function checkDocxStructure(doc: ReportDocument, docx: DocxFacts): GateResult {
  const findings: Finding[] = [];
  docx.imageDescriptions.forEach((d, i) => {
    if (!d.trim()) findings.push({ gate: 'docx-structure', where: `Word image ${i + 1}`, message: 'has no description' });
  });
  const descriptions = new Set(docx.imageDescriptions);
  for (const { figure } of treeTables(doc.children)) {
    if (figure && !descriptions.has(figure.altText)) findings.push({ gate: 'docx-structure', where: `Figure ${figure.number}`, message: 'no Word image carries its alt text' });
  }
  for (const t of docx.tablesWithoutHeader) findings.push({ gate: 'docx-structure', where: `Word table "${t}"`, message: 'its first row is not a repeating header row' });
  return { gate: 'docx-structure', guarantees: FORMAT_GATES['docx-structure']!, findings };
}

interface Reading {
  name: 'HTML' | 'PDF' | 'DOCX';
  text: FormatText;
  /** Tables by tree id, for the formats that keep table structure. */
  tableFor(id: string): TableText | undefined;
}

/** Key messages and table cells of every format against the tree, and so against each other. */
export function checkAgreement(doc: ReportDocument, readings: Reading[]): GateResult {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ gate: 'agreement', where, message });
  const paragraphs = keyMessageParagraphs(doc.children);
  for (const reading of readings) {
    const pages = reading.text.pages.map(squash);
    const all = pages.join('');
    paragraphs.forEach((inlines, i) => {
      const where = `key message ${i + 1}`;
      const own = reading.text.keyMessages ? squash(reading.text.keyMessages[i] ?? '') : all;
      for (const segment of segments(inlines)) {
        const want = squash(segment);
        if (own.includes(want)) continue;
        const found = nearest(own, want);
        add(where, `the document says ${quote(segment)} but the ${reading.name} ${found ? `says ${quote(found)}` : 'does not have it'}`);
      }
    });
  }
  for (const { table, figure } of treeTables(doc.children)) {
    const expected = tableRows(table);
    const label = figure ? `data for Figure ${figure.number}` : table.number ? `Table ${table.number}` : `table "${table.caption}"`;
    const annex = figure ? `annex-${figure.id}` : undefined;
    for (const reading of readings) {
      if (reading.name === 'PDF') continue;
      // On paper a figure may point to its workbook sheet instead of printing a long table.
      if (figure?.dataSheet && reading.name === 'DOCX') continue;
      const found = reading.tableFor(table.id);
      if (!found) {
        // On paper and in Word a figure's data may live in the annex table, checked on its own.
        if (annex && reading.tableFor(annex)) continue;
        add(label, `the ${reading.name} has no such table`);
        continue;
      }
      expected.forEach((row, r) => {
        const got = found.rows[r] ?? [];
        row.forEach((cell, c) => {
          if (squash(got[c] ?? '') === squash(cell)) return;
          const column = expected[0]![c] ?? `column ${c + 1}`;
          const rowName = r === 0 ? 'header row' : `row "${row[0]}"`;
          add(`${label}, ${rowName}, column "${column}"`, `the document says ${quote(cell)}, the ${reading.name} says ${quote(got[c] ?? '(nothing)')}`);
        });
      });
      if (found.rows.length !== expected.length) add(label, `the ${reading.name} has ${found.rows.length - 1} rows, the document ${expected.length - 1}`);
    }
    // The PDF keeps no table structure: each row must read, in order, somewhere on its pages.
    const pdf = readings.find((r) => r.name === 'PDF');
    if (pdf && !(figure && doc && hasAnnexTable(doc, annex!)) && !figure?.dataSheet) {
      const pages = pdf.text.pages.map(squash);
      for (const row of expected) {
        const want = squash(row.join(''));
        if (pages.some((p) => p.includes(want))) continue;
        const head = squash(row[0] ?? '');
        const page = pages.findIndex((p) => p.includes(head));
        const shown = page >= 0 ? pages[page]!.slice(pages[page]!.indexOf(head), pages[page]!.indexOf(head) + want.length) : undefined;
        add(`${label}, row "${row[0]}"`, `the document reads ${quote(row.join(' | '))} but the PDF ${shown ? `reads ${quote(shown)} on page ${page + 1}` : 'does not have this row'}`);
      }
    }
  }
  return { gate: 'agreement', guarantees: FORMAT_GATES.agreement!, findings };
}

function hasAnnexTable(doc: ReportDocument, id: string): boolean {
  return treeTables(doc.children).some((t) => !t.figure && t.table.id === id);
}

/** Every format gate that the given formats allow, in a fixed order. */
export async function checkFormats(input: RenderedFormats): Promise<GateResult[]> {
  // The three formats are read at once: the browser works on the page while pdf.js reads the PDF.
  // Each reading is marked for --profile from when the gates start to when it is done.
  const at = performance.now();
  // pdf.js opens the PDF once for every reading of it, and it is parsed for its layout once
  // for the pagination and PDF/UA gates (each gate still reads the whole of it).
  const opened = input.pdf ? { doc: await openPdf(input.pdf), layout: readLayout(input.pdf) } : undefined;
  try {
    return await readAndCheck(input, opened, at);
  } finally {
    await opened?.doc.destroy();
  }
}

async function readAndCheck(input: RenderedFormats, opened: { doc: PDFDocumentProxy; layout: PdfLayout } | undefined, at: number): Promise<GateResult[]> {
  const { document } = input;
  const results: GateResult[] = [];
  const readings: Reading[] = [];
  const timed = <T>(name: string, reading: Promise<T> | undefined): Promise<T> | undefined => reading?.then((value) => (markSpan(`gates: ${name}`, at), value));
  const [html, pdf, docx, pagination, pdfUa] = await Promise.all([
    input.htmlReading ?? (input.html && input.browser ? readHtml(input.html, input.browser) : undefined),
    input.pdf && opened ? timed('read the PDF (pdf.js)', readPdf(opened.doc)) : undefined,
    input.docx ? timed('read the DOCX', readDocx(input.docx)) : undefined,
    input.pdf && opened ? timed('pagination', checkPagination(input.pdf, opened)) : undefined,
    input.pdf && opened ? timed('read the PDF for PDF/UA', readPdfUa(input.pdf, opened)) : undefined,
  ]);
  if (html) {
    results.push(checkAxe(html.axe, html.reflow));
    readings.push({ name: 'HTML', text: html, tableFor: (id) => html.tables.get(id) });
  }
  if (pdf) {
    results.push(checkPdfStructure(document, pdf));
    if (pagination) results.push(pagination);
    if (pdfUa) results.push(checkPdfUa(pdfUa));
    readings.push({ name: 'PDF', text: pdf, tableFor: () => undefined });
  }
  if (docx) {
    results.push(checkDocxStructure(document, docx));
    readings.push({ name: 'DOCX', text: docx, tableFor: (id) => docx.tables.get(docxBookmarkName(id)) });
  }
  const agreeAt = performance.now();
  if (readings.length > 0) results.push(checkAgreement(document, readings));
  markSpan('gates: agreement', agreeAt);
  return results;
}
