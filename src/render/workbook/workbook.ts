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
import { inYearEvents, modelValue, type StatsModel } from '../../compute/stats.js';
import type { ReleaseConfig } from '../../config/config.js';
import { formatDate, formatPeriod, type IsoDate } from '../../core/dates.js';
import type { Block, ReportDocument, TableNode } from '../../document/document.js';
import {
  ABOUT_THESE_DATA,
  AREA_CODE,
  CONTACT,
  CONTENTS,
  CONTENTS_HEADER,
  contentsDescription,
  COVER,
  COVERAGE,
  dataGuidanceIntro,
  dataGuidanceTitle,
  documentTitle,
  DRAFT_NOTICE,
  draftStatus,
  EMAIL,
  figureDataDescription,
  figureSheet,
  figureTitle,
  LICENCE,
  NEXT_UPDATE,
  NO_NOTES,
  noteMark,
  noteNumber,
  NOTES,
  NOTES_DESCRIPTION,
  NOTES_HEADER,
  notesCount,
  PERIOD_COVERED,
  printedColumnDescription,
  PRODUCED_BY,
  PUBLICATION,
  publicationEntry,
  PUBLISHED,
  REGION,
  REVISED,
  revisionEntry,
  rowHeaderDescription,
  rowsAndColumns,
  SHORTHAND,
  SHORTHAND_X_BRIEF,
  SHORTHAND_X_EXPLAINED,
  SHORTHAND_R_BRIEF,
  SHORTHAND_R_EXPLAINED,
  SHORTHAND_Z_BRIEF,
  SHORTHAND_Z_EXPLAINED,
  BASE_COLUMN,
  countColumn,
  FREQUENCY,
  METHODOLOGY,
  METHODOLOGY_PAGE,
  methodologyOnReleasePage,
  TEAM_EMAIL,
  STATUS,
  tableDataDescription,
  tableSheet,
  tableTitle,
  THE_RELEASE,
  underlyingDataTitle,
  WEB_LINK,
  withoutTableLabel,
} from '../../document/labels.js';
import type { Dataset, InspectionEvent } from '../../load/dataset.js';
import { StatpressError } from '../../core/errors.js';
import { measureText } from '../../platform/fonts.js';
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
  /** Whether a value is marked revised ("43 [r]"): the data of a revised release's figure or table. */
  revised?: boolean;
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
    // An end date is stated only once it had been announced by the release's publication.
    description: `The grade for ${j.name}${j.from ? ` (judged from ${formatDate(j.from)})` : ''}${j.until && (j.announced ?? j.until) <= config.meta.published ? ` (judged until ${formatDate(j.until)})` : ''}; [z] where the inspection did not make this judgement.`,
    width: 22,
  }));
  const place: SheetColumn[] = [
    { key: 'code', label: AREA_CODE, description: 'ONS code of the local authority area.', width: 12 },
    { key: 'name', label: 'Local authority', description: 'Name of the local authority as the inspection data write it.', width: 30 },
    { key: 'region', label: REGION, description: 'The region the producer places the local authority in.', width: 26 },
  ];
  const placeCells = shared((code: string): SheetCell[] => {
    const a = byCode.get(code);
    return [text(code), text(a?.name ?? code), a?.region ? text(a.region) : x];
  });
  const dayCell = shared((d: IsoDate): SheetCell => ({ kind: 'date', value: d }));
  // A date the source gives as a month or a year is written as that ("March 2009", "2009"), as text.
  const dateCell = (d: IsoDate | null, until?: IsoDate): SheetCell => (d ? (until ? text(formatPeriod(d, until)) : dayCell(d)) : x);
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
    ? [{ key: 'webLink', label: WEB_LINK, description: "Where the inspection report can be read on the producer's website; [x] where the data give no address.", width: 44 }]
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
        dateCell(a.date, a.dateUntil),
        dateCell(a.published, a.publishedUntil),
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
      dateCell(e.date, e.dateUntil),
      dateCell(e.published, e.publishedUntil),
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
        dateCell(e.date, e.dateUntil),
        dateCell(e.published, e.publishedUntil),
        typeCell(e.type),
        ...gradeCells(e.grades),
        ...linkCell(e.link ?? linkOf.get(e.authority)),
      ];
    }),
  });

  // The data behind each figure and each numbered table, exactly as the report prints them.
  const walk = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'figure') tables.push(withCounts(fromReportTable(b.dataTable, `figure-${b.number}`, figureSheet(b.number), figureTitle(b.number, b.title), figureDataDescription(b.number, b.subtitle)), b.dataTable, model));
      if (b.type === 'table' && b.number) tables.push(fromReportTable(b, `table-${b.number}`, tableSheet(b.number), tableTitle(b.number, withoutTableLabel(b.caption)), tableDataDescription(b.number)));
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);

  const m = doc.meta;
  const cover: Workbook['cover'] = [
    { label: PUBLICATION, value: text(publicationEntry(m.title, m.status)) },
    { label: PERIOD_COVERED, value: text(m.period) },
    { label: COVERAGE, value: text(m.coverage) },
    { label: PUBLISHED, value: { kind: 'date', value: m.published.iso } },
    { label: NEXT_UPDATE, value: text(m.nextUpdate) },
    { label: STATUS, value: text(m.draft ? draftStatus(m.status) : m.status) },
    ...(m.revision ? [{ label: REVISED, value: text(revisionEntry(m.revision.text, m.revision.reason)) }] : []),
    { label: PRODUCED_BY, value: text(m.producer) },
    ...(config.meta.frequency ? [{ label: FREQUENCY, value: text(config.meta.frequency) }] : []),
    { label: CONTACT, value: text(`${m.contact.name}, ${m.contact.team}`) },
    { label: EMAIL, value: { kind: 'link', text: m.contact.email, url: `mailto:${m.contact.email}` } },
    { label: TEAM_EMAIL, value: { kind: 'link', text: m.contact.teamEmail, url: `mailto:${m.contact.teamEmail}` } },
    ...(config.meta.releaseUrl ? [{ label: THE_RELEASE, value: { kind: 'link' as const, text: m.title, url: config.meta.releaseUrl } }] : []),
    ...(config.meta.methodologyUrl
      ? [{ label: METHODOLOGY, value: { kind: 'link' as const, text: METHODOLOGY_PAGE, url: config.meta.methodologyUrl } }]
      : config.meta.releaseUrl
        ? [{ label: METHODOLOGY, value: { kind: 'link' as const, text: methodologyOnReleasePage(m.title), url: config.meta.releaseUrl } }]
        : []),
    { label: LICENCE, value: { kind: 'link', text: m.licence.name, url: m.licence.url } },
  ];
  // Shorthand is explained where it is used: on the cover if any table uses it, after each table that does.
  const used = tables.map((t) => shorthandUsed(t.rows)).reduce((a, b) => ({ z: a.z || b.z, x: a.x || b.x }), { z: false, x: false });
  const revised = tables.some((t) => t.revised);
  const explained = [used.z ? SHORTHAND_Z_EXPLAINED : '', used.x ? SHORTHAND_X_EXPLAINED : '', revised ? SHORTHAND_R_EXPLAINED : ''].filter(Boolean).join(' ');
  if (explained) cover.push({ label: SHORTHAND, value: text(explained) });
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

