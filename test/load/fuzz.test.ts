/**
 * Hostile and broken input, generated: 1,000+ malformed or hostile rows (markup, Handlebars,
 * control characters, text-reordering characters, huge values and links, implausible dates,
 * rows with fields missing or added, wrong encodings, truncated files, broken quoting, names
 * that spreadsheets would run as formulas) fed through load → build. Never a crash or stack
 * trace: always a located error (quoting no invisible character raw) or a correct, escaped
 * output whose CSVs start no formula. Seeded, so a failure replays.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../src/pipeline/build.js';
import { StatpressError } from '../../src/core/errors.js';
import { renderHtml } from '../../src/render/html.js';
import { buildWorkbook, tableCsv } from '../../src/render/workbook/workbook.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { DATA, releaseVariant, tempDir } from '../support.js';

/** Small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{constructor.constructor "alert(1)"}}',
  '{{{release.title}}}',
  '**bold** _em_ [x](javascript:alert(1))',
  '=cmd|\' /C calc\'!A1',
  '</w:t></w:r><w:r><w:t>injected',
  ']]><!--',
  '\u0000\u0001\u0007\u001b[31m',
  '\u202e\u200b\ufeff',
  'Bar\u2067net\u2069',
  'x'.repeat(20000),
  `https://reports.ofsted.gov.uk/${'a'.repeat(1_000_000)}`,
  '=HYPERLINK("http://127.0.0.1:9/x","click")',
  '@SUM(1+1)',
  '+44 1234',
  '9'.repeat(400),
  '-1e308',
  'NaN',
  '&amp;&lt;&#0;',
  '${process.exit(1)}',
  '\\',
  '"',
  '',
];

/** What a name may hold and still be published, as text: markup, templates, formulas. */
const NAME_HOSTILE = [...HOSTILE.slice(0, 8), '=HYPERLINK("http://127.0.0.1:9/x","click")', '@SUM(1+1)', '+44 1234', '-1+1', '\t=1+1'];

type Mutation = (cells: string[], pick: () => number) => string[];

