/**
 * Finishing the PDF Chromium prints into a PDF/UA-1 document, as one incremental update:
 *
 * - every date Chromium stamped becomes the publication date (reproducible bytes; the structure
 *   element ids are numbered afresh after finishing, by `numberStructureIds` in pdf.ts);
 * - document information and an XMP metadata packet with the title, author, subject, keywords,
 *   language, dates and the PDF/UA identifier (`pdfuaid:part` 1); the catalog asks viewers to
 *   show the title (`DisplayDocTitle`) and open the bookmarks (`/PageMode /UseOutlines`);
 * - bookmark titles are the headings' own text (Chromium builds them from laid-out lines, so a
 *   wrapped heading lost its space and a heading pushed to the next page could appear twice);
 * - the structure tree is repaired: the NonStruct element Chromium wraps around every run of text
 *   is dissolved into its parent, other NonStruct containers become Sect (when they open with a
 *   heading) or Div, and each list item's body is wrapped in LBody after its label;
 * - every link annotation gets an alternate description (its text) in /Contents;
 * - whatever is painted outside marked content (page backgrounds, rules, the running footer) is
 *   marked as an artifact.
 */
import { deflateSync } from 'node:zlib';
import type { ReportMeta } from '../document/document.js';
import { DRAFT, documentSubject, documentTitle, OFFICIAL_STATISTICS } from '../document/labels.js';
import { markUntaggedAsArtifacts } from './pdf-content.js';
import { isDict, isName, name, PdfFile, PdfRef, PdfString, textString, type PdfDict, type PdfValue } from './pdf-objects.js';
import { pageContentText, pageRefs, streamData } from '../quality/readers/pdf-layout.js';

export interface FinishOptions {
  /** The text of every heading (h1 to h6) in document order, whitespace collapsed. */
  headings: string[];
  /** The text of marked content, by page (0-based) and MCID, for the links' descriptions. */
  markedText?: Map<string, string>;
}

/** PDF date string for an ISO date: D:YYYYMMDD000000Z. */
function pdfDate(iso: string): string {
  return `D:${iso.replace(/-/g, '')}000000Z`;
}

const xmlEscape = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** The document's descriptive metadata, the same in the Info dictionary and the XMP packet. */
function describe(meta: ReportMeta) {
  return {
    title: documentTitle(meta.title, meta.draft),
    author: meta.producer,
    subject: documentSubject(meta.status, meta.period, meta.coverage),
    keywords: [OFFICIAL_STATISTICS, meta.coverage, meta.series?.title ?? '', meta.draft ? DRAFT : ''].filter(Boolean).join(', '),
    creator: 'statpress',
    producer: 'statpress with Chromium',
    date: `${meta.published.iso}T00:00:00Z`,
    language: meta.language,
  };
}

