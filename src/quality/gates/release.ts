/**
 * The `release` gate: the release as a set of files. Every document the config lists is built in
 * every format asked for; the landing page links to every document in every format and to every
 * data file; each document's web page links to the landing page and to the other documents; and
 * no web page of the release links to a file the release does not have.
 */
import type { Finding, GateResult } from './document-gates.js';

export const RELEASE_GATE = 'release';
const GUARANTEES = 'every document the release lists is built in every format, linked from the landing page and from the other documents, and every link to a file of the release finds it';

export interface ReleaseFiles {
  documents: Array<{ id: string; label: string }>;
  formats: readonly string[];
  /** Every file the release wrote, and the text of a web page among them. */
  names: ReadonlySet<string>;
  text: (name: string) => string | Uint8Array | undefined;
  /** The landing page's file name, where the release has one. */
  landing?: string;
}

/** Addresses of the links of a web page that point to files beside it (not web, mail or in-page). */
function fileLinks(html: string): string[] {
  const out: string[] = [];
  for (const match of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)) {
    const href = match[1]!.replace(/&amp;/g, '&');
    if (!/^(https?:|mailto:|#)/i.test(href)) out.push(href.split('#')[0]!);
  }
  return out;
}

export function checkReleaseFiles(input: ReleaseFiles): GateResult {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ gate: RELEASE_GATE, where, message });
  const text = (name: string) => {
    const content = input.text(name);
    return typeof content === 'string' ? content : content ? new TextDecoder().decode(content) : undefined;
  };
  for (const d of input.documents) {
    for (const format of input.formats) if (!input.names.has(`${d.id}.${format}`)) add(d.label, `listed in the release config but not built as ${format.toUpperCase()} (${d.id}.${format})`);
  }
  const pages = [...input.names].filter((name) => name.endsWith('.html'));
  for (const page of pages) {
    for (const href of fileLinks(text(page) ?? '')) if (!input.names.has(href)) add(page, `links to ${href}, which the release does not have`);
  }
  if (input.landing) {
    const landing = new Set(fileLinks(text(input.landing) ?? ''));
    const expected = [
      ...input.documents.flatMap((d) => input.formats.map((f) => `${d.id}.${f}`)),
      ...[...input.names].filter((name) => name.startsWith('data/') || name.startsWith('underlying-data.')),
    ];
    for (const file of expected) if (input.names.has(file) && !landing.has(file)) add(input.landing, `does not link to ${file}`);
    if (input.formats.includes('html')) {
      for (const d of input.documents) {
        const links = new Set(fileLinks(text(`${d.id}.html`) ?? ''));
        for (const target of [input.landing, ...input.documents.filter((o) => o.id !== d.id).map((o) => `${o.id}.html`)]) {
          if (!links.has(target)) add(d.label, `its web page does not link to ${target}`);
        }
      }
    }
  }
  return { gate: RELEASE_GATE, guarantees: GUARANTEES, findings };
}
