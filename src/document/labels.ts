/**
 * Every word statpress itself puts in front of a reader, in every format: the labels of the
 * release's details, the headings and links the page adds around the narrative, the numbering
 * of figures and tables, the draft and revision notices, the workbook's cover, contents and
 * notes, the data guidance, and the running text of the PDF and Word pages.
 *
 * Fixed words are constants; phrases that carry a value are small functions that take the value
 * already formatted (a date as text, a number as the renderer would print it). A phrase that
 * wraps a link or a page-number field returns its parts, `[before, thing, after]`, so each format
 * can build the thing its own way and still use the same words around it.
 *
 * Nothing here is escaped: renderers escape labels as they escape any other text. Wording that
 * describes a particular release's data (its table titles, column descriptions, the period it
 * covers) is not here: that belongs to the release's template set.
 *
 * test/document/labels.test.ts fails if any of these words turns up again as a string literal in
 * a renderer or in narrate, so they stay in this one place.
 */

// ── The release's details ───────────────────────────────────────────────────────────────────
// The summary list under the title (HTML, PDF), the Word title block and the workbook cover.

export const STATUS = 'Status';
export const PUBLISHED = 'Published';
export const PERIOD_COVERED = 'Period covered';
export const COVERAGE = 'Coverage';
export const NEXT_UPDATE = 'Next update';
/** The page and the Word file say "Producer"; the workbook cover says "Produced by". */
export const PRODUCER = 'Producer';
export const PRODUCED_BY = 'Produced by';
export const CONTACT = 'Contact';
export const EMAIL = 'Email';
export const LICENCE = 'Licence';
export const REVISED = 'Revised';
/** Cover labels only the workbook has. */
export const PUBLICATION = 'Publication';
export const THE_RELEASE = 'The release';
export const SHORTHAND = 'Shorthand';

/** A label in front of its value on one line, as the Word title block writes it: "Contact: ". */
export const fieldLabel = (label: string): string => `${label}: `;

/** "Published 25 September 2025", under the page's title. */
export const publishedOn = (date: string): string => `${PUBLISHED} ${date}`;
/** "Applies to England", under the page's title. */
export const appliesTo = (coverage: string): string => `Applies to ${coverage}`;

// ── Draft and revision ──────────────────────────────────────────────────────────────────────

/** The mark of a draft: in titles, headers and the documents' keywords. */
export const DRAFT = 'DRAFT';
/** The running header of a draft's pages. */
export const DRAFT_BANNER = `${DRAFT}: not for publication`;
/** The notice at the top of a draft (page, Word file, data guidance). */
export const DRAFT_NOTICE = `${DRAFT_BANNER}. These statistics have not been released.`;
/** A document's title, marked when it is a draft. */
export const documentTitle = (title: string, draft: boolean): string => (draft ? `${DRAFT}: ${title}` : title);
/** The workbook cover's status of a draft: "DRAFT: not for publication (Official statistics)". */
export const draftStatus = (status: string): string => `${DRAFT_BANNER} (${status})`;

/** The revision notice on the page and in the Word file. */
export const revisedOn = (date: string, reason: string): string => `This release was revised on ${date}: ${reason}`;
/** The heading of the list of figures a revision moved: "3 published figures changed, compared with …". */
export const revisedFiguresHeading = (count: number, compared: string): string =>
  count === 0 ? `No published figure changed, compared with ${compared}.` : `${count} published figure${count === 1 ? '' : 's'} changed, compared with ${compared} (revised values are marked [r] in the tables):`;
/** One figure a revision moved, as the notice and the draft notice list it. */
export const revisedFigureLine = (f: { where: string; old: string; new: string; raw?: string }): string =>
  `${f.where}: ${f.old} → ${f.new}${f.raw ? ` (printed the same; value ${f.raw})` : ''}`;
/** The workbook cover and the data guidance explain the revised mark where it is used. */
export const SHORTHAND_R_EXPLAINED = '[r] means revised: the value differs from the one first published (see the revision on the cover).';
export const SHORTHAND_R_BRIEF = '[r] means revised.';
/** The revision as the workbook cover gives it, beside the label "Revised". */
export const revisionEntry = (date: string, reason: string): string => `${date}: ${reason}`;

// ── Around the narrative ────────────────────────────────────────────────────────────────────

