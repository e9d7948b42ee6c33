/**
 * The pagination gate: how the final PDF falls into pages, read from its structure tree and
 * where each element's content is painted. It reports what a publisher would not sign off:
 *
 * - a table of up to KEEP_TABLE_ROWS rows split across pages, or a longer one leaving fewer than
 *   END_ROWS rows on its first or last page (header rows repeated on a new page do not count);
 * - a list of up to KEEP_LIST_ITEMS items split across pages, or a longer one leaving fewer than
 *   END_ITEMS items at either end;
 * - a heading that is the last thing on its page;
 * - a page less than half full, unless it is the last page, or the last page of a section (the
 *   next page opens with a top-level section heading).
 *
 * The print stylesheet and the PDF renderer's layout pass follow the same numbers
 * (`render/pagination-rules.ts`).
 */
import type { Box } from '../../render/pdf-content.js';
import { END_ITEMS, END_ROWS, KEEP_LIST_ITEMS, KEEP_TABLE_ROWS, MIN_FILL } from '../../render/pagination-rules.js';
import { allElements, readLayout, type PdfLayout, type StructElement } from '../readers/pdf-layout.js';
import { markedContentText } from '../readers/pdf.js';
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';
import type { Finding, GateResult } from './document-gates.js';

export const PAGINATION_GUARANTEE = `in the PDF, no table of up to ${KEEP_TABLE_ROWS} rows is split and no longer one leaves fewer than ${END_ROWS} rows on a page, no list of up to ${KEEP_LIST_ITEMS} items is split and no longer one leaves fewer than ${END_ITEMS}, no heading ends a page or has a single line under it there, and no page but the last of a section is less than half full`;

export type PaginationKind = 'split-table' | 'orphan-rows' | 'split-list' | 'orphan-items' | 'heading-at-foot' | 'underfilled';

export interface PaginationProblem {
  kind: PaginationKind;
  /** 1-based page the problem is on (for a split, the page the break follows). */
  page: number;
  /** Which element of its kind, in reading order (0-based): table, list, heading, or the page's next figure. */
  index: number;
  message: string;
  /** For an under-filled page, the empty space below its content (points). */
  gap: number;
  /** For rows or items left alone: how many are on the page after the break (0 when the few are before it). */
  after: number;
}

/** Text of an element, from the text of its marked content. */
function textOf(el: StructElement, text: Map<string, string>): string {
  const own = el.content.map(({ page, mcid }) => text.get(`${page}:${mcid}`) ?? '').join(' ');
  return [own, ...el.children.map((c) => textOf(c, text))].join(' ').replace(/\s+/g, ' ').trim();
}

const short = (s: string, max = 60) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function firstPage(boxes: Map<number, Box>): number | undefined {
  return boxes.size ? Math.min(...boxes.keys()) : undefined;
}

/** Rows of a table, through THead, TBody and TFoot. */
function rowsOf(table: StructElement): StructElement[] {
  return table.children.flatMap((c) => (c.role === 'TR' ? [c] : ['THead', 'TBody', 'TFoot'].includes(c.role) ? c.children.filter((r) => r.role === 'TR') : []));
}

const isHeading = (el: StructElement) => /^H[1-6]$/.test(el.role);
/** Below this height (points), what is painted is a single line of text. */
const ONE_LINE = 20;

