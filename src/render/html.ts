/**
 * render/html: ReportDocument (+ chart SVGs) → one self-contained GOV.UK-style HTML page.
 *
 * Built on the GOV.UK Design System's CSS (govuk-frontend), inlined so the file opens from disk.
 * Reads only the document tree; every string from it is escaped, so data can never become markup.
 */
import {
  isReleaseFile,
  assertNever,
  titleBlockLinks,
  inlineText,
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
  appliesTo,
  BACK_TO_TEXT,
  CONTACT,
  CONTENTS,
  crownCopyright,
  documentTitle,
  CSV_FILES,
  DOWNLOAD_THIS_RELEASE,
  DRAFT_NOTICE,
  figureTitle,
  footnoteLabel,
  FOOTNOTES,
  LICENCE,
  licenceStatement,
  NEXT_UPDATE,
  pageDescription,
  PERIOD_COVERED,
  PRINT_THIS_PAGE,
  PRODUCER,
  partOfRelease,
  publishedOn,
  REVISED,
  revisedOn,
  revisedFigureLine,
  revisedFiguresHeading,
  sheetLinkText,
  SKIP_TO_MAIN_CONTENT,
  sourceLine,
  THIS_RELEASE_INCLUDES,
  VIEW_DATA,
  workbookPointer,
} from '../document/labels.js';
import { KEEP_LIST_ITEMS, KEEP_TABLE_ROWS } from './pagination-rules.js';

/** The underlying-data workbook a figure's data may point to. */
const WORKBOOK = 'underlying-data.ods';

/** The rendered chart of a figure, as the chart renderer gives it. */
export interface ChartSvg {
  svg: string;
  /** The chart laid out for a phone, shown instead on screens up to 640 px wide. */
  narrow?: { svg: string };
}

