/**
 * Underlying data: the tables behind the release, from the same dataset, model and document as
 * the report, so the two cannot disagree. Written as
 *
 *   underlying-data.ods   an OpenDocument spreadsheet laid out as the Government Analysis
 *                         Function asks (underlying-data.xlsx is its Excel twin, see xlsx.ts): cover sheet, contents with links, notes, one table per
 *                         sheet with its title in A1, a header row marked as such, shorthand
 *                         ([z], [x]) instead of blanks, real dates, real links, readable widths
 *   data/*.csv            the same tables as tidy CSVs (UTF-8, header row, ISO dates)
 *   data/data-guidance.txt what each file holds and what each column means
 *
 * The spreadsheet is written directly as OpenDocument XML (see `writeOds`): no maintained npm
 * library writes ODS with header rows, column widths, date cells and links (SheetJS's npm release
 * is years old and its ODS writer drops styles; ExcelJS writes only .xlsx).
 */
import { inYearEvents, type StatsModel } from '../../compute/stats.js';
import type { ReleaseConfig } from '../../config/config.js';
import { formatDate, type IsoDate } from '../../core/dates.js';
import type { Block, ReportDocument, TableNode } from '../../document/document.js';
import type { Dataset, InspectionEvent } from '../../load/dataset.js';
import { StatpressError } from '../../core/errors.js';
import { neutralised } from './formula.js';
import { writeZip } from './zip.js';

export type SheetCell =
  | { kind: 'text'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: IsoDate }
  | { kind: 'link'; text: string; url: string }
  /** Shorthand in place of a value: [z] not applicable, [x] not available. */
  | { kind: 'shorthand'; value: '[z]' | '[x]' };

export interface SheetColumn {
  /** Stable key: for the CSV header and for notes that apply to a column. */
  key: string;
  label: string;
  /** What the column holds, for the data guidance. */
  description: string;
  /** Width in characters. */
  width: number;
}

/**
 * A table's rows: an array, or rows made afresh each time they are read, so that a history of a
 * quarter of a million inspections is never held as cells (each writer reads them in turn).
 */
export interface Rows {
  readonly length: number;
  [Symbol.iterator](): Iterator<SheetCell[]>;
}

/** Rows made from `items` by `row` each time they are read. */
export function rowsOf<T>(items: readonly T[], row: (item: T) => SheetCell[]): Rows {
  return {
    length: items.length,
    *[Symbol.iterator]() {
      for (const item of items) yield row(item);
    },
  };
}

/** `make` remembered by its argument: cells that repeat (a grade, a date, a place) are made once and shared. */
function shared<K, V>(make: (key: K) => V): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) known.set(key, (value = make(key)));
    return value;
  };
}

export interface DataTable {
  /** Stable id, also the CSV file name. */
  id: string;
  /** Sheet name: short, meaningful, at most 31 characters. */
  sheet: string;
  title: string;
  /** One or two sentences: what a row is, what the table covers. */
  description: string;
  columns: SheetColumn[];
  rows: Rows;
}

export interface Workbook {
  cover: Array<{ label: string; value: SheetCell }>;
  notes: Array<{ number: number; id: string; text: string; appliesTo: string[] }>;
  tables: DataTable[];
  meta: { title: string; published: IsoDate; language: string; producer: string; draft: boolean };
}

const text = (value: string): SheetCell => ({ kind: 'text', value });
const z: SheetCell = { kind: 'shorthand', value: '[z]' };
const x: SheetCell = { kind: 'shorthand', value: '[x]' };

