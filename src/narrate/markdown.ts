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
import type { Nodes, PhrasingContent, RootContent } from 'mdast';
import type { Block, Inline, ListItem, ListNode, ParagraphNode, SectionNode } from '../document/document.js';
import { StatpressError } from '../core/errors.js';

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

interface Context {
  file: string;
  tokens: TokenValue[];
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

/** Converts flat Markdown blocks; headings are handled by the caller. */
function convertBlock(node: RootContent, context: Context): Block[] {
  switch (node.type) {
    case 'paragraph': {
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
export function parseNarrative(markdown: string, tokens: TokenValue[], file: string): ParsedMarkdown {
  const context: Context = { file, tokens };
  const tree = fromMarkdown(markdown, {
    extensions: [directive(), gfmFootnote()],
    mdastExtensions: [directiveFromMarkdown(), gfmFootnoteFromMarkdown()],
  });
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
  return { blocks: root, footnotes };
}
