/**
 * The print stylesheet for the PDF: A4, the embedded Arimo font, GOV.UK's print rules plus what
 * a publication needs — title block kept together, figures and table rows never split, header
 * rows repeated, web-only parts hidden.
 */
import { fontFaceCss } from '../platform/fonts.js';

const PRINT_RULES = `
@page { size: A4; margin: 18mm 17mm 20mm 17mm; }
html { font-size: 10.5pt; }
/* The GOV.UK template's pale blue page background would show below the last line. */
html, body, .govuk-template, .govuk-template__body { background: #fff !important; }
body, body * { font-family: Arimo, Arial, sans-serif !important; }
body { background: #fff; color: #0b0c0c; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.govuk-width-container { max-width: none; margin: 0; }
.govuk-main-wrapper { padding: 0; }
.govuk-header, .govuk-footer, .govuk-skip-link, .app-downloads, .app-web-only, .app-print-link { display: none !important; }
/* The publication header on paper: no coloured band, the reading column the full width. */
.app-publication-header { background: none !important; padding: 0; margin: 0; }
.app-publication-header .govuk-width-container { margin: 0; max-width: none; }
.app-publication-header .govuk-caption-xl { color: #505a5f !important; font-size: 12pt; margin-bottom: 4pt; }
.app-publication-header .govuk-heading-xl, .app-publication-header .govuk-body { color: #0b0c0c !important; }
.app-publication-header .app-published { font-size: 12pt; margin-bottom: 6pt; }
.govuk-grid-row { margin: 0; }
.govuk-grid-column-two-thirds { width: 100% !important; float: none; padding: 0; }
.app-applies-to { font-size: 12pt; margin-bottom: 10pt; }
.app-meta th, .app-meta td { font-size: 10pt; padding: 3pt 8pt 3pt 0; vertical-align: top; }
.app-meta th { width: 28%; }
.govuk-caption-l { font-size: 12pt; margin-bottom: 4pt; color: #505a5f; }
.govuk-heading-xl { font-size: 22pt; line-height: 1.15; margin-bottom: 10pt; }
.govuk-heading-l { font-size: 16pt; margin: 18pt 0 8pt; }
.govuk-heading-m { font-size: 13pt; margin: 14pt 0 6pt; }
.govuk-heading-s { font-size: 11pt; margin: 10pt 0 4pt; }
.govuk-body, .govuk-body-l, .govuk-list, .govuk-summary-list, .govuk-table, .govuk-inset-text { font-size: 10.5pt; line-height: 1.4; }
.govuk-body-l { font-size: 12pt; }
.govuk-body-s, .app-notes, .app-source { font-size: 9pt; }
.govuk-summary-list__key, .govuk-summary-list__value { padding: 3pt 6pt 3pt 0; }
/* Pagination (render/pagination-rules.ts): headings keep with what follows, a sentence that
   introduces a list or table keeps with it, short lists and tables stay on one page, long ones
   keep two items or three rows together at either end. */
h1, h2, h3, h4, .app-figure__title { break-after: avoid; page-break-after: avoid; }
p, li { orphans: 3; widows: 3; }
p:has(+ ul), p:has(+ ol), p:has(+ .app-table-scroll) { break-after: avoid; page-break-after: avoid; }
.app-keep, .app-keep > table { break-inside: avoid; page-break-inside: avoid; }
.app-table-scroll caption { position: static; }
.govuk-list > li { break-inside: avoid; }
.govuk-list > li:first-child { break-after: avoid; }
.govuk-list > li:last-child { break-before: avoid; }
.app-long tbody tr:nth-child(-n+2) { break-after: avoid; }
.app-long tbody tr:nth-last-child(-n+2) { break-before: avoid; }
.app-title-block { break-inside: avoid; }
.app-contents { break-after: page; }
.app-contents ol { list-style: none; padding: 0; }
.app-contents li { display: flex; align-items: baseline; margin-bottom: 4pt; }
.app-contents li a { text-decoration: none; color: #0b0c0c; }
.app-contents .app-leader { flex: 1; border-bottom: 1px dotted #505a5f; margin: 0 4pt; }
.app-contents .app-page { min-width: 2em; text-align: right; }
a.govuk-link::after, a.govuk-footer__link::after { content: none !important; }
.app-key-messages, .govuk-inset-text, .govuk-notification-banner { break-inside: avoid; }
figure.app-figure { margin: 12pt 0 16pt; }
.app-figure__body, .app-figure__caption, .app-chart { break-inside: avoid; page-break-inside: avoid; }
.app-figure__caption { break-after: avoid; }
.app-chart svg { width: 100%; height: auto; }
.app-table-scroll { overflow: visible; }
.app-notes { break-before: avoid; }
table { break-inside: auto; }
thead { display: table-header-group; }
tr, th, td { break-inside: avoid; page-break-inside: avoid; }
caption { break-after: avoid; }
.govuk-details__summary { display: none; }
.govuk-details__text { padding: 0; border: 0; }
.govuk-table__header, .govuk-table__cell { padding: 4pt 8pt 4pt 0; }
.app-draft { border: 2px solid #d4351c; }
`;

/** The stylesheet added to the page printed to PDF (fonts inlined: file URLs are blocked). */
export function printCss(): string {
  return `${fontFaceCss()}\n${PRINT_RULES}`;
}