function quote(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
function splitRow(line: string): string[] {
  return (line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).map((c) => c.replace(/,$/, '').replace(/^"(.*)"$/s, '$1').replace(/""/g, '"')).slice(0, -1);
}

const CELL_MUTATIONS: Mutation[] = [
  (cells, pick) => cells.map((c, i) => (i === Math.floor(pick() * cells.length) ? HOSTILE[Math.floor(pick() * HOSTILE.length)]! : c)),
  (cells, pick) => cells.map((c, i) => (i === Math.floor(pick() * cells.length) ? `${c}${HOSTILE[Math.floor(pick() * HOSTILE.length)]}` : c)),
  (cells) => [...cells, 'extra', '<b>more</b>'],
  (cells) => cells.slice(0, Math.max(1, cells.length - 3)),
  (cells, pick) => cells.map((c) => (/^\d{4}-\d{2}-\d{2}$/.test(c) && pick() < 0.5 ? ['2025-02-30', '31/03/2025', '20250331', '2025-13-01', '0000-00-00'][Math.floor(pick() * 5)]! : c)),
  (cells, pick) => cells.map((c) => (/^[A-Z]\d{8}$/.test(c) ? ['E99999999', '', 'e09000002 ', 'E09000002<'][Math.floor(pick() * 4)]! : c)),
  (cells, pick) => cells.map((c) => (['Good', 'Outstanding', 'Inadequate'].includes(c) && pick() < 0.5 ? ['good-ish', 'GOOD', ' Good ', 'Goo\u0000d'][Math.floor(pick() * 4)]! : c)),
  // Dates a slip of the keyboard makes: real dates, but not plausible ones.
  (cells, pick) => cells.map((c) => (/^\d{4}-\d{2}-\d{2}$/.test(c) && pick() < 0.5 ? ['1018-05-14', '2205-01-01', '1899-12-31'][Math.floor(pick() * 3)]! : c)),
  // A field missing or added in the middle, which shifts every value after it.
  (cells, pick) => {
    const at = 1 + Math.floor(pick() * (cells.length - 1));
    return pick() < 0.5 ? [...cells.slice(0, at), ...cells.slice(at + 1)] : [...cells.slice(0, at), '', ...cells.slice(at)];
  },
];

/** Mutates `rows` lines of a CSV; sometimes also breaks the file as a whole. */
function mutateFile(text: string, pick: () => number, rows: number, textColumns?: number[]): { text: string | Buffer; mutated: number; inserted: string[] } {
  const inserted: string[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < rows; k++) {
    const index = 1 + Math.floor(pick() * (lines.length - 2));
    const cells = splitRow(lines[index]!);
    if (textColumns) {
      // Only free-text columns: the release must build and show the text escaped.
      const column = textColumns[Math.floor(pick() * textColumns.length)]!;
      const hostile = NAME_HOSTILE[Math.floor(pick() * NAME_HOSTILE.length)]!;
      cells[column] = pick() < 0.5 ? `${cells[column]} ${hostile}` : `${hostile} ${cells[column]}`;
      inserted.push(cells[column]!.trim());
      lines[index] = cells.map(quote).join(',');
      continue;
    }
    const mutation = CELL_MUTATIONS[Math.floor(pick() * CELL_MUTATIONS.length)]!;
    lines[index] = mutation(cells, pick).map(quote).join(',');
  }
  let out = lines.join('\n');
  if (textColumns) return { text: out, mutated: rows, inserted };
  const whole = pick();
  if (whole < 0.08) out = out.slice(0, Math.floor(pick() * out.length)); // truncated
  else if (whole < 0.12) out = out.replace(/,/, ',"'); // unbalanced quote
  else if (whole < 0.14) {
    // A stray quote opening a field in the middle of the file.
    const lines2 = out.split('\n');
    const at = 1 + Math.floor(pick() * (lines2.length - 2));
    lines2[at] = lines2[at]!.replace(',', ',"');
    out = lines2.join('\n');
  }
  else if (whole < 0.16) return { text: Buffer.concat([Buffer.from(out.slice(0, 500)), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(out.slice(500))]), mutated: rows, inserted };
  return { text: out, mutated: rows, inserted };
}

interface Outcome {
  ok: number;
  located: number;
}

function runCase(target: 'history' | 'register' | 'names', seed: number, outcome: Outcome): number {
  const pick = random(seed);
  const dir = tempDir('statpress-fuzz-');
  const source = target === 'history' ? 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv' : 'la-lookup/england_153_la_lookup.csv';
  // Register column 4 is the authority name printed in the release (ofsted_la_name).
  const { text, mutated, inserted } = mutateFile(readFileSync(join(DATA, source), 'utf8'), pick, 10, target === 'names' ? [4] : undefined);
  const file = join(dir, source.split('/').pop()!);
  writeFileSync(file, text);
  const variant = releaseVariant((c) => {
    if (target === 'history') c.sources[0].file = file;
    else c.register.authorities.file = file;
    // The 2023-24 visits are matched by name; leave them out so renamed authorities still load.
    if (target === 'names') c.sources = c.sources.slice(0, 2);
  }, dir);
  if (target === 'names') {
    // Hostile names must build: a refusal here would be a false alarm.
    const built = buildDocument({ configFile: variant });
    const html = renderHtml(built.document);
    expect(html).not.toMatch(/<script|<img|href="javascript:/i);
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    for (const name of inserted) expect(html, `seed ${seed}`).toContain(escape(name));
    // And no cell of the CSVs made from them starts a formula.
    const book = buildWorkbook(built.config, built.dataset, built.model, built.document);
    for (const table of book.tables) {
      const cells = (parseCsv(tableCsv(table)) as string[][]).flat();
      for (const cell of cells) expect(cell, `seed ${seed}, ${table.id}`).not.toMatch(/^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/);
    }
    outcome.ok++;
    return mutated;
  }
  try {
    const { document } = buildDocument({ configFile: variant });
    const html = renderHtml(document);
    // Whatever the data held, nothing from it became markup or code.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toMatch(/<w:t>/);
    expect(html).not.toContain('\u0000');
    outcome.ok++;
  } catch (error) {
    if (!(error instanceof StatpressError)) throw new Error(`seed ${seed} (${target}): not a located error: ${(error as Error).stack}`);
    const message = error.describe();
    expect(message, `seed ${seed}`).toMatch(/\.csv|quality gates/);
    expect(message, `seed ${seed}`).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    // Values are quoted with invisible characters written as codes, and cut when long.
    expect(message, `seed ${seed}`).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    expect(message.length, `seed ${seed}`).toBeLessThan(20_000);
    outcome.located++;
  }
  return mutated;
}

describe('fuzzed input through load and build', () => {
  it('gives a located error or a clean, escaped release for every one of 1,000+ hostile rows', () => {
    const outcome: Outcome = { ok: 0, located: 0 };
    let rows = 0;
    for (let seed = 1; seed <= 60; seed++) rows += runCase('history', seed, outcome);
    for (let seed = 1001; seed <= 1025; seed++) rows += runCase('register', seed, outcome);
    for (let seed = 2001; seed <= 2020; seed++) rows += runCase('names', seed, outcome);
    console.log(`fuzz: ${rows} rows, ${outcome.ok} clean builds, ${outcome.located} located errors`);
    expect(rows).toBeGreaterThanOrEqual(1000);
    // Both paths are exercised: some files load (escaped output), most are refused with a location.
    expect(outcome.located).toBeGreaterThan(0);
    expect(outcome.ok).toBeGreaterThanOrEqual(20);
    expect(outcome.ok + outcome.located).toBe(105);
  }, 120_000);

  it('keeps a hostile authority name as text in the page', () => {
    const dir = tempDir('statpress-fuzz-');
    const file = join(dir, 'england_153_la_lookup.csv');
    const name = HOSTILE.slice(0, 8).join(' ');
    const text = readFileSync(join(DATA, 'la-lookup/england_153_la_lookup.csv'), 'utf8').replace(',Barnet,Barnet,', `,Barnet,${quote(name)},`);
    writeFileSync(file, text);
    const variant = releaseVariant((c) => {
      c.register.authorities.file = file;
    }, dir);
    const html = renderHtml(buildDocument({ configFile: variant }).document);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{constructor.constructor &quot;alert(1)&quot;}}');
    expect(html).not.toMatch(/<script/i);
  });
});
