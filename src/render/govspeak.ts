/**
 * render/govspeak: ReportDocument → govspeak, GOV.UK's Markdown, for an HTML attachment of a
 * Whitehall publication (https://github.com/alphagov/govspeak).
 *
 * Headings keep their anchors (`## Title {#id}`); a key message that is one figure and its sentence
 * is a `{stat-headline}`; inset text and notices are information callouts (`^…^`); footnotes are
 * `[^n]`; abbreviations the text uses are listed at the end (`*[ONS]: …`). Tables are pipe tables
 * with one header row, row headers marked `|#`, numbers right-aligned (`---:`); a table that cannot
 * follow those rules (an empty cell or header) is left out with a warning and its CSV attached
 * instead. A chart is an image (`[Image:figure-1-….svg]`) with its headline and statistical titles
 * in the text and its data table under it. Files of the release are attachments
 * (`[AttachmentLink:underlying-data.ods]`). No raw HTML: every text is escaped.
 */
import { assertNever, isReleaseFile, type Block, type FigureNode, type Inline, type ListNode, type ReportDocument, type TableNode } from '../document/document.js';
import { figureTitle, sourceLine, VIEW_DATA } from '../document/labels.js';

/** A file the export names: an image or an attachment, as the publisher uploads it. */
export interface GovspeakUpload {
  /** The name the markup refers to, and the file is uploaded as. */
  file: string;
  /** Where the file is in the build's output. */
  source: string;
  kind: 'image' | 'attachment';
  /** The attachment's title, or an image's caption (the figure's title). */
  title: string;
  /** An image's description (the figure's alt text); empty for an attachment. */
  description: string;
}

export interface GovspeakOptions {
  /** Each table's CSV in the output (`data/figure-3.csv`), for a table exported as an attachment. */
  csvOf?: (tableId: string) => string | undefined;
  /** The title of each file of the release that the text may link to, by its path in the output. */
  fileTitles?: ReadonlyMap<string, string>;
}

export interface GovspeakExport {
  markdown: string;
  uploads: GovspeakUpload[];
  warnings: string[];
  /** Tables exported as their CSV file rather than as a table. */
  attachedTables: string[];
}

