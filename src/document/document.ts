/**
 * The format-neutral document tree: the only thing renderers read.
 *
 * Plain JSON (no class instances, no HTML strings, no docx objects), nodes discriminated by
 * `type` in the style of mdast. Every number a reader sees is already formatted here, once, by
 * `narrate`; renderers never format numbers, so HTML, PDF and DOCX cannot disagree.
 */

/** Inline content of a paragraph, list item, caption or note. */
export type Inline = TextNode | StrongNode | EmphasisNode | LinkNode | ValueNode | FootnoteRefNode;

export interface TextNode {
  type: 'text';
  value: string;
  /** Set when the text came from the data (a name, a region), not from a template. */
  data?: true;
  /** Set when the words are a claim a helper computed from the data (the claims gate checks it again). */
  claim?: Claim;
}

/**
 * What a claim word stands on, so the claims gate can check it against the numbers:
 * - `extreme`: the items a superlative names ("highest", "joint highest") among all the values
 *   compared (as printed), the `n` asked for, and whether the words say "joint";
 * - `quantifier`: "all" or "none of the" for a part of a total;
 * - `still`: a state that did (or did not) stay the same;
 * - `fraction`: "just over a quarter" and the like, for a share.
 */
export type Claim =
  | { kind: 'extreme'; direction: 'top' | 'bottom'; n: number; values: number[]; chosen: number[] }
  | { kind: 'quantifier'; part: number; total: number }
  | { kind: 'still'; before: string; after: string }
  | { kind: 'fraction'; share: number };
export interface StrongNode {
  type: 'strong';
  children: Inline[];
}
export interface EmphasisNode {
  type: 'emphasis';
  children: Inline[];
}
export interface LinkNode {
  type: 'link';
  /** Absolute URL, `mailto:` address, or `#id` of a node in this document. */
  url: string;
  children: Inline[];
}
/**
 * A number computed from the data. `text` is what every format prints; `raw` is the exact
 * value it came from (a share is 0 to 1, a change in percentage points is in points), `ref` the
 * path of the value in the statistics model, so a diff or a check can trace it.
 */
export interface ValueNode {
  type: 'value';
  ref: string;
  raw: number;
  text: string;
  /** How `raw` was formatted: lets a checker re-derive `text` and compare as values. */
  format: ValueFormat;
}
export type ValueFormat = 'count' | 'percent' | 'points' | 'number' | 'date' | 'word';
export interface FootnoteRefNode {
  type: 'footnoteRef';
  /** Key into `ReportDocument.footnotes`. */
  id: string;
}

export type Block =
  | SectionNode
  | ParagraphNode
  | ListNode
  | KeyMessagesNode
  | FigureNode
  | TableNode
  | CalloutNode;

export interface SectionNode {
  type: 'section';
  /** Anchor id, unique in the document. */
  id: string;
  /** Heading level: 2 for a top-level section (the title is level 1). */
  depth: 2 | 3 | 4;
  title: Inline[];
  children: Block[];
}
export interface ParagraphNode {
  type: 'paragraph';
  children: Inline[];
}
export interface ListItem {
  children: Inline[];
  /** A nested list under this item, e.g. "8 of these improved by 2 judgements". */
  sublist?: ListNode;
}
export interface ListNode {
  type: 'list';
  ordered: boolean;
  items: ListItem[];
}
/** The release's key messages: singled out so checks can compare them across formats. */
export interface KeyMessagesNode {
  type: 'keyMessages';
  children: ParagraphNode[];
}
export interface CalloutNode {
  type: 'callout';
  /** `inset` for GOV.UK inset text; `notice` for a notification banner (revision, draft). */
  variant: 'inset' | 'notice';
  title?: string;
  children: ParagraphNode[];
}

/** One cell of a table. `text` is printed; `raw` is the number behind it, null for shorthand. */
export interface TableCell {
  text: string;
  raw?: number | null;
  ref?: string;
  /** For a percentage worked out from a count (a figure bound to a query): that count, for the workbook. */
  count?: number;
}
export interface TableColumn {
  label: string;
  /** Numbers are right-aligned, words left-aligned (GOV.UK tables). */
  align: 'left' | 'right';
}
export interface TableRow {
  /** Row header (`<th scope="row">`). */
  header: TableCell;
  cells: TableCell[];
}
export interface TableNode {
  type: 'table';
  id: string;
  /** Set for a numbered table in the text ("Table 1"); absent for a figure's data table. */
  number?: number;
  caption: string;
  /** Header of the row-header column, then one per data column. */
  columns: TableColumn[];
  rows: TableRow[];
  notes: Inline[][];
}

