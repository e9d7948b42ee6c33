/**
 * Reading a tagged PDF as a reader's software does: its structure tree (each element's role,
 * attributes, alt text and the marked content it owns), and where on which page that content is
 * painted. The pagination and pdf-ua gates, and the PDF's finishing step, read PDFs through this.
 */
import { inflateSync } from 'node:zlib';
import { readContent, union, type Box, type PageContent } from '../../render/pdf-content.js';
import { decodeText, isDict, isName, PdfFile, PdfRef, type PdfDict, type PdfValue } from '../../render/pdf-objects.js';

export interface StructElement {
  /** Object number of the element. */
  ref: number;
  role: string;
  alt?: string;
  actualText?: string;
  lang?: string;
  /** Attributes from every attribute object of /A, by name (Scope, ListNumbering …). */
  attributes: Map<string, PdfValue>;
  children: StructElement[];
  /** Marked content the element owns directly: page (0-based) and MCID. */
  content: Array<{ page: number; mcid: number }>;
  /** Object numbers of annotations the element owns (OBJR). */
  annotations: number[];
  parent?: StructElement;
}

export interface LaidOutPage {
  ref: number;
  width: number;
  height: number;
  content: PageContent;
}

export interface PdfLayout {
  file: PdfFile;
  pages: LaidOutPage[];
  /** The elements under the structure tree root (usually one Document), or none if untagged. */
  roots: StructElement[];
  /** Where an element and everything under it is painted, page by page (0-based). */
  boxes(element: StructElement): Map<number, Box>;
}

/** The bytes of a stream with its filter undone (FlateDecode or none). */
export function streamData(file: PdfFile, ref: PdfValue | undefined): string | undefined {
  if (!(ref instanceof PdfRef)) return undefined;
  const object = file.objects.get(ref.num);
  if (object?.stream === undefined || !isDict(object.value)) return undefined;
  const filter = object.value.get('Filter');
  const filters = Array.isArray(filter) ? filter : filter ? [filter] : [];
  let data = object.stream;
  for (const f of filters) {
    if (!isName(f, 'FlateDecode')) return undefined;
    data = inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
  }
  return data;
}

/** Every page object of the document in order. */
export function pageRefs(file: PdfFile): number[] {
  const out: number[] = [];
  const walk = (ref: PdfValue | undefined, seen: Set<number>): void => {
    if (!(ref instanceof PdfRef) || seen.has(ref.num)) return;
    seen.add(ref.num);
    const node = file.dict(ref);
    if (!node) return;
    if (isName(node.get('Type'), 'Pages')) for (const kid of (file.resolve(node.get('Kids')) as PdfValue[] | undefined) ?? []) walk(kid, seen);
    else out.push(ref.num);
  };
  walk(file.catalog.get('Pages'), new Set());
  return out;
}

/** The text of a page's content streams, joined. */
export function pageContentText(file: PdfFile, page: PdfDict): string {
  const contents = page.get('Contents');
  const list = Array.isArray(contents) ? contents : [contents];
  return list.map((ref) => streamData(file, ref) ?? '').join('\n');
}

function attributesOf(file: PdfFile, value: PdfValue | undefined): Map<string, PdfValue> {
  const out = new Map<string, PdfValue>();
  const resolved = file.resolve(value);
  const list = Array.isArray(resolved) ? resolved : resolved === undefined ? [] : [resolved];
  for (const item of list) {
    const dict = file.dict(item);
    if (!dict) continue;
    for (const [k, v] of dict) if (k !== 'O') out.set(k, v);
  }
  return out;
}

