/**
 * The pdf-ua gate: the conditions of PDF/UA-1 (ISO 14289-1) that a program can check, as the
 * Matterhorn Protocol lists them, read from the final PDF with pdf.js and statpress's own reader
 * of the structure tree and page content. Each failure names the condition (with its Matterhorn
 * number) and where it is.
 *
 *   01-005  nothing painted on a page is neither tagged nor marked as an artifact
 *   06-001  the catalog has an XMP metadata stream, 06-002 with the PDF/UA identifier
 *           (pdfuaid:part 1), 06-003 with dc:title
 *   07-001  ViewerPreferences with DisplayDocTitle true; bookmarks shown on opening (/UseOutlines)
 *   09-004  tables, lists and list items hold only what they may (TR, TH/TD, LI, Lbl/LBody)
 *   11-006  the document's natural language is set
 *   13-004  every Figure has alternate text
 *   14-003  headings do not skip a level
 *   15-003  every table header cell has a Scope
 *   28-011  every link annotation has a description in /Contents
 *   31-009  every font is embedded
 * and the structure tree exists, with MarkInfo /Marked true.
 */
import { allElements, readLayout, type PdfLayout } from '../readers/pdf-layout.js';
import { withPdf } from '../readers/pdf.js';
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';
import { isDict, isName, PdfRef, type PdfDict, type PdfValue } from '../../render/pdf-objects.js';
import type { Finding, GateResult } from './document-gates.js';

export const PDF_UA_GUARANTEE =
  'the PDF meets the machine-checkable conditions of PDF/UA-1: XMP metadata with dc:title and pdfuaid:part, the title shown, bookmarks open, language set, every font embedded, nothing untagged, figures with alt text, table headers with a scope, headings in order, links described, lists and tables nested as the standard says';

/** What the gate reads from a PDF: pdf.js's view of the document and the structure read in full. */
export interface PdfUaFacts {
  xmp?: { title?: string; part?: string };
  displayDocTitle: boolean;
  pageMode: string | null;
  language?: string;
  marked: boolean;
  layout: PdfLayout;
}

/** `shared`: the same PDF already open in pdf.js and read for its layout, when the caller has them. */
export async function readPdfUa(pdf: Uint8Array, shared: { doc?: PDFDocumentProxy; layout?: PdfLayout } = {}): Promise<PdfUaFacts> {
  return withPdf(shared.doc ?? pdf, async (doc) => {
    const { info, metadata } = (await doc.getMetadata()) as unknown as { info: Record<string, unknown>; metadata: { get(name: string): unknown } | null };
    const prefs = ((await doc.getViewerPreferences()) ?? {}) as Record<string, unknown>;
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    const title = metadata?.get('dc:title');
    const part = metadata?.get('pdfuaid:part');
    const language = typeof info.Language === 'string' ? info.Language : undefined;
    return {
      ...(metadata ? { xmp: { ...(typeof title === 'string' ? { title } : {}), ...(part !== undefined && part !== null ? { part: String(part) } : {}) } } : {}),
      displayDocTitle: prefs.DisplayDocTitle === true,
      pageMode: await doc.getPageMode(),
      ...(language ? { language } : {}),
      marked: markInfo?.Marked === true,
      layout: shared.layout ?? readLayout(pdf),
    };
  });
}

