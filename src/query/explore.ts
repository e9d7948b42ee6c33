/**
 * What `statpress query` and `statpress model` print: a result as an aligned text table or as
 * CSV, and a short list of everything a template can read (tables, views, named queries and the
 * value paths of the statistics model, each with its current value).
 */
import type { QueryResult } from './engine.js';
import type { QueryResults, NamedQuery } from './database.js';
import { DATA_MODEL } from './model.js';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A result as a text table: headers, a rule, numbers right-aligned, and the row count. */
export function formatResultTable(result: QueryResult): string {
  const numeric = result.columns.map((_, i) => result.rows.length > 0 && result.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const texts = result.rows.map((r) => r.map(cellText));
  const widths = result.columns.map((c, i) => Math.max(c.name.length, ...texts.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [
    line(result.columns.map((c) => c.name)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...texts.map(line),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}

/** A result as CSV (RFC 4180: quoted where needed, CRLF line ends); nulls are empty. */
export function formatResultCsv(result: QueryResult): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const row = (cells: unknown[]) => cells.map((v) => (v === null || v === undefined ? '' : quote(cellText(v)))).join(',');
  return [row(result.columns.map((c) => c.name)), ...result.rows.map(row)].map((l) => `${l}\r\n`).join('');
}

/** Every path to a number, text or date in the template context, with its value (lists shortened). */
export function valuePaths(context: unknown, limit = 1): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (value: unknown, path: string, depth: number): void => {
    if (value === null || value === undefined || typeof value !== 'object') {
      if (path) out.push([path, value === undefined ? 'undefined' : JSON.stringify(value)]);
      return;
    }
    if (depth > 8) return;
    if (Array.isArray(value)) {
      if (value.length === 0) out.push([path, '[]']);
      value.slice(0, limit).forEach((item, i) => walk(item, `${path}.${i}`, depth + 1));
      if (value.length > limit) out.push([`${path}.${limit}…${value.length - 1}`, `(${value.length - limit} more)`]);
      return;
    }
    const entries = Object.entries(value);
    // A mapping keyed by data (regions, grades) whose values share one shape: the first stands for the rest.
    const shape = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).join('|') : undefined);
    const alike = entries.length > 2 && entries.every(([, v]) => shape(v) !== undefined && shape(v) === shape(entries[0]![1]));
    for (const [key, v] of alike ? entries.slice(0, 1) : entries) walk(v, path ? `${path}.${key}` : key, depth + 1);
    if (alike) out.push([`${path}.(${entries.slice(1).map(([k]) => k).join(', ')})`, '(alike)']);
  };
  walk(context, '', 0);
  return out;
}

/** `statpress model`: tables and views with their columns and rows, named queries with their results, value paths. */
export function formatModel(options: {
  counts: Map<string, number>;
  queries: NamedQuery[];
  results: QueryResults;
  paths: Array<[string, string]>;
}): string {
  const lines: string[] = ['Tables and views (docs/data-model.md):'];
  for (const r of DATA_MODEL) {
    lines.push(`  ${r.kind === 'table' ? 'table' : 'view '} ${r.name} (${options.counts.get(r.name) ?? 0} rows): ${r.columns.map((c) => c.name).join(', ')}`);
  }
  lines.push('', options.queries.length > 0 ? 'Named queries (read with (query "name" row=R column="C")):' : 'Named queries: none (the template set declares no queries)');
  for (const q of options.queries) {
    const result = options.results.get(q.name);
    lines.push(`  ${q.name} (${result ? `${result.rows.length} rows` : 'not run'}):`);
    if (result) {
      const shown = { columns: result.columns, rows: result.rows.slice(0, 5) };
      lines.push(...formatResultTable(shown).split('\n').slice(0, -1).map((l) => `    ${l}`));
      if (result.rows.length > 5) lines.push(`    … ${result.rows.length - 5} more rows`);
    }
  }
  lines.push('', 'Template values (a path, and its value as at the release date):');
  const width = Math.min(48, Math.max(...options.paths.map(([p]) => p.length)));
  for (const [path, value] of options.paths) lines.push(`  ${path.padEnd(width)}  ${value.length > 60 ? `${value.slice(0, 57)}…` : value}`);
  return `${lines.join('\n')}\n`;
}
