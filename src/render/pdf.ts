/**
 * render/pdf: the print version of the HTML page → a tagged, bookmarked A4 PDF via Chromium.
 *
 * Printing happens twice: the first print tells on which page each section starts (read from
 * the PDF's own bookmarks), those numbers go into the contents list, and the second print is the
 * release. The space for the numbers is reserved in the first print, so they cannot move the
 * layout. Afterwards the document information is made reproducible: Chromium stamps the time
 * of printing, which is replaced by the release's publication date, and bookmark titles are
 * replaced by the headings' own text.
 */
import type { Browser, PDFOptions } from 'puppeteer-core';
import type { ReportMeta } from '../document/document.js';
import { escapeHtml } from './html.js';
import { DRAFT, DRAFT_BANNER, documentSubject, documentTitle, OFFICIAL_STATISTICS, pageOf } from '../document/labels.js';
import { openPdf, outlineEntries } from '../quality/readers/pdf.js';

export interface PdfResult {
  pdf: Uint8Array;
  pages: number;
  /** Section id → page number, as printed in the contents. */
  contents: Record<string, number>;
  timings: Record<string, number>;
}

function footerTemplate(meta: ReportMeta): string {
  // Chromium fills the page-number fields in as it prints each page.
  const [page, current, of, total] = pageOf('<span class="pageNumber"></span>', '<span class="totalPages"></span>');
  return `<div style="font-family: Arimo, Arial, sans-serif; font-size: 8pt; color: #505a5f; width: 100%; margin: 0 17mm; display: flex; justify-content: space-between;"><span>${escapeHtml(meta.title)}</span><span>${escapeHtml(page)}${current}${escapeHtml(of)}${total}</span></div>`;
}

function headerTemplate(meta: ReportMeta): string {
  if (!meta.draft) return '<span></span>';
  return `<div style="font-family: Arimo, Arial, sans-serif; font-size: 10pt; font-weight: bold; color: #d4351c; width: 100%; text-align: center;">${escapeHtml(DRAFT_BANNER)}</div>`;
}

/** Section heading text → page number (1-based), from the PDF's bookmarks. */
async function readOutlinePages(pdf: Uint8Array): Promise<{ pages: number; byTitle: Array<[string, number]> }> {
  const doc = await openPdf(pdf);
  try {
    const byTitle = (await outlineEntries(doc)).filter((e) => e.page > 0).map((e): [string, number] => [e.title.trim(), e.page]);
    return { pages: doc.numPages, byTitle };
  } finally {
    await doc.destroy();
  }
}

/** PDF date string for an ISO date: D:YYYYMMDD000000Z. */
function pdfDate(iso: string): string {
  return `D:${iso.replace(/-/g, '')}000000Z`;
}

/** Text string for the PDF Info dictionary: UTF-16BE with a byte-order mark, as hex. */
function pdfText(text: string): string {
  let hex = 'FEFF';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code > 0xffff) {
      const v = code - 0x10000;
      hex += (0xd800 + (v >> 10)).toString(16).padStart(4, '0') + (0xdc00 + (v & 0x3ff)).toString(16).padStart(4, '0');
    } else {
      hex += code.toString(16).padStart(4, '0');
    }
  }
  return `<${hex.toUpperCase()}>`;
}

/**
 * Makes the document information reproducible and complete: every date Chromium stamped is
 * replaced in place by the publication date (same length, so offsets stay valid), and an
 * incremental update adds a new Info dictionary with title, author, subject and keywords.
 */
export function finishPdf(pdf: Uint8Array, meta: ReportMeta, headings: string[] = []): Uint8Array {
  let text = Buffer.from(pdf).toString('latin1');
  const fixed = pdfDate(meta.published.iso);
  text = text.replace(/\((D:\d{14}[^)]*)\)/g, (_, date: string) => `(${fixed.padEnd(date.length, ' ').slice(0, date.length)})`);
  text = text.replace(/<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*<\/xmp:\1>/g, (m, tag: string) => {
    const value = `${meta.published.iso}T00:00:00Z`;
    const inner = m.length - `<xmp:${tag}></xmp:${tag}>`.length;
    return `<xmp:${tag}>${value.padEnd(inner, ' ').slice(0, inner)}</xmp:${tag}>`;
  });
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const trailer = text.slice(text.lastIndexOf('trailer'));
  const size = Number(/\/Size\s+(\d+)/.exec(trailer)?.[1]);
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer)?.[1];
  if (!Number.isFinite(startxref) || !Number.isFinite(size) || !root) return Buffer.from(text, 'latin1');
  const id = /\/ID\s*(\[[^\]]*\])/.exec(trailer)?.[1];
  const title = documentTitle(meta.title, meta.draft);
  const info = [
    `/Title ${pdfText(title)}`,
    `/Author ${pdfText(meta.producer)}`,
    `/Subject ${pdfText(documentSubject(meta.status, meta.period, meta.coverage))}`,
    `/Keywords ${pdfText([OFFICIAL_STATISTICS, meta.coverage, meta.series?.title ?? '', meta.draft ? DRAFT : ''].filter(Boolean).join(', '))}`,
    `/Creator ${pdfText('statpress')}`,
    `/Producer ${pdfText('statpress with Chromium')}`,
    `/CreationDate (${fixed})`,
    `/ModDate (${fixed})`,
  ].join(' ');
  // Chromium builds bookmark titles from laid-out text: a wrapped heading loses its space and a
  // heading pushed to the next page can appear twice. Each title is replaced by its heading.
  const objects: Array<[number, string]> = [[size, `<< ${info} >>`]];
  const known = new Map(headings.map((h) => [h.replace(/\s+/g, ''), h]));
  for (const m of text.matchAll(/(\d+) 0 obj\s*<<\/Title \(((?:[^()\\]|\\.)*)\)([^]*?)>>\s*endobj/g)) {
    const title = m[2]!;
    const squashed = title.replace(/\\(.)/g, '$1').replace(/\s+/g, '');
    const half = squashed.slice(0, squashed.length / 2);
    const heading = known.get(squashed) ?? (squashed.length % 2 === 0 && half + half === squashed ? known.get(half) : undefined);
    if (heading === undefined || heading === title) continue;
    objects.push([Number(m[1]), `<</Title ${pdfText(heading)}${m[3]}>>`]);
  }
  objects.sort((a, b) => a[0] - b[0]);
  let body = '';
  const offsets: Array<[number, number]> = [];
  const base = Buffer.byteLength(text, 'latin1');
  for (const [num, dict] of objects) {
    offsets.push([num, base + Buffer.byteLength(body, 'latin1') + 1]);
    body += `\n${num} 0 obj\n${dict}\nendobj\n`;
  }
  const xrefOffset = base + Buffer.byteLength(body, 'latin1');
  const sections = offsets.map(([num, offset]) => `${num} 1\n${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const update = `${body}xref\n0 1\n0000000000 65535 f \n${sections}trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${startxref}${id ? ` /ID ${id}` : ''} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(text + update, 'latin1');
}