/** The tables of the underlying data, built from the same inputs as the report. */
export function buildWorkbook(config: ReleaseConfig, dataset: Dataset, model: StatsModel, doc: ReportDocument): Workbook {
  const { framework } = dataset;
  const asAt = model.period.asAt;
  const byCode = new Map(dataset.authorities.map((a) => [a.code, a]));
  const typeLabel = new Map(framework.eventTypes.map((t) => [t.id, t.label]));
  const gradeLabel = new Map(framework.grades.map((g) => [g.id, g.label]));
  const themeLabel = new Map(framework.themes.map((t) => [t.id, t.label]));
  const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const gradeCell = shared((g: string) => text(gradeLabel.get(g) ?? g));
  const grade = (g: string | null | undefined): SheetCell => (g ? gradeCell(g) : z);
  // An event's judgements as cells; events with the same judgements share them (see the loader).
  const gradeCells = shared((grades: InspectionEvent['grades']) => framework.judgements.map((j) => grade(grades[j.id])));
  const judgementColumns: SheetColumn[] = framework.judgements.map((j) => ({
    key: j.id,
    label: j.label,
    description: `The grade for ${j.name}${j.from ? ` (judged from ${formatDate(j.from)})` : ''}${j.until ? ` (judged until ${formatDate(j.until)})` : ''}; [z] where the inspection did not make this judgement.`,
    width: 22,
  }));
  const place: SheetColumn[] = [
    { key: 'code', label: 'Area code', description: 'ONS code of the local authority area.', width: 12 },
    { key: 'name', label: 'Local authority', description: 'Name of the local authority as the inspection data write it.', width: 30 },
    { key: 'region', label: 'Region', description: 'The region the producer places the local authority in.', width: 26 },
  ];
  const placeCells = shared((code: string): SheetCell[] => {
    const a = byCode.get(code);
    return [text(code), text(a?.name ?? code), a?.region ? text(a.region) : x];
  });
  const dayCell = shared((d: IsoDate): SheetCell => ({ kind: 'date', value: d }));
  const dateCell = (d: IsoDate | null): SheetCell => (d ? dayCell(d) : x);
  const typeCell = shared((t: string) => text(typeLabel.get(t) ?? t));
  const statusCell = shared(text);
  // Web links, where the sources give them: the event's own, else the latest given for the authority.
  const linkOf = new Map<string, string>();
  const inDateOrder = dataset.events.every((e, i, all) => i === 0 || all[i - 1]!.date <= e.date);
  for (const e of inDateOrder ? dataset.events : [...dataset.events].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))) if (e.link) linkOf.set(e.authority, e.link);
  const linked = linkOf.size > 0;
  // The link of each authority's latest graded inspection, found in one pass over the events.
  const wanted = new Map(model.current.authorities.map((a) => [a.code, { date: a.date, type: a.type, link: undefined as string | undefined, found: false }]));
  for (const e of dataset.events) {
    const w = wanted.get(e.authority);
    if (w && !w.found && e.date === w.date && e.type === w.type) Object.assign(w, { found: true, link: e.link });
  }
  const latestLink = (code: string) => wanted.get(code)?.link;
  const linkColumn: SheetColumn[] = linked
    ? [{ key: 'webLink', label: 'Web link', description: "Where the inspection report can be read on the producer's website; [x] where the data give no address.", width: 44 }]
    : [];
  const linkCells = shared((url: string): SheetCell[] => [{ kind: 'link', text: url, url }]);
  const linkCell = (url: string | undefined): SheetCell[] => (!linked ? [] : url ? linkCells(url) : [x]);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en-GB');
  // Each authority's place in name order, so that long lists sort by number, not by comparing names.
  const nameRank = new Map<string, number>();
  {
    const named = [...new Set([...dataset.authorities.map((a) => a.code), ...dataset.events.map((e) => e.authority)])].map((code) => ({ code, name: byCode.get(code)?.name ?? '' }));
    named.sort(byName);
    let rank = 0;
    named.forEach((a, i) => {
      if (i > 0 && byName(named[i - 1]!, a) !== 0) rank++;
      nameRank.set(a.code, rank);
    });
  }

  const tables: DataTable[] = [];

  // Latest judgement for every authority that existed on the as-at date.
  const inspected = new Map(model.current.authorities.map((a) => [a.code, a]));
  const existing = dataset.authorities.filter((a) => (a.from === undefined || a.from <= asAt) && (a.until === undefined || a.until >= asAt)).sort(byName);
  // Outcome groups matter once they replace the headline judgement (from April 2026).
  const hasClasses = framework.classifications.length > 0 && !framework.judgements.some((j) => j.headline && (j.until === undefined || j.until >= asAt));
  tables.push({
    id: 'latest-judgements',
    sheet: 'Latest_judgements',
    title: `Latest inspection judgements for each local authority as at ${formatDate(asAt)}`,
    description: `One row for each of the ${existing.length} local authorities in England on ${formatDate(asAt)}, with the judgements of its most recent graded inspection carried out by that date and published by ${formatDate(model.period.publishedBy)}.`,
    columns: [
      ...place,
      { key: 'inspectionDate', label: 'Inspection date', description: 'First day of the most recent graded inspection.', width: 16 },
      { key: 'publicationDate', label: 'Publication date', description: 'Date the inspection report was published; [x] where not available.', width: 16 },
      { key: 'inspectionType', label: 'Inspection type', description: 'Type of the most recent graded inspection.', width: 24 },
      ...judgementColumns,
      ...(hasClasses ? [{ key: 'class', label: 'Inspection outcome group', description: 'The group the framework places the authority in from its latest judgements.', width: 26 }] : []),
      ...linkColumn,
    ],
    rows: rowsOf(existing, (authority) => {
      const a = inspected.get(authority.code);
      if (!a) return [...placeCells(authority.code), z, z, text('Not yet inspected'), ...framework.judgements.map(() => z), ...(hasClasses ? [z] : []), ...linkCell(linkOf.get(authority.code))];
      const cls = a.class ? framework.classifications.find((c) => c.id === a.class) : undefined;
      return [
        ...placeCells(a.code),
        dateCell(a.date),
        dateCell(a.published),
        text(typeLabel.get(a.type) ?? a.type),
        ...framework.judgements.map((j) => grade(a.grades[j.id])),
        ...(hasClasses ? [cls ? text(cls.label) : z] : []),
        ...linkCell(latestLink(a.code) ?? linkOf.get(a.code)),
      ];
    }),
  });

  // Every inspection and visit of the in-year period.
  const sortEvents = (list: InspectionEvent[]) =>
    [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : nameRank.get(a.authority)! - nameRank.get(b.authority)!));
  const inYear = sortEvents(inYearEvents(dataset, model.period));
  tables.push({
    id: 'in-year-inspections',
    sheet: 'In_year_inspections',
    title: `Inspections and visits between ${formatDate(model.period.inYear.from)} and ${formatDate(model.period.inYear.to)}`,
    description: `One row for each of the ${inYear.length} inspections and visits carried out in the period (graded inspections once their report was published by ${formatDate(model.period.publishedBy)}). Visits make no graded judgements.`,
    columns: [
      ...place,
      { key: 'date', label: 'Inspection or visit date', description: 'First day of the inspection or visit.', width: 16 },
      { key: 'publicationDate', label: 'Publication date', description: 'Date the report or letter was published; [x] where not available.', width: 16 },
      { key: 'type', label: 'Inspection or visit type', description: 'Type of inspection or visit.', width: 26 },
      ...judgementColumns,
      { key: 'theme', label: 'Visit theme', description: 'What the visit looked at, for visits that have a theme; [z] for other types.', width: 34 },
      ...linkColumn,
    ],
    rows: rowsOf(inYear, (e) => [
      ...placeCells(e.authority),
      dateCell(e.date),
      dateCell(e.published),
      typeCell(e.type),
      ...framework.judgements.map((j) => (graded.has(e.type) ? grade(e.grades[j.id]) : z)),
      e.theme ? text(themeLabel.get(e.theme) ?? e.theme) : z,
      ...linkCell(e.link ?? linkOf.get(e.authority)),
    ]),
  });

  // The graded inspection history up to the as-at date.
  const history = sortEvents(dataset.events.filter((e) => graded.has(e.type) && e.date <= asAt && (e.published === null || e.published <= model.period.publishedBy)));
  tables.push({
    id: 'inspection-history',
    sheet: 'Inspection_history',
    title: `Graded inspections under the ${framework.shortName} framework up to ${formatDate(asAt)}`,
    description: `One row for each of the ${history.length} graded inspections carried out by ${formatDate(asAt)} and published by ${formatDate(model.period.publishedBy)}, including local authorities that no longer exist.`,
    columns: [
      ...place,
      { key: 'status', label: 'Local authority status', description: `Whether the local authority still existed on ${formatDate(asAt)}.`, width: 20 },
      { key: 'inspectionDate', label: 'Inspection date', description: 'First day of the inspection.', width: 16 },
      { key: 'publicationDate', label: 'Publication date', description: 'Date the inspection report was published; [x] where not available.', width: 16 },
      { key: 'inspectionType', label: 'Inspection type', description: 'Type of graded inspection.', width: 24 },
      ...judgementColumns,
      ...linkColumn,
    ],
    rows: rowsOf(history, (e) => {
      const a = byCode.get(e.authority);
      const current = !!a && (a.until === undefined || a.until >= asAt);
      return [
        ...placeCells(e.authority),
        statusCell(current ? 'Current' : 'No longer exists'),
        dateCell(e.date),
        dateCell(e.published),
        typeCell(e.type),
        ...gradeCells(e.grades),
        ...linkCell(e.link ?? linkOf.get(e.authority)),
      ];
    }),
  });

  // The data behind each figure and each numbered table, exactly as the report prints them.
  const walk = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'figure') tables.push(fromReportTable(b.dataTable, `figure-${b.number}`, `Figure_${b.number}`, `Figure ${b.number}: ${b.title}`, `The data shown in Figure ${b.number} of the report.${b.subtitle ? ` ${b.subtitle}.` : ''}`));
      if (b.type === 'table' && b.number) tables.push(fromReportTable(b, `table-${b.number}`, `Table_${b.number}`, `Table ${b.number}: ${b.caption.replace(/^Table \d+:\s*/, '')}`, `The data in Table ${b.number} of the report.`));
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);

  const m = doc.meta;
  const cover: Workbook['cover'] = [
    { label: 'Publication', value: text(`${m.title} (${m.status.toLowerCase()})`) },
    { label: 'Period covered', value: text(m.period) },
    { label: 'Coverage', value: text(m.coverage) },
    { label: 'Published', value: { kind: 'date', value: m.published.iso } },
    { label: 'Next update', value: text(m.nextUpdate) },
    { label: 'Status', value: text(m.draft ? `DRAFT: not for publication (${m.status})` : m.status) },
    ...(m.revision ? [{ label: 'Revised', value: text(`${m.revision.text}: ${m.revision.reason}`) }] : []),
    { label: 'Produced by', value: text(m.producer) },
    { label: 'Contact', value: text(`${m.contact.name}, ${m.contact.team}`) },
    { label: 'Email', value: { kind: 'link', text: m.contact.email, url: `mailto:${m.contact.email}` } },
    ...(config.meta.releaseUrl ? [{ label: 'The release', value: { kind: 'link' as const, text: m.title, url: config.meta.releaseUrl } }] : []),
    { label: 'Licence', value: { kind: 'link', text: m.licence.name, url: m.licence.url } },
    { label: 'Shorthand', value: text('[z] means not applicable (for example, a judgement the inspection did not make). [x] means not available.') },
  ];
  const notes = config.notes.map((n, i) => ({ number: i + 1, id: n.id, text: n.text, appliesTo: n.appliesTo ?? [] }));
  const keys = new Set(tables.flatMap((t) => [t.id, ...t.columns.map((c) => c.key)]));
  notes.forEach((n, i) => {
    for (const key of n.appliesTo) {
      if (!keys.has(key)) {
        throw new StatpressError('config', 'a note applies to a table or column the underlying data do not have', { file: config.file, column: `notes[${i}].appliesTo`, value: key }, `tables and columns: ${[...keys].join(', ')}`);
      }
    }
  });
  return { cover, notes, tables, meta: { title: m.title, published: m.published.iso, language: m.language, producer: m.producer, draft: m.draft } };
}

