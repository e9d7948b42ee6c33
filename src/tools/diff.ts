/**
 * statpress diff: what changed between two builds of a release, sentence by sentence and cell
 * by cell, grouped by section.
 *
 * Both sides are document trees (from a build's document.json, or built here from a release
 * config). Each paragraph is split into sentences; a sentence's *shape* is its text with every
 * value replaced by a placeholder, so two sentences with the same shape differ only in data, and
 * two with different shapes differ in wording. Values are compared by their raw numbers, not by
 * their printed text, so a revision that moves a share from 43.6% to 43.8% is reported even
 * where both print as 44%, and rewording that keeps the numbers is reported as wording only.
 * Table and figure-data cells are matched by table, row and column (with counts in brackets set
 * aside, as bases change with the data) and compared the same way.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildDocument } from '../pipeline/build.js';
import { exactValues } from '../pipeline/revision.js';
import { inlineText, type RevisedFigure, type Block, type Inline, type ReportDocument, type TableCell, type TableNode, type ValueNode } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import { escapeHtml } from '../render/html.js';
import { revisedFigureLine, revisedFiguresHeading } from '../document/labels.js';

interface Value {
  text: string;
  raw: number;
  ref: string;
}

interface Sentence {
  section: string;
  keyMessage: boolean;
  /** Text with each value as ⟨#⟩: equal shapes differ only in data. */
  shape: string;
  text: string;
  values: Value[];
}

interface Cell {
  section: string;
  table: string;
  row: string;
  column: string;
  text: string;
  raw: number | null;
  ref?: string;
  /** The cell itself, for marking it revised. */
  node?: TableCell;
}

export type SentenceChange = {
  kind: 'sentence';
  section: string;
  keyMessage: boolean;
  /** `data`: same wording, values moved; `wording`: same values, words changed; `both`; or added/removed. */
  change: 'data' | 'wording' | 'both' | 'added' | 'removed';
  old?: string;
  new?: string;
  values: Array<{ old?: Value; new?: Value; printedSame: boolean }>;
};

export type CellChange = {
  kind: 'cell';
  section: string;
  table: string;
  row: string;
  column: string;
  old?: string;
  new?: string;
  oldRaw?: number | null;
  newRaw?: number | null;
  ref?: string;
  printedSame: boolean;
};

export type Change = SentenceChange | CellChange;

export interface DiffReport {
  old: string;
  new: string;
  /** Changes in document order, grouped by section path. */
  sections: Array<{ section: string; changes: Change[] }>;
  counts: { sentences: number; keyMessages: number; values: number; cells: number };
}

const TOKEN = /\u0001(\d+)\u0001/g;

