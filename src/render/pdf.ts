/**
 * render/pdf: the print version of the HTML page → a tagged, bookmarked A4 PDF via Chromium.
 *
 * Printing happens twice: the first print tells on which page each section starts (read from
 * the PDF's own bookmarks), those numbers go into the contents list, and the second print is the
 * release. The space for the numbers is reserved in the first print, so they cannot move the
 * layout. Afterwards the PDF is finished (`pdf-finish.ts`): reproducible dates, PDF/UA-1
 * metadata and structure, bookmark titles from the headings' own text.
 */
import type { Browser, PDFOptions } from 'puppeteer-core';
import type { ReportMeta } from '../document/document.js';
import { escapeHtml } from './html.js';
import { DRAFT_BANNER, pageOf } from '../document/labels.js';
import { markedContentText, openPdf, outlineEntries } from '../quality/readers/pdf.js';
import { fontFaceCss } from '../platform/fonts.js';
import { finishPdf } from './pdf-finish.js';
import { MIN_FIGURE_SCALE } from './pagination-rules.js';
import { outlinePages, pageRefs, readLayout } from '../quality/readers/pdf-layout.js';
import { PdfFile } from './pdf-objects.js';
import { paginationProblems, type PaginationProblem } from '../quality/gates/pagination.js';
import { markSpan } from '../core/progress.js';

/** At most this many changes by the layout pass, each followed by a draft print. */
const MAX_ADJUSTMENTS = 8;

export { finishPdf } from './pdf-finish.js';

export interface PdfResult {
  pdf: Uint8Array;
  pages: number;
  /** Section id → page number, as printed in the contents. */
  contents: Record<string, number>;
  timings: Record<string, number>;
}

/**
 * The running header and footer are laid out apart from the page and see none of its fonts: each
 * carries the body font itself, so the PDF has one font family throughout.
 */
function templateFont(): string {
  return `<style>${fontFaceCss('regular')}</style>`;
}

function footerTemplate(meta: ReportMeta): string {
  // Chromium fills the page-number fields in as it prints each page.
  const [page, current, of, total] = pageOf('<span class="pageNumber"></span>', '<span class="totalPages"></span>');
  return `${templateFont()}<div style="font-family: Arimo; font-size: 8pt; color: #505a5f; width: 100%; margin: 0 17mm; display: flex; justify-content: space-between;"><span>${escapeHtml(meta.title)}</span><span>${escapeHtml(page)}${current}${escapeHtml(of)}${total}</span></div>`;
}

function headerTemplate(meta: ReportMeta): string {
  if (!meta.draft) return '<span></span>';
  return `<style>${fontFaceCss('bold')}</style><div style="font-family: Arimo;  font-size: 10pt; font-weight: bold; color: #d4351c; width: 100%; text-align: center;">${escapeHtml(DRAFT_BANNER)}</div>`;
}

/**
 * Section heading text → page number (1-based), from the PDF's bookmarks: read from the draft
 * already parsed for its layout where every bookmark goes to an explicit page (Chromium's do),
 * else with pdf.js.
 */
