/**
 * Template syntax checked when a template is read, so that a mistake is reported where it is:
 * the file, line and column, and for a block left open ({{#if}} without {{/if}}) the place it
 * was opened and what closes it. Handlebars itself says only "Parse error on line 17" and shows
 * where its reading stopped, which for a block left open is the end of the file.
 */
import Handlebars from 'handlebars';

export interface SyntaxProblem {
  message: string;
  /** 1-based line and column in the template, and the 0-based offset. */
  line: number;
  column: number;
  offset: number;
}

interface Open {
  name: string;
  /** As written, e.g. `{{#if}}`. */
  shown: string;
  offset: number;
}

/** Line and column (1-based) of an offset. */
function place(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

const at = (text: string, offset: number, message: string): SyntaxProblem => ({ message, offset, ...place(text, offset) });
const where = (text: string, offset: number) => {
  const p = place(text, offset);
  return `line ${p.line}, column ${p.column}`;
};

/** The blocks of a template: every {{#…}} closed by its {{/…}}, every {{else}} inside one. */
function checkBlocks(text: string): SyntaxProblem | undefined {
  const stack: Open[] = [];
  let i = 0;
  for (;;) {
    const start = text.indexOf('{{', i);
    if (start === -1) break;
    // \{{ is an escaped mustache, written as it is (\\{{ is a backslash, then a mustache).
    let slashes = 0;
    for (let k = start - 1; k >= 0 && text[k] === '\\'; k--) slashes++;
    if (slashes % 2 === 1) {
      i = start + 2;
      continue;
    }
    if (text.startsWith('{{{{', start)) return undefined; // raw blocks: Handlebars reads those
    const comment = /^\{\{~?!(--)?/.exec(text.slice(start, start + 6));
    if (comment) {
      const close = comment[1] ? /--~?\}\}/g : /\}\}/g;
      close.lastIndex = start + comment[0].length;
      const end = close.exec(text);
      if (!end) return at(text, start, `the comment ${comment[1] ? '{{!--' : '{{!'} is not closed (expected ${comment[1] ? '--}}' : '}}'} after it)`);
      i = end.index + end[0].length;
      continue;
    }
    const triple = text.startsWith('{{{', start);
    const closer = triple ? '}}}' : '}}';
    const end = text.indexOf(closer, start + (triple ? 3 : 2));
    const next = text.indexOf('{{', start + 2);
    if (end === -1 || (next !== -1 && next < end && !triple)) {
      return at(text, start, `the ${triple ? '{{{' : '{{'} here is not closed with ${closer} before ${end === -1 ? 'the end' : 'the next {{'}`);
    }
    const inside = text.slice(start + (triple ? 3 : 2), end).replace(/^~/, '').replace(/~$/, '').trim();
    i = end + closer.length;
    const open = /^([#^])\s*[*>]?\s*([^\s}()=]+)/.exec(inside);
    if (open) {
      stack.push({ name: open[2]!, shown: `{{${open[1]}${open[2]}}}`, offset: start });
      continue;
    }
    const close = /^\/\s*([^\s}]+)/.exec(inside);
    if (close) {
      const top = stack.pop();
      if (!top) return at(text, start, `{{/${close[1]}}} closes nothing: no block is open here`);
      if (top.name !== close[1]) {
        return at(text, start, `{{/${close[1]}}} does not close the ${top.shown} opened at ${where(text, top.offset)} (expected {{/${top.name}}} first)`);
      }
      continue;
    }
    if (/^(else\b|\^$)/.test(inside) && stack.length === 0) return at(text, start, `{{${inside}}} is outside any block`);
  }
  const unclosed = stack.pop();
  if (unclosed) return at(text, unclosed.offset, `the ${unclosed.shown} opened here is not closed (expected {{/${unclosed.name}}} before the end)`);
  return undefined;
}

