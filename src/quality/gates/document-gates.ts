/**
 * Quality gates run on every build and by `statpress check`: narrative checks on the document
 * tree here; accessibility and cross-format agreement join them where the formats exist. Each
 * gate returns findings rather than throwing, so a report can list every problem at once.
 */
import { inlineText, type Block, type FigureNode, type Inline, type ReportDocument, type ValueNode } from '../../document/document.js';
import { validateDocument } from './structure.js';

export interface Finding {
  gate: string;
  /** Where in the document: section title path, figure or table. */
  where: string;
  message: string;
}

export interface GateResult {
  gate: string;
  /** What the gate guarantees when it passes, for the report and the README. */
  guarantees: string;
  findings: Finding[];
}

interface Located {
  where: string;
  inlines: readonly Inline[];
  /** A bullet's opening words continue the sentence that leads into the list. */
  item?: boolean;
}

/** Every run of narrative inline content, with the section path it sits in. */
function narrativeRuns(doc: ReportDocument): Located[] {
  const out: Located[] = [];
  const walk = (blocks: readonly Block[], path: string): void => {
    for (const block of blocks) {
      switch (block.type) {
        case 'section': {
          const here = path ? `${path} > ${inlineText(block.title)}` : inlineText(block.title);
          walk(block.children, here);
          break;
        }
        case 'paragraph':
          out.push({ where: path, inlines: block.children });
          break;
        case 'list': {
          const items = (list: typeof block): void => {
            for (const item of list.items) {
              out.push({ where: path, inlines: item.children, item: true });
              if (item.sublist) items(item.sublist);
            }
          };
          items(block);
          break;
        }
        case 'keyMessages':
        case 'callout':
          walk(block.children, `${path} (key messages)`);
          break;
        default:
          break;
      }
    }
  };
  walk(doc.children, '');
  return out;
}

/** Text nodes outside in-document links ("Figure 1" is a reference, not a number). */
function plainTexts(nodes: readonly Inline[]): string[] {
  return nodes.flatMap((node) => {
    // Names and other strings from the data may hold digits; only template text is checked.
    if (node.type === 'text') return node.data ? [] : [node.value];
    if (node.type === 'strong' || node.type === 'emphasis') return plainTexts(node.children);
    if (node.type === 'link') return node.url.startsWith('#') ? [] : plainTexts(node.children);
    return [];
  });
}

function values(nodes: readonly Inline[]): ValueNode[] {
  return nodes.flatMap((node) => {
    if (node.type === 'value') return [node];
    if (node.type === 'strong' || node.type === 'emphasis' || node.type === 'link') return values(node.children);
    return [];
  });
}

/** Every number a reader sees in the narrative is a value node carrying its source. */
export function checkNumbersTrace(doc: ReportDocument): GateResult {
  const findings: Finding[] = [];
  for (const run of narrativeRuns(doc)) {
    for (const text of plainTexts(run.inlines)) {
      const digits = /\d[\d,.]*/.exec(text);
      if (digits) findings.push({ gate: 'numbers-trace', where: run.where, message: `"${digits[0]}" in "${text.trim().slice(0, 80)}" is not a computed value` });
    }
    for (const value of values(run.inlines)) {
      if (!value.ref || value.ref === '(computed)' || !Number.isFinite(value.raw)) {
        findings.push({ gate: 'numbers-trace', where: run.where, message: `"${value.text}" has no traceable source` });
      }
    }
  }
  return { gate: 'numbers-trace', guarantees: 'every number in the narrative is a value computed from the data, with the model path it came from', findings };
}

const UP = /\b(increased|increase|rose|risen|up|improved|higher|above|more|widened|gained)\b[^.;:]*$/i;
const DOWN = /\b(decreased|decrease|fell|fallen|down|declined|lower|below|fewer|narrowed|dropped)\b[^.;:]*$/i;

/**
 * Direction words agree with the sign of the change they describe: for each change in
 * percentage points, the nearest direction word before it in the same clause must match.
 */
export function checkDirections(doc: ReportDocument): GateResult {
  const findings: Finding[] = [];
  for (const run of narrativeRuns(doc)) {
    let before = '';
    for (const node of run.inlines) {
      if (node.type === 'value' && node.format === 'points' && node.raw !== 0) {
        const up = UP.exec(before);
        const down = DOWN.exec(before);
        // The word closest to the number decides.
        const word = up && (!down || up.index > down.index) ? 'up' : down ? 'down' : undefined;
        if (word === 'up' && node.raw < 0) findings.push({ gate: 'directions', where: run.where, message: `"${up![1]} … ${node.text}" but the change is ${node.raw.toFixed(2)}` });
        if (word === 'down' && node.raw > 0) findings.push({ gate: 'directions', where: run.where, message: `"${down![1]} … ${node.text}" but the change is +${node.raw.toFixed(2)}` });
      }
      before += node.type === 'value' ? node.text : inlineText([node]);
    }
  }
  return { gate: 'directions', guarantees: 'every direction word (increased, down, improved …) agrees with the sign of the change it describes', findings };
}

