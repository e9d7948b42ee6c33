/** Reading a PDF back with pdf.js: opening it, its bookmarks with the pages they go to, its fonts, and a page's lines. */
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';

/** Opens PDF bytes with pdf.js (which takes over a copy of them); call `destroy()` when done. */
export async function openPdf(pdf: Uint8Array): Promise<PDFDocumentProxy> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false, useSystemFonts: false }).promise;
}

/**
 * Runs `read` on a PDF: bytes are opened for it and closed after; a document already open (the
 * format gates open the release's PDF once for all their readings) is used and left open.
 */
export async function withPdf<T>(pdf: Uint8Array | PDFDocumentProxy, read: (doc: PDFDocumentProxy) => Promise<T>): Promise<T> {
  if (!(pdf instanceof Uint8Array)) return read(pdf);
  const doc = await openPdf(pdf);
  try {
    return await read(doc);
  } finally {
    await doc.destroy();
  }
}

interface OutlineNode {
  title: string;
  dest?: unknown;
  items?: OutlineNode[];
}

/** Every bookmark in reading order, with the page (1-based) it goes to, or 0 where it has none. */
export async function outlineEntries(doc: PDFDocumentProxy): Promise<Array<{ title: string; page: number }>> {
  const entries: Array<{ title: string; page: number }> = [];
  const walk = async (items: OutlineNode[]): Promise<void> => {
    for (const item of items) {
      const dest = typeof item.dest === 'string' ? await doc.getDestination(item.dest) : item.dest;
      const ref = Array.isArray(dest) ? (dest[0] as unknown) : undefined;
      const page = ref && typeof ref === 'object' ? (await doc.getPageIndex(ref as { num: number; gen: number })) + 1 : 0;
      entries.push({ title: item.title, page });
      await walk(item.items ?? []);
    }
  };
  await walk(((await doc.getOutline()) ?? []) as OutlineNode[]);
  return entries;
}

/** The text of each marked-content sequence, keyed "page:MCID" (page 0-based), as pdf.js reads it. */
export async function markedContentText(pdf: Uint8Array | PDFDocumentProxy): Promise<Map<string, string>> {
  return withPdf(pdf, async (doc) => {
    const out = new Map<string, string>();
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent({ includeMarkedContent: true });
      const open: Array<string | undefined> = [];
      for (const item of content.items as Array<{ type?: string; id?: string | null; str?: string }>) {
        if (item.type === 'beginMarkedContentProps' || item.type === 'beginMarkedContent') {
          const mcid = /_mc(\d+)$/.exec(item.id ?? '')?.[1];
          open.push(mcid === undefined ? undefined : `${i - 1}:${mcid}`);
        } else if (item.type === 'endMarkedContent') open.pop();
        else if (typeof item.str === 'string') {
          const key = [...open].reverse().find((k) => k !== undefined);
          if (key) out.set(key, (out.get(key) ?? '') + item.str);
        }
      }
    }
    return out;
  });
}

/** A font a PDF's pages use, as pdf.js loads it. */
export interface PdfFont {
  /** The font's name in the PDF (`AAAAAA+Arimo-Regular`: a six-letter tag and + mark a subset). */
  name: string;
  /** The font program is in the file (not left to the reader's system fonts). */
  embedded: boolean;
  /** Only the glyphs used are embedded (the name carries a subset tag). */
  subset: boolean;
  /**
   * Its character codes map to Unicode through a map of the font's own (a ToUnicode CMap, or for a
   * simple font its encoding), not pdf.js's fallback that reads codes as if they were Unicode.
   */
  unicode: boolean;
  /** Pages (1-based) that use it. */
  pages: number[];
}

/** Every font the pages draw text with, read through pdf.js's operator lists. */
export async function pdfFonts(pdf: Uint8Array): Promise<PdfFont[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // fontExtraProperties keeps each font's Unicode map in what pdf.js hands back.
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false, useSystemFonts: false, fontExtraProperties: true }).promise;
  try {
    const fonts = new Map<string, PdfFont>();
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const ops = await page.getOperatorList();
      const ids = new Set<string>();
      ops.fnArray.forEach((fn, at) => {
        if (fn === pdfjs.OPS.setFont) ids.add(String((ops.argsArray[at] as unknown[])[0]));
      });
      for (const id of ids) {
        const font = page.commonObjs.get(id) as { name?: string; missingFile?: boolean; isType3Font?: boolean; toUnicode?: { _map?: unknown[] } };
        const name = font.name ?? id;
        const known = fonts.get(name);
        if (known) {
          if (!known.pages.includes(i)) known.pages.push(i);
          continue;
        }
        // pdf.js's own map class keeps its entries in `_map`; its identity fallback has none.
        const map = font.toUnicode?._map;
        fonts.set(name, {
          name,
          embedded: font.missingFile === false || font.isType3Font === true,
          subset: /^[A-Z]{6}\+/.test(name),
          unicode: Array.isArray(map) && map.some((v) => v !== undefined),
          pages: [i],
        });
      }
    }
    return [...fonts.values()];
  } finally {
    await doc.destroy();
  }
}

/**
 * A page's text as lines, top to bottom, the pieces of each line left to right with a space
 * between: what a reader sees across the page (a contents entry and its page number on one line).
 */
export async function pageLines(doc: PDFDocumentProxy, pageNumber: number): Promise<string[]> {
  const page = await doc.getPage(pageNumber);
  const content = await page.getTextContent();
  const pieces = content.items
    .flatMap((item) => ('str' in item && item.str.trim() !== '' ? [{ text: item.str, x: item.transform[4] as number, y: item.transform[5] as number, h: Math.abs(item.transform[3] as number) }] : []))
    .sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Array<{ y: number; h: number; pieces: typeof pieces }> = [];
  for (const piece of pieces) {
    // Pieces on one baseline, give or take a fifth of the text's height, are one line.
    const line = lines.find((l) => Math.abs(l.y - piece.y) <= Math.max(1, 0.2 * Math.min(l.h, piece.h || l.h)));
    if (line) line.pieces.push(piece);
    else lines.push({ y: piece.y, h: piece.h, pieces: [piece] });
  }
  return lines
    .sort((a, b) => b.y - a.y)
    .map((l) => l.pieces.sort((a, b) => a.x - b.x).map((p) => p.text.trim()).join(' '));
}