export const SKIP_TO_MAIN_CONTENT = 'Skip to main content';
/** The contents list's heading (page, Word file), and the workbook's contents sheet: its name and title. */
export const CONTENTS = 'Contents';
export const DOWNLOAD_THIS_RELEASE = 'Download this release';
/** The web page's link that prints it (GOV.UK HTML publications have one under the contents). */
export const PRINT_THIS_PAGE = 'Print this page';
/** The page's list of downloads: the other formats, the workbooks, each CSV file and a zip of them all. */
export const PDF_VERSION = 'This release as a PDF';
export const WORD_VERSION = 'This release as a Word document';
/** Another document's own downloads: "Methodology report as a PDF". */
export const documentPdf = (label: string): string => `${label[0]!.toUpperCase()}${label.slice(1)} as a PDF`;
export const documentWord = (label: string): string => `${label[0]!.toUpperCase()}${label.slice(1)} as a Word document`;
export const ODS_WORKBOOK = 'Underlying data (OpenDocument spreadsheet)';
export const XLSX_WORKBOOK = 'Underlying data (Excel workbook)';
export const DATA_GUIDANCE = 'Data guidance: what each CSV file and column holds';
/** A CSV file, named by its table's title: "Latest inspection judgements … (CSV)". */
export const csvDownload = (title: string): string => `${title} (CSV)`;
export const ALL_CSV_ZIP = 'All the CSV files and the data guidance (zip)';
/** The folding list of the CSV files on the web page. */
export const CSV_FILES = 'Underlying data as CSV files';
export const THIS_RELEASE_INCLUDES = 'This release includes:';
/** The title block's link to the release's landing page, around the release's title. */
export const partOfRelease = <T>(release: T): [string, T, string] => ['This document is part of the ', release, ' release.'];
export const FOOTNOTES = 'Footnotes';
export const BACK_TO_TEXT = 'Back to text';
/** The accessible name of a footnote marker: "Footnote 2". */
export const footnoteLabel = (n: number): string => `Footnote ${n}`;

/** The licence line of the page's footer, around the licence's name (a link where it has an address). */
export const licenceStatement = <T>(licence: T): [string, T, string] => ['All content is available under the ', licence, ', except where otherwise stated.'];
export const crownCopyright = (year: string): string => `© Crown copyright ${year}`;

/** The page's description for search engines and link previews. */
export const pageDescription = (status: string, title: string, coverage: string, published: string): string =>
  `${status}: ${title}. ${coverage}. ${publishedOn(published)}.`;
/** The subject of the PDF and of the Word file. */
export const documentSubject = (status: string, period: string, coverage: string): string => `${status}. ${period}. ${coverage}.`;
/** The Word file's description: "Official statistics published 25 September 2025 by Ofsted." */
export const documentDescription = (status: string, published: string, producer: string): string => `${status} published ${published} by ${producer}.`;
/** The first keyword of the PDF and of the Word file. */
export const OFFICIAL_STATISTICS = 'official statistics';

/** The running footer of a printed page, around its page-number fields: "Page 3 of 21". */
export const pageOf = <T>(current: T, total: T): [string, T, string, T] => ['Page ', current, ' of ', total];

// ── Figures and tables ──────────────────────────────────────────────────────────────────────

export const FIGURE = 'Figure';
export const TABLE = 'Table';
/** "Figure 3": a figure's name, as a cross-reference and as an image's name. */
export const figureLabel = (n: number): string => `${FIGURE} ${n}`;
/** "Table 1", as a cross-reference. */
export const tableLabel = (n: number): string => `${TABLE} ${n}`;
/** "Figure 3: Inspection outcomes by region". */
export const figureTitle = (n: number, title: string): string => `${figureLabel(n)}: ${title}`;
/** "Table 1: How judgements changed". */
export const tableTitle = (n: number, title: string): string => `${tableLabel(n)}: ${title}`;
/** A numbered table's caption without its "Table N: ". */
export const withoutTableLabel = (caption: string): string => caption.replace(new RegExp(`^${TABLE} \\d+:\\s*`), '');
/** The caption of a figure's data table. */
export const figureDataCaption = (n: number, title: string): string => `Data for ${figureTitle(n, title)}`;
/** The web page's button that opens a figure's data table. */
export const VIEW_DATA = 'View data in an accessible format';
/** On paper, where a figure's data table is in the annex: the pointer around the link to it. */
export const annexPointer = <T>(link: T): [string, T, string] => ['The data for this figure are in the annex: ', link, '.'];
/** On paper, where a figure's data are only in the workbook: the pointer around the link to its sheet. */
export const workbookPointer = <T>(link: T): [string, T, string] => ['The data for this figure are in ', link, ' of the underlying data spreadsheet.'];
/** The link text of that pointer: "sheet Figure_3". */
export const sheetLinkText = (sheet: string): string => `sheet ${sheet}`;
/** The link text of that pointer: "data for Figure 3". */
export const annexLinkText = (n: number): string => `data for ${figureLabel(n)}`;
/** The source line under a figure. */
export const sourceLine = (source: string): string => `Source: ${source}`;
/** What the Word file says where a figure's chart could not be drawn. */
export const chartNotDrawn = (altText: string): string => `[The chart is not drawn in this version: its data are in the table below. ${altText}]`;
/** A column of percentages: "% Good". */
export const percentColumn = (label: string): string => `% ${label}`;
/** Columns that place a local area: its code and its region. */
export const AREA_CODE = 'Area code';
export const REGION = 'Region';

// ── The underlying data ─────────────────────────────────────────────────────────────────────