function figures(doc: ReportDocument): FigureNode[] {
  const out: FigureNode[] = [];
  const walk = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'figure') out.push(b);
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  return out;
}

/**
 * Rounded percentages of each distribution add up to 100, and the rounding note is there
 * exactly when one does not. Rows are checked for figures whose percentages run across a row,
 * columns for figures whose percentages run down a column (one period per column).
 */
export function checkRoundingNotes(doc: ReportDocument): GateResult {
  const findings: Finding[] = [];
  for (const figure of figures(doc)) {
    const percentColumns = figure.dataTable.columns.map((c, i) => (c.label.startsWith('%') ? i - 1 : -1)).filter((i) => i >= 0);
    if (percentColumns.length === 0) continue;
    const rows = figure.dataTable.rows;
    // Category shares run across a row when each row is one distribution (several % columns per
    // row summing near 100); otherwise each column is one distribution.
    const rowSums = rows.map((r) => percentColumns.reduce((sum, i) => sum + (r.cells[i]?.raw ?? 0), 0));
    const acrossRows = rowSums.every((s) => Math.abs(s - 100) <= percentColumns.length);
    const sums = acrossRows ? rowSums : percentColumns.map((i) => rows.reduce((sum, r) => sum + (r.cells[i]?.raw ?? 0), 0));
    const off = sums.filter((s) => s !== 100);
    // The note is known by the node that carries it, not by its wording (which a template set chooses).
    const hasNote = figure.roundingNote === true;
    if (hasNote && figure.notes.length === 0) findings.push({ gate: 'rounding', where: `Figure ${figure.number}`, message: 'the figure is marked as carrying the rounding note, but it has no notes' });
    if (off.length > 0 && !hasNote) findings.push({ gate: 'rounding', where: `Figure ${figure.number}`, message: `percentages add up to ${off.join(', ')} but there is no rounding note` });
    if (off.length === 0 && hasNote) findings.push({ gate: 'rounding', where: `Figure ${figure.number}`, message: 'every distribution adds up to 100, yet the rounding note is shown' });
    for (const s of sums) {
      if (Math.abs(s - 100) > percentColumns.length && acrossRows) findings.push({ gate: 'rounding', where: `Figure ${figure.number}`, message: `a distribution adds up to ${s}, more than rounding explains` });
    }
  }
  return { gate: 'rounding', guarantees: 'rounded percentages add up to 100, and the rounding note appears exactly where they do not', findings };
}

const STYLE_GUARANTEE =
  'no sentence begins with a numeral, ranges use "to" rather than a dash, changes between percentages are in percentage points, and dates have no ordinals or commas';

/**
 * GOV.UK style for numbers in running text. Template words are checked with the values as
 * printed; text from the data (names) is left as the data spell it.
 */
export function checkStyle(doc: ReportDocument): GateResult {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ gate: 'style', where, message });
  for (const run of narrativeRuns(doc)) {
    // The run as read, with each data string replaced by a neutral word so names cannot trip a rule.
    const text = run.inlines.map((node) => (node.type === 'text' && node.data ? 'Name' : node.type === 'value' ? node.text : inlineText([node]))).join('');
    const sentences = text.split(/(?<=[.!?])\s+(?=\S)/);
    sentences.forEach((sentence, i) => {
      if (run.item && i === 0) return;
      if (/^\d/.test(sentence)) add(run.where, `a sentence begins with a numeral: "${sentence.slice(0, 60)}"`);
    });
    const range = /\b\d[\d,.]*%?\s?[-–—]\s?\d[\d,.]*\b/.exec(text);
    if (range) add(run.where, `a range written with a dash ("${range[0]}"): write "to"`);
    const ordinal = /\b\d{1,2}(st|nd|rd|th)\b/.exec(text);
    if (ordinal) add(run.where, `a date with an ordinal ("${ordinal[0]}")`);
    const comma = /\b(January|February|March|April|May|June|July|August|September|October|November|December),\s\d{4}\b/.exec(text);
    if (comma) add(run.where, `a comma inside a date ("${comma[0]}")`);
    run.inlines.forEach((node, i) => {
      if (node.type !== 'value' || node.format !== 'points') return;
      const next = run.inlines[i + 1];
      const after = next && next.type === 'text' ? next.value : '';
      if (!/percentage points?$/.test(node.text) && !/^\s*percentage points?\b/.test(after)) {
        add(run.where, `a change between percentages is not in percentage points: "${node.text}${after.slice(0, 20)}"`);
      }
    });
  }
  return { gate: 'style', guarantees: STYLE_GUARANTEE, findings };
}

/** Heading order, anchors, footnotes, alt text, data tables, captions, link text. */
export function checkStructure(doc: ReportDocument): GateResult {
  try {
    validateDocument(doc);
    return { gate: 'structure', guarantees: 'headings in order, unique anchors, every figure with alt text and a data table, every table with a caption and headers, descriptive link text', findings: [] };
  } catch (error) {
    const lines = (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s*-\s*/, ''));
    return {
      gate: 'structure',
      guarantees: 'headings in order, unique anchors, every figure with alt text and a data table, every table with a caption and headers, descriptive link text',
      findings: lines.map((message) => ({ gate: 'structure', where: 'document', message })),
    };
  }
}