function fromReportTable(table: TableNode, id: string, sheet: string, title: string, description: string): DataTable {
  const columns = table.columns.map((c, i) => ({
    key: c.label.replace(/%/g, 'pct ').replace(/\(([\d,]+)\)/g, 'base $1').replace(/,/g, ''),
    label: c.label,
    description: i === 0 ? `${c.label}: what each row shows.` : `${c.label}, as printed in the report.`,
    width: Math.min(40, Math.max(12, c.label.length + 2)),
  }));
  const rows = table.rows.map((r) => [
    text(r.header.text),
    ...r.cells.map((cell): SheetCell => {
      if (typeof cell.raw === 'number' && Number.isFinite(cell.raw) && /^-?[\d,.]+%?$/.test(cell.text)) return { kind: 'number', value: Number(cell.text.replace(/[,%]/g, '')) };
      if (/^\[[a-z]\]$/.test(cell.text)) return { kind: 'shorthand', value: cell.text === '[x]' ? '[x]' : '[z]' };
      return text(cell.text);
    }),
  ]);
  return { id, sheet, title, description, columns, rows };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────

/** Text as XML; most text has nothing to escape and is returned as it is. */
const escapeXml = (s: string) =>
  /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s)
    ? s
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
    : s;

/** "[note 2]" markers for a table or column the release config's notes apply to. */
function noteMarks(book: Workbook, key: string): string {
  const numbers = book.notes.filter((n) => n.appliesTo.includes(key)).map((n) => `[note ${n.number}]`);
  return numbers.length ? ` ${numbers.join(' ')}` : '';
}