function sentencesOf(inlines: readonly Inline[], section: string, keyMessage: boolean): Sentence[] {
  const values: ValueNode[] = [];
  const flatten = (nodes: readonly Inline[]): string =>
    nodes
      .map((node) => {
        if (node.type === 'value') {
          values.push(node);
          return `\u0001${values.length - 1}\u0001`;
        }
        if (node.type === 'text') return node.value;
        if (node.type === 'footnoteRef') return '';
        return flatten(node.children);
      })
      .join('');
  const text = flatten(inlines).replace(/\s+/g, ' ').trim();
  // Sentence ends: . ! ? followed by a space and a capital, a digit token or an opening quote.
  const parts = text.split(/(?<=[.!?])\s+(?=[A-Z"“‘\u0001])/);
  return parts.map((part) => {
    const own: Value[] = [];
    const shape = part.replace(TOKEN, (_, i: string) => {
      const v = values[Number(i)]!;
      own.push({ text: v.text, raw: v.raw, ref: v.ref });
      return '⟨#⟩';
    });
    const printed = part.replace(TOKEN, (_, i: string) => values[Number(i)]!.text);
    return { section, keyMessage, shape, text: printed, values: own };
  });
}

/** A cell marked revised ("43 [r]") reads as its value: the mark is not a change of data. */
const unmarked = (text: string) => text.replace(/ \[r\]$/, '');

/** Counts in brackets ("London (33)", "… 2024 (34)") change with the data, not the identity. */
const identity = (label: string) => label.replace(/\s*\([\d,]+\)\s*$/, '').trim();

function cellsOf(table: TableNode, section: string, label: string): Cell[] {
  const out: Cell[] = [];
  const head = table.columns[0]?.label ?? '';
  table.rows.forEach((row) => {
    const rowId = identity(row.header.text);
    out.push({ section, table: label, row: rowId, column: head, text: row.header.text, raw: null });
    row.cells.forEach((cell, i) => {
      out.push({ section, table: label, row: rowId, column: identity(table.columns[i + 1]?.label ?? `column ${i + 2}`), text: unmarked(cell.text), raw: cell.raw ?? null, ...(cell.ref ? { ref: cell.ref } : {}), node: cell });
    });
  });
  return out;
}

function collect(doc: ReportDocument): { sentences: Sentence[]; cells: Cell[]; order: string[] } {
  const sentences: Sentence[] = [];
  const cells: Cell[] = [];
  const order: string[] = [];
  const figureIds = new Set<string>();
  const walkFigures = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'figure') figureIds.add(b.id);
      if (b.type === 'section') walkFigures(b.children);
    }
  };
  walkFigures(doc.children);
  const walk = (blocks: readonly Block[], path: string, keyMessage: boolean): void => {
    if (!order.includes(path)) order.push(path);
    for (const block of blocks) {
      switch (block.type) {
        case 'section':
          walk(block.children, path ? `${path} > ${inlineText(block.title)}` : inlineText(block.title), false);
          break;
        case 'paragraph':
          sentences.push(...sentencesOf(block.children, path, keyMessage));
          break;
        case 'list': {
          const items = (list: typeof block): void => {
            for (const item of list.items) {
              sentences.push(...sentencesOf(item.children, path, keyMessage));
              if (item.sublist) items(item.sublist);
            }
          };
          items(block);
          break;
        }
        case 'keyMessages':
          walk(block.children, path, true);
          break;
        case 'callout':
          walk(block.children, path, keyMessage);
          break;
        case 'table':
          // The annex repeats each figure's data; the figure's own table stands for both.
          if (!(block.id.startsWith('annex-') && figureIds.has(block.id.slice('annex-'.length)))) {
            cells.push(...cellsOf(block, path, block.number ? `Table ${block.number}` : block.caption));
          }
          break;
        case 'figure':
          cells.push(...cellsOf(block.dataTable, path, `Figure ${block.number} data`));
          break;
        default:
          break;
      }
    }
  };
  walk(doc.children, '', false);
  return { sentences, cells, order };
}

/** Longest common subsequence of two lists by a key: index pairs of the matches. */
function lcs<T>(a: T[], b: T[], key: (x: T) => string): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = key(a[i]!) === key(b[j]!) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (key(a[i]!) === key(b[j]!)) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

const sameRaw = (a: number | null | undefined, b: number | null | undefined) => (a ?? null) === (b ?? null) || (a != null && b != null && Math.abs(a - b) < 1e-9);

function compareSentences(a: Sentence, b: Sentence): SentenceChange | undefined {
  const sameShape = a.shape === b.shape;
  const values: SentenceChange['values'] = [];
  const count = Math.max(a.values.length, b.values.length);
  let dataChanged = false;
  for (let i = 0; i < count; i++) {
    const o = a.values[i];
    const n = b.values[i];
    if (o && n && sameRaw(o.raw, n.raw) && o.text === n.text) continue;
    dataChanged = true;
    values.push({ ...(o ? { old: o } : {}), ...(n ? { new: n } : {}), printedSame: !!o && !!n && o.text === n.text });
  }
  if (sameShape && !dataChanged) return undefined;
  const change = sameShape ? 'data' : dataChanged ? 'both' : 'wording';
  return { kind: 'sentence', section: b.section, keyMessage: a.keyMessage || b.keyMessage, change, old: a.text, new: b.text, values };
}