/** What a chart renderer needs: the spec template to use and the tidy rows to draw. */
export interface ChartSpec {
  /** Path of the Vega-Lite spec template, relative to the template set. */
  spec: string;
  /** Tidy data rows, already rounded as printed (the chart shows what the table says). */
  data: Array<Record<string, string | number | null>>;
  /** Category order and colours for the encoding, from the framework config. */
  domain: string[];
  range: string[];
  /** Text colour to use on each category's colour (for labels inside bars), same order. */
  textRange?: string[];
  /** Named files the spec draws on (e.g. map boundaries), resolved by the release config. */
  resources?: string[];
}
export interface FigureNode {
  type: 'figure';
  id: string;
  number: number;
  title: string;
  subtitle?: string;
  chart: ChartSpec;
  /** Short, from the data, different from the title, at most 220 characters. */
  altText: string;
  /** The accessible alternative: required, so a figure without one does not type-check. */
  dataTable: TableNode;
  notes: Inline[][];
  /**
   * Set when the last note is the template set's rounding note (the figure's rounded
   * percentages do not add up to 100), whatever its wording: the rounding gate checks it.
   */
  roundingNote?: true;
  source?: string;
  /**
   * Set when, on paper, the figure's data are not printed but are in this sheet of the
   * underlying-data workbook (a long table such as a map's); the web page still holds them.
   */
  dataSheet?: string;
}

export interface Contact {
  name: string;
  email: string;
  team: string;
  teamEmail: string;
}
export interface ReportMeta {
  title: string;
  /** "Official statistics", "Accredited official statistics", "Official statistics in development". */
  status: string;
  draft: boolean;
  coverage: string;
  /** The period the statistics cover, as printed. */
  period: string;
  /** ISO date of publication, and as printed ("25 September 2025"). */
  published: { iso: string; text: string };
  nextUpdate: string;
  producer: string;
  contact: Contact;
  licence: { name: string; url: string };
  language: string;
  /** The series or collection this release belongs to, for the breadcrumb and metadata. */
  series?: { title: string; url?: string };
  /**
   * What the release includes (main findings, underlying data, methodology…), each item with the
   * file it links to where the release has one: a document's web page, else the landing page.
   */
  includes: Array<{ text: string; url?: string }>;
  /** This document among the release's documents: its id (which names its files) and how the list names it. */
  document?: { id: string; label: string };
  /** The release this document belongs to: its title and its landing page (`index.html`). */
  release?: { title: string; url: string; summary: string };
  /**
   * A revised release: when and why (from the config), and, drafted from the data, every
   * published figure that moved and what it was compared with.
   */
  revision?: { iso: string; text: string; reason: string; compared?: string; changes?: RevisedFigure[] };
  acknowledgements?: string;
  /** Abbreviations the text may use, with what they stand for (govspeak lists those it uses). */
  abbreviations?: Record<string, string>;
}

/** A published figure that a revision moved: where it appears, as printed before and now. */
export interface RevisedFigure {
  where: string;
  old: string;
  new: string;
  /** Set when the figure prints the same but its value moved: "0.4379 → 0.4314". */
  raw?: string;
}

export interface ReportDocument {
  type: 'report';
  meta: ReportMeta;
  children: Block[];
  footnotes: Record<string, Inline[]>;
}

/** Exhaustiveness guard for switches over node types. */
export function assertNever(node: never): never {
  throw new Error(`Unhandled node: ${JSON.stringify(node)}`);
}

/** Plain text of inline content, as a reader would read it (values by their printed text). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
          return node.value;
        case 'value':
          return node.text;
        case 'strong':
        case 'emphasis':
        case 'link':
          return inlineText(node.children);
        case 'footnoteRef':
          return '';
        default:
          return assertNever(node);
      }
    })
    .join('');
}

/**
 * The title block's links, as inline content every format renders: the sentence that links to the
 * release's landing page (where the document belongs to one), and "This release includes" with
 * each item linked to its document.
 */
export function titleBlockLinks(meta: ReportMeta, partOf: (link: LinkNode) => [string, LinkNode, string]): { partOf?: Inline[]; includes: Inline[][] } {
  const text = (value: string): TextNode => ({ type: 'text', value });
  const out: { partOf?: Inline[]; includes: Inline[][] } = {
    includes: meta.includes.map((i) => (i.url ? [{ type: 'link', url: i.url, children: [text(i.text)] }] : [text(i.text)])),
  };
  if (meta.release) {
    const [before, link, after] = partOf({ type: 'link', url: meta.release.url, children: [text(meta.release.title)] });
    out.partOf = [text(before), link, text(after)];
  }
  return out;
}

/** A path to a file published with the release (underlying-data.ods, data/…): no scheme, no "..". */
export function isReleaseFile(url: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(url) && !url.includes('..');
}