/**
 * Cells shared between rows (a grade, a date, a place: see `shared` in buildWorkbook) are written
 * once and their XML reused, by cell and style.
 */
const cellXmlMade = new WeakMap<SheetCell, Map<string | undefined, string>>();

function cellXml(cell: SheetCell, style?: string): string {
  let made = cellXmlMade.get(cell);
  let xml = made?.get(style);
  if (xml === undefined) {
    xml = makeCellXml(cell, style);
    if (!made) cellXmlMade.set(cell, (made = new Map()));
    made.set(style, xml);
  }
  return xml;
}

function makeCellXml(cell: SheetCell, style?: string): string {
  const s = style ? ` table:style-name="${style}"` : '';
  switch (cell.kind) {
    case 'text':
    case 'shorthand':
      return `<table:table-cell office:value-type="string" calcext:value-type="string"${s}><text:p>${escapeXml(cell.value)}</text:p></table:table-cell>`;
    case 'number':
      return `<table:table-cell office:value-type="float" office:value="${cell.value}" calcext:value-type="float"${s}><text:p>${cell.value}</text:p></table:table-cell>`;
    case 'date':
      return `<table:table-cell table:style-name="date" office:value-type="date" office:date-value="${cell.value}" calcext:value-type="date"><text:p>${escapeXml(formatDate(cell.value))}</text:p></table:table-cell>`;
    case 'link':
      return `<table:table-cell office:value-type="string" calcext:value-type="string"${s}><text:p><text:a xlink:type="simple" xlink:href="${escapeXml(cell.url)}">${escapeXml(cell.text)}</text:a></text:p></table:table-cell>`;
  }
}