/** Compares two document trees. */
/**
 * The exact values behind each side's rounded cells, by model path (a build's manifest.json
 * `values`): a cell whose exact value moved is reported even where it prints the same.
 */
export interface ExactValues {
  old?: Record<string, number> | undefined;
  new?: Record<string, number> | undefined;
}

export function diffDocuments(oldDoc: ReportDocument, newDoc: ReportDocument, labels = { old: 'old', new: 'new' }, exact: ExactValues = {}): DiffReport {
  const a = collect(oldDoc);
  const b = collect(newDoc);
  const changes: Change[] = [];

  // Sentences, section by section: align by shape, then pair what is left in each gap.
  const sectionsInOrder = [...new Set([...b.order, ...a.order])];
  for (const section of sectionsInOrder) {
    const olds = a.sentences.filter((s) => s.section === section);
    const news = b.sentences.filter((s) => s.section === section);
    const pairs = lcs(olds, news, (s) => `${s.keyMessage}|${s.shape}`);
    let i = 0;
    let j = 0;
    const gap = (iEnd: number, jEnd: number) => {
      const removed = olds.slice(i, iEnd);
      const added = news.slice(j, jEnd);
      const paired = Math.min(removed.length, added.length);
      for (let k = 0; k < paired; k++) {
        const change = compareSentences(removed[k]!, added[k]!);
        if (change) changes.push(change);
      }
      for (const s of removed.slice(paired)) changes.push({ kind: 'sentence', section, keyMessage: s.keyMessage, change: 'removed', old: s.text, values: s.values.map((v) => ({ old: v, printedSame: false })) });
      for (const s of added.slice(paired)) changes.push({ kind: 'sentence', section, keyMessage: s.keyMessage, change: 'added', new: s.text, values: s.values.map((v) => ({ new: v, printedSame: false })) });
    };
    for (const [pi, pj] of pairs) {
      gap(pi, pj);
      const change = compareSentences(olds[pi]!, news[pj]!);
      if (change) changes.push(change);
      i = pi + 1;
      j = pj + 1;
    }
    gap(olds.length, news.length);
  }

  // Cells, by table, row and column.
  const key = (c: Cell) => `${c.table}\u0000${c.row}\u0000${c.column}`;
  const oldCells = new Map(a.cells.map((c) => [key(c), c]));
  const newCells = new Map(b.cells.map((c) => [key(c), c]));
  // A cell's value: the exact one behind it where both sides know it, else the one printed.
  const valueOf = (cell: Cell, values: Record<string, number> | undefined) => (cell.ref && values?.[cell.ref] !== undefined ? values[cell.ref]! : cell.raw);
  const bothExact = (o: Cell, c: Cell) => !!o.ref && !!c.ref && exact.old?.[o.ref] !== undefined && exact.new?.[c.ref] !== undefined;
  for (const c of b.cells) {
    const o = oldCells.get(key(c));
    const [oldValue, newValue] = o && bothExact(o, c) ? [valueOf(o, exact.old), valueOf(c, exact.new)] : [o?.raw, c.raw];
    if (o && o.text === c.text && sameRaw(oldValue, newValue)) continue;
    changes.push({
      kind: 'cell',
      section: c.section,
      table: c.table,
      row: c.row,
      column: c.column,
      ...(o ? { old: o.text, oldRaw: oldValue ?? null } : {}),
      new: c.text,
      newRaw: newValue ?? null,
      ...(c.ref ? { ref: c.ref } : {}),
      printedSame: !!o && o.text === c.text,
    });
  }
  for (const o of a.cells) {
    if (!newCells.has(key(o))) changes.push({ kind: 'cell', section: o.section, table: o.table, row: o.row, column: o.column, old: o.text, oldRaw: o.raw, printedSame: false });
  }

  const grouped = new Map<string, Change[]>();
  for (const section of sectionsInOrder) grouped.set(section, []);
  for (const c of changes) grouped.get(c.section)?.push(c) ?? grouped.set(c.section, [c]);
  const sentences = changes.filter((c): c is SentenceChange => c.kind === 'sentence');
  return {
    old: labels.old,
    new: labels.new,
    sections: [...grouped].filter(([, list]) => list.length > 0).map(([section, list]) => ({ section: section || '(before the first heading)', changes: list })),
    counts: {
      sentences: sentences.length,
      keyMessages: sentences.filter((s) => s.keyMessage).length,
      values: sentences.reduce((n, s) => n + s.values.length, 0),
      cells: changes.filter((c) => c.kind === 'cell').length,
    },
  };
}