/** Characters kramdown reads as markup, escaped with a backslash wherever text is written. */
function escapeText(text: string): string {
  return text.replace(/([\\`*_{}[\]<>|$^])/g, '\\$1');
}

/** Words a file name leaves out. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'the', 'their', 'to', 'with', 's']);

/** A file name from a figure's number and its title's first words: figure-1-local-authorities-overall.svg. */
export function imageName(figure: FigureNode): string {
  const words = figure.title
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !/^\d+$/.test(w) && !STOP_WORDS.has(w))
    .slice(0, 5);
  return `figure-${figure.number}-${words.join('-')}.svg`;
}

const baseName = (path: string) => path.split('/').pop()!;

interface Context {
  options: GovspeakOptions;
  sections: Set<string>;
  uploads: Map<string, GovspeakUpload>;
  warnings: string[];
  footnotes: string[];
  attachedTables: string[];
}

function attach(ctx: Context, path: string, title: string): string {
  const file = baseName(path);
  if (!ctx.uploads.has(file)) ctx.uploads.set(file, { file, source: path, kind: 'attachment', title, description: '' });
  return file;
}

function inline(nodes: readonly Inline[], ctx: Context): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
          return escapeText(node.value);
        case 'value':
          return escapeText(node.text);
        case 'strong':
          return `**${inline(node.children, ctx)}**`;
        case 'emphasis':
          return `*${inline(node.children, ctx)}*`;
        case 'link': {
          const text = inline(node.children, ctx);
          if (/^(https?:|mailto:)/i.test(node.url)) return `[${text}](${node.url.replace(/[()\s]/g, encodeURIComponent)})`;
          // An anchor in this document: a section keeps its link; a figure or table is an image or
          // a table without an anchor, so its name is enough.
          if (node.url.startsWith('#')) return ctx.sections.has(node.url.slice(1)) ? `[${text}](${node.url})` : text;
          // A data file of the release is an attachment; another document is an HTML attachment
          // of the same publication, which the reader finds beside this one.
          if (isReleaseFile(node.url) && !node.url.endsWith('.html')) {
            return `${text} ([AttachmentLink:${attach(ctx, node.url, ctx.options.fileTitles?.get(node.url) ?? baseName(node.url))}])`;
          }
          return text;
        }
        case 'footnoteRef': {
          if (!ctx.footnotes.includes(node.id)) ctx.footnotes.push(node.id);
          return `[^${ctx.footnotes.indexOf(node.id) + 1}]`;
        }
        default:
          return assertNever(node);
      }
    })
    .join('');
}

function list(node: ListNode, ctx: Context, indent = ''): string {
  return node.items
    .map((item, i) => {
      const marker = node.ordered ? `${i + 1}. ` : '- ';
      const sub = item.sublist ? `\n${list(item.sublist, ctx, indent + ' '.repeat(marker.length))}` : '';
      return `${indent}${marker}${inline(item.children, ctx)}${sub}`;
    })
    .join('\n');
}

/** Why a table cannot be a govspeak table, if it cannot. */
function tableProblem(table: TableNode): string | undefined {
  if (table.columns.some((c) => c.label.trim() === '')) return 'a column has no header';
  for (const row of table.rows) {
    if (row.header.text.trim() === '') return 'a row has no header';
    if (row.cells.some((c) => c.text.trim() === '')) return `the row "${row.header.text}" has an empty cell`;
  }
  return undefined;
}

const cell = (text: string) => escapeText(text).replace(/\n/g, ' ');

function table(node: TableNode, ctx: Context): string {
  const caption = `**${escapeText(node.caption)}**`;
  const problem = tableProblem(node);
  if (problem) {
    const csv = ctx.options.csvOf?.(node.id);
    ctx.attachedTables.push(node.id);
    ctx.warnings.push(`${node.caption}: ${problem}, so it is not a govspeak table${csv ? `; its CSV is attached instead (${baseName(csv)})` : ''}`);
    return csv ? `${caption}\n\n[Attachment:${attach(ctx, csv, node.caption)}]` : caption;
  }
  const head = `| ${node.columns.map((c) => cell(c.label)).join(' | ')} |`;
  const rule = `|${node.columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = node.rows.map((row) => `|# ${cell(row.header.text)} | ${row.cells.map((c) => cell(c.text)).join(' | ')} |`);
  const notes = node.notes.map((n) => inline(n, ctx));
  return [caption, [head, rule, ...rows].join('\n'), ...notes].join('\n\n');
}

function figure(node: FigureNode, ctx: Context): string {
  const file = imageName(node);
  ctx.uploads.set(file, { file, source: `charts/${node.id}.svg`, kind: 'image', title: figureTitle(node.number, node.title), description: node.altText });
  const parts = [
    // The headline title, then the statistical title, in the text: the image carries neither.
    `### ${escapeText(figureTitle(node.number, node.title))}`,
    ...(node.subtitle ? [escapeText(node.subtitle)] : []),
    `[Image:${file}]`,
    ...(node.notes.length ? [list({ type: 'list', ordered: true, items: node.notes.map((children) => ({ children })) }, ctx)] : []),
    ...(node.source ? [escapeText(sourceLine(node.source))] : []),
    `**${escapeText(VIEW_DATA)}**`,
    table(node.dataTable, ctx),
  ];
  return parts.join('\n\n');
}

/** A key message of one number and its sentence: the number is the headline. */
function statHeadline(children: readonly Inline[], ctx: Context): string | undefined {
  const values = children.filter((c) => c.type === 'value');
  if (values.length !== 1 || children.some((c) => c.type !== 'text' && c.type !== 'value')) return undefined;
  const text = children.map((c) => (c.type === 'value' ? `*${escapeText(c.text)}*` : inline([c], ctx))).join('');
  return `{stat-headline}\n${text}\n{/stat-headline}`;
}

function blocks(nodes: readonly Block[], ctx: Context): string[] {
  return nodes.flatMap((node): string[] => {
    switch (node.type) {
      case 'section':
        return [`${'#'.repeat(node.depth)} ${inline(node.title, ctx)} {#${node.id}}`, ...blocks(node.children, ctx)];
      case 'paragraph':
        return [inline(node.children, ctx)];
      case 'list':
        return [list(node, ctx)];
      case 'keyMessages':
        return node.children.map((p) => statHeadline(p.children, ctx) ?? inline(p.children, ctx));
      case 'callout': {
        const body = node.children.map((p) => inline(p.children, ctx)).join('\n\n');
        return [`^${node.title ? `**${escapeText(node.title)}** ` : ''}${body}^`];
      }
      case 'table':
        return [table(node, ctx)];
      case 'figure':
        return [figure(node, ctx)];
      default:
        return assertNever(node);
    }
  });
}

function sectionIds(nodes: readonly Block[], into = new Set<string>()): Set<string> {
  for (const n of nodes) if (n.type === 'section') { into.add(n.id); sectionIds(n.children, into); }
  return into;
}

/** Renders a document as govspeak, with the files it names and any warnings. */
export function renderGovspeak(doc: ReportDocument, options: GovspeakOptions = {}): GovspeakExport {
  const ctx: Context = { options, sections: sectionIds(doc.children), uploads: new Map(), warnings: [], footnotes: [], attachedTables: [] };
  const body = blocks(doc.children, ctx);
  const notes = ctx.footnotes.map((id, i) => `[^${i + 1}]: ${inline(doc.footnotes[id] ?? [], ctx)}`);
  // Abbreviations are listed where the text uses them.
  const text = body.join('\n');
  const abbreviations = Object.entries(doc.meta.abbreviations ?? {})
    .filter(([short]) => new RegExp(`\\b${short.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text))
    .map(([short, long]) => `*[${short}]: ${long}`);
  const markdown = [...body, ...(notes.length ? [notes.join('\n')] : []), ...(abbreviations.length ? [abbreviations.join('\n')] : [])].join('\n\n');
  return { markdown: `${markdown}\n`, uploads: [...ctx.uploads.values()], warnings: ctx.warnings, attachedTables: ctx.attachedTables };
}