function rowXml(cells: string[], style = 'row'): string {
  return `<table:table-row table:style-name="${style}">${cells.join('')}</table:table-row>`;
}

/** A sheet of the workbook as its cell grid: what the writers and the CSVs read. */
export interface Sheet {
  name: string;
  title: string;
  description: string;
  header?: string[];
  rows: Rows;
}

/** The workbook as the sheets' cell grids: what the tests and the CSVs read. */
export function sheetsOf(book: Workbook): Sheet[] {
  const contents = [
    { name: 'Notes', title: 'Notes', description: 'Notes that apply to the tables, referred to as [note 1], [note 2] and so on in titles and column headers.' },
    ...book.tables.map((t) => ({ name: t.sheet, title: `${t.title}${noteMarks(book, t.id)}`, description: t.description })),
  ];
  return [
    { name: 'Cover', title: book.meta.title, description: 'About these data', rows: book.cover.map((c) => [text(c.label), c.value]) },
    {
      name: 'Contents',
      title: 'Contents',
      description: `This workbook has ${book.tables.length} tables, one on each sheet, after the cover, this contents list and the notes.`,
      header: ['Sheet', 'Table title', 'What it holds'],
      rows: contents.map((c): SheetCell[] => [{ kind: 'link', text: c.name, url: `#${c.name}.A1` }, text(c.title), text(c.description)]),
    },
    {
      name: 'Notes',
      title: 'Notes',
      description: book.notes.length ? `${book.notes.length} notes.` : 'This release has no notes.',
      header: ['Note number', 'Note text'],
      rows: book.notes.map((n) => [text(`note ${n.number}`), text(n.text)]),
    },
    ...book.tables.map((t) => ({
      name: t.sheet,
      title: `${t.title}${noteMarks(book, t.id)}`,
      description: `${t.description} [z] means not applicable; [x] means not available.`,
      header: t.columns.map((c) => `${c.label}${noteMarks(book, c.key)}`),
      rows: t.rows,
    })),
  ];
}