/** What a token of Handlebars' grammar is, in words. */
const TOKENS: Record<string, string> = {
  EOF: 'the end of the text',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  OPEN: '{{',
  ID: 'a name',
  STRING: 'a string',
  NUMBER: 'a number',
  BOOLEAN: 'true or false',
  DATA: 'an @name',
  SEP: 'a . or /',
  EQUALS: '=',
  OPEN_SEXPR: '(',
  CLOSE_SEXPR: ')',
  INVERSE: '{{else}}',
  OPEN_ENDBLOCK: '{{/…}}',
  INVALID: 'something Handlebars cannot read',
};
const word = (token: string) => TOKENS[token.replace(/'/g, '')] ?? token.replace(/'/g, '').toLowerCase().replace(/_/g, ' ');

interface ParserError {
  loc?: { first_line: number; first_column: number; last_line: number; last_column: number };
  expected?: string[];
  token?: string | null;
}

/**
 * The first syntax problem of a Handlebars template, or undefined: a block left open or closed
 * wrongly, named with the place it was opened, or else what Handlebars' own parser found, with
 * its place.
 */
export function templateSyntaxProblem(text: string): SyntaxProblem | undefined {
  // Handlebars decides whether the template is sound; when it is not, the blocks are looked at
  // first, to name the one left open or closed wrongly.
  const parsed = handlebarsProblem(text);
  if (!parsed) return undefined;
  return checkBlocks(text) ?? parsed;
}

function handlebarsProblem(text: string): SyntaxProblem | undefined {
  // Handlebars' parser reports through a function of its own; listen in while it reads.
  const parser = (Handlebars as unknown as { Parser: { parseError: (message: string, hash: ParserError) => never } }).Parser;
  const ownReport = parser.parseError;
  let found: ParserError | undefined;
  parser.parseError = (message, hash) => {
    found = hash;
    throw new Error(message);
  };
  try {
    Handlebars.parse(text);
    return undefined;
  } catch (error) {
    const e = error as Error & { lineNumber?: number; column?: number };
    if (found?.loc) {
      // The parser's place is that of the last token it took: the trouble starts where it ends.
      const lines = text.split('\n');
      const offset = lines.slice(0, found.loc.last_line - 1).reduce((n, l) => n + l.length + 1, 0) + found.loc.last_column;
      const expected = [...new Set((found.expected ?? []).map(word))].slice(0, 4);
      const got = found.token ? word(found.token) : 'this';
      return { message: `Handlebars cannot read the template here: found ${got}${expected.length ? `, expected ${expected.join(' or ')}` : ''}`, offset, line: found.loc.last_line, column: found.loc.last_column + 1 };
    }
    const line = e.lineNumber ?? 1;
    const column = (e.column ?? 0) + 1;
    const offset = text.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    return { message: `Handlebars cannot read the template here: ${e.message.split('\n')[0]!.replace(/ - \d+:\d+$/, '')}`, offset, line, column };
  } finally {
    parser.parseError = ownReport;
  }
}

/** Raw HTML (a tag) outside the mustaches of a one-line template, which the narrative refuses. */
export function rawHtmlOffset(text: string): number {
  const outside = text.replace(/\{\{[\s\S]*?\}\}/g, (m) => ' '.repeat(m.length));
  const tag = /<\/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|<!--/.exec(outside);
  return tag ? tag.index : -1;
}

/**
 * The problem of a one-line template written as a setting of a YAML file (a title, alt text, a
 * note): its syntax, or raw HTML, said with the character of the value where it is.
 */
export function settingTemplateProblem(value: string): string | undefined {
  const problem = templateSyntaxProblem(value);
  if (problem) return `${problem.message.replace(/ at line \d+, column (\d+)/g, ' at character $1')} (at character ${problem.offset + 1} of the value)`;
  const html = rawHtmlOffset(value);
  if (html !== -1) return `raw HTML is not allowed in a template; use Markdown (at character ${html + 1} of the value)`;
  return undefined;
}