/**
 * Marks [r] on every cell of `doc` (the newer side of `report`) that was published before and
 * now prints differently; a value that moved but prints the same is listed, not marked.
 */
export function markRevised(doc: ReportDocument, report: DiffReport): number {
  const key = (table: string, row: string, column: string) => `${table}\u0000${row}\u0000${column}`;
  const moved = new Set(report.sections.flatMap((s) => s.changes.flatMap((c) => (c.kind === 'cell' && c.old !== undefined && c.new !== undefined && !c.printedSame ? [key(c.table, c.row, c.column)] : []))));
  let marked = 0;
  for (const cell of collect(doc).cells) {
    if (!cell.node || !moved.has(key(cell.table, cell.row, cell.column)) || cell.node.text.endsWith(' [r]')) continue;
    cell.node.text += ' [r]';
    marked++;
  }
  return marked;
}

// ── Reading the two sides ───────────────────────────────────────────────────────────────────

/**
 * One side of a comparison: a build folder or its manifest.json (the document.json beside it, and
 * the exact values the manifest keeps), a document.json, or a release config built here.
 */
export function loadSide(path: string): { document: ReportDocument; values?: Record<string, number> } {
  if (!existsSync(path)) throw new StatpressError('file-missing', 'no such build folder or release config', { file: path });
  if (statSync(path).isDirectory() || basename(path) === 'manifest.json') {
    const folder = statSync(path).isDirectory() ? path : dirname(path);
    const manifest = join(folder, 'manifest.json');
    let values: Record<string, number> | undefined;
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { values?: Record<string, number> };
        if (parsed.values && typeof parsed.values === 'object') values = parsed.values;
      } catch (error) {
        throw new StatpressError('config', `cannot read the build's manifest: ${(error as Error).message}`, { file: manifest });
      }
    }
    return { ...loadSide(join(folder, 'document.json')), ...(values ? { values } : {}) };
  }
  if (/\.ya?ml$/i.test(path)) {
    const built = buildDocument({ configFile: path });
    return { document: built.document, values: exactValues(built.document, built.model) };
  }
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as ReportDocument;
    if (doc.type !== 'report') throw new Error('not a statpress document tree');
    return { document: doc };
  } catch (error) {
    throw new StatpressError('config', `cannot read a document tree: ${(error as Error).message}`, { file: path });
  }
}

// ── Writing the report ──────────────────────────────────────────────────────────────────────

const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : Number.isInteger(v) ? String(v) : String(Math.round(v * 10000) / 10000));

function valueLine(v: SentenceChange['values'][number]): string {
  const from = v.old ? `${v.old.text}` : '(none)';
  const to = v.new ? `${v.new.text}` : '(none)';
  const raw = v.printedSame ? ` (printed the same; value ${num(v.old?.raw)} → ${num(v.new?.raw)})` : '';
  return `${from} → ${to}${raw}${v.new?.ref || v.old?.ref ? `  [${v.new?.ref ?? v.old?.ref}]` : ''}`;
}

