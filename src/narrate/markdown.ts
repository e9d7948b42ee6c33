/**
 * The narrative's text format: Markdown written by Handlebars templates, turned into document
 * tree blocks. Helpers do not print numbers into the text; they leave a private-use token that
 * stands for an already-built node (a value, a figure, a table), which is put back here.
 * Raw HTML is refused: data and templates never become markup.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { directiveFromMarkdown } from 'mdast-util-directive';
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote';
import { directive } from 'micromark-extension-directive';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import type { Nodes, Paragraph, PhrasingContent, RootContent } from 'mdast';
import { inlineText, type Block, type Inline, type ListItem, type ListNode, type ParagraphNode, type SectionNode, type TableCell, type TableNode } from '../document/document.js';
import { tableTitle } from '../document/labels.js';
import { StatpressError, type ErrorLocation } from '../core/errors.js';
import { hasPipe, parseCaptionLine, parseDelimiterRow, splitPipeRow } from './pipe-table.js';

export const TOKEN_OPEN = '\uE000';
export const TOKEN_CLOSE = '\uE001';
/** Data strings are wrapped in these so the tree can mark text that came from the data. */
export const DATA_OPEN = '\uE002';
export const DATA_CLOSE = '\uE003';
const MARKERS = /[\uE000-\uE003]/g;

/** What a token stands for: inline nodes, or one block that must stand alone in a paragraph. */
export type TokenValue = { kind: 'inline'; nodes: Inline[] } | { kind: 'block'; node: Block };

export interface ParsedMarkdown {
  blocks: Block[];
  footnotes: Record<string, Inline[]>;
  /** Ids of the tables written in Markdown (pipe tables), in document order. */
  tables: string[];
}

function parseMarkdown(markdown: string) {
  return fromMarkdown(markdown, {
    extensions: [directive(), gfmFootnote()],
    mdastExtensions: [directiveFromMarkdown(), gfmFootnoteFromMarkdown()],
  });
}

/**
 * Escapes a data string for Markdown so it is always read as text: every ASCII punctuation
 * mark is backslash-escaped (CommonMark allows it for all of them), control characters and
 * token characters are dropped, line breaks become spaces.
 */