/** Every pagination problem of a laid-out, tagged PDF. */
export function paginationProblems(layout: PdfLayout, text: Map<string, string> = new Map()): PaginationProblem[] {
  const problems: PaginationProblem[] = [];
  const elements = allElements(layout.roots);
  const pages = layout.pages.map((p) => [...p.content.marked.values()].reduce<Box | undefined>((a, b) => (a ? { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) } : { ...b }), undefined));
  const used = pages.filter((b): b is Box => b !== undefined);
  if (used.length === 0) return problems;
  const areaTop = Math.min(...used.map((b) => b.top));
  const areaBottom = Math.max(...used.map((b) => b.bottom));

  // Tables.
  elements
    .filter((e) => e.role === 'Table')
    .forEach((table, index) => {
      const rows = rowsOf(table);
      const body = rows.filter((r) => r.children.some((c) => c.role === 'TD'));
      const header = rows.filter((r) => !body.includes(r));
      if (header.length === rows.length) return;
      const perPage = new Map<number, number>();
      for (const row of body) {
        const page = firstPage(layout.boxes(row));
        if (page !== undefined) perPage.set(page, (perPage.get(page) ?? 0) + 1);
      }
      // The caption and header row count from the page they start on: left alone at a page's
      // foot, they are a break with no rows before it.
      const opens = firstPage(layout.boxes(table));
      if (opens !== undefined && !perPage.has(opens)) perPage.set(opens, 0);
      const onPages = [...perPage.keys()].sort((a, b) => a - b);
      if (onPages.length < 2) return;
      const caption = table.children.find((c) => c.role === 'Caption');
      const name = `table "${short(caption ? textOf(caption, text) : textOf(rows[0]!, text))}"`;
      const first = onPages[0]!;
      const last = onPages[onPages.length - 1]!;
      if (body.length <= KEEP_TABLE_ROWS) {
        problems.push({ kind: 'split-table', page: first + 1, index, gap: 0, after: 0, message: `${name} (${body.length} rows) is split across pages ${onPages.map((p) => p + 1).join(' and ')}: a table of up to ${KEEP_TABLE_ROWS} rows is kept whole` });
        return;
      }
      for (const [page, where] of [[first, 'first'], [last, 'last']] as const) {
        const n = perPage.get(page)!;
        if (n < END_ROWS) problems.push({ kind: 'orphan-rows', page: page + 1, index, gap: 0, after: where === 'last' ? n : 0, message: `${name} leaves ${n} ${n === 1 ? 'row' : 'rows'} alone on its ${where} page (at least ${END_ROWS})` });
      }
    });

  // Lists that are not inside another list.
  elements
    .filter((e) => e.role === 'L' && !hasAncestor(e, 'L'))
    .forEach((list, index) => {
      const items = list.children.filter((c) => c.role === 'LI');
      const perPage = new Map<number, number>();
      for (const item of items) {
        const page = firstPage(layout.boxes(item));
        if (page !== undefined) perPage.set(page, (perPage.get(page) ?? 0) + 1);
      }
      const onPages = [...perPage.keys()].sort((a, b) => a - b);
      if (onPages.length < 2) return;
      const name = `list "${short(textOf(items[0]!, text))}"`;
      if (items.length <= KEEP_LIST_ITEMS) {
        problems.push({ kind: 'split-list', page: onPages[0]! + 1, index, gap: 0, after: 0, message: `${name} (${items.length} items) is split ${onPages.map((p) => perPage.get(p)).join(' and ')} across pages ${onPages.map((p) => p + 1).join(' and ')}: a list of up to ${KEEP_LIST_ITEMS} items is kept whole` });
        return;
      }
      for (const page of [onPages[0]!, onPages[onPages.length - 1]!]) {
        const n = perPage.get(page)!;
        if (n < END_ITEMS) problems.push({ kind: 'orphan-items', page: page + 1, index, gap: 0, after: page === onPages[0] ? 0 : n, message: `${name} leaves ${n} item alone on page ${page + 1} (at least ${END_ITEMS})` });
      }
    });

  // Headings at the foot of a page: the next thing after the heading is on a later page.
  const headings = elements.filter(isHeading);
  const order = new Map(elements.map((e, i) => [e, i]));
  headings.forEach((heading, index) => {
    const boxes = layout.boxes(heading);
    const page = boxes.size ? Math.max(...boxes.keys()) : undefined;
    if (page === undefined) return;
    // The next block: the first element after the heading with anything painted in it (a paragraph,
    // not the first run of text inside one).
    const after = elements.slice(order.get(heading)! + 1).find((e) => !isDescendant(e, heading) && layout.boxes(e).size > 0);
    if (!after) return;
    const boxes2 = layout.boxes(after);
    const next = firstPage(boxes2);
    if (next !== undefined && next > page) {
      problems.push({ kind: 'heading-at-foot', page: page + 1, index, gap: 0, after: 0, message: `the heading "${short(textOf(heading, text))}" is the last thing on page ${page + 1}; what it introduces starts on page ${next + 1}` });
      return;
    }
    // A single line of what follows, the rest on the next page, leaves the heading at the foot too.
    const here = boxes2.get(page);
    if (here && boxes2.has(page + 1) && here.bottom - here.top < ONE_LINE) {
      problems.push({ kind: 'heading-at-foot', page: page + 1, index, gap: 0, after: 0, message: `the heading "${short(textOf(heading, text))}" has only one line of what it introduces under it on page ${page + 1}; the rest is on page ${page + 2}` });
    }
  });

  // Pages less than half full.
  const topLevel = Math.min(...headings.filter((h) => h.role !== 'H1').map((h) => Number(h.role.slice(1))), 6);
  const figures = elements.filter((e) => e.role === 'Figure' && e.alt !== undefined && !e.children.some((c) => c.role === 'Figure'));
  for (let p = 0; p < pages.length - 1; p++) {
    const box = pages[p];
    const fill = box ? (box.bottom - areaTop) / (areaBottom - areaTop) : 0;
    if (fill >= MIN_FILL) continue;
    const nextTop = pages[p + 1]?.top;
    const opensSection = headings.some((h) => h.role === `H${topLevel}` && Math.abs((layout.boxes(h).get(p + 1)?.top ?? Infinity) - (nextTop ?? 0)) < 2);
    if (opensSection) continue;
    const figure = figures.findIndex((f) => firstPage(layout.boxes(f)) === p + 1);
    problems.push({ kind: 'underfilled', page: p + 1, index: figure, gap: areaBottom - (box?.bottom ?? areaTop), after: 0, message: `page ${p + 1} is only ${Math.round(fill * 100)}% full, and is not the last page of a section` });
  }
  return problems.sort((a, b) => a.page - b.page);
}

function hasAncestor(el: StructElement, role: string): boolean {
  for (let p = el.parent; p; p = p.parent) if (p.role === role) return true;
  return false;
}

function isDescendant(el: StructElement, of: StructElement): boolean {
  for (let p = el.parent; p; p = p.parent) if (p === of) return true;
  return false;
}

/** The pagination gate on a final PDF. */
/** `shared`: the same PDF already open in pdf.js and read for its layout, when the caller has them. */
export async function checkPagination(pdf: Uint8Array, shared: { doc?: PDFDocumentProxy; layout?: PdfLayout } = {}): Promise<GateResult> {
  const layout = shared.layout ?? readLayout(pdf);
  const text = await markedContentText(shared.doc ?? pdf);
  const findings: Finding[] = paginationProblems(layout, text).map((p) => ({ gate: 'pagination', where: `PDF page ${p.page}`, message: p.message }));
  return { gate: 'pagination', guarantees: PAGINATION_GUARANTEE, findings };
}