/** The first sheet. The contents and notes sheets are named, and titled, CONTENTS and NOTES. */
export const COVER = 'Cover';
export const NOTES = 'Notes';
/** The workbook's title: "… : underlying data". */
export const underlyingDataTitle = (title: string): string => `${title}: underlying data`;
/** The cover's line under the title. */
export const ABOUT_THESE_DATA = 'About these data';
/** The cover's "Publication": the release's title and status. */
export const publicationEntry = (title: string, status: string): string => `${title} (${status.toLowerCase()})`;
/** The shorthand in place of a value, explained on the cover: each only where the workbook uses it. */
export const SHORTHAND_Z_EXPLAINED = '[z] means not applicable (for example, a judgement the inspection did not make).';
export const SHORTHAND_X_EXPLAINED = '[x] means not available (for example, a count the published series does not give).';
/** The same, after the description of a table that uses it. */
export const SHORTHAND_Z_BRIEF = '[z] means not applicable.';
export const SHORTHAND_X_BRIEF = '[x] means not available.';
/** The cover's further details: the team's address, the methodology, how often the statistics come out. */
export const TEAM_EMAIL = 'Team email';
export const METHODOLOGY = 'Methodology';
export const FREQUENCY = 'Publication frequency';
/** The link text of the methodology: its own page, or the release page that carries the report. */
export const METHODOLOGY_PAGE = 'Methodology';
export const methodologyOnReleasePage = (title: string): string => `The methodology report, published with ${title}`;
/** The figure sheets' columns beside the printed percentages: the number, and the base they are of. */
export const countColumn = (label: string): string => `${label} (number)`;
export const BASE_COLUMN = 'Base (number)';

/** The contents sheet: its columns and what it says about the workbook. */
export const CONTENTS_HEADER = ['Sheet', 'Table title', 'What it holds'] as const;
export const contentsDescription = (tables: number): string => `This workbook has ${tables} tables, one on each sheet, after the cover, this contents list and the notes.`;

/** The notes sheet: its columns, the numbering of notes, and what it says. */
export const NOTES_HEADER = ['Note number', 'Note text'] as const;
/** A note's number in the notes sheet: "note 2". */
export const noteNumber = (n: number): string => `note ${n}`;
/** A mark that a note applies, after a title or a column header: "[note 2]". */
export const noteMark = (n: number): string => `[${noteNumber(n)}]`;
export const NOTES_DESCRIPTION = `Notes that apply to the tables, referred to as ${noteMark(1)}, ${noteMark(2)} and so on in titles and column headers.`;
export const notesCount = (n: number): string => `${n} notes.`;
export const NO_NOTES = 'This release has no notes.';

/** Sheet names of the figures' and tables' data: "Figure_3", "Table_1". */
export const figureSheet = (n: number): string => `${FIGURE}_${n}`;
export const tableSheet = (n: number): string => `${TABLE}_${n}`;
/** What the sheet of a figure's or a table's data holds. */
export const figureDataDescription = (n: number, subtitle?: string): string => `The data shown in ${figureLabel(n)} of the report.${subtitle ? ` ${subtitle}.` : ''}`;
export const tableDataDescription = (n: number): string => `The data in ${tableLabel(n)} of the report.`;
/** The data guidance's account of a report table's columns: the row headers, then the rest. */
export const rowHeaderDescription = (label: string): string => `${label}: what each row shows.`;
export const printedColumnDescription = (label: string): string => `${label}, as printed in the report.`;
/** The column of web addresses, where the sources give them. */
export const WEB_LINK = 'Web link';

/** The data guidance (data/data-guidance.txt): its title, its opening paragraph, and each file's row count. */
export const dataGuidanceTitle = (title: string): string => `${title}: data guidance`;
export const dataGuidanceIntro = (published: string, producer: string): string =>
  `These files hold the data behind the release, published on ${published} by ${producer}. Each CSV is UTF-8 with one header row; dates are written YYYY-MM-DD. In the CSVs "z" means not applicable and "x" means not available (the spreadsheet writes [z] and [x]). The same tables, with a cover sheet and notes, are in underlying-data.ods (OpenDocument) and underlying-data.xlsx (Excel).`;
export const rowsAndColumns = (rows: number): string => `${rows} rows. Columns:`;

// ── The landing page (index.html) ──────────────────────────────────────────────────────────

export const FROM = 'From';
export const DOCUMENTS = 'Documents';
export const DATA_FILES = 'Data files';
export const DETAILS = 'Details';
export const HTML_ATTACHMENT = 'HTML';
/** An attachment's other formats: "PDF, 118 KB". */
export const fileFormat = (format: string, size: string): string => `${format}, ${size}`;
/** A file's size as GOV.UK shows it beside an attachment. */
export const fileSize = (bytes: number): string => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);
/** What a screen reader hears after a format link's text: "PDF, 118 KB, of Methodology: …". */
export const attachmentOf = (title: string): string => `of ${title}`;
export const CONTACT_US = 'Contact';
