/**
 * The `govspeak` gate: the govspeak export says what the document says, and GOV.UK can publish it.
 * Every number of the document tree (each value in the text and each cell of a table exported as a
 * table) appears in the export; every image and attachment it names is in the upload list; there is
 * no raw HTML; every table has one header row and no empty cell.
 */
import type { Block, Inline, ReportDocument, TableNode } from '../../document/document.js';
import type { GovspeakExport } from '../../render/govspeak.js';
import type { Finding, GateResult } from './document-gates.js';

export const GOVSPEAK_GATE = 'govspeak';
const GUARANTEES = 'the govspeak export states every number of the document, names only files in the upload list, holds no raw HTML, and its tables have one header row and no empty cell';

/** The export as a reader sees its text: escapes and emphasis marks removed. */
function readable(markdown: string): string {
  return markdown.replace(/\\(.)/g, '$1').replace(/\*\*?([^*\n]+)\*\*?/g, '$1');
}

function valuesOf(inlines: readonly Inline[], out: string[]): void {
  for (const n of inlines) {
    if (n.type === 'value') out.push(n.text);
    else if (n.type === 'strong' || n.type === 'emphasis' || n.type === 'link') valuesOf(n.children, out);
  }
}

/** Every printed number of the tree, with where it is: values of the text, cells of tables. */
function numbersOf(blocks: readonly Block[], skip: ReadonlySet<string>, out: Array<{ where: string; text: string }>, where = ''): void {
  const cells = (t: TableNode) => {
    if (skip.has(t.id)) return;
    for (const row of t.rows) for (const c of row.cells) out.push({ where: `${t.caption}, row "${row.header.text}"`, text: c.text });
  };
  for (const b of blocks) {
    const texts: string[] = [];
    switch (b.type) {
      case 'section':
        numbersOf(b.children, skip, out, b.id);
        break;
      case 'paragraph':
        valuesOf(b.children, texts);
        break;
      case 'list':
        for (const item of b.items) {
          valuesOf(item.children, texts);
          for (const sub of item.sublist?.items ?? []) valuesOf(sub.children, texts);
        }
        break;
      case 'keyMessages':
      case 'callout':
        for (const p of b.children) valuesOf(p.children, texts);
        break;
      case 'table':
        cells(b);
        break;
      case 'figure':
        cells(b.dataTable);
        break;
    }
    for (const text of texts) out.push({ where: where || 'the document', text });
  }
}

/** The pipe tables of the export: runs of lines that start with "|". */
function pipeTables(markdown: string): Array<{ line: number; rows: string[] }> {
  const out: Array<{ line: number; rows: string[] }> = [];
  const lines = markdown.split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith('|')) return;
    if (i > 0 && lines[i - 1]!.startsWith('|')) out[out.length - 1]!.rows.push(line);
    else out.push({ line: i + 1, rows: [line] });
  });
  return out;
}

/** Cells of a pipe-table row, split on unescaped bars. */
function cellsOf(row: string): string[] {
  return row.replace(/^\|/, '').replace(/\|\s*$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
}

export function checkGovspeak(doc: ReportDocument, exported: GovspeakExport, uploads: ReadonlySet<string>): GateResult {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ gate: GOVSPEAK_GATE, where, message });
  const text = readable(exported.markdown);
  const numbers: Array<{ where: string; text: string }> = [];
  numbersOf(doc.children, new Set(exported.attachedTables), numbers);
  for (const n of numbers) if (!text.includes(n.text)) add(n.where, `"${n.text}" is not in the govspeak`);
  for (const m of exported.markdown.matchAll(/\[(Image|Attachment|AttachmentLink):([^\]]+)\]/g)) {
    if (!uploads.has(m[2]!)) add(`[${m[1]}:${m[2]}]`, 'names a file that is not in the upload list');
  }
  exported.markdown.split('\n').forEach((line, i) => {
    if (/(^|[^\\])<\/?[A-Za-z!]/.test(line)) add(`line ${i + 1}`, `raw HTML: ${line.slice(0, 80)}`);
  });
  for (const table of pipeTables(exported.markdown)) {
    const ruleAt = table.rows.findIndex((r) => /^\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(r));
    if (ruleAt !== 1) add(`table at line ${table.line}`, ruleAt === -1 ? 'has no header row' : `has ${ruleAt} header rows`);
    table.rows.forEach((row, i) => {
      if (i === ruleAt) return;
      if (cellsOf(row).some((c) => c.replace(/^#/, '').trim() === '')) add(`table at line ${table.line}`, `row ${i + 1} has an empty cell`);
    });
  }
  return { gate: GOVSPEAK_GATE, guarantees: GUARANTEES, findings };
}