export interface HtmlOptions {
  /** The GOV.UK Frontend stylesheet (`govukStylesheet()`), inlined so the page opens from disk. */
  stylesheet?: string;
  /** Chart SVGs by figure id; a figure without one shows its data table only. */
  assets?: ReadonlyMap<string, ChartSvg>;
  /** `print` opens every "view data" section and adds `printCss`; used for the PDF. */
  mode?: 'web' | 'print';
  printCss?: string;
  /** Extra markup for the end of <head> (the preview's reload script). Not data: trusted. */
  headExtra?: string;
  /** `@font-face` rules for the charts' font (a subset of Arimo), inlined on the web page. */
  fontCss?: string;
  /** Links to the other formats and files of the release, shown under the title. */
  downloads?: Array<{ label: string; href: string }>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** Only web, mail and in-page links are kept; anything else (javascript:, data:) is dropped. */
function safeUrl(url: string): string | undefined {
  return /^(https?:\/\/|mailto:|#)/i.test(url.trim()) ? url.trim() : undefined;
}

const APP_CSS = `
body{font-family:Arial,Arimo,"Liberation Sans",sans-serif}
.govuk-template,.govuk-body,.govuk-heading-xl,.govuk-heading-l,.govuk-heading-m,.govuk-heading-s,.govuk-caption-l,.govuk-caption-m,.govuk-list,.govuk-table,.govuk-details,.govuk-inset-text,.govuk-summary-list,.govuk-notification-banner,.govuk-footer,.govuk-header,.govuk-skip-link,.govuk-tag{font-family:Arial,Arimo,"Liberation Sans",sans-serif}
/* A word longer than the line (a file name, an address) breaks rather than widening the page. */
p.govuk-body,.govuk-list>li,.govuk-summary-list__value{overflow-wrap:break-word}
.app-key-messages{border-left:10px solid #1d70b8;padding:5px 0 5px 20px;margin-bottom:30px}
.app-figure{margin:30px 0 40px}
.app-table-scroll{overflow-x:auto;margin-bottom:20px}
.app-table-scroll>.govuk-table{margin-bottom:0}
.app-table-scroll caption{max-width:calc(100vw - 30px);position:sticky;left:0}
.app-table-scroll:focus{outline:3px solid #fd0;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
.app-figure__title{font-weight:700;font-size:1.1875rem;line-height:1.3;margin:0 0 5px}
.app-figure__subtitle{margin:0 0 15px;color:#505a5f}
.app-chart svg{max-width:100%;height:auto;display:block;overflow:visible}
.app-chart svg text{font-family:"Arimo Chart",Arial,Arimo,"Liberation Sans",sans-serif}
.app-chart__narrow{display:none}
@media (max-width:640px){.app-chart--responsive .app-chart__wide{display:none}.app-chart--responsive .app-chart__narrow{display:block}}
.app-notes{font-size:1rem}
.app-source{font-size:1rem;color:#505a5f}
.app-contents li{margin-bottom:5px}
.app-meta{margin-bottom:20px}
.app-publication-header{background:#1d70b8;color:#fff;padding:30px 0 20px;margin-bottom:10px}
.app-publication-header .govuk-caption-xl,.app-publication-header .govuk-heading-xl,.app-publication-header .govuk-body{color:#fff}
.app-publication-header .govuk-heading-xl{margin-bottom:15px;max-width:30em}
.app-publication-header .app-published{margin-bottom:0}
.app-print-button{background:none;border:0;padding:0;margin:0;font:inherit;color:#1d70b8;text-decoration:underline;cursor:pointer}
.app-print-button:focus{outline:3px solid transparent;color:#0b0c0c;background-color:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}
@media print{.app-print-link{display:none}}
.app-draft{background:#d4351c;color:#fff;font-weight:700;padding:10px 15px;margin:15px 0;font-size:1.1875rem}
.govuk-table__caption{font-size:1.1875rem}
.govuk-table{font-size:1rem}
.app-footnotes{font-size:1rem}
`;

interface Context {
  assets: ReadonlyMap<string, ChartSvg>;
  print: boolean;
  /** Ids of tables in the document, so a printed figure can point to its annex table. */
  tableIds: Set<string>;
  footnotes: Record<string, Inline[]>;
  footnoteOrder: string[];
}

function renderInline(nodes: readonly Inline[], ctx: Context): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
          return escapeHtml(node.value);
        case 'value':
          return `<span class="app-value" data-ref="${escapeHtml(node.ref)}">${escapeHtml(node.text)}</span>`;
        case 'strong':
          return `<strong>${renderInline(node.children, ctx)}</strong>`;
        case 'emphasis':
          return `<em>${renderInline(node.children, ctx)}</em>`;
        case 'link': {
          const inner = renderInline(node.children, ctx);
          // Files published beside the page are links on the web; on paper they are named.
          if (isReleaseFile(node.url)) return ctx.print ? `${inner} (${escapeHtml(node.url.split('/').pop()!)})` : `<a class="govuk-link" href="${escapeHtml(node.url)}">${inner}</a>`;
          const url = safeUrl(node.url);
          return url ? `<a class="govuk-link" href="${escapeHtml(url)}">${inner}</a>` : inner;
        }
        case 'footnoteRef': {
          if (!ctx.footnoteOrder.includes(node.id)) ctx.footnoteOrder.push(node.id);
          const n = ctx.footnoteOrder.indexOf(node.id) + 1;
          const id = escapeHtml(node.id);
          return `<sup class="app-footnote-ref"><a class="govuk-link" href="#footnote-${id}" id="footnote-ref-${id}" aria-label="${escapeHtml(footnoteLabel(n))}">[${n}]</a></sup>`;
        }
        default:
          return assertNever(node);
      }
    })
    .join('');
}

function renderList(list: ListNode, ctx: Context): string {
  const tag = list.ordered ? 'ol' : 'ul';
  // On paper a short list stays on one page.
  const keep = ctx.print && list.items.length <= KEEP_LIST_ITEMS ? ' app-keep' : '';
  const cls = `${list.ordered ? 'govuk-list govuk-list--number' : 'govuk-list govuk-list--bullet'}${keep}`;
  const items = list.items
    .map((item) => `<li>${renderInline(item.children, ctx)}${item.sublist ? renderList(item.sublist, ctx) : ''}</li>`)
    .join('');
  return `<${tag} class="${cls}">${items}</${tag}>`;
}