/** The terminal summary. */
export function formatDiff(report: DiffReport): string {
  const lines = [`statpress diff: ${report.old} → ${report.new}`];
  const { counts } = report;
  if (report.sections.length === 0) return `${lines[0]}\nNo sentence, number or table cell changed.\n`;
  lines.push(`${counts.sentences} sentence${counts.sentences === 1 ? '' : 's'} changed (${counts.keyMessages} in the key messages), ${counts.values} value${counts.values === 1 ? '' : 's'} in the text, ${counts.cells} table or figure cell${counts.cells === 1 ? '' : 's'}.`, '');
  for (const { section, changes } of report.sections) {
    lines.push(`## ${section}`);
    for (const c of changes) {
      if (c.kind === 'sentence') {
        const label = { data: 'numbers changed', wording: 'wording changed', both: 'wording and numbers changed', added: 'added', removed: 'removed' }[c.change];
        lines.push(`  ${c.keyMessage ? 'key message' : 'sentence'}, ${label}:`);
        if (c.old !== undefined && c.change !== 'data') lines.push(`    - ${c.old}`);
        if (c.new !== undefined) lines.push(`    ${c.change === 'data' ? ' ' : '+'} ${c.new}`);
        if (c.change === 'data' || c.change === 'both') for (const v of c.values) lines.push(`      ${valueLine(v)}`);
      } else {
        const raw = c.printedSame ? ` (printed the same; value ${num(c.oldRaw)} → ${num(c.newRaw)})` : '';
        lines.push(`  ${c.table}, row "${c.row}", column "${c.column}": ${c.old ?? '(none)'} → ${c.new ?? '(none)'}${raw}`);
      }
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Marks the values of a sentence that changed, for the side-by-side page. */
function highlight(text: string | undefined, values: Array<Value | undefined>, tag: 'del' | 'ins'): string {
  if (text === undefined) return '';
  let html = '';
  let rest = text;
  for (const v of values) {
    if (!v) continue;
    const at = rest.indexOf(v.text);
    if (at < 0) continue;
    html += `${escapeHtml(rest.slice(0, at))}<${tag}>${escapeHtml(v.text)}</${tag}>`;
    rest = rest.slice(at + v.text.length);
  }
  return html + escapeHtml(rest);
}

/** A page with old and new side by side and the changed numbers marked. */
export function renderDiffHtml(report: DiffReport): string {
  const body = report.sections
    .map(({ section, changes }) => {
      const rows = changes
        .map((c) => {
          if (c.kind === 'sentence') {
            const what = { data: 'Numbers', wording: 'Wording', both: 'Wording and numbers', added: 'Added', removed: 'Removed' }[c.change];
            const oldHtml = c.change === 'data' || c.change === 'both' ? highlight(c.old, c.values.map((v) => v.old), 'del') : c.old !== undefined ? `<del>${escapeHtml(c.old)}</del>` : '';
            const newHtml = c.change === 'data' || c.change === 'both' ? highlight(c.new, c.values.map((v) => v.new), 'ins') : c.new !== undefined ? `<ins>${escapeHtml(c.new)}</ins>` : '';
            return `<tr><th scope="row">${what}${c.keyMessage ? ' (key message)' : ''}</th><td>${oldHtml}</td><td>${newHtml}</td></tr>`;
          }
          const where = `${escapeHtml(c.table)}: ${escapeHtml(c.row)}, ${escapeHtml(c.column)}`;
          const note = c.printedSame ? ` <span class="raw">(value ${escapeHtml(num(c.oldRaw))} → ${escapeHtml(num(c.newRaw))})</span>` : '';
          return `<tr><th scope="row">${where}</th><td>${c.old !== undefined ? `<del>${escapeHtml(c.old)}</del>` : ''}</td><td>${c.new !== undefined ? `<ins>${escapeHtml(c.new)}</ins>` : ''}${note}</td></tr>`;
        })
        .join('\n');
      return `<h2>${escapeHtml(section)}</h2>\n<table><caption class="visually-hidden">Changes in ${escapeHtml(section)}</caption><thead><tr><th scope="col">What changed</th><th scope="col">Before (${escapeHtml(report.old)})</th><th scope="col">After (${escapeHtml(report.new)})</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
    })
    .join('\n');
  const { counts } = report;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>What changed: ${escapeHtml(report.old)} to ${escapeHtml(report.new)}</title>
<style>body{font-family:Arial,Arimo,sans-serif;color:#0b0c0c;margin:30px;max-width:1200px;line-height:1.4}h1{font-size:2rem}h2{font-size:1.3rem;margin-top:2em}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:8px;text-align:left;vertical-align:top}thead th{border-bottom:2px solid #0b0c0c}tbody th{width:22%;font-weight:normal;color:#505a5f}td{width:39%}del{background:#f6d7d2;color:#0b0c0c;text-decoration:line-through}ins{background:#cce2d8;color:#0b0c0c;text-decoration:none;font-weight:bold}.raw{color:#505a5f;font-size:.9em}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}</style>
</head><body><main>
<h1>What changed</h1>
<p>From <strong>${escapeHtml(report.old)}</strong> to <strong>${escapeHtml(report.new)}</strong>: ${counts.sentences} sentences (${counts.keyMessages} key messages), ${counts.values} values in the text and ${counts.cells} table or figure cells. Numbers are compared as values: "printed the same" marks a value that moved without changing as printed.</p>
${report.sections.length ? body : '<p>Nothing changed.</p>'}
</main></body></html>
`;
}

/** The figures a comparison of documents found moved, as the notice lists them. */
export function revisedFigures(report: DiffReport): RevisedFigure[] {
  const out: RevisedFigure[] = [];
  for (const { changes } of report.sections) {
    for (const c of changes) {
      if (c.kind === 'cell') {
        if (c.old === undefined || c.new === undefined) continue;
        out.push({ where: `${c.table}, row "${c.row}", column "${c.column}"`, old: c.old, new: c.new, ...(c.printedSame ? { raw: `${num(c.oldRaw)} → ${num(c.newRaw)}` } : {}) });
      } else if (c.change === 'data' || c.change === 'both') {
        for (const v of c.values) {
          if (!v.old || !v.new) continue;
          out.push({ where: `${c.section}: "${c.new}"`, old: v.old.text, new: v.new.text, ...(v.printedSame ? { raw: `${num(v.old.raw)} → ${num(v.new.raw)}` } : {}) });
        }
      } else {
        out.push({ where: `${c.section}, sentence ${c.change === 'wording' ? 'reworded' : c.change}`, old: c.old ?? '', new: c.new ?? '' });
      }
    }
  }
  return out;
}

/**
 * A first draft of the "what changed" text for a revision notice, from the comparison. The
 * producer edits it and puts it in the release config under meta.revision.reason.
 */
export function draftRevisionNotice(report: DiffReport): string {
  const { counts } = report;
  if (report.sections.length === 0) return 'No published sentence, number or table value changed.';
  const sentences = report.sections.flatMap((s) => s.changes.filter((c): c is SentenceChange => c.kind === 'sentence' && c.change !== 'wording'));
  const cells = report.sections.flatMap((s) => s.changes.filter((c): c is CellChange => c.kind === 'cell' && !c.printedSame));
  const tables = [...new Set(cells.map((c) => c.table))];
  const parts = [
    `The revision changes ${counts.values + counts.cells} published value${counts.values + counts.cells === 1 ? '' : 's'}: ${counts.values} in the text and ${counts.cells} in ${tables.length ? tables.join(', ') : 'no table or figure'}.`,
    counts.keyMessages === 0 ? 'No key message changed.' : `${counts.keyMessages} key message${counts.keyMessages === 1 ? '' : 's'} changed.`,
  ];
  const lines = sentences.map((s) => `- ${s.section}: "${s.new ?? '(removed)'}" (previously: "${s.old ?? '(new)'}")`);
  // The same list a build with meta.revision.previous puts in its notice.
  const figures = revisedFigures(report);
  return [
    parts.join(' '),
    ...(lines.length ? ['', 'Sentences that changed:', ...lines] : []),
    '',
    revisedFiguresHeading(figures.length, report.old),
    ...figures.map((f) => `- ${revisedFigureLine(f)}`),
  ].join('\n');
}