async function readOutlinePages(pdf: Uint8Array, parsed?: PdfFile): Promise<{ pages: number; byTitle: Array<[string, number]> }> {
  const entries = parsed && outlinePages(parsed);
  if (parsed && entries) return { pages: pageRefs(parsed).length, byTitle: entries.filter((e) => e.page > 0).map((e): [string, number] => [e.title.trim(), e.page]) };
  const doc = await openPdf(pdf);
  try {
    const byTitle = (await outlineEntries(doc)).filter((e) => e.page > 0).map((e): [string, number] => [e.title.trim(), e.page]);
    return { pages: doc.numPages, byTitle };
  } finally {
    await doc.destroy();
  }
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

/** A pagination problem the layout pass can act on, as the page's script receives it. */
interface Adjustment {
  kind: PaginationProblem['kind'];
  index: number;
  /** For an under-filled page: the empty space at its foot, in CSS pixels. */
  gap: number;
  /** For split tables and lists: how many rows or items are on the page after the break. */
  after: number;
}

/**
 * Acts on one pagination problem in the page, before it is printed again: a heading at a page
 * foot, a short table or list split, or rows or items left alone at either end, move to the next
 * page; an under-filled page before a figure that did not fit takes the text that follows the
 * figure (up to the next heading), or the figure is drawn smaller, down to MIN_FIGURE_SCALE.
 * Says whether it changed anything.
 */
function adjustInPage(fix: Adjustment, limits: { minScale: number }): boolean {
  const breakBefore = (el: Element | null | undefined): boolean => {
    if (!(el instanceof HTMLElement) || el.style.breakBefore === 'page') return false;
    el.style.breakBefore = 'page';
    return true;
  };
  // A sentence that introduces a list or table goes with it.
  const withLeadIn = (el: Element | null): Element | null => {
    const before = el?.previousElementSibling;
    return before instanceof HTMLParagraphElement && /:\s*$/.test(before.textContent ?? '') ? before : el;
  };
  const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed';
  if (fix.kind === 'heading-at-foot') return breakBefore([...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(visible)[fix.index]);
  if (fix.kind === 'split-table' || fix.kind === 'orphan-rows') {
    const table = [...document.querySelectorAll('table')].filter(visible)[fix.index];
    if (!table) return false;
    const rows = [...(table.tBodies[0]?.rows ?? [])];
    // Too few rows after the break: the break moves up to leave the minimum behind.
    if (fix.kind === 'orphan-rows' && fix.after > 0 && rows.length > 6) return breakBefore(rows[rows.length - 3]);
    return breakBefore(withLeadIn(table.closest('.app-table-scroll') ?? table));
  }
  if (fix.kind === 'split-list' || fix.kind === 'orphan-items') {
    const list = [...document.querySelectorAll('ul, ol')].filter((l) => visible(l) && !l.parentElement?.closest('ul, ol'))[fix.index];
    if (!list) return false;
    const items = [...list.children];
    if (fix.kind === 'orphan-items' && fix.after > 0 && items.length > 4) return breakBefore(items[items.length - 2]);
    return breakBefore(withLeadIn(list));
  }
  // An under-filled page: the figure that opens the next page did not fit.
  const chart = [...document.querySelectorAll('.app-chart')].filter(visible)[fix.index];
  const figure = chart?.closest('.app-figure');
  if (!figure || !chart || figure.getAttribute('data-fitted')) return false;
  figure.setAttribute('data-fitted', 'yes');
  const height = (el: Element) => {
    const style = getComputedStyle(el);
    return el.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
  };
  let room = fix.gap;
  let moved = false;
  // Text after the figure moves up into the gap, as far as the next heading or figure.
  for (let next = figure.nextElementSibling; next && room > 24; next = figure.nextElementSibling) {
    if (/^H[1-6]$/.test(next.tagName) || next.tagName === 'SECTION' || next.classList.contains('app-figure')) break;
    const h = height(next);
    const splits = next.tagName === 'P' || ((next.tagName === 'UL' || next.tagName === 'OL') && !next.classList.contains('app-keep'));
    if (h > room && !splits) break;
    figure.before(next);
    moved = true;
    room -= h;
  }
  if (moved) return true;
  // Or the chart is drawn smaller, so that the figure fits where it is.
  const need = height(figure) - fix.gap;
  const chartHeight = chart.getBoundingClientRect().height;
  const scale = (chartHeight - need - 4) / chartHeight;
  if (scale < limits.minScale || scale >= 1) return false;
  (chart as HTMLElement).style.width = `${Math.floor(scale * 100)}%`;
  (chart as HTMLElement).style.margin = '0 auto';
  return true;
}

/** CSS pixels in a PDF point. */
const PX_PER_PT = 4 / 3;

/**
 * Chromium names each structure element `(nodeNNNNNNNN)` after the DOM node it came from, and
 * those numbers depend on what the browser did before printing (another tab checking the web
 * page, an earlier layout pass), so the same release could print different bytes. The names are
 * only identifiers: they are renumbered here in their own order (which keeps the ID tree sorted),
 * at the same width, so no byte offset moves and the same release prints the same PDF.
 */
export function numberStructureIds(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  const ids = [...new Set([...text.matchAll(/\(node(\d{8})\)/g)].map((m) => m[1]!))].sort();
  if (ids.length === 0) return pdf;
  const renamed = new Map(ids.map((id, i) => [id, String(i).padStart(8, '0')]));
  return new Uint8Array(Buffer.from(text.replace(/\(node(\d{8})\)/g, (_, id: string) => `(node${renamed.get(id)!})`), 'latin1'));
}

export async function renderPdf(html: string, meta: ReportMeta, browser: Browser): Promise<PdfResult> {
  const timings: Record<string, number> = {};
  const page = await browser.newPage();
  try {
    let start = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    await page.emulateMediaType('print');
    timings.load = performance.now() - start;
    markSpan('pdf: load the page', start);
    const options = printOptions(meta);
    // Reserve room for two-digit page numbers, so filling them in cannot move anything.
    await page.evaluate(() => {
      for (const slot of document.querySelectorAll<HTMLElement>('.app-page')) slot.textContent = '00';
    });
    start = performance.now();
    // The drafts only have to say how the pages fall, so the charts' drawings are taken out of
    // their <svg> boxes (which keep their size, and a rectangle filling them so each still has a
    // place on its page). None of that moves anything, and a draft costs half a print.
    await page.evaluate(() => {
      const held: Array<[Element, Node[]]> = [];
      (window as unknown as { __statpressCharts: typeof held }).__statpressCharts = held;
      for (const svg of document.querySelectorAll('svg')) {
        held.push([svg, [...svg.childNodes]]);
        const box = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
        box.setAttribute('width', '100%');
        box.setAttribute('height', '100%');
        box.setAttribute('fill', '#eee');
        svg.replaceChildren(box);
      }
    });
    // The layout pass: print a draft, find what the pagination gate would report, act on it, again.
    const draftOptions: PDFOptions = { format: options.format, margin: options.margin, preferCSSPageSize: false, outline: true, tagged: true };
    // Each draft is marked for --profile: how many prints a release costs, and what each costs.
    const draft = async (): Promise<Uint8Array> => {
      const at = performance.now();
      const printed = await page.pdf(draftOptions);
      markSpan('pdf: draft print', at);
      return printed;
    };
    let first = await draft();
    const tried = new Set<string>();
    let adjustments = 0;
    let parsed: { from: Uint8Array; file: PdfFile } | undefined;
    for (let round = 0; round < MAX_ADJUSTMENTS; round++) {
      const readAt = performance.now();
      // Parsed once: the last draft's outline gives the contents page numbers below.
      parsed = { from: first, file: new PdfFile(first) };
      const layout = readLayout(parsed.file);
      const problems = paginationProblems(layout);
      markSpan('pdf: read the draft layout', readAt);
      let changed = false;
      for (const problem of problems) {
        const key = `${problem.kind}:${problem.index}:${problem.page}`;
        if (tried.has(key) || (problem.kind === 'underfilled' && problem.index < 0)) continue;
        tried.add(key);
        const fix: Adjustment = { kind: problem.kind, index: problem.index, gap: problem.gap * PX_PER_PT, after: problem.after };
        if (await page.evaluate(adjustInPage, fix, { minScale: MIN_FIGURE_SCALE })) {
          changed = true;
          adjustments++;
          break;
        }
      }
      if (!changed) break;
      first = await draft();
    }
    timings.adjustments = adjustments;
    await page.evaluate(() => {
      for (const [svg, children] of (window as unknown as { __statpressCharts: Array<[Element, Node[]]> }).__statpressCharts) svg.replaceChildren(...children);
    });
    timings.firstPrint = performance.now() - start;
    start = performance.now();
    // The last draft read is the one printed last, unless the rounds ran out on a change.
    const outline = await readOutlinePages(first, parsed?.from === first ? parsed.file : undefined);
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
    markSpan('pdf: contents page numbers', start);
    start = performance.now();
    const pdf = await page.pdf(options);
    timings.secondPrint = performance.now() - start;
    markSpan('pdf: final print', start);
    start = performance.now();
    const headings = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4')].map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim()));
    const markedText = await markedContentText(pdf);
    const finished = numberStructureIds(finishPdf(pdf, meta, { headings, markedText }));
    timings.finish = performance.now() - start;
    markSpan('pdf: finish (PDF/UA)', start);
    return { pdf: finished, pages: outline.pages, contents, timings };
  } finally {
    await page.close();
  }
}