/** The XMP packet (UTF-8) with Dublin Core, XMP, PDF and PDF/UA identification properties. */
export function xmpPacket(meta: ReportMeta): string {
  const d = describe(meta);
  const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(text)}</rdf:li></rdf:Alt>`;
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about=""',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
    ' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">',
    '<dc:format>application/pdf</dc:format>',
    `<dc:title>${alt(d.title)}</dc:title>`,
    `<dc:creator><rdf:Seq><rdf:li>${xmlEscape(d.author)}</rdf:li></rdf:Seq></dc:creator>`,
    `<dc:description>${alt(d.subject)}</dc:description>`,
    `<dc:language><rdf:Bag><rdf:li>${xmlEscape(d.language)}</rdf:li></rdf:Bag></dc:language>`,
    `<pdf:Keywords>${xmlEscape(d.keywords)}</pdf:Keywords>`,
    `<pdf:Producer>${xmlEscape(d.producer)}</pdf:Producer>`,
    `<xmp:CreatorTool>${xmlEscape(d.creator)}</xmp:CreatorTool>`,
    `<xmp:CreateDate>${d.date}</xmp:CreateDate>`,
    `<xmp:ModifyDate>${d.date}</xmp:ModifyDate>`,
    `<xmp:MetadataDate>${d.date}</xmp:MetadataDate>`,
    '<pdfuaid:part>1</pdfuaid:part>',
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="r"?>',
  ].join('\n');
}

const squash = (text: string) => text.normalize('NFKC').replace(/\s+/g, '');

/** Every bookmark, depth first in reading order. */
function outlineItems(file: PdfFile): number[] {
  const out: number[] = [];
  const walk = (ref: PdfValue | undefined, seen: Set<number>): void => {
    while (ref instanceof PdfRef && !seen.has(ref.num)) {
      seen.add(ref.num);
      out.push(ref.num);
      const item = file.dict(ref);
      walk(item?.get('First'), seen);
      ref = item?.get('Next');
    }
  };
  walk(file.dict(file.catalog.get('Outlines'))?.get('First'), new Set());
  return out;
}

/**
 * Each bookmark's title becomes its heading's text. A bookmark names its heading's structure
 * element (/SE), which gives the heading's place among the document's headings; without one,
 * the next heading whose text it holds (without spaces, perhaps twice over) is taken.
 */
function fixBookmarks(file: PdfFile, headings: string[]): void {
  const headingElements = structElements(file).filter((e) => /^H[1-6]?$/.test(e.role)).map((e) => e.num);
  let cursor = 0;
  for (const num of outlineItems(file)) {
    const item = file.dict(new PdfRef(num))!;
    const se = item.get('SE');
    let heading: string | undefined;
    const at = se instanceof PdfRef ? headingElements.indexOf(se.num) : -1;
    if (at >= 0 && headingElements.length === headings.length) heading = headings[at];
    else {
      const title = squash(decodeTitle(item.get('Title')));
      const found = headings.findIndex((h, i) => i >= cursor && (title === squash(h) || title === squash(h) + squash(h)));
      if (found >= 0) {
        heading = headings[found];
        cursor = found + 1;
      }
    }
    if (heading !== undefined) {
      item.set('Title', textString(heading));
      file.update(num);
    }
  }
}

function decodeTitle(value: PdfValue | undefined): string {
  if (!(value instanceof PdfString)) return '';
  const b = value.bytes;
  if (!b.startsWith('\xfe\xff')) return b;
  let out = '';
  for (let i = 2; i + 1 < b.length; i += 2) out += String.fromCharCode((b.charCodeAt(i) << 8) | b.charCodeAt(i + 1));
  return out;
}

interface ElementRef {
  num: number;
  role: string;
  dict: PdfDict;
}

/** Every structure element reachable from the root, depth first. */
function structElements(file: PdfFile): ElementRef[] {
  const out: ElementRef[] = [];
  const seen = new Set<number>();
  const walk = (value: PdfValue | undefined): void => {
    const resolved = file.resolve(value);
    const kids = Array.isArray(resolved) ? resolved : [value];
    for (const kid of kids) {
      if (!(kid instanceof PdfRef) || seen.has(kid.num)) continue;
      seen.add(kid.num);
      const dict = file.dict(kid);
      if (!dict || !isName(dict.get('S'))) continue;
      out.push({ num: kid.num, role: (dict.get('S') as { name: string }).name, dict });
      walk(dict.get('K'));
    }
  };
  walk(file.dict(file.catalog.get('StructTreeRoot'))?.get('K'));
  return out;
}

/** The element's kids as a list (K may be one kid or an array). */
function kidsOf(file: PdfFile, dict: PdfDict): PdfValue[] {
  const k = dict.get('K');
  const resolved = file.resolve(k);
  if (resolved === undefined || resolved === null) return [];
  return Array.isArray(resolved) ? [...resolved] : [k!];
}

/** The parent tree: for each page's /StructParents, the array (by MCID) of owning elements. */
class ParentTree {
  private readonly arrays = new Map<number, { holder: number | undefined; array: PdfValue[]; parent?: PdfValue[]; index?: number }>();

  constructor(private readonly file: PdfFile) {
    const root = file.dict(file.dict(file.catalog.get('StructTreeRoot'))?.get('ParentTree'));
    const walk = (node: PdfDict | undefined): void => {
      if (!node) return;
      const nums = file.resolve(node.get('Nums'));
      if (Array.isArray(nums)) {
        for (let i = 0; i + 1 < nums.length; i += 2) {
          const key = nums[i];
          const value = nums[i + 1];
          if (typeof key !== 'number') continue;
          if (value instanceof PdfRef) {
            const array = file.resolve(value);
            if (Array.isArray(array)) this.arrays.set(key, { holder: value.num, array });
          } else if (Array.isArray(value)) this.arrays.set(key, { holder: undefined, array: value, parent: nums, index: i + 1 });
        }
      }
      const kids = file.resolve(node.get('Kids'));
      if (Array.isArray(kids)) for (const kid of kids) walk(file.dict(kid));
    };
    walk(root);
  }

  /** Says that the content `mcid` on the page with `structParents` now belongs to `owner`. */
  set(structParents: number, mcid: number, owner: number): void {
    const entry = this.arrays.get(structParents);
    if (!entry) return;
    entry.array[mcid] = new PdfRef(owner);
    if (entry.holder !== undefined) this.file.update(entry.holder);
    else this.changedDirect = true;
  }

  changedDirect = false;
}

/**
 * Repairs what Chromium leaves in the structure tree: run wrappers (NonStruct elements holding
 * only marked content) are dissolved into their parents, other NonStruct elements are named
 * Sect or Div, and list items get an LBody around everything after their label.
 */
function repairStructure(file: PdfFile): void {
  const tree = new ParentTree(file);
  const pageOf = new Map<number, number>();
  for (const ref of pageRefs(file)) {
    const sp = file.dict(new PdfRef(ref))?.get('StructParents');
    if (typeof sp === 'number') pageOf.set(ref, sp);
  }
  /** A kid as marked-content references, or undefined if it is an element or an annotation. */
  const asContent = (kid: PdfValue, pg: PdfValue | undefined): PdfDict[] | undefined => {
    if (typeof kid === 'number') return pg ? [new Map<string, PdfValue>([['Type', name('MCR')], ['Pg', pg], ['MCID', kid]])] : undefined;
    const dict = kid instanceof PdfRef ? file.dict(kid) : isDict(kid) ? kid : undefined;
    if (dict && isName(dict.get('Type'), 'MCR')) {
      const out = new Map(dict);
      if (!out.get('Pg') && pg) out.set('Pg', pg);
      return [out];
    }
    return undefined;
  };
  const setOwner = (mcr: PdfDict, owner: number) => {
    const pg = mcr.get('Pg');
    const mcid = mcr.get('MCID');
    const sp = pg instanceof PdfRef ? pageOf.get(pg.num) : undefined;
    if (sp !== undefined && typeof mcid === 'number') tree.set(sp, mcid, owner);
  };
  const elements = structElements(file);
  const byNum = new Map(elements.map((e) => [e.num, e]));
  // 1. Dissolve run wrappers, deepest first so a wrapper of wrappers dissolves too.
  for (const el of [...elements].reverse()) {
    if (el.role !== 'NonStruct') continue;
    const pg = el.dict.get('Pg');
    const kids = kidsOf(file, el.dict);
    const content = kids.map((k) => asContent(k, pg));
    if (kids.length === 0 || content.some((c) => c === undefined) || el.dict.has('ID')) continue;
    const parentRef = el.dict.get('P');
    if (!(parentRef instanceof PdfRef)) continue;
    const parent = file.dict(parentRef);
    if (!parent || !byNum.has(parentRef.num)) continue;
    const mcrs = content.flat() as PdfDict[];
    const siblings = kidsOf(file, parent);
    const at = siblings.findIndex((s) => s instanceof PdfRef && s.num === el.num);
    if (at < 0) continue;
    siblings.splice(at, 1, ...mcrs);
    parent.set('K', siblings);
    file.update(parentRef.num);
    for (const mcr of mcrs) setOwner(mcr, parentRef.num);
    byNum.delete(el.num);
  }
  // 2. Name the containers that are left.
  for (const el of elements) {
    if (el.role !== 'NonStruct' || !byNum.has(el.num)) continue;
    const first = kidsOf(file, el.dict).map((k) => file.dict(k)).find((d) => d && isName(d.get('S')));
    const role = first && /^H[1-6]$/.test((first.get('S') as { name: string }).name) ? 'Sect' : 'Div';
    el.dict.set('S', name(role));
    file.update(el.num);
  }
  // 3. List items: label, then the body.
  for (const el of elements) {
    if (el.role !== 'LI' || !byNum.has(el.num)) continue;
    const kids = kidsOf(file, el.dict);
    const isLabel = (k: PdfValue) => {
      const d = k instanceof PdfRef ? file.dict(k) : undefined;
      return d !== undefined && isName(d.get('S'), 'Lbl');
    };
    const isBody = (k: PdfValue) => {
      const d = k instanceof PdfRef ? file.dict(k) : undefined;
      return d !== undefined && isName(d.get('S'), 'LBody');
    };
    if (kids.some(isBody)) continue;
    const labels = kids.filter(isLabel);
    const rest = kids.filter((k) => !isLabel(k));
    if (rest.length === 0) continue;
    const pg = el.dict.get('Pg');
    const bodyKids = rest.map((k) => asContent(k, pg)?.[0] ?? k);
    const body = file.add(new Map<string, PdfValue>([['Type', name('StructElem')], ['S', name('LBody')], ['P', new PdfRef(el.num)], ['K', bodyKids]]));
    for (const kid of bodyKids) {
      const d = kid instanceof PdfRef ? file.dict(kid) : undefined;
      if (d && d.has('S')) {
        d.set('P', body);
        file.update((kid as PdfRef).num);
      } else if (isDict(kid)) setOwner(kid, body.num);
    }
    el.dict.set('K', [...labels, body]);
    file.update(el.num);
  }
  if (tree.changedDirect) {
    const rootRef = file.catalog.get('StructTreeRoot');
    const ptRef = file.dict(rootRef)?.get('ParentTree');
    if (ptRef instanceof PdfRef) file.update(ptRef.num);
    else if (rootRef instanceof PdfRef) file.update(rootRef.num);
  }
}

/** Each link annotation's description: the text of its Link element, else where it goes. */
function describeLinks(file: PdfFile, markedText: Map<string, string> | undefined): void {
  const pages = pageRefs(file);
  const pageIndex = new Map(pages.map((ref, i) => [ref, i]));
  for (const el of structElements(file)) {
    if (el.role !== 'Link') continue;
    const texts: string[] = [];
    const annots: number[] = [];
    const collect = (dict: PdfDict): void => {
      const pg = dict.get('Pg');
      for (const kid of kidsOf(file, dict)) {
        if (typeof kid === 'number' && pg instanceof PdfRef) texts.push(markedText?.get(`${pageIndex.get(pg.num)}:${kid}`) ?? '');
        const d = kid instanceof PdfRef ? file.dict(kid) : isDict(kid) ? kid : undefined;
        if (!d) continue;
        if (isName(d.get('Type'), 'OBJR')) {
          const obj = d.get('Obj');
          if (obj instanceof PdfRef) annots.push(obj.num);
        } else if (isName(d.get('Type'), 'MCR')) {
          const p = d.get('Pg') ?? pg;
          const mcid = d.get('MCID');
          if (p instanceof PdfRef && typeof mcid === 'number') texts.push(markedText?.get(`${pageIndex.get(p.num)}:${mcid}`) ?? '');
        } else if (d.has('S')) collect(d);
      }
    };
    collect(el.dict);
    const text = texts.join('').replace(/\s+/g, ' ').trim();
    for (const num of annots) {
      const annot = file.dict(new PdfRef(num));
      if (!annot || annot.has('Contents')) continue;
      const action = file.dict(annot.get('A'));
      const uri = action?.get('URI');
      const fallback = uri instanceof PdfString ? uri.bytes.replace(/^mailto:/, '') : '';
      const description = text || fallback;
      if (!description) continue;
      annot.set('Contents', textString(description));
      file.update(num);
    }
  }
}

/** Marks what each page paints outside marked content as an artifact. */
function markArtifacts(file: PdfFile): void {
  for (const ref of pageRefs(file)) {
    const page = file.dict(new PdfRef(ref));
    if (!page) continue;
    const contents = page.get('Contents');
    const streams = Array.isArray(contents) ? contents : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PdfRef)) continue;
      const text = streamData(file, stream);
      if (text === undefined) continue;
      const marked = markUntaggedAsArtifacts(text);
      if (marked === text) continue;
      const dict = new Map(file.dict(stream)!);
      dict.set('Filter', name('FlateDecode'));
      dict.delete('DecodeParms');
      file.update(stream.num, dict, deflateSync(Buffer.from(marked, 'latin1'), { level: 6 }).toString('latin1'));
    }
  }
  void pageContentText;
}

/** Makes the printed PDF reproducible, complete in its metadata, and PDF/UA-1 in its structure. */
export function finishPdf(pdf: Uint8Array, meta: ReportMeta, options: FinishOptions): Uint8Array {
  let text = Buffer.from(pdf).toString('latin1');
  const fixed = pdfDate(meta.published.iso);
  // Same length, so every offset Chromium wrote stays right.
  text = text.replace(/\((D:\d{14}[^)]*)\)/g, (_, date: string) => `(${fixed.padEnd(date.length, ' ').slice(0, date.length)})`);
  const file = new PdfFile(text);
  const d = describe(meta);
  const info = file.add(
    new Map<string, PdfValue>([
      ['Title', textString(d.title)],
      ['Author', textString(d.author)],
      ['Subject', textString(d.subject)],
      ['Keywords', textString(d.keywords)],
      ['Creator', textString(d.creator)],
      ['Producer', textString(d.producer)],
      ['CreationDate', new PdfString(fixed)],
      ['ModDate', new PdfString(fixed)],
    ]),
  );
  const xmp = Buffer.from(xmpPacket(meta), 'utf8').toString('latin1');
  const metadata = file.add(new Map<string, PdfValue>([['Type', name('Metadata')], ['Subtype', name('XML')]]), xmp);
  const rootRef = file.trailer.get('Root');
  const catalog = file.catalog;
  catalog.set('Metadata', metadata);
  const prefs = file.dict(catalog.get('ViewerPreferences')) ?? new Map<string, PdfValue>();
  prefs.set('DisplayDocTitle', true);
  catalog.set('ViewerPreferences', isDict(catalog.get('ViewerPreferences')) ? prefs : catalog.get('ViewerPreferences') instanceof PdfRef ? catalog.get('ViewerPreferences')! : prefs);
  if (catalog.get('ViewerPreferences') instanceof PdfRef) file.update((catalog.get('ViewerPreferences') as PdfRef).num);
  catalog.set('PageMode', name('UseOutlines'));
  if (!catalog.has('Lang')) catalog.set('Lang', new PdfString(meta.language));
  if (rootRef instanceof PdfRef) file.update(rootRef.num);
  fixBookmarks(file, options.headings);
  repairStructure(file);
  describeLinks(file, options.markedText);
  markArtifacts(file);
  return file.save({ Info: info });
}