/** A table's description with the shorthand it uses explained. */
function shorthandDescription(t: DataTable): string {
  const used = shorthandUsed(t.rows);
  return [t.description, used.z ? SHORTHAND_Z_BRIEF : '', used.x ? SHORTHAND_X_BRIEF : '', t.revised ? SHORTHAND_R_BRIEF : ''].filter(Boolean).join(' ');
}

const shorthandSeen = new WeakMap<object, { z: boolean; x: boolean }>();

/** Which shorthand a table's cells use (read once per table: a long table's rows are made on each reading). */
function shorthandUsed(rows: Iterable<readonly SheetCell[]>): { z: boolean; x: boolean } {
  const seen = shorthandSeen.get(rows);
  if (seen) return seen;
  const used = { z: false, x: false };
  shorthandSeen.set(rows, used);
  for (const row of rows) {
    for (const c of row) {
      if (c.kind !== 'shorthand') continue;
      if (c.value === '[z]') used.z = true;
      else used.x = true;
    }
  }
  return used;
}

/**
 * The count behind a printed percentage, from the model: a part's `count`, or for a point of the
 * headline series computed from the data, its share of its base. A published point gives only
 * rounded percentages, so its count is not available.
 */
function countBehind(model: StatsModel, ref: string | undefined): number | undefined {
  if (!ref) return undefined;
  const path = ref.split('.');
  if (path[path.length - 1] === 'share') {
    const count = modelValue(model, [...path.slice(0, -1), 'count']);
    return typeof count === 'number' ? count : undefined;
  }
  if (path[path.length - 2] === 'shares') {
    const point = modelValue(model, path.slice(0, -2)) as { source?: string; base?: number; shares?: Record<string, number> } | undefined;
    const share = point?.shares?.[path[path.length - 1]!];
    if (point?.source === 'computed' && typeof point.base === 'number' && typeof share === 'number') return Math.round(share * point.base);
  }
  return undefined;
}