/** Column widths in characters for a sheet. */
export function widthsOf(book: Workbook, name: string): number[] {
  if (name === 'Cover') return [20, 100];
  if (name === 'Contents') return [24, 60, 90];
  if (name === 'Notes') return [14, 110];
  return book.tables.find((t) => t.sheet === name)!.columns.map((c) => c.width);
}

/** Text gathered into UTF-8 pieces of about 64 KB: what is compressed or written, a piece at a time. */
export function* inPieces(parts: Iterable<string>, size = 1 << 16): Generator<Buffer> {
  let piece = Buffer.allocUnsafe(size);
  let used = 0;
  for (const part of parts) {
    // A UTF-16 unit takes at most three bytes in UTF-8.
    if (part.length * 3 > size - used) {
      if (used > 0) yield piece.subarray(0, used);
      if (part.length * 3 > size) {
        yield Buffer.from(part, 'utf8');
        piece = Buffer.allocUnsafe(size);
        used = 0;
        continue;
      }
      piece = Buffer.allocUnsafe(size);
      used = 0;
    }
    used += piece.write(part, used, 'utf8');
  }
  if (used > 0) yield piece.subarray(0, used);
}

/** The spreadsheet's content.xml, a row at a time. */
function* odsContent(book: Workbook, sheets: Sheet[], columnStyles: string, ns: string): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${ns} office:version="1.3"><office:font-face-decls><style:font-face style:name="Arial" svg:font-family="Arial" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls><office:automatic-styles>${columnStyles}<style:style style:name="row" style:family="table-row"><style:table-row-properties style:use-optimal-row-height="true"/></style:style><number:date-style style:name="longdate"><number:day/><number:text> </number:text><number:month number:style="long" number:textual="true"/><number:text> </number:text><number:year number:style="long"/></number:date-style><style:style style:name="date" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="longdate"><style:table-cell-properties style:vertical-align="top"/><style:paragraph-properties fo:text-align="start"/></style:style><style:style style:name="title" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style><style:style style:name="header" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top" fo:border-bottom="0.5pt solid #000000"/><style:text-properties fo:font-weight="bold"/></style:style><style:style style:name="bold" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="top"/><style:text-properties fo:font-weight="bold"/></style:style><style:style style:name="wrap" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style><style:style style:name="plain" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="top"/></style:style></office:automatic-styles><office:body><office:spreadsheet>`;
  for (const sheet of sheets) {
    const widths = widthsOf(book, sheet.name);
    const columns = widths.map((w) => `<table:table-column table:style-name="w${w}" table:default-cell-style-name="Default"/>`).join('');
    // Title and description run on across the empty cells to their right, unwrapped.
    const titleRows = rowXml([cellXml(text(sheet.title), 'title')], 'row') + rowXml([cellXml(text(sheet.description), 'plain')], 'row');
    const head = sheet.header ? `<table:table-header-rows>${rowXml(sheet.header.map((h) => cellXml(text(h), 'header')), 'row')}</table:table-header-rows>` : '';
    yield `<table:table table:name="${escapeXml(sheet.name)}">${columns}${titleRows}${head}`;
    const cover = sheet.name === 'Cover';
    for (const r of sheet.rows) yield rowXml(r.map((c) => cellXml(c, cover && r[0] === c ? 'bold' : 'wrap')));
    yield '</table:table>';
  }
  yield '</office:spreadsheet></office:body></office:document-content>';
}