export function escapeMarkdown(text: string): string {
  const escaped = text
    .replace(MARKERS, '')
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001F\u007F]/g, '')
    .replace(/[!-/:-@[-`{-~]/g, (ch) => `\\${ch}`);
  return escaped === '' ? '' : `${DATA_OPEN}${escaped}${DATA_CLOSE}`;
}

/** Removes the data markers, for places that take plain strings (URLs, anchors, titles). */
export function stripMarkers(text: string): string {
  return text.replace(/[\uE002\uE003]/g, '');
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A section template's place in the Markdown it rendered into, so errors can name its lines. */
export interface SourcePart {
  file: string;
  /** The template as written. */
  source: string;
  /** 1-based line of the rendered Markdown where the section's output starts. */
  startLine: number;
}

export interface NarrativeOptions {
  /** The section templates in the order their output was joined. */
  parts?: SourcePart[];
  /** The number a table written in Markdown gets, by its id (defaults to 1, 2 … in order). */
  tableNumber?: (id: string, index: number) => number;
}

interface Context {
  file: string;
  tokens: TokenValue[];
  markdown: string;
  lines: string[];
  options: NarrativeOptions;
  /** Ids of the tables written in Markdown, in document order. */
  tables: string[];
}

function fail(context: Context, node: Nodes, message: string): never {
  throw new StatpressError('template', message, {
    file: context.file,
    ...(node.position ? { row: node.position.start.line } : {}),
  });
}

/** Splits text into template text, data text (marked) and the nodes that tokens stand for. */
function splitTokens(text: string, context: Context, node: Nodes): Inline[] {
  const out: Inline[] = [];
  let inData = false;
  let buffer = '';
  const flush = () => {
    if (buffer !== '') out.push(inData ? { type: 'text', value: buffer, data: true } : { type: 'text', value: buffer });
    buffer = '';
  };
  const parts = text.split(/(\uE000\d+\uE001|\uE002|\uE003)/);
  for (const part of parts) {
    if (part === DATA_OPEN || part === DATA_CLOSE) {
      flush();
      inData = part === DATA_OPEN;
      continue;
    }
    const match = /^\uE000(\d+)\uE001$/.exec(part);
    if (match) {
      flush();
      const token = context.tokens[Number(match[1])];
      if (!token) fail(context, node, 'internal: unknown token');
      if (token.kind === 'block') fail(context, node, 'a figure or table must stand on its own line');
      out.push(...token.nodes);
      continue;
    }
    buffer += part;
  }
  flush();
  return out;
}

function mergeText(nodes: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) {
    const prev = out[out.length - 1];
    // A claim keeps its own node, so the claims gate finds its words and what they stand on.
    if (node.type === 'text' && prev?.type === 'text' && prev.data === node.data && !prev.claim && !node.claim) prev.value += node.value;
    else if (node.type !== 'text' || node.value !== '') out.push(node);
  }
  return out;
}

function convertInline(nodes: PhrasingContent[], context: Context): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out.push(...splitTokens(node.value, context, node));
        break;
      case 'strong':
        out.push({ type: 'strong', children: convertInline(node.children, context) });
        break;
      case 'emphasis':
        out.push({ type: 'emphasis', children: convertInline(node.children, context) });
        break;
      case 'link':
        out.push({ type: 'link', url: stripMarkers(node.url), children: convertInline(node.children, context) });
        break;
      case 'break':
        out.push({ type: 'text', value: ' ' });
        break;
      case 'footnoteReference':
        out.push({ type: 'footnoteRef', id: node.identifier });
        break;
      case 'html':
        fail(context, node, 'raw HTML is not allowed in a narrative template; use Markdown');
        break;
      default:
        fail(context, node, `unsupported Markdown (${node.type}) in a narrative template`);
    }
  }
  return mergeText(out);
}

function convertList(node: Extract<RootContent, { type: 'list' }>, context: Context): ListNode {
  const items: ListItem[] = node.children.map((item) => {
    const children: Inline[] = [];
    let sublist: ListNode | undefined;
    for (const child of item.children) {
      if (child.type === 'paragraph') {
        if (children.length > 0) children.push({ type: 'text', value: ' ' });
        children.push(...convertInline(child.children, context));
      } else if (child.type === 'list') {
        sublist = convertList(child, context);
      } else {
        fail(context, child, `a list item can hold text and one nested list, not ${child.type}`);
      }
    }
    return sublist ? { children, sublist } : { children };
  });
  return { type: 'list', ordered: node.ordered === true, items };
}

/**
 * Where a line of the rendered Markdown came from: the section template and its line, found by
 * the text the line and the template share once helpers' output and data are taken out (a line
 * an {{#each}} repeats maps to the line that wrote it); the column is that of cell `cell`.
 */
function locate(context: Context, line: number, cell?: number): ErrorLocation {
  const parts = context.options.parts ?? [];
  const part = [...parts].reverse().find((p) => p.startLine <= line);
  const columnIn = (text: string) => (cell === undefined ? text.length - text.trimStart().length : splitPipeRow(text)[cell]?.start ?? 0) + 1;
  if (!part) return { file: context.file, line, col: columnIn(context.lines[line - 1] ?? '') };
  const key = (text: string) =>
    text
      .replace(/\{\{[\s\S]*?\}\}/g, '')
      .replace(/\uE002[^\uE003]*\uE003/g, '')
      .replace(/\uE000\d+\uE001/g, '')
      .replace(/\s+/g, '');
  const want = key(context.lines[line - 1] ?? '');
  const source = part.source.split('\n');
  const guess = line - part.startLine;
  let best = -1;
  source.forEach((text, i) => {
    if (key(text) === want && (best < 0 || Math.abs(i - guess) < Math.abs(best - guess))) best = i;
  });
  const index = best >= 0 ? best : Math.max(0, Math.min(guess, source.length - 1));
  return { file: part.file, line: index + 1, col: columnIn(source[index] ?? '') };
}

function failAt(location: ErrorLocation, message: string, hint?: string): never {
  throw new StatpressError('template', message, location, hint);
}

const TABLE_HINT = 'write a caption line "Table: …", the header row, a delimiter row such as | --- | ---: |, then one row per line, with no blank line between them';

/** A cell's Markdown as inline nodes: text and values only (a table cell holds no formatting). */
function readCell(text: string, context: Context, where: ErrorLocation): Inline[] {
  const tree = parseMarkdown(text);
  const first = tree.children[0];
  if (!first) return [];
  if (tree.children.length > 1 || first.type !== 'paragraph') failAt(where, `a table cell holds text and values, not ${first.type === 'paragraph' ? 'several paragraphs' : first.type}`);
  let inlines: Inline[];
  try {
    inlines = convertInline(first.children, context);
  } catch (error) {
    if (error instanceof StatpressError) failAt(where, error.message);
    throw error;
  }
  const other = inlines.find((n) => n.type !== 'text' && n.type !== 'value');
  if (other) failAt(where, `a table cell holds text and values, not ${other.type === 'footnoteRef' ? 'a footnote reference' : `${other.type} text`} (the formats could not all show it)`);
  return inlines;
}

/** A cell of the tree: a single value keeps the number behind it; shorthand has none. */
function tableCell(inlines: Inline[]): TableCell {
  const text = inlineText(inlines).trim();
  const meaningful = inlines.filter((n) => !(n.type === 'text' && n.value.trim() === ''));
  const only = meaningful.length === 1 ? meaningful[0] : undefined;
  if (only?.type === 'value') return { text, raw: only.raw, ref: only.ref };
  if (/^\[[a-z]+\]$/.test(text)) return { text, raw: null };
  return { text };
}

/**
 * A GFM pipe table written in a template, as a table node: the caption line above it, the
 * header row, and one row per line, whose first cell is the row's header. A paragraph with a
 * row of pipes that is not such a table is an error at its line and column, never text.
 */
function readPipeTable(node: Paragraph, context: Context): TableNode | undefined {
  const start = node.position?.start;
  const end = node.position?.end;
  if (start?.offset === undefined || end?.offset === undefined) return undefined;
  const lines = context.markdown.slice(start.offset, end.offset).split('\n');
  const delimiterAt = lines.findIndex((line) => parseDelimiterRow(line) !== undefined);
  const rowAt = lines.findIndex((line) => line.trim().startsWith('|'));
  if (delimiterAt < 0 && rowAt < 0) return undefined;
  const at = (i: number, cell?: number) => locate(context, start.line + i, cell);
  if (delimiterAt < 1) {
    failAt(at(Math.max(rowAt, 0)), 'this looks like a table but has no header row followed by a delimiter row (| --- | --- |)', TABLE_HINT);
  }
  const headerAt = delimiterAt - 1;
  const caption = headerAt === 1 ? parseCaptionLine(lines[0]!) : undefined;
  if (headerAt > 1 || (headerAt === 1 && !caption)) {
    failAt(at(headerAt - 1), 'only a caption line ("Table: …") may stand directly above a table; leave a blank line between other text and the table', TABLE_HINT);
  }
  if (!caption || caption.text === '') failAt(at(headerAt), 'a table needs a caption: write "Table: …" on the line directly above its header row', TABLE_HINT);
  const header = splitPipeRow(lines[headerAt]!.trim());
  const aligns = parseDelimiterRow(lines[delimiterAt]!)!;
  if (aligns.length !== header.length) failAt(at(delimiterAt), `the delimiter row has ${aligns.length} cells and the header row ${header.length}`, TABLE_HINT);
  const centred = aligns.findIndex((a) => a === 'center');
  if (centred >= 0) failAt(at(delimiterAt, centred), 'a column may be aligned left (:---) or right (---:), not centred: GOV.UK tables align words left and numbers right');
  if (header.length < 2) failAt(at(headerAt), 'a table needs a column of row headers and at least one column of data', TABLE_HINT);
  // Column offsets are in trimmed lines: locate() measures the template's line the same way.
  const headerCells = header.map((cell, i) => {
    const text = inlineText(readCell(cell.text, context, at(headerAt, i))).trim();
    if (text === '') failAt(at(headerAt, i), 'a header cell is empty: every column needs a heading');
    return text;
  });
  const rows = lines.slice(delimiterAt + 1).map((line, r) => {
    const i = delimiterAt + 1 + r;
    if (!hasPipe(line)) failAt(at(i), 'a table row must be written with | between its cells; leave a blank line after the table before other text', TABLE_HINT);
    const cells = splitPipeRow(line.trim());
    if (cells.length !== header.length) failAt(at(i), `this row has ${cells.length} cells and the header row ${header.length}`);
    return cells.map((cell, c) => {
      const value = tableCell(readCell(cell.text, context, at(i, c)));
      if (value.text === '') failAt(at(i, c), 'a cell is empty: write [x] for not available or [z] for not applicable');
      return value;
    });
  });
  if (rows.length === 0) failAt(at(delimiterAt), 'the table has no rows', TABLE_HINT);
  const captionText = inlineText(readCell(caption.text, context, at(0))).trim();
  const id = caption.id ?? `table-${slugify(captionText).slice(0, 60).replace(/-$/, '')}`;
  const index = context.tables.length;
  context.tables.push(id);
  const number = context.options.tableNumber?.(id, index) ?? index + 1;
  const columns: TableNode['columns'] = headerCells.map((label, c) => ({
    label,
    align: c === 0 ? 'left' : (aligns[c] ?? (rows.every((row) => typeof row[c]!.raw === 'number' || row[c]!.raw === null) ? 'right' : 'left')) === 'right' ? 'right' : 'left',
  }));
  return {
    type: 'table',
    id,
    number,
    caption: tableTitle(number, captionText),
    columns,
    rows: rows.map(([head, ...cells]) => ({ header: head!, cells })),
    notes: [],
  };
}

/** Converts flat Markdown blocks; headings are handled by the caller. */
function convertBlock(node: RootContent, context: Context): Block[] {
  switch (node.type) {
    case 'paragraph': {
      const table = readPipeTable(node, context);
      if (table) return [table];
      const only = node.children.length === 1 && node.children[0]?.type === 'text' ? stripMarkers(node.children[0].value).trim() : '';
      const match = /^\uE000(\d+)\uE001$/.exec(only);
      const token = match ? context.tokens[Number(match[1])] : undefined;
      if (token?.kind === 'block') return [token.node];
      const children = convertInline(node.children, context);
      return children.length > 0 ? [{ type: 'paragraph', children }] : [];
    }
    case 'list':
      return [convertList(node, context)];
    case 'containerDirective': {
      const paragraphs = node.children.flatMap((child) => convertBlock(child, context));
      const onlyParagraphs = paragraphs.filter((b): b is ParagraphNode => b.type === 'paragraph');
      if (onlyParagraphs.length !== paragraphs.length) fail(context, node, `:::${node.name} may hold only paragraphs`);
      if (node.name === 'key-messages') return [{ type: 'keyMessages', children: onlyParagraphs }];
      if (node.name === 'inset') return [{ type: 'callout', variant: 'inset', children: onlyParagraphs }];
      return fail(context, node, `unknown block :::${node.name} (use :::key-messages or :::inset)`);
    }
    case 'footnoteDefinition':
      return [];
    case 'html':
      return fail(context, node, 'raw HTML is not allowed in a narrative template; use Markdown');
    case 'thematicBreak':
      return [];
    default:
      return fail(context, node, `unsupported Markdown (${node.type}) in a narrative template`);
  }
}

/**
 * Parses rendered narrative Markdown into sections and blocks. Headings (`##` to `####`) open
 * sections, nested by depth; `{#id}` at the end of a heading sets its anchor.
 */
export function parseNarrative(markdown: string, tokens: TokenValue[], file: string, options: NarrativeOptions = {}): ParsedMarkdown {
  const context: Context = { file, tokens, markdown, lines: markdown.split('\n'), options, tables: [] };
  const tree = parseMarkdown(markdown);
  const root: Block[] = [];
  const stack: SectionNode[] = [];
  const footnotes: Record<string, Inline[]> = {};
  const target = (): Block[] => stack[stack.length - 1]?.children ?? root;
  for (const node of tree.children) {
    if (node.type === 'heading') {
      if (node.depth < 2 || node.depth > 4) fail(context, node, 'use ## to #### for headings (# is the title)');
      const title = convertInline(node.children, context);
      const last = title[title.length - 1];
      let id: string | undefined;
      if (last?.type === 'text') {
        const match = /\s*\{#([a-z0-9-]+)\}\s*$/.exec(last.value);
        if (match) {
          id = match[1];
          last.value = last.value.slice(0, match.index);
        }
      }
      const depth = node.depth as 2 | 3 | 4;
      while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
      const parentDepth = stack[stack.length - 1]?.depth ?? 1;
      if (depth > parentDepth + 1) fail(context, node, `heading level ${depth} follows level ${parentDepth}: a level is skipped`);
      const section: SectionNode = {
        type: 'section',
        id: id ?? slugify(title.map((t) => (t.type === 'text' ? t.value : '')).join('')),
        depth,
        title: mergeText(title),
        children: [],
      };
      target().push(section);
      stack.push(section);
      continue;
    }
    if (node.type === 'footnoteDefinition') {
      const inlines = node.children.flatMap((child) =>
        child.type === 'paragraph' ? convertInline(child.children, context) : fail(context, child, 'a footnote holds one paragraph'),
      );
      footnotes[node.identifier] = inlines;
      continue;
    }
    target().push(...convertBlock(node, context));
  }
  return { blocks: root, footnotes, tables: context.tables };
}
