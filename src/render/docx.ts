/**
 * render/docx: ReportDocument (+ chart images) → a native Word document with the `docx` package.
 *
 * Reads only the document tree: Word heading styles for sections (so the navigation pane and
 * the contents field work), real lists, footnotes, tables with repeating header rows, charts as
 * SVG images with a PNG fallback and the alt text as their description. The zip is rewritten
 * with fixed dates so the same tree always gives the same bytes.
 */
import {
  AlignmentType,
  Bookmark,
  BorderStyle,
  Document,
  ExternalHyperlink,
  Footer,
  FootnoteReferenceRun,
  Header,
  HeadingLevel,
  ImageRun,
  InternalHyperlink,
  LevelFormat,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableOfContents,
  TableRow,
  TextRun,
  WidthType,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import { estimatePageNumbers } from 'docx/layout';
import JSZip from 'jszip';
import {
  assertNever,
  isReleaseFile,
  titleBlockLinks,
  type Block,
  type FigureNode,
  type Inline,
  type ListNode,
  type ReportDocument,
  type SectionNode,
  type TableNode,
} from '../document/document.js';
import {
  annexLinkText,
  annexPointer,
  chartNotDrawn,
  CONTACT,
  CONTENTS,
  COVERAGE,
  documentDescription,
  documentSubject,
  documentTitle,
  DRAFT,
  DRAFT_BANNER,
  DRAFT_NOTICE,
  fieldLabel,
  figureLabel,
  figureTitle,
  LICENCE,
  NEXT_UPDATE,
  OFFICIAL_STATISTICS,
  pageOf,
  partOfRelease,
  PERIOD_COVERED,
  PRODUCER,
  PUBLISHED,
  revisedOn,
  revisedFigureLine,
  revisedFiguresHeading,
  sheetLinkText,
  sourceLine,
  THIS_RELEASE_INCLUDES,
  workbookPointer,
} from '../document/labels.js';

/** The chart images of a figure, as the chart renderer gives them. */
export interface ChartImage {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

const FONT = 'Arial';
/** Space after a figure's last line (its notes, source or data pointer) before the text goes on: 14 pt. */
const FIGURE_GAP = 280;
/** A4 with 2 cm margins: the width text, tables and images can use. */
const PAGE = { width: 11906, height: 16838, margin: 1134, footMargin: 1701, headerDistance: 567, footerDistance: 680 };
const TEXT_WIDTH_TWIPS = PAGE.width - 2 * PAGE.margin;
const TEXT_WIDTH_PX = Math.floor((TEXT_WIDTH_TWIPS / 1440) * 96);
const COLOURS = { text: '0B0C0C', secondary: '505A5F', link: '1D70B8', border: 'B1B4B6', keyLine: '1D70B8', inset: 'B1B4B6', draft: 'D4351C' };

const HEADING: Record<SectionNode['depth'], (typeof HeadingLevel)[keyof typeof HeadingLevel]> = {
  2: HeadingLevel.HEADING_1,
  3: HeadingLevel.HEADING_2,
  4: HeadingLevel.HEADING_3,
};

interface Context {
  assets: ReadonlyMap<string, ChartImage>;
  /** Ids of tables in the document: a figure whose data are in the annex points there. */
  tableIds: Set<string>;
  /** The first top-level section, which starts a new page after the title block and contents. */
  firstSection?: SectionNode;
  /** Footnote id in the tree → Word footnote number. */
  footnoteNumbers: Map<string, number>;
  footnotes: ReportDocument['footnotes'];
}

/** Bookmark names must start with a letter and hold only letters, digits and underscores. */
function bookmarkName(id: string): string {
  return `_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 40);
}

function runs(nodes: readonly Inline[], ctx: Context, style: IRunOptions = {}): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out.push(new TextRun({ ...style, text: node.value }));
        break;
      case 'value':
        out.push(new TextRun({ ...style, text: node.text }));
        break;
      case 'strong':
        out.push(...runs(node.children, ctx, { ...style, bold: true }));
        break;
      case 'emphasis':
        out.push(...runs(node.children, ctx, { ...style, italics: true }));
        break;
      case 'link': {
        const linkStyle = { ...style, color: COLOURS.link, underline: {} };
        const children = runs(node.children, ctx, linkStyle);
        if (node.url.startsWith('#')) out.push(new InternalHyperlink({ anchor: bookmarkName(node.url.slice(1)), children }));
        else if (/^(https?:|mailto:)/i.test(node.url)) out.push(new ExternalHyperlink({ link: node.url, children }));
        else {
          // A file published beside the release: a document cannot link to it, so it is named.
          out.push(...runs(node.children, ctx, style));
          if (isReleaseFile(node.url)) out.push(new TextRun({ ...style, text: ` (${node.url.split('/').pop()})` }));
        }
        break;
      }
      case 'footnoteRef': {
        let n = ctx.footnoteNumbers.get(node.id);
        if (n === undefined) {
          n = ctx.footnoteNumbers.size + 1;
          ctx.footnoteNumbers.set(node.id, n);
        }
        out.push(new FootnoteReferenceRun(n));
        break;
      }
      default:
        assertNever(node);
    }
  }
  return out;
}

function listParagraphs(list: ListNode, ctx: Context, level = 0): Paragraph[] {
  return list.items.flatMap((item) => [
    new Paragraph({
      children: runs(item.children, ctx),
      numbering: { reference: list.ordered ? 'numbers' : 'bullets', level },
      spacing: { after: 60 },
    }),
    ...(item.sublist ? listParagraphs(item.sublist, ctx, level + 1) : []),
  ]);
}

const CELL_BORDER = { style: BorderStyle.SINGLE, size: 4, color: COLOURS.border };
const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };

/** Column widths that fill the text width: the row-header column wider than the numbers. */
function columnWidths(table: TableNode): number[] {
  const count = table.columns.length;
  if (count === 1) return [TEXT_WIDTH_TWIPS];
  const first = Math.round(TEXT_WIDTH_TWIPS * (count <= 3 ? 0.5 : count <= 5 ? 0.3 : 0.28));
  const rest = Math.floor((TEXT_WIDTH_TWIPS - first) / (count - 1));
  return [first, ...Array.from({ length: count - 1 }, () => rest)];
}

function tableBlocks(table: TableNode, ctx: Context, caption: string): Array<Paragraph | Table> {
  const widths = columnWidths(table);
  const cell = (text: string, i: number, header: boolean, bold: boolean) =>
    new TableCell({
      width: { size: widths[i]!, type: WidthType.DXA },
      borders: { top: NO_BORDER, left: NO_BORDER, right: NO_BORDER, bottom: CELL_BORDER },
      margins: { top: 60, bottom: 60, left: 80, right: 80 },
      children: [
        new Paragraph({
          alignment: table.columns[i]?.align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
          spacing: { after: 0, line: 240, lineRule: LineRuleType.AUTO },
          children: [new TextRun({ text, bold: header || bold, size: 20 })],
        }),
      ],
    });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: table.columns.map((c, i) => cell(c.label, i, true, true)),
  });
  const rows = table.rows.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        children: [cell(row.header.text, 0, false, true), ...row.cells.map((c, i) => cell(c.text, i + 1, false, false))],
      }),
  );
  return [
    new Paragraph({
      style: 'Caption',
      keepNext: true,
      children: [new Bookmark({ id: bookmarkName(table.id), children: [new TextRun(caption)] })],
    }),
    new Table({ rows: [header, ...rows], width: { size: TEXT_WIDTH_TWIPS, type: WidthType.DXA }, columnWidths: widths }),
    ...table.notes.map((note) => new Paragraph({ style: 'Note', children: runs(note, ctx) })),
    new Paragraph({ spacing: { after: 120 }, children: [] }),
  ];
}

function figureBlocks(figure: FigureNode, ctx: Context): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [
    new Paragraph({
      style: 'Caption',
      keepNext: true,
      children: [new Bookmark({ id: bookmarkName(figure.id), children: [new TextRun(figureTitle(figure.number, figure.title))] })],
    }),
  ];
  if (figure.subtitle) out.push(new Paragraph({ style: 'Subtitle', keepNext: true, children: [new TextRun(figure.subtitle)] }));
  const image = ctx.assets.get(figure.id);
  if (image && image.png.length > 0) {
    const width = Math.min(TEXT_WIDTH_PX, image.width);
    const height = Math.round((image.height * width) / image.width);
    out.push(
      new Paragraph({
        keepNext: true,
        children: [
          new ImageRun({
            type: 'svg',
            data: Buffer.from(image.svg, 'utf8'),
            fallback: { type: 'png', data: image.png },
            transformation: { width, height },
            altText: { name: figureLabel(figure.number), title: figure.title, description: figure.altText },
          }),
        ],
      }),
    );
  } else {
    out.push(new Paragraph({ style: 'Note', children: [new TextRun(chartNotDrawn(figure.altText))] }));
  }
  figure.notes.forEach((note, i) => out.push(new Paragraph({ style: 'Note', children: [new TextRun(`${i + 1}. `), ...runs(note, ctx)] })));
  if (figure.source) out.push(new Paragraph({ style: 'Note', children: [new TextRun(sourceLine(figure.source))] }));
  const annexId = `annex-${figure.id}`;
  if (figure.dataSheet) {
    // A long table (a map's) is in the workbook: the figure points to its sheet.
    const [before, link, after] = workbookPointer(`${sheetLinkText(figure.dataSheet)} (underlying-data.ods)`);
    out.push(new Paragraph({ style: 'Note', spacing: { after: FIGURE_GAP }, children: [new TextRun(`${before}${link}${after}`)] }));
  } else if (ctx.tableIds.has(annexId)) {
    const [before, link, after] = annexPointer(
      new InternalHyperlink({ anchor: bookmarkName(annexId), children: [new TextRun({ text: annexLinkText(figure.number), color: COLOURS.link, underline: {} })] }),
    );
    out.push(new Paragraph({ style: 'Note', spacing: { after: FIGURE_GAP }, children: [new TextRun(before), link, new TextRun(after)] }));
  } else {
    out.push(...tableBlocks(figure.dataTable, ctx, figure.dataTable.caption));
  }
  return out;
}

function blocks(nodes: readonly Block[], ctx: Context): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  for (const node of nodes) {
    switch (node.type) {
      case 'section':
        out.push(
          new Paragraph({
            heading: HEADING[node.depth],
            keepNext: true,
            // The title page holds the title block and the contents; the text starts on a page of its own, as in the PDF.
            ...(node === ctx.firstSection ? { pageBreakBefore: true } : {}),
            children: [new Bookmark({ id: bookmarkName(node.id), children: runs(node.title, ctx) })],
          }),
        );
        out.push(...blocks(node.children, ctx));
        break;
      case 'paragraph':
        out.push(new Paragraph({ children: runs(node.children, ctx) }));
        break;
      case 'list':
        out.push(...listParagraphs(node, ctx));
        break;
      case 'keyMessages':
        out.push(...node.children.map((p) => new Paragraph({ style: 'KeyMessage', children: runs(p.children, ctx) })));
        break;
      case 'callout':
        if (node.title) out.push(new Paragraph({ style: 'Inset', children: [new TextRun({ text: node.title, bold: true })] }));
        out.push(...node.children.map((p) => new Paragraph({ style: 'Inset', children: runs(p.children, ctx) })));
        break;
      case 'table':
        out.push(...tableBlocks(node, ctx, node.caption));
        break;
      case 'figure':
        out.push(...figureBlocks(node, ctx));
        break;
      default:
        assertNever(node);
    }
  }
  return out;
}

function titleBlock(doc: ReportDocument, ctx: Context): Paragraph[] {
  const m = doc.meta;
  const line = (label: string, value: string) =>
    new Paragraph({ spacing: { after: 40 }, children: [new TextRun({ text: fieldLabel(label), bold: true }), new TextRun(value)] });
  const out = [
    new Paragraph({ style: 'Status', children: [new TextRun(m.status)] }),
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(m.title)] }),
    line(PUBLISHED, m.published.text),
    line(PERIOD_COVERED, m.period),
    line(COVERAGE, m.coverage),
    line(NEXT_UPDATE, m.nextUpdate),
    line(PRODUCER, m.producer),
    new Paragraph({
      spacing: { after: 40 },
      children: [
        new TextRun({ text: fieldLabel(CONTACT), bold: true }),
        new TextRun(`${m.contact.name} (`),
        new ExternalHyperlink({ link: `mailto:${m.contact.email}`, children: [new TextRun({ text: m.contact.email, color: COLOURS.link, underline: {} })] }),
        new TextRun(`), ${m.contact.team} (`),
        new ExternalHyperlink({ link: `mailto:${m.contact.teamEmail}`, children: [new TextRun({ text: m.contact.teamEmail, color: COLOURS.link, underline: {} })] }),
        new TextRun(')'),
      ],
    }),
    new Paragraph({
      spacing: { after: 200 },
      children: [
        new TextRun({ text: fieldLabel(LICENCE), bold: true }),
        /^https?:/i.test(m.licence.url)
          ? new ExternalHyperlink({ link: m.licence.url, children: [new TextRun({ text: m.licence.name, color: COLOURS.link, underline: {} })] })
          : new TextRun(m.licence.name),
      ],
    }),
  ];
  const links = titleBlockLinks(m, partOfRelease);
  if (links.partOf) out.push(new Paragraph({ children: runs(links.partOf, ctx) }));
  if (links.includes.length) {
    out.push(new Paragraph({ spacing: { after: 60 }, children: [new TextRun(THIS_RELEASE_INCLUDES)] }));
    out.push(...listParagraphs({ type: 'list', ordered: false, items: links.includes.map((children) => ({ children })) }, ctx));
    // The space the licence line left before the contents.
    out.push(new Paragraph({ spacing: { after: 100 }, children: [] }));
  }
  if (m.draft) out.unshift(new Paragraph({ style: 'Draft', children: [new TextRun(DRAFT_NOTICE)] }));
  if (m.revision) {
    out.push(new Paragraph({ style: 'Inset', children: [new TextRun({ text: revisedOn(m.revision.text, m.revision.reason), bold: true })] }));
    // The figures the revision moved, drafted from the data.
    if (m.revision.changes && m.revision.compared) {
      out.push(new Paragraph({ style: 'Inset', children: [new TextRun(revisedFiguresHeading(m.revision.changes.length, m.revision.compared))] }));
      for (const f of m.revision.changes) out.push(new Paragraph({ children: [new TextRun(revisedFigureLine(f))], numbering: { reference: 'bullets', level: 0 }, spacing: { after: 60 } }));
    }
  }
  return out;
}

type PackageFiles = Map<string, string | Uint8Array>;

/**
 * The package's files before zipping. The `docx` packer zips with the time of day and
 * run-on counters; taking its files first (its compiler, as Packer.pack does) lets us zip once,
 * deterministically. Falls back to unzipping the packer's output if that ever changes.
 */
async function packageFiles(document: Document): Promise<PackageFiles> {
  const compiler = (Packer as unknown as { compiler?: { compile(file: Document, prettify: undefined, overrides: unknown[]): PackageFiles } }).compiler;
  if (compiler && typeof compiler.compile === 'function') return compiler.compile(document, undefined, []);
  const zip = await JSZip.loadAsync(await Packer.toBuffer(document));
  const files: PackageFiles = new Map();
  for (const name of Object.keys(zip.files)) if (!zip.files[name]!.dir) files.set(name, await zip.files[name]!.async('uint8array'));
  return files;
}

/** Zips the package with fixed file dates, fixed document dates and ids numbered in order, so rebuilds are identical. */
async function zipDeterministic(files: PackageFiles, iso: string): Promise<Uint8Array> {
  const when = new Date(`${iso}T00:00:00Z`);
  const out = new JSZip();
  const text = (data: string | Uint8Array) => (typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  const names = [...files.keys()].sort();
  // Hyperlink relationships get random ids; number them in order of appearance instead.
  const renamed = new Map<string, string>();
  for (const name of names.filter((n) => n.endsWith('.rels'))) {
    for (const [, id] of text(files.get(name)!).matchAll(/Id="(rId[^"]*[^\d"][^"]*)"/g)) if (!renamed.has(id!)) renamed.set(id!, `rIdLink${renamed.size + 1}`);
  }
  const pattern = renamed.size > 0 ? new RegExp(`"(${[...renamed.keys()].map((k) => k.replace(/[-]/g, '\\-')).join('|')})"`, 'g') : undefined;
  for (const name of names) {
    let data: string | Uint8Array = files.get(name)!;
    if (pattern && /\.(xml|rels)$/.test(name)) data = text(data).replace(pattern, (_, id: string) => `"${renamed.get(id)}"`);
    if (name === 'word/document.xml') {
      // The contents' bookmarks are numbered by a counter that runs on between documents.
      const toc = new Map<string, string>();
      const marks = new Map<string, string>();
      let drawing = 0;
      data = text(data)
        .replace(/_Toc\d+/g, (id) => {
          if (!toc.has(id)) toc.set(id, `_Toc${toc.size + 1}`);
          return toc.get(id)!;
        })
        .replace(/(<w:bookmark(?:Start|End)\b[^>]*\sw:id=")(\d+)"/g, (_, head: string, id: string) => {
          if (!marks.has(id)) marks.set(id, String(marks.size + 1));
          return `${head}${marks.get(id)}"`;
        })
        // So are the drawing ids: number them in document order.
        .replace(/(<wp:docPr\b[^>]*?\sid=")(\d+)"/g, (_, head: string) => `${head}${++drawing}"`);
    }
    if (name === 'docProps/core.xml') {
      data = text(data).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${iso}T00:00:00Z$3`);
    }
    // Images are compressed already: storing them saves most of the time of writing the zip.
    out.file(name, data, { date: when, createFolders: false, ...(/\.(png|jpe?g)$/i.test(name) ? { compression: 'STORE' as const } : {}) });
  }
  return out.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}

/** Renders the release as a Word document. */
export async function renderDocx(doc: ReportDocument, assets: ReadonlyMap<string, ChartImage> = new Map()): Promise<Uint8Array> {
  const tableIds = new Set<string>();
  const collect = (nodes: readonly Block[]): void => {
    for (const n of nodes) {
      if (n.type === 'table') tableIds.add(n.id);
      if (n.type === 'section') collect(n.children);
    }
  };
  collect(doc.children);
  const firstSection = doc.children.find((b): b is SectionNode => b.type === 'section');
  const ctx: Context = { assets, tableIds, footnoteNumbers: new Map(), footnotes: doc.footnotes, ...(firstSection ? { firstSection } : {}) };
  const body = blocks(doc.children, ctx);
  const footnotes: Record<number, { children: Paragraph[] }> = {};
  for (const [id, n] of ctx.footnoteNumbers) footnotes[n] = { children: [new Paragraph({ children: runs(doc.footnotes[id] ?? [], ctx) })] };
  const m = doc.meta;
  const title = documentTitle(m.title, m.draft);
  const small = { size: 16, color: COLOURS.secondary, font: FONT };
  // Word fills the page-number fields in as it lays out each page.
  const [page, current, of, total] = pageOf(PageNumber.CURRENT, PageNumber.TOTAL_PAGES);
  const document = new Document({
    title,
    subject: documentSubject(m.status, m.period, m.coverage),
    creator: m.producer,
    lastModifiedBy: m.producer,
    description: doc.children.length > 0 ? documentDescription(m.status, m.published.text, m.producer) : m.title,
    keywords: [OFFICIAL_STATISTICS, m.coverage, m.draft ? DRAFT : ''].filter(Boolean).join(', '),
    revision: 1,
    // The contents list's page numbers are worked out by laying the pages out as Word does, and
    // written with the fields (still fields, so Word can update them): they show at once in Word,
    // LibreOffice and previews, and Word does not ask to update fields on opening.
    pageNumbers: estimatePageNumbers,
    styles: {
      default: {
        document: { run: { font: FONT, size: 22, color: COLOURS.text, language: { value: m.language } }, paragraph: { spacing: { after: 140, line: 288, lineRule: LineRuleType.AUTO } } },
        title: { run: { font: FONT, size: 48, bold: true, color: COLOURS.text }, paragraph: { spacing: { after: 200 } } },
        heading1: { run: { font: FONT, size: 34, bold: true, color: COLOURS.text }, paragraph: { spacing: { before: 360, after: 160 } } },
        heading2: { run: { font: FONT, size: 28, bold: true, color: COLOURS.text }, paragraph: { spacing: { before: 280, after: 120 } } },
        heading3: { run: { font: FONT, size: 24, bold: true, color: COLOURS.text }, paragraph: { spacing: { before: 220, after: 100 } } },
      },
      paragraphStyles: [
        { id: 'Caption', name: 'Caption', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { bold: true, size: 22 }, paragraph: { spacing: { before: 240, after: 80 } } },
        { id: 'Subtitle', name: 'Subtitle', basedOn: 'Normal', next: 'Normal', run: { color: COLOURS.secondary, size: 22 }, paragraph: { spacing: { after: 120 } } },
        { id: 'Note', name: 'Note', basedOn: 'Normal', next: 'Normal', run: { size: 18, color: COLOURS.text }, paragraph: { spacing: { after: 80 } } },
        { id: 'Status', name: 'Release status', basedOn: 'Normal', next: 'Normal', run: { size: 26, color: COLOURS.secondary }, paragraph: { spacing: { after: 80 } } },
        {
          id: 'KeyMessage',
          name: 'Key message',
          basedOn: 'Normal',
          next: 'Normal',
          paragraph: { indent: { left: 340 }, border: { left: { style: BorderStyle.SINGLE, size: 36, color: COLOURS.keyLine, space: 12 } }, spacing: { after: 160 } },
        },
        {
          id: 'Inset',
          name: 'Inset text',
          basedOn: 'Normal',
          next: 'Normal',
          paragraph: { indent: { left: 340 }, border: { left: { style: BorderStyle.SINGLE, size: 36, color: COLOURS.inset, space: 12 } } },
        },
        {
          id: 'Draft',
          name: 'Draft notice',
          basedOn: 'Normal',
          next: 'Normal',
          run: { bold: true, color: 'FFFFFF', size: 24 },
          paragraph: { shading: { type: ShadingType.CLEAR, fill: COLOURS.draft, color: 'auto' }, spacing: { after: 200 } },
        },
      ],
    },
    numbering: {
      config: [
        {
          reference: 'bullets',
          levels: [0, 1, 2].map((level) => ({
            level,
            format: LevelFormat.BULLET,
            text: level === 1 ? '◦' : '•',
            alignment: AlignmentType.LEFT,
            style: { paragraph: { indent: { left: 360 * (level + 1), hanging: 260 } } },
          })),
        },
        {
          reference: 'numbers',
          levels: [0, 1].map((level) => ({
            level,
            format: LevelFormat.DECIMAL,
            text: `%${level + 1}.`,
            alignment: AlignmentType.LEFT,
            style: { paragraph: { indent: { left: 360 * (level + 1), hanging: 300 } } },
          })),
        },
      ],
    },
    footnotes,
    sections: [
      {
        // The foot margin leaves a clear gap between the last line of text and the running footer.
        properties: { page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.margin, bottom: PAGE.footMargin, left: PAGE.margin, right: PAGE.margin, header: PAGE.headerDistance, footer: PAGE.footerDistance } } },
        headers: {
          default: new Header({
            children: m.draft
              ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: DRAFT_BANNER, bold: true, color: COLOURS.draft, font: FONT })] })]
              : // A header holds at least one paragraph (the schema asks for one; the page layout reads it).
                [new Paragraph({ children: [] })],
          }),
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                tabStops: [{ type: 'right', position: TEXT_WIDTH_TWIPS }],
                children: [
                  new TextRun({ ...small, text: m.title }),
                  new TextRun({ ...small, children: [`\t${page}`, current, of, total] }),
                ],
              }),
            ],
          }),
        },
        children: [
          ...titleBlock(doc, ctx),
          new Paragraph({ style: 'Caption', children: [new TextRun(CONTENTS)] }),
          new TableOfContents(CONTENTS, { hyperlink: true, headingStyleRange: '1-2' }),
          ...body,
        ],
      },
    ],
  });
  return zipDeterministic(await packageFiles(document), m.published.iso);
}
