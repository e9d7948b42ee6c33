/**
 * render/landing: the release's landing page (index.html), as GOV.UK shows a statistics
 * publication: status, title, producer and dates, summary, the documents as HTML attachments each
 * with its PDF and Word file, the data files (workbooks, every CSV, their zip and the data guidance),
 * contacts, next update and licence. Built from the documents' metadata only; every string escaped.
 */
import type { ReportMeta } from '../document/document.js';
import {
  appliesTo,
  attachmentOf,
  CONTACT_US,
  crownCopyright,
  DATA_FILES,
  DETAILS,
  DOCUMENTS,
  fileFormat,
  FROM,
  HTML_ATTACHMENT,
  licenceStatement,
  NEXT_UPDATE,
  PERIOD_COVERED,
  publishedOn,
  REVISED,
  revisedOn,
  SKIP_TO_MAIN_CONTENT,
} from '../document/labels.js';
import { escapeHtml } from './html.js';

/** One document of the release: its web page and, where made, its PDF and Word file with their sizes. */
export interface LandingDocument {
  title: string;
  html: string;
  /** Other formats: label ("PDF"), file and its size as shown. */
  formats: Array<{ format: string; href: string; size: string }>;
}

export interface LandingInput {
  /** The main document's metadata: the release's status, dates, contacts and licence. */
  meta: ReportMeta & { release: NonNullable<ReportMeta['release']> };
  documents: LandingDocument[];
  data: Array<{ label: string; href: string; size: string }>;
  /** The GOV.UK Frontend stylesheet, inlined so the page opens from disk. */
  stylesheet?: string;
}

const CSS = `
body{font-family:Arial,Arimo,"Liberation Sans",sans-serif}
.govuk-template,.govuk-body,.govuk-heading-xl,.govuk-heading-l,.govuk-heading-m,.govuk-caption-xl,.govuk-list,.govuk-summary-list,.govuk-footer,.govuk-header,.govuk-skip-link,.govuk-notification-banner{font-family:Arial,Arimo,"Liberation Sans",sans-serif}
.app-publication-header{background:#1d70b8;color:#fff;padding:30px 0 20px;margin-bottom:10px}
.app-publication-header .govuk-caption-xl,.app-publication-header .govuk-heading-xl,.app-publication-header .govuk-body{color:#fff}
.app-publication-header .govuk-heading-xl{margin-bottom:15px;max-width:30em}
.app-attachment{display:flex;gap:20px;margin-bottom:30px}
.app-attachment__thumb{flex:0 0 auto;width:70px;height:92px;border:1px solid #b1b4b6;background:#fff;box-shadow:3px 3px 0 #dbdad9;display:flex;align-items:flex-end;justify-content:center;font-weight:700;font-size:.875rem;color:#1d70b8;padding-bottom:8px;box-sizing:border-box}
.app-attachment__title{margin:0 0 5px;font-size:1.1875rem;font-weight:700}
.app-attachment__meta{margin:0 0 5px;color:#505a5f}
.app-data li{margin-bottom:8px}
.app-size{color:#505a5f}
`;

