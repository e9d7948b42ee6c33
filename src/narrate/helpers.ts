/**
 * The Handlebars helpers a narrative template may use. Numbers reach the text only through
 * these: each returns a token standing for a `value` node whose text is formatted here, once,
 * with the exact number and the model path it came from. Printing a bare number with
 * `{{x}}` is an error, so no number escapes formatting.
 */
import Handlebars from 'handlebars';
import { formatDate, formatMonth, isIsoDate } from '../core/dates.js';
import type { Block, Claim, Inline, ValueFormat } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import {
  formatFraction,
  formatNumber,
  formatPercent,
  formatPoints,
  formatPointsApprox,
  formatWord,
  percentValue,
  pointsUnit,
} from './format.js';
import { escapeMarkdown, TOKEN_CLOSE, TOKEN_OPEN, type TokenValue } from './markdown.js';
import type { QueryResult } from '../query/engine.js';

/**
 * Where the narration's context keeps the named queries' results (a symbol: invisible to
 * template lookups, and carried along when a context is spread into another).
 */
export const QUERIES = Symbol('queries');
/** Marks a row object made from a query's result with the query's name and the row's number (from 1). */
const QUERY_ROW = Symbol('query row');
type QueryRow = Record<string, unknown> & { [QUERY_ROW]?: { query: string; row: number } };

/** The rows of a result as objects keyed by column, each marked with where it came from. */
const rowObjects = new WeakMap<QueryResult, QueryRow[]>();
function rowsOf(name: string, result: QueryResult): QueryRow[] {
  let rows = rowObjects.get(result);
  if (!rows) {
    rows = result.rows.map((values, i) => {
      const row: QueryRow = Object.fromEntries(result.columns.map((c, k) => [c.name, values[k]]));
      Object.defineProperty(row, QUERY_ROW, { value: { query: name, row: i + 1 }, enumerable: false });
      return row;
    });
    rowObjects.set(result, rows);
  }
  return rows;
}

/** How the numbers-trace gate names a cell of a query's result. */
export function queryRef(query: string, row: number, column: string): string {
  return `query ${query}, row ${row}, column ${column}`;
}

type HelperOptions = Handlebars.HelperOptions & { ids?: unknown[]; data?: { contextPath?: string } };

/** Per-render state: the tokens made so far and the figure/table hooks of the narrator. */
export interface RenderState {
  tokens: TokenValue[];
  block(kind: 'figure' | 'table' | 'annex', id: string): Block[];
  reference(kind: 'figure' | 'table', id: string): Inline[];
  /**
   * What each helper call returned, with the model path it stands for, in call order. A
   * subexpression's result is always the latest entry when the helper that receives it runs
   * (Handlebars evaluates a call's subexpressions left to right just before the call), so the
   * receiving helper takes its arguments' paths off the end: see `registerTraced`.
   */
  trace?: Array<{ value: unknown; ref: string }>;
  /** The path the running helper gave its result (set by `traced`). */
  resultRef?: string;
  /** The context the running helper was called in (`this`), for the trace of a query's columns. */
  context?: unknown;
}

/** The render in progress: set for the length of one synchronous template run, then restored. */
let state: RenderState | undefined;

/** Runs `fn` with `s` as the state the helpers write to (renders are synchronous). */
export function withRenderState<T>(s: RenderState, fn: () => T): T {
  const previous = state;
  state = s;
  try {
    return fn();
  } finally {
    state = previous;
  }
}

function current(): RenderState {
  if (!state) throw new Error('narrative helper called outside a render');
  return state;
}

function token(value: TokenValue): Handlebars.SafeString {
  const s = current();
  s.tokens.push(value);
  return new Handlebars.SafeString(`${TOKEN_OPEN}${s.tokens.length - 1}${TOKEN_CLOSE}`);
}

function inline(...nodes: Inline[]): Handlebars.SafeString {
  return token({ kind: 'inline', nodes });
}