/** Reads a PDF's pages, where their content is painted, and its structure tree. */
export function readLayout(pdf: Uint8Array | PdfFile): PdfLayout {
  const file = pdf instanceof PdfFile ? pdf : new PdfFile(pdf);
  const refs = pageRefs(file);
  const pageIndex = new Map(refs.map((ref, i) => [ref, i]));
  const pages: LaidOutPage[] = refs.map((ref) => {
    const page = file.dict(new PdfRef(ref))!;
    const box = (file.resolve(page.get('MediaBox')) as number[] | undefined) ?? [0, 0, 595.92, 841.92];
    const height = Number(box[3]) - Number(box[1]);
    return { ref, width: Number(box[2]) - Number(box[0]), height, content: readContent(pageContentText(file, page), height) };
  });
  const treeRoot = file.dict(file.catalog.get('StructTreeRoot'));
  const seen = new Set<number>();
  const element = (ref: PdfRef, parent: StructElement | undefined): StructElement | undefined => {
    if (seen.has(ref.num)) return undefined;
    seen.add(ref.num);
    const dict = file.dict(ref);
    if (!dict) return undefined;
    const role = file.resolve(dict.get('S'));
    const el: StructElement = {
      ref: ref.num,
      role: isName(role) ? role.name : '',
      attributes: attributesOf(file, dict.get('A')),
      children: [],
      content: [],
      annotations: [],
      ...(parent ? { parent } : {}),
    };
    const alt = decodeText(file.resolve(dict.get('Alt')) ?? undefined);
    if (alt !== undefined) el.alt = alt;
    const actual = decodeText(file.resolve(dict.get('ActualText')) ?? undefined);
    if (actual !== undefined) el.actualText = actual;
    const lang = decodeText(file.resolve(dict.get('Lang')) ?? undefined);
    if (lang !== undefined) el.lang = lang;
    const pg = dict.get('Pg');
    const ownPage = pg instanceof PdfRef ? pageIndex.get(pg.num) : undefined;
    const k = file.resolve(dict.get('K'));
    const kids = Array.isArray(k) ? k : k === undefined || k === null ? [] : [dict.get('K')!];
    for (const kid of kids) {
      if (typeof kid === 'number') {
        if (ownPage !== undefined) el.content.push({ page: ownPage, mcid: kid });
        continue;
      }
      if (kid instanceof PdfRef) {
        const target = file.dict(kid);
        if (target && (isName(target.get('Type'), 'MCR') || isName(target.get('Type'), 'OBJR'))) {
          addReference(target);
          continue;
        }
        const child = element(kid, el);
        if (child) el.children.push(child);
        continue;
      }
      if (isDict(kid)) addReference(kid);
    }
    function addReference(ref: PdfDict): void {
      const p = ref.get('Pg');
      const page = p instanceof PdfRef ? pageIndex.get(p.num) : ownPage;
      if (isName(ref.get('Type'), 'OBJR')) {
        const obj = ref.get('Obj');
        if (obj instanceof PdfRef) el.annotations.push(obj.num);
      } else {
        const mcid = ref.get('MCID');
        if (typeof mcid === 'number' && page !== undefined) el.content.push({ page, mcid });
      }
    }
    return el;
  };
  const roots: StructElement[] = [];
  if (treeRoot) {
    const k = file.resolve(treeRoot.get('K'));
    const kids = Array.isArray(k) ? k : [treeRoot.get('K')];
    for (const kid of kids) if (kid instanceof PdfRef) {
      const el = element(kid, undefined);
      if (el) roots.push(el);
    }
  }
  const memo = new Map<StructElement, Map<number, Box>>();
  const boxes = (el: StructElement): Map<number, Box> => {
    let out = memo.get(el);
    if (out) return out;
    out = new Map();
    for (const { page, mcid } of el.content) {
      const box = pages[page]?.content.marked.get(mcid);
      if (box) out.set(page, union(out.get(page), box));
    }
    for (const child of el.children) for (const [page, box] of boxes(child)) out.set(page, union(out.get(page), box));
    memo.set(el, out);
    return out;
  };
  return { file, pages, roots, boxes };
}

/** Every element under the given ones, depth first in reading order. */
export function allElements(roots: readonly StructElement[]): StructElement[] {
  const out: StructElement[] = [];
  const walk = (els: readonly StructElement[]): void => {
    for (const el of els) {
      out.push(el);
      walk(el.children);
    }
  };
  walk(roots);
  return out;
}

/**
 * Every bookmark in reading order (each before its children, as pdf.js lists them), with the
 * page (1-based) its explicit destination goes to, read from the PDF already parsed for its
 * layout. Undefined when a bookmark's destination is not an explicit page (a named destination,
 * an action other than GoTo): the caller then reads the outline another way.
 */
export function outlinePages(file: PdfFile): Array<{ title: string; page: number }> | undefined {
  const pageIndex = new Map(pageRefs(file).map((ref, i) => [ref, i]));
  const entries: Array<{ title: string; page: number }> = [];
  const seen = new Set<number>();
  const walk = (ref: PdfValue | undefined): boolean => {
    for (let at = ref; at instanceof PdfRef && !seen.has(at.num); ) {
      seen.add(at.num);
      const item = file.dict(at);
      if (!item) return false;
      const action = file.dict(item.get('A'));
      const dest = file.resolve(item.get('Dest') ?? (action && isName(action.get('S'), 'GoTo') ? action.get('D') : undefined));
      if (!Array.isArray(dest) || !(dest[0] instanceof PdfRef)) return false;
      const index = pageIndex.get(dest[0].num);
      entries.push({ title: decodeText(file.resolve(item.get('Title'))) ?? '', page: index === undefined ? 0 : index + 1 });
      if (!walk(item.get('First'))) return false;
      at = item.get('Next');
    }
    return true;
  };
  const root = file.dict(file.catalog.get('Outlines'));
  if (!root) return [];
  return walk(root.get('First')) ? entries : undefined;
}