/** Renders the landing page of a release. */
export function renderLanding(input: LandingInput): string {
  const m = input.meta;
  const link = (href: string, text: string) => `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const documents = input.documents
    .map((d) => {
      // The link reads its format first, then (for a screen reader) which document it is.
      const formats = d.formats
        .map((f) => `<a class="govuk-link" href="${escapeHtml(f.href)}">${escapeHtml(fileFormat(f.format, f.size))}<span class="govuk-visually-hidden"> ${escapeHtml(attachmentOf(d.title))}</span></a>`)
        .join(', ');
      return `<section class="app-attachment"><div class="app-attachment__thumb" aria-hidden="true">${escapeHtml(HTML_ATTACHMENT)}</div><div><h3 class="app-attachment__title">${link(d.html, d.title)}</h3><p class="govuk-body-s app-attachment__meta">${escapeHtml(HTML_ATTACHMENT)}</p>${formats ? `<p class="govuk-body-s">${formats}</p>` : ''}</div></section>`;
    })
    .join('\n');
  const data = input.data.map((f) => `<li>${link(f.href, f.label)} <span class="app-size">(${escapeHtml(f.size)})</span></li>`).join('');
  const mail = (address: string) => link(`mailto:${address}`, address);
  const details: Array<[string, string]> = [
    [PERIOD_COVERED, escapeHtml(m.period)],
    [NEXT_UPDATE, escapeHtml(m.nextUpdate)],
    [CONTACT_US, `${escapeHtml(m.contact.name)} (${mail(m.contact.email)}), ${escapeHtml(m.contact.team)} (${mail(m.contact.teamEmail)})`],
  ];
  const revision = m.revision
    ? `<div class="govuk-notification-banner" role="region" aria-labelledby="revision-title"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="revision-title">${escapeHtml(REVISED)}</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">${escapeHtml(revisedOn(m.revision.text, m.revision.reason))}</p></div></div>`
    : '';
  const licenceUrl = /^https?:\/\//i.test(m.licence.url) ? m.licence.url : undefined;
  const [before, licence, after] = licenceStatement(licenceUrl ? `<a class="govuk-footer__link" href="${escapeHtml(licenceUrl)}">${escapeHtml(m.licence.name)}</a>` : escapeHtml(m.licence.name));
  return `<!DOCTYPE html>
<html lang="${escapeHtml(m.language)}" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(m.release.title)}</title>
<meta name="description" content="${escapeHtml(m.release.summary)}">
<meta name="author" content="${escapeHtml(m.producer)}">
<meta name="dcterms.created" content="${escapeHtml(m.published.iso)}">
<style>${input.stylesheet ?? ''}${CSS}</style>
</head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">${escapeHtml(SKIP_TO_MAIN_CONTENT)}</a>
<header class="govuk-header" role="banner"><div class="govuk-header__container govuk-width-container"><div class="govuk-header__logo"><span class="govuk-header__link govuk-header__link--homepage">${escapeHtml(m.producer)}</span></div></div></header>
<div class="app-publication-header">
<div class="govuk-width-container">
<span class="govuk-caption-xl">${escapeHtml(m.status)}</span>
<h1 class="govuk-heading-xl">${escapeHtml(m.release.title)}</h1>
<p class="govuk-body">${escapeHtml(m.release.summary)}</p>
</div>
</div>
<div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content">
${revision}
<div class="govuk-grid-row">
<div class="govuk-grid-column-two-thirds">
<p class="govuk-body"><strong>${escapeHtml(FROM)}:</strong> ${escapeHtml(m.producer)}<br><strong>${escapeHtml(publishedOn(m.published.text))}</strong></p>
<p class="govuk-body"><strong>${escapeHtml(appliesTo(m.coverage))}</strong></p>
<h2 class="govuk-heading-l" id="documents">${escapeHtml(DOCUMENTS)}</h2>
${documents}
<h2 class="govuk-heading-l" id="data-files">${escapeHtml(DATA_FILES)}</h2>
<ul class="govuk-list app-data">${data}</ul>
<h2 class="govuk-heading-l" id="details">${escapeHtml(DETAILS)}</h2>
<dl class="govuk-summary-list">${details.map(([k, v]) => `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${escapeHtml(k)}</dt><dd class="govuk-summary-list__value">${v}</dd></div>`).join('')}</dl>
</div>
</div>
</main>
</div>
<footer class="govuk-footer"><div class="govuk-width-container"><div class="govuk-footer__meta"><div class="govuk-footer__meta-item govuk-footer__meta-item--grow"><p class="govuk-footer__licence-description">${escapeHtml(before)}${licence}${escapeHtml(after)}</p><p class="govuk-body-s">${escapeHtml(crownCopyright(m.published.iso.slice(0, 4)))}</p></div></div></div></footer>
</body>
</html>
`;
}