/** Every font a page uses, by resource name, with whether its program is embedded. */
function fonts(layout: PdfLayout): Array<{ page: number; name: string; embedded: boolean }> {
  const { file } = layout;
  const out: Array<{ page: number; name: string; embedded: boolean }> = [];
  const descriptorEmbedded = (font: PdfDict | undefined): boolean => {
    const descriptor = file.dict(font?.get('FontDescriptor'));
    return !!descriptor && ['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.get(k) instanceof PdfRef);
  };
  layout.pages.forEach((page, i) => {
    const dict = file.dict(new PdfRef(page.ref));
    const resources = file.dict(dict?.get('Resources'));
    const fontDict = file.dict(resources?.get('Font'));
    for (const [key, ref] of fontDict ?? new Map<string, PdfValue>()) {
      const font = file.dict(ref);
      if (!font) continue;
      const base = font.get('BaseFont');
      const fontName = isName(base) ? base.name : key;
      if (isName(font.get('Subtype'), 'Type3')) continue;
      const descendants = file.resolve(font.get('DescendantFonts'));
      const embedded = Array.isArray(descendants) ? descendants.every((d) => descriptorEmbedded(file.dict(d))) : descriptorEmbedded(font);
      out.push({ page: i + 1, name: fontName, embedded });
    }
  });
  return out;
}

const ALLOWED_KIDS: Record<string, string[]> = {
  L: ['LI', 'L', 'Caption'],
  LI: ['Lbl', 'LBody'],
  TR: ['TH', 'TD'],
  Table: ['TR', 'THead', 'TBody', 'TFoot', 'Caption'],
};

export function checkPdfUa(facts: PdfUaFacts): GateResult {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ gate: 'pdf-ua', where, message });
  const { layout } = facts;
  if (!facts.xmp) add('PDF catalog', '06-001: there is no XMP metadata stream');
  else {
    if (facts.xmp.part !== '1') add('PDF metadata', `06-002: the XMP metadata has no PDF/UA identifier (pdfuaid:part is ${facts.xmp.part ?? 'missing'}, not 1)`);
    if (!facts.xmp.title?.trim()) add('PDF metadata', '06-003: the XMP metadata has no dc:title');
  }
  if (!facts.displayDocTitle) add('PDF catalog', '07-001: ViewerPreferences does not ask viewers to show the title (DisplayDocTitle)');
  if (facts.pageMode !== 'UseOutlines') add('PDF catalog', `the PDF does not open with its bookmarks shown (/PageMode is ${facts.pageMode ?? 'not set'}, not /UseOutlines)`);
  if (!facts.language) add('PDF catalog', '11-006: the document has no natural language (/Lang)');
  if (!facts.marked) add('PDF catalog', 'the PDF is not marked as tagged (MarkInfo /Marked true)');
  if (layout.roots.length === 0) add('PDF catalog', 'the PDF has no structure tree');
  for (const f of fonts(layout)) if (!f.embedded) add(`page ${f.page}`, `31-009: the font ${f.name} is not embedded`);
  layout.pages.forEach((page, i) => {
    if (page.content.untagged.count > 0) add(`page ${i + 1}`, `01-005: ${page.content.untagged.count} painting operations are neither tagged nor marked as artifacts`);
  });
  const elements = allElements(layout.roots);
  const pageOf = (el: (typeof elements)[number]) => {
    const boxes = layout.boxes(el);
    return boxes.size ? `page ${Math.min(...boxes.keys()) + 1}` : 'PDF structure';
  };
  let level = 0;
  let figure = 0;
  for (const el of elements) {
    if (el.role === 'Figure') {
      figure++;
      if (!el.alt?.trim() && !el.actualText?.trim()) add(pageOf(el), `13-004: figure ${figure} has no alternate text`);
    }
    const heading = /^H([1-6])$/.exec(el.role);
    if (heading) {
      const n = Number(heading[1]);
      if (n > level + 1) add(pageOf(el), `14-003: an H${n} follows an H${level || 'eading-less start'}, skipping a level`);
      level = n;
    }
    if (el.role === 'TH' && !isName(el.attributes.get('Scope')) && !el.attributes.has('Headers')) add(pageOf(el), '15-003: a table header cell has no Scope');
    const allowed = ALLOWED_KIDS[el.role];
    if (allowed) {
      for (const kid of el.children) if (!allowed.includes(kid.role)) add(pageOf(el), `09-004: a ${el.role} holds a ${kid.role} (it may hold ${allowed.join(', ')})`);
    }
    if (el.role === 'Link') {
      for (const annot of el.annotations) {
        const dict = layout.file.dict(new PdfRef(annot));
        const contents = dict?.get('Contents');
        if (!contents || (isDict(contents) && contents.size === 0)) add(pageOf(el), '28-011: a link annotation has no description in /Contents');
      }
    }
  }
  return { gate: 'pdf-ua', guarantees: PDF_UA_GUARANTEE, findings };
}