function options(args: unknown[]): HelperOptions {
  return args[args.length - 1] as HelperOptions;
}

/**
 * Numbers made by subexpressions ((get …), (minus …), (sum …)) lose their path in Handlebars;
 * those helpers name what they return with `traced`, and the helper that receives the result
 * reads the name from this render's trace (see `RenderState.trace`).
 */
function traced<T>(value: T, ref: string): T {
  current().resultRef = ref;
  return value;
}

type TracedOptions = HelperOptions & { statpressArgs?: Array<{ value: unknown; ref: string } | undefined> };

function refOf(args: unknown[], i: number): string {
  const opts = options(args);
  const id = opts.ids?.[i];
  const base = opts.data?.contextPath;
  const row = current().context as QueryRow | undefined;
  const mark = row && typeof row === 'object' ? row[QUERY_ROW] : undefined;
  if (typeof id === 'string' && mark && /^[^.@/]+$/.test(id) && Object.hasOwn(row!, id)) {
    // A column of a query's row, read inside {{#each (query …)}} or {{#with …}}.
    return queryRef(mark.query, mark.row, id);
  }
  if (typeof id === 'string') {
    // @root paths are absolute; inside some blocks Handlebars already gives the full path.
    if (id.startsWith('@root.')) return id.slice('@root.'.length);
    const path = !base || id === base || id.startsWith(`${base}.`) ? id : `${base}.${id}`;
    // Handlebars names a context chosen by a subexpression ((first …), (sortBy …)) "true": the
    // path is then relative to that choice, and says so.
    const last = path.lastIndexOf('true.');
    return last === 0 || (last > 0 && path[last - 1] === '.') ? `(selected).${path.slice(last + 'true.'.length)}` : path;
  }
  // A subexpression: its result and path were traced when it ran.
  const entry = id === true ? (opts as TracedOptions).statpressArgs?.[i] : undefined;
  return entry && entry.value === args[i] ? entry.ref : '(computed)';
}

function requireNumber(value: unknown, helper: string, args: unknown[], i: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const path = refOf(args, i);
    const what = value === undefined ? `"${path}" is not defined in the statistics model` : `got ${JSON.stringify(value)}`;
    throw new StatpressError('template', `{{${helper} ${path}}} needs a number: ${what}`);
  }
  return value;
}

function value(raw: number, text: string, format: ValueFormat, ref: string): Inline {
  return { type: 'value', raw, text, format, ref };
}

function asPart(part: unknown, helper: string): { count: number; share: number } {
  const p = part as { count?: unknown; share?: unknown } | null;
  if (!p || typeof p.count !== 'number' || typeof p.share !== 'number') {
    throw new StatpressError('template', `{{${helper}}} needs a count with its share (e.g. current.judgements.overall.goodOrBetter)`);
  }
  return { count: p.count, share: p.share };
}

function getPath(object: unknown, path: string): unknown {
  // A key that exists as written wins over a dotted path (region names may contain dots).
  if (object && typeof object === 'object' && path in (object as Record<string, unknown>)) {
    return (object as Record<string, unknown>)[path];
  }
  return path.split('.').reduce<unknown>((o, key) => (o == null ? undefined : (o as Record<string, unknown>)[key]), object);
}

/** Escaping for `{{x}}`: strings are Markdown-escaped, numbers refused. */
function escapeForNarrative(input: unknown): string {
  if (input instanceof Handlebars.SafeString) return input.toString();
  if (typeof input === 'number') {
    throw new StatpressError('template', `the number ${input} was printed without a helper; use {{count}}, {{pct}}, {{points}} or another number helper`);
  }
  if (input === null || input === undefined || input === false) return '';
  if (typeof input !== 'string') {
    throw new StatpressError('template', `a ${typeof input} was printed where text was expected: ${JSON.stringify(input)?.slice(0, 80)}`);
  }
  return escapeMarkdown(input);
}