/**
 * A figure's data with the numbers behind its percentages: a count column beside each
 * percentage column (`[x]` where the count is not available), and the base, which the report
 * prints in brackets after each row's name, in a column of its own.
 */
function withCounts(data: DataTable, table: TableNode, model: StatsModel): DataTable {
  const percent = table.columns.map((c, i) => i > 0 && /^% /.test(c.label));
  if (!percent.some(Boolean)) return data;
  const base = /\s*\(([\d,]+)\)$/;
  const rowBases = table.rows.map((r) => base.exec(r.header.text)?.[1]);
  const hasBase = rowBases.every((b) => b !== undefined);
  const columns: SheetColumn[] = [data.columns[0]!];
  if (hasBase) columns.push({ key: 'base', label: BASE_COLUMN, description: 'The number of local authorities (or visits) each percentage in the row is of, as the report prints it in brackets.', width: 0 });
  data.columns.slice(1).forEach((c, i) => {
    columns.push(c);
    if (percent[i + 1]) {
      const label = countColumn(c.label.replace(/^% /, ''));
      columns.push({ key: `${c.key.replace(/^pct /, '')} count`, label, description: `The number behind the percentage in "${c.label}"; [x] where the source gives only the percentage.`, width: 0 });
    }
  });
  const printedRows = [...data.rows];
  const rows = table.rows.map((r, ri) => {
    const printed = printedRows[ri]!;
    const out: SheetCell[] = [hasBase ? text(r.header.text.replace(base, '')) : printed[0]!];
    if (hasBase) out.push({ kind: 'number', value: Number(rowBases[ri]!.replace(/,/g, '')) });
    r.cells.forEach((cell, ci) => {
      out.push(printed[ci + 1]!);
      if (percent[ci + 1]) {
        const count = cell.raw === null ? undefined : (cell.count ?? countBehind(model, cell.ref));
        out.push(count === undefined ? (cell.raw === null ? z : x) : { kind: 'number', value: count });
      }
    });
    return out;
  });
  return { ...data, columns, rows };
}