/**
 * Prints the print-mode HTML to PDF with a browser the caller owns (one per build). The page's
 * contents list must have `.app-page[data-target]` slots for page numbers.
 */
/** How the release is printed: A4, tagged, bookmarked, with the running footer (and draft header). */
export function printOptions(meta: ReportMeta): PDFOptions {
  return {
    format: 'a4',
    printBackground: true,
    tagged: true,
    outline: true,
    displayHeaderFooter: true,
    headerTemplate: headerTemplate(meta),
    footerTemplate: footerTemplate(meta),
    margin: { top: '18mm', bottom: '20mm', left: '17mm', right: '17mm' },
    preferCSSPageSize: false,
  };
}

export async function renderPdf(html: string, meta: ReportMeta, browser: Browser): Promise<PdfResult> {
  const timings: Record<string, number> = {};
  const page = await browser.newPage();
  try {
    let start = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    timings.load = performance.now() - start;
    const options = printOptions(meta);
    // Reserve room for two-digit page numbers, so filling them in cannot move anything.
    await page.evaluate(() => {
      for (const slot of document.querySelectorAll<HTMLElement>('.app-page')) slot.textContent = '00';
    });
    start = performance.now();
    // The first print only has to say where sections start, so it is a draft of the layout:
    // bookmarks but no tags, header, footer or backgrounds, and the charts' drawings taken out
    // of their <svg> boxes (which keep their size). None of that moves anything on the page, and
    // the print costs half as much. The pdf-structure gate checks the contents against the final PDF.
    await page.evaluate(() => {
      const held: Array<[Element, Node[]]> = [];
      (window as unknown as { __statpressCharts: typeof held }).__statpressCharts = held;
      for (const svg of document.querySelectorAll('svg')) {
        held.push([svg, [...svg.childNodes]]);
        svg.replaceChildren();
      }
    });
    const first = await page.pdf({ format: options.format, margin: options.margin, preferCSSPageSize: false, outline: true, tagged: false });
    await page.evaluate(() => {
      for (const [svg, children] of (window as unknown as { __statpressCharts: Array<[Element, Node[]]> }).__statpressCharts) svg.replaceChildren(...children);
    });
    timings.firstPrint = performance.now() - start;
    start = performance.now();
    const outline = await readOutlinePages(first);
    const targets = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.app-page')].map((slot) => {
        const id = slot.dataset.target ?? '';
        return { id, title: (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, ' ').trim() };
      }),
    );
    const contents: Record<string, number> = {};
    let from = 0;
    for (const target of targets) {
      // Bookmark titles lose the space where a heading wrapped, and a heading moved to the next
      // page can appear twice: compare without spaces, allowing the doubled title.
      const key = target.title.replace(/\s+/g, '');
      const index = outline.byTitle.findIndex(([title], i) => i >= from && [key, key + key].includes(title.replace(/\s+/g, '')));
      if (index >= 0) {
        contents[target.id] = outline.byTitle[index]![1];
        from = index + 1;
      }
    }
    await page.evaluate((numbers: Record<string, number>) => {
      for (const slot of document.querySelectorAll<HTMLElement>('.app-page')) {
        const n = numbers[slot.dataset.target ?? ''];
        slot.textContent = n === undefined ? '' : String(n);
      }
    }, contents);
    timings.pageNumbers = performance.now() - start;
    start = performance.now();
    const pdf = await page.pdf(options);
    timings.secondPrint = performance.now() - start;
    start = performance.now();
    const headings = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4')].map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));
    const finished = finishPdf(pdf, meta, headings);
    timings.finish = performance.now() - start;
    return { pdf: finished, pages: outline.pages, contents, timings };
  } finally {
    await page.close();
  }
}