function renderTable(table: TableNode, ctx: Context, captionClass = 'govuk-table__caption--m'): string {
  const head = table.columns
    .map((c) => `<th scope="col" class="govuk-table__header${c.align === 'right' ? ' govuk-table__header--numeric' : ''}">${escapeHtml(c.label)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          const numeric = table.columns[i + 1]?.align === 'right';
          const ref = cell.ref ? ` data-ref="${escapeHtml(cell.ref)}"` : '';
          return `<td class="govuk-table__cell${numeric ? ' govuk-table__cell--numeric' : ''}"${ref}>${escapeHtml(cell.text)}</td>`;
        })
        .join('');
      return `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${escapeHtml(row.header.text)}</th>${cells}</tr>`;
    })
    .join('');
  const notes = table.notes.length
    ? `<div class="app-notes">${table.notes.map((n) => `<p class="govuk-body-s">${renderInline(n, ctx)}</p>`).join('')}</div>`
    : '';
  // A table wider than a phone scrolls inside its own box (which takes keyboard focus and is
  // named by the caption) instead of widening the page.
  const id = escapeHtml(table.id);
  // On paper a short table stays on one page; a long one is marked so its ends keep rows together.
  const keep = ctx.print ? (table.rows.length <= KEEP_TABLE_ROWS ? ' app-keep' : ' app-long') : '';
  return `<div class="app-table-scroll${keep}" role="region" aria-labelledby="${id}-caption" tabindex="0"><table class="govuk-table" id="${id}"><caption class="govuk-table__caption ${captionClass}" id="${id}-caption">${escapeHtml(table.caption)}</caption><thead class="govuk-table__head"><tr class="govuk-table__row">${head}</tr></thead><tbody class="govuk-table__body">${body}</tbody></table></div>${notes}`;
}

function renderFigure(figure: FigureNode, ctx: Context): string {
  const id = escapeHtml(figure.id);
  const asset = ctx.assets.get(figure.id);
  // On the web a chart with a phone layout carries both drawings; a media query shows one.
  const chart = !asset
    ? ''
    : !ctx.print && asset.narrow
      ? `<div class="app-chart app-chart--responsive"><div class="app-chart__wide">${asset.svg}</div><div class="app-chart__narrow">${asset.narrow.svg}</div></div>`
      : `<div class="app-chart">${asset.svg}</div>`;
  const notes = figure.notes.length
    ? `<ol class="govuk-list govuk-list--number app-notes">${figure.notes.map((n) => `<li>${renderInline(n, ctx)}</li>`).join('')}</ol>`
    : '';
  const source = figure.source ? `<p class="app-source">${escapeHtml(sourceLine(figure.source))}</p>` : '';
  // Caption, chart and notes stay together on paper. On paper the figure is a plain group, not a
  // <figure>: Chromium would tag it as one Figure whose alt text hides the notes from a reader.
  const caption = ctx.print ? 'div' : 'figcaption';
  const body = `<div class="app-figure__body"><${caption} class="app-figure__caption"><p class="app-figure__title" id="${id}-title">${escapeHtml(figureTitle(figure.number, figure.title))}</p>${figure.subtitle ? `<p class="govuk-body app-figure__subtitle">${escapeHtml(figure.subtitle)}</p>` : ''}</${caption}>${chart}${notes}${source}</div>`;
  const wrap = (inner: string) =>
    ctx.print ? `<div class="app-figure" id="${id}">${inner}</div>` : `<figure class="app-figure" id="${id}" aria-labelledby="${id}-title">${inner}</figure>`;
  const table = renderTable(figure.dataTable, ctx, 'govuk-table__caption--s');
  // A long table (a map's) is kept in the workbook: on paper the figure points to its sheet.
  const sheet = figure.dataSheet
    ? (() => {
        const name = escapeHtml(sheetLinkText(figure.dataSheet));
        const [before, link, after] = workbookPointer(ctx.print ? `${name} (${WORKBOOK})` : `<a class="govuk-link" href="${WORKBOOK}">${name}</a>`);
        return `<p class="govuk-body-s app-data-pointer">${escapeHtml(before)}${link}${escapeHtml(after)}</p>`;
      })()
    : '';
  if (ctx.print && figure.dataSheet) return wrap(`${body}${sheet}`);
  // On paper the annex holds the data once; the figure points there instead of repeating it.
  const annexId = `annex-${figure.id}`;
  if (ctx.print && ctx.tableIds.has(annexId)) {
    const [before, link, after] = annexPointer(`<a class="govuk-link" href="#${escapeHtml(annexId)}">${escapeHtml(annexLinkText(figure.number))}</a>`);
    return wrap(`${body}<p class="govuk-body-s app-data-pointer">${escapeHtml(before)}${link}${escapeHtml(after)}</p>`);
  }
  const details = `<details class="govuk-details"${ctx.print ? ' open' : ''}><summary class="govuk-details__summary"><span class="govuk-details__summary-text">${escapeHtml(VIEW_DATA)}</span></summary><div class="govuk-details__text">${table}</div></details>`;
  return wrap(`${body}${sheet}${details}`);
}

function renderSection(section: SectionNode, ctx: Context): string {
  const size = section.depth === 2 ? 'l' : section.depth === 3 ? 'm' : 's';
  const id = escapeHtml(section.id);
  return `<section aria-labelledby="${id}"><h${section.depth} class="govuk-heading-${size}" id="${id}">${renderInline(section.title, ctx)}</h${section.depth}>${renderBlocks(section.children, ctx)}</section>`;
}

function renderBlocks(blocks: readonly Block[], ctx: Context): string {
  return blocks
    .map((block) => {
      switch (block.type) {
        case 'section':
          return renderSection(block, ctx);
        case 'paragraph':
          return `<p class="govuk-body">${renderInline(block.children, ctx)}</p>`;
        case 'list':
          return renderList(block, ctx);
        case 'keyMessages':
          return `<div class="app-key-messages">${renderBlocks(block.children, ctx)}</div>`;
        case 'callout':
          return `<div class="govuk-inset-text">${block.title ? `<p class="govuk-body"><strong>${escapeHtml(block.title)}</strong></p>` : ''}${renderBlocks(block.children, ctx)}</div>`;
        case 'table':
          return renderTable(block, ctx);
        case 'figure':
          return renderFigure(block, ctx);
        default:
          return assertNever(block);
      }
    })
    .join('\n');
}

function renderContents(doc: ReportDocument, ctx: Context): string {
  // On paper each entry gets a dotted leader and a page number, filled in by the PDF renderer.
  const pageSlot = (id: string) => (ctx.print ? `<span class="app-leader" aria-hidden="true"></span><span class="app-page" data-target="${escapeHtml(id)}"></span>` : '');
  const items = doc.children
    .filter((b): b is SectionNode => b.type === 'section')
    .map((s) => `<li><a class="govuk-link" href="#${escapeHtml(s.id)}">${renderInline(s.title, ctx)}</a>${pageSlot(s.id)}</li>`)
    .join('');
  return `<nav class="app-contents" aria-labelledby="contents-title"><h2 class="govuk-heading-s" id="contents-title">${escapeHtml(CONTENTS)}</h2><ol class="govuk-list">${items}</ol></nav>`;
}

/**
 * The release's details under the title. The status, the publication date and the coverage are in
 * the publication header, so they are not repeated here. On paper the details are a two-column
 * table (a definition list would be tagged as nothing in particular).
 */
function renderMeta(doc: ReportDocument, options: HtmlOptions, ctx: Context): string {
  const m = doc.meta;
  const mail = (address: string) => `<a class="govuk-link" href="mailto:${escapeHtml(address)}">${escapeHtml(address)}</a>`;
  const licenceUrl = safeUrl(m.licence.url);
  const details: Array<[string, string]> = [
    [PERIOD_COVERED, escapeHtml(m.period)],
    [NEXT_UPDATE, escapeHtml(m.nextUpdate)],
    [PRODUCER, escapeHtml(m.producer)],
    [CONTACT, `${escapeHtml(m.contact.name)} (${mail(m.contact.email)}), ${escapeHtml(m.contact.team)} (${mail(m.contact.teamEmail)})`],
    [LICENCE, licenceUrl ? `<a class="govuk-link" href="${escapeHtml(licenceUrl)}">${escapeHtml(m.licence.name)}</a>` : escapeHtml(m.licence.name)],
  ];
  const list = ctx.print
    ? `<table class="govuk-table app-meta"><tbody class="govuk-table__body">${details.map(([k, v]) => `<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${escapeHtml(k)}</th><td class="govuk-table__cell">${v}</td></tr>`).join('')}</tbody></table>`
    : `<dl class="govuk-summary-list app-meta">${details.map(([k, v]) => `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${escapeHtml(k)}</dt><dd class="govuk-summary-list__value">${v}</dd></div>`).join('')}</dl>`;
  // The documents and workbooks are listed; the many CSV files (and their zip) fold away.
  const link = (d: { label: string; href: string }) => `<li><a class="govuk-link" href="${escapeHtml(d.href)}">${escapeHtml(d.label)}</a></li>`;
  const files = options.downloads ?? [];
  const main = files.filter((d) => !d.href.startsWith('data/'));
  const csv = files.filter((d) => d.href.startsWith('data/'));
  const csvList = csv.length
    ? `<details class="govuk-details app-csv-files"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">${escapeHtml(CSV_FILES)}</span></summary><div class="govuk-details__text"><ul class="govuk-list">${csv.map(link).join('')}</ul></div></details>`
    : '';
  const downloads = files.length
    ? `<div class="app-downloads"><h2 class="govuk-heading-s">${escapeHtml(DOWNLOAD_THIS_RELEASE)}</h2><ul class="govuk-list">${main.map(link).join('')}</ul>${csvList}</div>`
    : '';
  const links = titleBlockLinks(m, partOfRelease);
  const partOf = links.partOf ? `<p class="govuk-body app-part-of">${renderInline(links.partOf, ctx)}</p>` : '';
  const includes = links.includes.length
    ? `${partOf}<p class="govuk-body">${escapeHtml(THIS_RELEASE_INCLUDES)}</p><ul class="govuk-list govuk-list--bullet">${links.includes.map((i) => `<li>${renderInline(i, ctx)}</li>`).join('')}</ul>`
    : partOf;
  return `${list}${includes}${downloads}`;
}

function renderFootnotes(ctx: Context): string {
  if (ctx.footnoteOrder.length === 0) return '';
  const items = ctx.footnoteOrder
    .map((id) => {
      const key = escapeHtml(id);
      return `<li id="footnote-${key}">${renderInline(ctx.footnotes[id] ?? [], ctx)} <a class="govuk-link" href="#footnote-ref-${key}">${escapeHtml(BACK_TO_TEXT)}</a></li>`;
    })
    .join('');
  return `<section class="app-footnotes" aria-labelledby="footnotes-title"><h2 class="govuk-heading-m" id="footnotes-title">${escapeHtml(FOOTNOTES)}</h2><ol class="govuk-list govuk-list--number">${items}</ol></section>`;
}

/** Renders the whole release as one HTML page. */
function tableIdsOf(blocks: readonly Block[], into = new Set<string>()): Set<string> {
  for (const b of blocks) {
    if (b.type === 'table') into.add(b.id);
    if (b.type === 'section') tableIdsOf(b.children, into);
  }
  return into;
}

/**
 * The figures a revision moved: on the page, collapsed under the notice; in print, the notice
 * gives their number and the list follows the contents, so the contents stay at the front.
 */
function revisionChanges(revision: NonNullable<ReportDocument['meta']['revision']>, print: boolean, place: 'notice' | 'after-contents'): string {
  if (!revision.changes || !revision.compared) return '';
  const heading = escapeHtml(revisedFiguresHeading(revision.changes.length, revision.compared));
  if (revision.changes.length === 0) return place === 'notice' ? `<p class="govuk-body">${heading}</p>` : '';
  const items = `<ul class="govuk-list govuk-list--bullet">${revision.changes.map((f) => `<li>${escapeHtml(revisedFigureLine(f))}</li>`).join('')}</ul>`;
  if (print) return place === 'notice' ? '' : `<div class="app-revision-list"><p class="govuk-body"><strong>${escapeHtml(REVISED)}</strong>: ${heading}</p>${items}</div>`;
  if (place === 'after-contents') return '';
  return `<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">${heading}</span></summary><div class="govuk-details__text">${items}</div></details>`;
}

export function renderHtml(doc: ReportDocument, options: HtmlOptions = {}): string {
  const print = options.mode === 'print';
  const ctx: Context = { assets: options.assets ?? new Map(), print, tableIds: tableIdsOf(doc.children), footnotes: doc.footnotes, footnoteOrder: [] };
  const m = doc.meta;
  const body = renderBlocks(doc.children, ctx);
  const footnotes = renderFootnotes(ctx);
  const draft = m.draft
    ? `<div class="app-draft" role="note">${escapeHtml(DRAFT_NOTICE)}</div>`
    : '';
  const revision = m.revision
    ? `<div class="govuk-notification-banner" role="region" aria-labelledby="revision-title"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="revision-title">${escapeHtml(REVISED)}</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">${escapeHtml(revisedOn(m.revision.text, m.revision.reason))}</p>${revisionChanges(m.revision, print, 'notice')}</div></div>`
    : '';
  const title = documentTitle(m.title, m.draft);
  const [licenceBefore, licence, licenceAfter] = licenceStatement(
    safeUrl(m.licence.url) ? `<a class="govuk-footer__link" href="${escapeHtml(m.licence.url)}">${escapeHtml(m.licence.name)}</a>` : escapeHtml(m.licence.name),
  );
  const licenceLine = `${escapeHtml(licenceBefore)}${licence}${escapeHtml(licenceAfter)}`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(m.language)}" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(pageDescription(m.status, m.title, m.coverage, m.published.text))}">
<meta name="author" content="${escapeHtml(m.producer)}">
<meta name="dcterms.created" content="${escapeHtml(m.published.iso)}">
<style>${options.fontCss ?? ''}${options.stylesheet ?? ''}${APP_CSS}${options.printCss ?? ''}</style>
${options.headExtra ?? ''}
</head>
<body class="govuk-template__body">
${print ? '' : `<a href="#main-content" class="govuk-skip-link">${escapeHtml(SKIP_TO_MAIN_CONTENT)}</a>`}
<header class="govuk-header" role="banner"><div class="govuk-header__container govuk-width-container"><div class="govuk-header__logo"><span class="govuk-header__link govuk-header__link--homepage">${escapeHtml(m.producer)}</span></div></div></header>
<div class="app-publication-header">
<div class="govuk-width-container app-title-block">
<span class="govuk-caption-xl">${escapeHtml(m.status)}</span>
<h1 class="govuk-heading-xl">${escapeHtml(m.title)}</h1>
<p class="govuk-body app-published">${escapeHtml(publishedOn(m.published.text))}</p>
</div>
</div>
<div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content">
${draft}${revision}
<div class="govuk-grid-row">
<div class="govuk-grid-column-two-thirds">
<p class="govuk-body app-applies-to"><strong>${escapeHtml(appliesTo(m.coverage))}</strong></p>
${renderMeta(doc, options, ctx)}
${renderContents(doc, ctx)}${m.revision ? revisionChanges(m.revision, print, 'after-contents') : ''}
${print ? '' : `<p class="govuk-body app-print-link"><button type="button" class="govuk-link app-print-button" onclick="window.print()">${escapeHtml(PRINT_THIS_PAGE)}</button></p>`}
${body}
${footnotes}
</div>
</div>
</main>
</div>
<footer class="govuk-footer"><div class="govuk-width-container"><div class="govuk-footer__meta"><div class="govuk-footer__meta-item govuk-footer__meta-item--grow"><p class="govuk-footer__licence-description">${licenceLine}</p><p class="govuk-body-s">${escapeHtml(crownCopyright(m.published.iso.slice(0, 4)))}</p></div></div></div></footer>
</body>
</html>
`;
}

/** Plain text of the key messages, for checks that compare formats. */
export function keyMessageTexts(doc: ReportDocument): string[] {
  const out: string[] = [];
  const walk = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'section') walk(b.children);
      if (b.type === 'keyMessages') out.push(...b.children.map((p) => inlineText(p.children)));
    }
  };
  walk(doc.children);
  return out;
}