const CLAIMS_GUARANTEE = 'every superlative, quantifier, "still" and approximate share in the narrative is true of the numbers it stands on, ties said as ties';

/** Every inline node of a run, nested ones included. */
function allInlines(nodes: readonly Inline[]): Inline[] {
  return nodes.flatMap((n) => ('children' in n && Array.isArray(n.children) ? [n, ...allInlines(n.children as Inline[])] : [n]));
}

/** Which of `values` a superlative over the `n` highest (or lowest) must name: the n-th value and every value level with it or beyond. */
function extremes(values: readonly number[], direction: 'top' | 'bottom', n: number): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const edge = direction === 'top' ? sorted[Math.max(0, sorted.length - n)]! : sorted[Math.min(n, sorted.length) - 1]!;
  return values.flatMap((v, i) => ((direction === 'top' ? v >= edge : v <= edge) ? [i] : []));
}

/** The words a share may be called by (independent of the helper that chose them). */
function fractionWordsFor(share: number): string | null {
  const named: Array<[number, string]> = [[25, 'a quarter'], [100 / 3, 'a third'], [50, 'half'], [200 / 3, 'two thirds'], [75, 'three quarters']];
  const percent = share * 100;
  const nearest = named.reduce((best, f) => (Math.abs(percent - f[0]) < Math.abs(percent - best[0]) ? f : best));
  const gap = percent - nearest[0];
  if (Math.abs(gap) < 0.5) return nearest[1];
  if (Math.abs(gap) <= 3.5) return `${gap > 0 ? 'just over' : 'just under'} ${nearest[1]}`;
  return null;
}

/**
 * Claim words that helpers computed (see `Claim`) are checked again here against the numbers
 * they carry: a superlative names exactly the items at the extreme, says "joint" exactly when one
 * was asked for and several tie; "all" is the whole and "none" nothing; "still" is said exactly
 * when nothing changed; an approximate share is the one its percentage allows.
 */
export function checkClaims(doc: ReportDocument): GateResult {
  const findings: Finding[] = [];
  for (const run of narrativeRuns(doc)) {
    for (const node of allInlines(run.inlines)) {
      if (node.type !== 'text' || !node.claim) continue;
      const claim = node.claim;
      const words = node.value.trim();
      const fail = (message: string) => findings.push({ gate: 'claims', where: run.where, message: `"${words}": ${message}` });
      switch (claim.kind) {
        case 'extreme': {
          const expected = extremes(claim.values, claim.direction, claim.n);
          if (expected.join() !== [...claim.chosen].sort((a, b) => a - b).join()) fail(`names items ${claim.chosen.join(', ')} but the ${claim.direction === 'top' ? 'highest' : 'lowest'} values are items ${expected.join(', ')}`);
          const joint = claim.n === 1 && expected.length > 1;
          if (joint !== /^joint\b/.test(words)) fail(joint ? `${expected.length} items tie, so it must say "joint"` : 'says "joint" but nothing ties');
          break;
        }
        case 'quantifier': {
          const all = claim.part === claim.total && claim.total > 0;
          const none = claim.part === 0;
          if (/^all\b/.test(words) !== all) fail(`${claim.part} of ${claim.total} ${all ? 'is all of them' : 'is not all of them'}`);
          if (/^none\b/.test(words) !== none) fail(`${claim.part} of ${claim.total} ${none ? 'is none of them' : 'is not none'}`);
          break;
        }
        case 'still':
          if ((words === 'still') !== (claim.before === claim.after)) fail(claim.before === claim.after ? 'nothing changed, so it is "still"' : `changed from ${claim.before} to ${claim.after}, so it is not "still"`);
          break;
        case 'fraction': {
          const allowed = fractionWordsFor(claim.share);
          if (words !== allowed) fail(`${(claim.share * 100).toFixed(1)}% is ${allowed ? `"${allowed}"` : 'not close enough to a common fraction to be called one'}`);
          break;
        }
      }
    }
  }
  return { gate: 'claims', guarantees: CLAIMS_GUARANTEE, findings };
}

/** The gates that need only the document tree. */
export function checkDocument(doc: ReportDocument): GateResult[] {
  return [checkStructure(doc), checkNumbersTrace(doc), checkDirections(doc), checkRoundingNotes(doc), checkStyle(doc), checkClaims(doc)];
}

/** A readable report of gate results. */
export function formatGateReport(results: GateResult[], limit = 25): string {
  return results
    .map((r) => {
      const head = `${r.findings.length === 0 ? 'pass' : 'FAIL'}  ${r.gate}: ${r.guarantees}`;
      const shown = r.findings.slice(0, limit).map((f) => `      - ${f.where}: ${f.message}`);
      const more = r.findings.length > limit ? [`      … and ${r.findings.length - limit} more`] : [];
      return [head, ...shown, ...more].join('\n');
    })
    .join('\n');
}
