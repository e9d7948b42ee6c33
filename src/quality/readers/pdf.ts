/** Reading a PDF back with pdf.js: opening it, and its bookmarks with the pages they go to. */
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';

/** Opens PDF bytes with pdf.js (which takes over a copy of them); call `destroy()` when done. */
export async function openPdf(pdf: Uint8Array): Promise<PDFDocumentProxy> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false, useSystemFonts: false }).promise;
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
export async function markedContentText(pdf: Uint8Array): Promise<Map<string, string>> {
  const doc = await openPdf(pdf);
  const out = new Map<string, string>();
  try {
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
  } finally {
    await doc.destroy();
  }
  return out;
}