const helpers: Record<string, (...args: never[]) => unknown> = {
  /** 2,548 */
  count: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'count', args, 0);
    return inline(value(n, formatNumber(n), 'count', refOf(args, 0)));
  },
  /** A number with `dp` decimal places (default 0). */
  number: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'number', args, 0);
    const dp = typeof args[1] === 'number' ? args[1] : 0;
    return inline(value(n, formatNumber(n, dp), 'number', refOf(args, 0)));
  },
  /** 24% from a share of 0.2353. */
  pct: (...args: unknown[]) => {
    const share = requireNumber(args[0], 'pct', args, 0);
    const dp = typeof args[1] === 'number' ? args[1] : 0;
    return inline(value(share, formatPercent(share, dp), 'percent', refOf(args, 0)));
  },
  /** "36 (24%)" from a count-and-share; with nouns, "36 local authorities (24%)": (countPct p "authority" "authorities"). */
  countPct: (...args: unknown[]) => {
    const p = asPart(args[0], 'countPct');
    const ref = refOf(args, 0);
    const noun = typeof args[1] === 'string' ? (p.count === 1 ? args[1] : typeof args[2] === 'string' ? args[2] : args[1]) : '';
    return inline(
      value(p.count, formatNumber(p.count), 'count', `${ref}.count`),
      { type: 'text', value: noun ? ` ${noun} (` : ' (' },
      value(p.share, formatPercent(p.share), 'percent', `${ref}.share`),
      { type: 'text', value: ')' },
    );
  },
  /** "almost 4 percentage points": the magnitude of an exact change, in words that agree with it. */
  points: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'points', args, 0);
    return inline(value(n, formatPointsApprox(n), 'points', refOf(args, 0)));
  },
  /** "3 percentage points": the magnitude rounded to whole points. */
  pointsRounded: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'pointsRounded', args, 0);
    return inline(value(n, formatPoints(n), 'points', refOf(args, 0)));
  },
  /**
   * The change between two shares as the difference of their printed percentages, so the
   * text agrees with the two percentages a reader sees ("46%, previously 36%: 10 points").
   */
  pointsBetween: (...args: unknown[]) => {
    const a = requireNumber(args[0], 'pointsBetween', args, 0);
    const b = requireNumber(args[1], 'pointsBetween', args, 1);
    const diff = percentValue(a) - percentValue(b);
    return inline(value(diff, `${formatNumber(Math.abs(diff))} ${pointsUnit(diff)}`, 'points', `${refOf(args, 0)} - ${refOf(args, 1)}`));
  },
  /** Direction word chosen by the sign: (x "increased" "decreased" "did not change"). */
  upDown: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'upDown', args, 0);
    const [up, down, same] = [args[1], args[2], args[3]].map((w) => (typeof w === 'string' ? w : undefined));
    if (!up || !down) throw new StatpressError('template', '{{upDown}} needs a number and the words for up and down');
    if (Math.abs(n) < 1e-9) return same ?? 'did not change';
    return n > 0 ? up : down;
  },
  /** Like upDown, on the difference of two shares' printed percentages. */
  upDownBetween: (...args: unknown[]) => {
    const diff = percentValue(requireNumber(args[0], 'upDownBetween', args, 0)) - percentValue(requireNumber(args[1], 'upDownBetween', args, 1));
    const [up, down, same] = [args[2], args[3], args[4]].map((w) => (typeof w === 'string' ? w : undefined));
    if (!up || !down) throw new StatpressError('template', '{{upDownBetween}} needs two shares and the words for up and down');
    if (diff === 0) return same ?? 'did not change';
    return diff > 0 ? up : down;
  },
  /**
   * Direction word and size together, from two shares' printed percentages:
   * (now then "up" "down" "unchanged") → "up 10 percentage points", or "unchanged".
   */
  changeBetween: (...args: unknown[]) => {
    const a = requireNumber(args[0], 'changeBetween', args, 0);
    const b = requireNumber(args[1], 'changeBetween', args, 1);
    const [up, down, same] = [args[2], args[3], args[4]].map((w) => (typeof w === 'string' ? w : undefined));
    if (!up || !down) throw new StatpressError('template', '{{changeBetween}} needs two shares and the words for up and down');
    const diff = percentValue(a) - percentValue(b);
    if (diff === 0) return same ?? 'unchanged';
    const ref = `${refOf(args, 0)} - ${refOf(args, 1)}`;
    return inline({ type: 'text', value: `${diff > 0 ? up : down} ` }, value(diff, `${formatNumber(Math.abs(diff))} ${pointsUnit(diff)}`, 'points', ref));
  },
  /** Singular or plural noun for a count: (n "authority" "authorities"). */
  plural: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'plural', args, 0);
    return n === 1 ? String(args[1]) : String(args[2]);
  },
  /** "one" to "nine" in words (for the start of a clause), larger as numerals. */
  word: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'word', args, 0);
    return inline(value(n, formatWord(n), 'word', refOf(args, 0)));
  },
  /** As `word`, capitalised for the start of a sentence. */
  Word: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'Word', args, 0);
    const text = formatWord(n);
    return inline(value(n, text.charAt(0).toUpperCase() + text.slice(1), 'word', refOf(args, 0)));
  },
  /** "just over a quarter": a share in words where a fraction describes it truly (see `approximable`). */
  fraction: (...args: unknown[]) => {
    const share = requireNumber(args[0], 'fraction', args, 0);
    const words = formatFraction(share);
    if (!words) throw new StatpressError('template', `{{fraction}}: no common fraction describes ${formatPercent(share)} truly; guard it with {{#if (approximable …)}}`);
    return inline(claimText(words, { kind: 'fraction', share }));
  },
  /** Whether `fraction` can word a share truly. */
  approximable: (...args: unknown[]) => formatFraction(requireNumber(args[0], 'approximable', args, 0)) !== null,
  /**
   * The items with the highest values at a path, ties included: (top list "path" n) gives the
   * first n and every item equal to the n-th (as printed: shares compare as whole percentages).
   */
  top: (...args: unknown[]) => extreme(args, 'top'),
  /** The items with the lowest values, ties included: (bottom list "path" n). */
  bottom: (...args: unknown[]) => extreme(args, 'bottom'),
  /**
   * A superlative for a group from (top …) or (bottom …): the word, or "joint" and the word when
   * one was asked for and several tie. {{superlative "highest" group}}.
   */
  superlative: (...args: unknown[]) => {
    const word = typeof args[0] === 'string' ? args[0] : '';
    const group = args[1] as unknown[] & { [EXTREME]?: Extract<Claim, { kind: 'extreme' }> };
    const claim = Array.isArray(group) ? group[EXTREME] : undefined;
    if (!word || !claim) throw new StatpressError('template', '{{superlative}} needs a word and a group made by (top …) or (bottom …)');
    // "joint" only where one was asked for and several tie; a tie at the edge of a longer list
    // just lengthens the list.
    return inline(claimText(claim.n === 1 && claim.chosen.length > 1 ? `joint ${word}` : word, claim));
  },
  /**
   * A part of a total, with the quantifier the numbers allow: "all 153" when the part is the
   * whole, "none of the 153" when it is nothing, else "151 of the 153". (allOf part total).
   */
  allOf: (...args: unknown[]) => {
    const part = requireNumber(args[0], 'allOf', args, 0);
    const total = requireNumber(args[1], 'allOf', args, 1);
    const claim: Claim = { kind: 'quantifier', part, total };
    const totalValue = value(total, formatNumber(total), 'count', refOf(args, 1));
    if (part === total && total > 0) return inline(claimText('all', claim), { type: 'text', value: ' ' }, totalValue);
    if (part === 0) return inline(claimText('none of the', claim), { type: 'text', value: ' ' }, totalValue);
    return inline(value(part, formatNumber(part), 'count', refOf(args, 0)), claimText(' of the ', claim), totalValue);
  },
  /** "still " where a state stayed the same, else nothing: (still before after). */
  still: (...args: unknown[]) => {
    const before = String(args[0]);
    const after = String(args[1]);
    return inline(claimText(before === after ? 'still ' : '', { kind: 'still', before, after }));
  },
  /** The value at a path of each item, optionally looked up in a map: (pluck list "name" regionPhrase). */
  pluck: (...args: unknown[]) => {
    const list = Array.isArray(args[0]) ? args[0] : [];
    const path = String(args[1]);
    const map = args.length > 3 && args[2] && typeof args[2] === 'object' ? (args[2] as Record<string, unknown>) : undefined;
    return list.map((item) => {
      const key = getPath(item, path);
      return map && typeof key === 'string' && key in map ? map[key] : key;
    });
  },
  /**
   * A rounded large number with a qualifier that agrees with the exact value:
   * (399460 "just under") → "just under 400,000"; a value above the round figure says "just over".
   */
  approx: (...args: unknown[]) => {
    const n = requireNumber(args[0], 'approx', args, 0);
    const below = typeof args[1] === 'string' ? args[1] : 'nearly';
    const digits = n >= 1e6 ? 2 : 2;
    const magnitude = 10 ** (Math.floor(Math.log10(Math.abs(n))) - digits + 1);
    const round = Math.round(n / magnitude) * magnitude;
    const text = round >= 1e6 ? `${formatNumber(round / 1e6, round % 1e6 === 0 ? 0 : 1)} million` : formatNumber(round);
    const qualifier = n < round ? below : n > round ? 'just over' : '';
    return inline(value(n, qualifier ? `${qualifier} ${text}` : text, 'number', refOf(args, 0)));
  },
  /**
   * A figure quoted from another publication, as the config states it ("nearly 12 million"),
   * kept as a value so it is traced to the config entry that cites its source.
   */
  quoted: (...args: unknown[]) => {
    const text = String(args[0] ?? '');
    const number = /(\d[\d,.]*)\s*(million|thousand)?/.exec(text);
    const scale = number?.[2] === 'million' ? 1e6 : number?.[2] === 'thousand' ? 1e3 : 1;
    const raw = number ? Number(number[1]!.replace(/,/g, '')) * scale : Number.NaN;
    if (!Number.isFinite(raw)) throw new StatpressError('template', `{{quoted}} needs text with a number, got ${JSON.stringify(text)}`);
    return inline(value(raw, text, 'number', refOf(args, 0)));
  },
  /** "31 March 2025" */
  date: (...args: unknown[]) => {
    const iso = args[0];
    if (typeof iso !== 'string' || !isIsoDate(iso)) throw new StatpressError('template', `{{date}} needs a date, got ${JSON.stringify(iso)}`);
    return inline(value(Date.parse(`${iso}T00:00:00Z`), formatDate(iso), 'date', refOf(args, 0)));
  },
  /** "January 2023" */
  month: (...args: unknown[]) => {
    const iso = args[0];
    if (typeof iso !== 'string' || !isIsoDate(iso)) throw new StatpressError('template', `{{month}} needs a date, got ${JSON.stringify(iso)}`);
    return inline(value(Date.parse(`${iso}T00:00:00Z`), formatMonth(iso), 'date', refOf(args, 0)));
  },
  /** Lower-cases a label for use inside a sentence ("requires improvement to be good"). */
  lower: (...args: unknown[]) => String(args[0] ?? '').toLowerCase(),
  /** A link: (url text). Mail addresses become mailto links. */
  link: (...args: unknown[]) => {
    const url = String(args[0]);
    const text = typeof args[1] === 'string' ? args[1] : url;
    const href = /^[^@\s/]+@[^@\s/]+$/.test(url) ? `mailto:${url}` : url;
    return inline({ type: 'link', url: href, children: [{ type: 'text', value: text }] });
  },
  figure: (...args: unknown[]) => token({ kind: 'block', node: single(current().block('figure', String(args[0]))) }),
  table: (...args: unknown[]) => token({ kind: 'block', node: single(current().block('table', String(args[0]))) }),
  /** The data tables of every figure, for the annex: one token per table, each on its own line. */
  annex: () =>
    new Handlebars.SafeString(
      current()
        .block('annex', '')
        .map((node) => token({ kind: 'block', node }).toString())
        .join('\n\n'),
    ),
  figureRef: (...args: unknown[]) => inline(...current().reference('figure', String(args[0]))),
  tableRef: (...args: unknown[]) => inline(...current().reference('table', String(args[0]))),

  eq: (...args: unknown[]) => args[0] === args[1],
  ne: (...args: unknown[]) => args[0] !== args[1],
  gt: (...args: unknown[]) => requireNumber(args[0], 'gt', args, 0) > requireNumber(args[1], 'gt', args, 1),
  lt: (...args: unknown[]) => requireNumber(args[0], 'lt', args, 0) < requireNumber(args[1], 'lt', args, 1),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  not: (...args: unknown[]) => !args[0],
  /** Value at a dotted path or key: (get obj "a.b"). */
  get: (...args: unknown[]) => {
    const mark = args[0] && typeof args[0] === 'object' ? (args[0] as QueryRow)[QUERY_ROW] : undefined;
    const ref = mark && Object.hasOwn(args[0] as object, String(args[1])) ? queryRef(mark.query, mark.row, String(args[1])) : `${refOf(args, 0)}.${String(args[1])}`;
    return traced(getPath(args[0], String(args[1])), ref);
  },
  /**
   * A named query's result: (query "name") is its rows, each an object keyed by column, for
   * {{#each}}, (top …), (first …); (query "name" row=1 column="n") is one cell, traced as
   * "query name, row 1, column n". Rows count from 1; `row` may be left out of a one-row result.
   */
  query: (...args: unknown[]) => {
    const name = String(args[0]);
    const opts = options(args);
    const results = (opts.data as { root?: { [QUERIES]?: Map<string, QueryResult> } } | undefined)?.root?.[QUERIES];
    const result = results?.get(name);
    if (!result) {
      const known = [...(results?.keys() ?? [])];
      throw new StatpressError('template', `(query "${name}"): no such query${known.length ? ` (the queries are: ${known.join(', ')})` : ' (the template set declares none under queries)'}`);
    }
    const rows = rowsOf(name, result);
    const hash = (opts.hash ?? {}) as { row?: unknown; column?: unknown };
    if (hash.row === undefined && hash.column === undefined) return traced(rows, `query ${name}`);
    const column = String(hash.column);
    if (hash.column === undefined || !result.columns.some((c) => c.name === column)) {
      throw new StatpressError('template', `(query "${name}"): ${hash.column === undefined ? 'column= is missing' : `no column "${column}"`} (the columns are: ${result.columns.map((c) => c.name).join(', ')})`);
    }
    const row = hash.row === undefined && rows.length === 1 ? 1 : hash.row;
    if (typeof row !== 'number' || !Number.isInteger(row) || row < 1 || row > rows.length) {
      throw new StatpressError('template', `(query "${name}" row=${String(row)}): the query gives ${rows.length} row${rows.length === 1 ? '' : 's'}, counted from 1`);
    }
    return traced(rows[row - 1]![column], queryRef(name, row, column));
  },
  /** Sorts a list by the number at a path: (sortBy list "judgements.overall.goodOrBetter.share" "desc"). */
  sortBy: (...args: unknown[]) => {
    const list = args[0];
    if (!Array.isArray(list)) throw new StatpressError('template', '{{sortBy}} needs a list');
    const path = String(args[1]);
    const dir = args[2] === 'desc' ? -1 : 1;
    return [...list].sort((a, b) => dir * ((getPath(a, path) as number) - (getPath(b, path) as number)));
  },
  /** Items whose value at a path equals a value, or with the comparison: (where list path "gt" 0). */
  where: (...args: unknown[]) => {
    const list = args[0];
    if (!Array.isArray(list)) throw new StatpressError('template', '{{where}} needs a list');
    const path = String(args[1]);
    const hasOp = args.length === 5;
    const op = hasOp ? String(args[2]) : 'eq';
    const target = hasOp ? args[3] : args[2];
    return list.filter((item) => {
      const v = getPath(item, path);
      if (op === 'gt') return (v as number) > (target as number);
      if (op === 'lt') return (v as number) < (target as number);
      if (op === 'ne') return v !== target;
      return v === target;
    });
  },
  /** Values of an object, in key order. */
  values: (...args: unknown[]) => (args[0] && typeof args[0] === 'object' ? Object.values(args[0]) : []),
  /** An object's entries as a list of `{ key, ...value }` (or `{ key, value }` for plain values). */
  entries: (...args: unknown[]) =>
    Object.entries((args[0] ?? {}) as Record<string, unknown>).map(([key, v]) =>
      v && typeof v === 'object' ? { key, ...(v as object) } : { key, value: v },
    ),
  /** Joins strings: (concat id ".count"). */
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  /** A grade's label for use in a sentence, from its id: "requires improvement to be good". */
  gradeName: (...args: unknown[]) => {
    const grades = (options(args).data as { root?: { framework?: { grades?: Record<string, { label: string }> } } }).root?.framework?.grades;
    const grade = grades?.[String(args[0])];
    if (!grade) throw new StatpressError('template', `{{gradeName}}: no grade "${String(args[0])}" in the framework`);
    return grade.label.toLowerCase();
  },
  take: (...args: unknown[]) => (Array.isArray(args[0]) ? args[0].slice(0, requireNumber(args[1], 'take', args, 1)) : []),
  first: (...args: unknown[]) => (Array.isArray(args[0]) ? args[0][0] : undefined),
  last: (...args: unknown[]) => (Array.isArray(args[0]) ? args[0][args[0].length - 1] : undefined),
  length: (...args: unknown[]) =>
    traced(Array.isArray(args[0]) ? args[0].length : Object.keys(args[0] ?? {}).length, `length(${refOf(args, 0)})`),
  /** Sum of numbers, or of the number at a path in each item: (sum list "count"). */
  sum: (...args: unknown[]) => {
    const list = args[0];
    if (!Array.isArray(list)) throw new StatpressError('template', '{{sum}} needs a list');
    const path = typeof args[1] === 'string' ? args[1] : undefined;
    const total = list.reduce((sum: number, item) => sum + ((path ? getPath(item, path) : item) as number), 0);
    return traced(total, `sum(${refOf(args, 0)}${path ? `, ${path}` : ''})`);
  },
  /** a - b, for derived counts such as "the other" authorities. */
  minus: (...args: unknown[]) =>
    traced(requireNumber(args[0], 'minus', args, 0) - requireNumber(args[1], 'minus', args, 1), `${refOf(args, 0)} - ${refOf(args, 1)}`),
  /** Joins words as "a, b and c" (or with another conjunction: (joinAnd list "or")). */
  joinAnd: (...args: unknown[]) => {
    const list = (Array.isArray(args[0]) ? args[0] : []).map(String);
    const conjunction = typeof args[1] === 'string' ? args[1] : 'and';
    return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} ${conjunction} ${list[list.length - 1]}`;
  },
  /** Lists the values of a map of grade ids (or any ids) through a lookup: (labels ids framework.grades). */
  labels: (...args: unknown[]) => {
    const ids = Array.isArray(args[0]) ? args[0] : [];
    const table = args[1] as Record<string, { label: string }>;
    return ids.map((id) => table[String(id)]?.label ?? String(id));
  },
};

/** Where (top …) and (bottom …) keep what they chose, on the list they return. */
const EXTREME = Symbol('extreme');

function extreme(args: unknown[], direction: 'top' | 'bottom'): unknown[] {
  const list = args[0];
  const helper = direction;
  if (!Array.isArray(list)) throw new StatpressError('template', `{{${helper}}} needs a list`);
  const path = String(args[1]);
  const n = typeof args[2] === 'number' ? args[2] : 1;
  // Compared as printed: a share as its whole percentage, so a tie a reader sees is a tie.
  const values = list.map((item) => {
    const v = getPath(item, path);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StatpressError('template', `{{${helper}}}: "${path}" is not a number in every item`);
    return /share$/i.test(path) ? percentValue(v) : v;
  });
  const ordered = values.map((v, i) => ({ v, i })).sort((a, b) => (direction === 'top' ? b.v - a.v : a.v - b.v) || a.i - b.i);
  const cut = ordered[Math.min(n, ordered.length) - 1]?.v;
  const chosen = cut === undefined ? [] : ordered.filter(({ v }) => (direction === 'top' ? v >= cut : v <= cut)).map(({ i }) => i);
  const result = chosen.map((i) => list[i]);
  Object.defineProperty(result, EXTREME, { value: { kind: 'extreme', direction, n, values, chosen } satisfies Claim, enumerable: false });
  return result;
}

function claimText(words: string, claim: Claim): Inline {
  return { type: 'text', value: words, claim };
}

function single(blocks: Block[]): Block {
  if (blocks.length !== 1 || !blocks[0]) throw new Error('expected one block');
  return blocks[0];
}

/** A Handlebars environment with only our helpers, strict lookups and Markdown escaping. */
export function createNarrativeEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, registerTraced(fn as (...args: unknown[]) => unknown));
  return env;
}

/**
 * Wraps a helper so that every call leaves its result on the render's trace, and takes the
 * results of its own subexpression arguments off it (they are the latest entries, in order),
 * so `refOf` can name the model path of a value made by a subexpression.
 */
function registerTraced(fn: (...args: unknown[]) => unknown): Handlebars.HelperDelegate {
  return function (this: unknown, ...args: unknown[]) {
    const s = current();
    const trace = (s.trace ??= []);
    const opts = args[args.length - 1] as TracedOptions;
    const ids = opts.ids ?? [];
    const subexpressions = ids.filter((id) => id === true).length;
    const taken = subexpressions > 0 ? trace.splice(Math.max(0, trace.length - subexpressions), subexpressions) : [];
    let next = 0;
    opts.statpressArgs = ids.map((id) => (id === true ? taken[next++] : undefined));
    s.resultRef = undefined;
    s.context = this;
    const result = fn.apply(this, args);
    trace.push({ value: result, ref: s.resultRef ?? '(computed)' });
    s.resultRef = undefined;
    return result;
  };
}

/**
 * Makes a template function from Handlebars' precompiled form, escaping `{{x}}` the
 * narrative's way: data strings are Markdown-escaped and a bare number is refused. The escape
 * is set on this template's own runtime container, never on Handlebars' shared utilities.
 */
export function instantiateTemplate(env: typeof Handlebars, spec: TemplateSpecification): HandlebarsTemplateDelegate {
  const main = (spec as unknown as { main: (container: { escapeExpression: unknown }, ...rest: unknown[]) => unknown }).main;
  const wrapped = {
    ...spec,
    main(container: { escapeExpression: unknown }, ...rest: unknown[]) {
      container.escapeExpression = escapeForNarrative;
      return main.call(this, container, ...rest);
    },
  };
  return env.template(wrapped as unknown as TemplateSpecification) as HandlebarsTemplateDelegate;
}

export const HELPER_NAMES = Object.keys(helpers);

/** Compile options shared by every narrative template. */
// `trackIds` is a supported compile option that the type definitions omit.
export const COMPILE_OPTIONS: CompileOptions & { trackIds: boolean } = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries([...HELPER_NAMES, 'if', 'unless', 'each', 'with'].map((n) => [n, true])),
  trackIds: true,
  preventIndent: true,
};