/** The workbook as an OpenDocument spreadsheet (.ods), byte-identical for the same workbook. */
export async function writeOds(book: Workbook): Promise<Uint8Array> {
  const sheets = sheetsOf(book);
  const allWidths = new Set<number>(sheets.flatMap((s) => widthsOf(book, s.name)));
  const columnStyles = [...allWidths]
    .sort((a, b) => a - b)
    .map((w) => `<style:style style:name="w${w}" style:family="table-column"><style:table-column-properties style:column-width="${(w * 0.21).toFixed(2)}cm"/></style:style>`)
    .join('');
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"';
  const styles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ${ns} office:version="1.3"><office:font-face-decls><style:font-face style:name="Arial" svg:font-family="Arial" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls><office:styles><style:default-style style:family="table-cell"><style:text-properties style:font-name="Arial" fo:font-size="12pt" fo:language="en" fo:country="GB"/></style:default-style><style:style style:name="Default" style:family="table-cell"/></office:styles></office:document-styles>`;
  const [language, country] = book.meta.language.split('-');
  const meta = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta ${ns} office:version="1.3"><office:meta><dc:title>${book.meta.draft ? 'DRAFT: ' : ''}${escapeXml(book.meta.title)}: underlying data</dc:title><dc:creator>${escapeXml(book.meta.producer)}</dc:creator><meta:initial-creator>${escapeXml(book.meta.producer)}</meta:initial-creator><dc:language>${escapeXml(language ?? 'en')}${country ? `-${escapeXml(country)}` : ''}</dc:language><meta:creation-date>${book.meta.published}T00:00:00</meta:creation-date><dc:date>${book.meta.published}T00:00:00</dc:date><meta:generator>statpress</meta:generator></office:meta></office:document-meta>`;
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`;
  // The mimetype comes first and uncompressed, so tools can recognise the file.
  return writeZip(
    [
      { name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
      { name: 'content.xml', content: () => inPieces(odsContent(book, sheets, columnStyles, ns)) },
      { name: 'styles.xml', content: styles },
      { name: 'meta.xml', content: meta },
      { name: 'META-INF/manifest.xml', content: manifest },
    ],
    new Date(`${book.meta.published}T00:00:00Z`),
  );
}

// ── CSVs and guidance ───────────────────────────────────────────────────────────────────────

/** A CSV field: quoted where it must be, and never able to start a formula (see `formula.ts`). */
export function csvField(value: string): string {
  const safe = neutralised(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** snake_case column name for a CSV header. */
function snake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}

/** A cell as a CSV field; cells shared between rows are written once. */
const csvMade = new WeakMap<SheetCell, string>();
function csvCell(c: SheetCell): string {
  let field = csvMade.get(c);
  if (field !== undefined) return field;
  switch (c.kind) {
    case 'text':
      field = csvField(c.value);
      break;
    case 'number':
      field = String(c.value);
      break;
    case 'date':
      field = c.value;
      break;
    case 'link':
      field = csvField(c.url);
      break;
    case 'shorthand':
      field = c.value === '[z]' ? 'z' : 'x';
      break;
  }
  csvMade.set(c, field);
  return field;
}

/** One row of a tidy CSV, without its line end. */
function csvRow(row: SheetCell[]): string {
  let line = csvCell(row[0]!);
  for (let i = 1; i < row.length; i++) line += `,${csvCell(row[i]!)}`;
  return line;
}

/** A tidy CSV of one table, a line at a time: header of column keys, ISO dates, `z`/`x` for shorthand. */
export function* tableCsvLines(table: DataTable): Generator<string> {
  yield `${table.columns.map((c) => snake(c.key)).join(',')}\n`;
  for (const row of table.rows) yield `${csvRow(row)}\n`;
}

/** A tidy CSV of one table as one string (small tables, tests). */
export function tableCsv(table: DataTable): string {
  return [...tableCsvLines(table)].join('');
}

/** The data guidance: what each file holds and what each column means. */
export function dataGuidance(book: Workbook): string {
  const lines = [
    `${book.meta.title}: data guidance`,
    '',
    ...(book.meta.draft ? ['DRAFT: not for publication. These statistics have not been released.', ''] : []),
    `These files hold the data behind the release, published on ${formatDate(book.meta.published)} by ${book.meta.producer}. Each CSV is UTF-8 with one header row; dates are written YYYY-MM-DD. In the CSVs "z" means not applicable and "x" means not available (the spreadsheet writes [z] and [x]). The same tables, with a cover sheet and notes, are in underlying-data.ods (OpenDocument) and underlying-data.xlsx (Excel).`,
    '',
  ];
  for (const t of book.tables) {
    lines.push(`data/${t.id}.csv`, `  ${t.title}. ${t.description}`, `  ${t.rows.length} rows. Columns:`);
    for (const c of t.columns) lines.push(`  - ${snake(c.key)}: ${c.label}. ${c.description}`);
    lines.push('');
  }
  if (book.notes.length) {
    lines.push('Notes');
    for (const n of book.notes) lines.push(`  [note ${n.number}] ${n.text}`);
    lines.push('');
  }
  return lines.join('\n');
}