function fromReportTable(table: TableNode, id: string, sheet: string, title: string, description: string): DataTable {
  const columns = table.columns.map((c, i) => ({
    key: c.label.replace(/%/g, 'pct ').replace(/\(([\d,]+)\)/g, 'base $1').replace(/,/g, ''),
    label: c.label,
    description: i === 0 ? rowHeaderDescription(c.label) : printedColumnDescription(c.label),
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
  const revised = table.rows.some((r) => r.cells.some((c) => c.text.endsWith(' [r]')));
  return { id, sheet, title, description, columns, rows, ...(revised ? { revised } : {}) };
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
  const numbers = book.notes.filter((n) => n.appliesTo.includes(key)).map((n) => noteMark(n.number));
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

const sheetsMade = new WeakMap<Workbook, Sheet[]>();

/** The workbook as the sheets' cell grids: what the tests and the CSVs read. */
export function sheetsOf(book: Workbook): Sheet[] {
  let sheets = sheetsMade.get(book);
  if (!sheets) sheetsMade.set(book, (sheets = makeSheets(book)));
  return sheets;
}

function makeSheets(book: Workbook): Sheet[] {
  const contents = [
    { name: NOTES, title: NOTES, description: NOTES_DESCRIPTION },
    ...book.tables.map((t) => ({ name: t.sheet, title: `${t.title}${noteMarks(book, t.id)}`, description: t.description })),
  ];
  return [
    { name: COVER, title: book.meta.title, description: ABOUT_THESE_DATA, rows: book.cover.map((c) => [text(c.label), c.value]) },
    {
      name: CONTENTS,
      title: CONTENTS,
      description: contentsDescription(book.tables.length),
      header: [...CONTENTS_HEADER],
      rows: contents.map((c): SheetCell[] => [{ kind: 'link', text: c.name, url: `#${c.name}.A1` }, text(c.title), text(c.description)]),
    },
    {
      name: NOTES,
      title: NOTES,
      description: book.notes.length ? notesCount(book.notes.length) : NO_NOTES,
      header: [...NOTES_HEADER],
      rows: book.notes.map((n) => [text(noteNumber(n.number)), text(n.text)]),
    },
    ...book.tables.map((t) => ({
      name: t.sheet,
      title: `${t.title}${noteMarks(book, t.id)}`,
      description: shorthandDescription(t),
      header: t.columns.map((c) => `${c.label}${noteMarks(book, c.key)}`),
      rows: t.rows,
    })),
  ];
}

/** The size cells are set in (12 pt is 16 px), and the width unit: the width of "0" in it, as Excel counts. */
const CELL_PX = 16;
const ZERO = measureText('0', CELL_PX);
/** A column is at least this wide, and at most as wide as its sheet allows (longer text wraps). */
const MIN_CHARS = 6;
const MAX_CHARS: Record<string, number[]> = { [COVER]: [30, 100], [CONTENTS]: [30, 70, 90], [NOTES]: [14, 110] };
const MAX_TABLE_CHARS = 60;
/** Room either side of the text in a cell, in characters. */
const PADDING_CHARS = 2;
/**
 * Text is measured in Arial's metrics, and given a fifth more room: a reader without Arial (or
 * its metric twin, Liberation Sans) sees a wider font, such as DejaVu Sans, which LibreOffice
 * falls back to; a date or number that does not fit would show as ###.
 */
const FALLBACK_ALLOWANCE = 1.2;
/** A header may wrap onto this many lines. */
const HEADER_LINES = 3;

/** What a cell shows, as the spreadsheet formats it. */
export function shownText(cell: SheetCell): string {
  switch (cell.kind) {
    case 'date':
      return formatDate(cell.value);
    case 'number':
      return String(cell.value);
    case 'link':
      return cell.text;
    default:
      return cell.value;
  }
}

const widthCache = new WeakMap<Workbook, Map<string, number[]>>();

/**
 * Column widths in characters (of "0" at 12 pt) for a sheet: each column as wide as its longest
 * value as the spreadsheet formats it (a date as "11 September 2023"), measured in the font the
 * sheet is set in (Arial, or its metric twin), and its header on at most three lines.
 */
export function widthsOf(book: Workbook, name: string): number[] {
  let known = widthCache.get(book);
  if (!known) widthCache.set(book, (known = new Map()));
  const cached = known.get(name);
  if (cached) return cached;
  const sheet = sheetsOf(book).find((s) => s.name === name)!;
  const chars = (textShown: string, bold: boolean) => measureText(textShown, CELL_PX, bold) / ZERO;
  // One reading of the rows: the widest value of each column, each distinct text measured once.
  const widest: number[] = [];
  const measured = new Map<string, number>();
  // Cells that repeat (a grade, a date, a place) are shared objects: each is measured once.
  const byCell = new WeakMap<SheetCell, number>();
  for (const r of sheet.rows) {
    for (let i = 0; i < r.length; i++) {
      const cell = r[i]!;
      const bold = name === COVER && i === 0;
      let width = bold ? undefined : byCell.get(cell);
      if (width === undefined) {
        const shown = shownText(cell);
        const memo = bold ? `\u0001${shown}` : shown;
        width = measured.get(memo);
        if (width === undefined) measured.set(memo, (width = chars(shown, bold)));
        if (!bold) byCell.set(cell, width);
      }
      if (width > (widest[i] ?? 0)) widest[i] = width;
    }
  }
  const columns = Math.max(sheet.header?.length ?? 0, widest.length);
  const widths = Array.from({ length: columns }, (_, i) => {
    // A header wraps, onto three lines at most: its longest word, or a third of it, whichever is wider.
    const label = sheet.header?.[i] ?? '';
    const header = Math.max(chars(label, true) / HEADER_LINES, label.split(/\s+/).reduce((m, word) => Math.max(m, chars(word, true)), 0));
    const values = widest[i] ?? 0;
    const cap = MAX_CHARS[name]?.[i] ?? MAX_TABLE_CHARS;
    return Math.min(cap, Math.max(MIN_CHARS, Math.ceil(Math.max(header, values) * FALLBACK_ALLOWANCE + PADDING_CHARS)));
  });
  known.set(name, widths);
  return widths;
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
    const cover = sheet.name === COVER;
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
    .map((w) => `<style:style style:name="w${w}" style:family="table-column"><style:table-column-properties style:column-width="${((w * ZERO) / 96 * 2.54).toFixed(2)}cm"/></style:style>`)
    .join('');
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"';
  const styles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ${ns} office:version="1.3"><office:font-face-decls><style:font-face style:name="Arial" svg:font-family="Arial" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls><office:styles><style:default-style style:family="table-cell"><style:text-properties style:font-name="Arial" fo:font-size="12pt" fo:language="en" fo:country="GB"/></style:default-style><style:style style:name="Default" style:family="table-cell"/></office:styles></office:document-styles>`;
  const [language, country] = book.meta.language.split('-');
  const meta = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta ${ns} office:version="1.3"><office:meta><dc:title>${escapeXml(documentTitle(underlyingDataTitle(book.meta.title), book.meta.draft))}</dc:title><dc:creator>${escapeXml(book.meta.producer)}</dc:creator><meta:initial-creator>${escapeXml(book.meta.producer)}</meta:initial-creator><dc:language>${escapeXml(language ?? 'en')}${country ? `-${escapeXml(country)}` : ''}</dc:language><meta:creation-date>${book.meta.published}T00:00:00</meta:creation-date><dc:date>${book.meta.published}T00:00:00</dc:date><meta:generator>statpress</meta:generator></office:meta></office:document-meta>`;
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
    dataGuidanceTitle(book.meta.title),
    '',
    ...(book.meta.draft ? [DRAFT_NOTICE, ''] : []),
    dataGuidanceIntro(formatDate(book.meta.published), book.meta.producer),
    '',
  ];
  for (const t of book.tables) {
    lines.push(`data/${t.id}.csv`, `  ${t.title}. ${t.description}${t.revised ? ` ${SHORTHAND_R_BRIEF}` : ''}`, `  ${rowsAndColumns(t.rows.length)}`);
    for (const c of t.columns) lines.push(`  - ${snake(c.key)}: ${c.label}. ${c.description}`);
    lines.push('');
  }
  if (book.notes.length) {
    lines.push(NOTES);
    for (const n of book.notes) lines.push(`  ${noteMark(n.number)} ${n.text}`);
    lines.push('');
  }
  return lines.join('\n');
}
