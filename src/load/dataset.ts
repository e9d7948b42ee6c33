/**
 * load: files + release config → a typed, validated Dataset. The only stage that reads data.
 *
 * Every row is checked, and every problem is reported with its file, row (as an editor
 * numbers it, header = 1), column and value, all at once, before anything is computed.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { DateRange, Framework, Layout, ReleaseConfig, SourceConfig } from '../config/config.js';
import { scaleOf } from '../config/config.js';
import { CsvSyntaxError, csvRecords, type CsvRecord } from './csv.js';
import { EXCEL_LIMITS, forbiddenCharacter, quotable, type CharacterProblem, type TextLimits } from './text.js';
import { formatPeriod, isIsoDate, parseDatePeriod, type DatePeriod, type IsoDate } from '../core/dates.js';
import { ErrorList, StatpressError } from '../core/errors.js';

export interface Authority {
  code: string;
  name: string;
  /** Other spellings a data file may use for this authority (ONS, DfE, Ofsted names). */
  names: string[];
  region: string | null;
  /** First and last day the authority existed; absent = before/after any date we handle. */
  from?: IsoDate;
  until?: IsoDate;
}

/** Where a fact came from, for error messages and for the revision diff. */
export interface Origin {
  file: string;
  row: number;
}

export interface InspectionEvent {
  authority: string;
  /** Event type id from the framework. */
  type: string;
  /** The day of the event, or the first day of the month or year where the source gives only that. */
  date: IsoDate;
  /**
   * The last day the date can mean, where the source gives a month or a year only (`MM/yyyy`,
   * `yyyy`): the event happened at some day from `date` to `dateUntil`. Absent for a full date.
   */
  dateUntil?: IsoDate;
  published: IsoDate | null;
  /** As `dateUntil`, for a publication date given as a month or a year. */
  publishedUntil?: IsoDate;
  /** Judgement id → grade id, or null where the judgement was not made. */
  grades: Record<string, string | null>;
  theme: string | null;
  /** Where readers find the authority's inspection reports, where the source gives it. */
  link?: string;
  origin: Origin;
}

export interface PublishedPoint {
  asAt: IsoDate;
  base: number;
  /** Grade id → percentage as published (0 to 100), null where not stated. */
  percent: Record<string, number | null>;
  goodOrBetterPercent: number | null;
  origin: Origin;
}

/**
 * What one source covers: events of the types it gives, from and until which dates (the file
 * is complete over that span), and reports published up to which date. Declared in the release
 * config (`covers`) or, where not declared, read off the file's own rows.
 */
export interface SourceCoverage {
  /** The file as messages name it. */
  file: string;
  types: string[];
  from: IsoDate | null;
  until: IsoDate | null;
  /** Null where the file gives no publication dates. */
  publishedUntil: IsoDate | null;
  /** Which of the three were declared rather than inferred. */
  declared: { from: boolean; until: boolean; publishedUntil: boolean };
}

export interface Dataset {
  framework: Framework;
  /** What each source covers, in the order of the release config. */
  coverage: SourceCoverage[];
  /** Problems in sources that allow them (`invalidRows: warn`) and rows left out on purpose. */
  warnings: string[];
  authorities: Authority[];
  events: InspectionEvent[];
  published: PublishedPoint[];
  judgement: string | null;
}

/** A data file as read: its header, and its rows one at a time (never all held at once). */
interface Table {
  file: string;
  header: string[];
  /** Whether any value of the file holds a forbidden character (then every row is checked for one). */
  suspect: boolean;
  /** The data rows, read as they are asked for; a file is read through once. */
  records: Iterable<CsvRecord>;
}

/** A short, readable file name for messages: relative to the data root where possible. */
function displayName(file: string, root: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

/** How the loader reads a file (the pipeline's effects; plain file reads by default). */
export type ReadFile = (file: string) => Uint8Array;
const readFromDisk: ReadFile = (file) => readFileSync(file);

/** A syntax error met while reading, as a located error at the line to fix. */
function syntaxError(error: unknown, display: string): unknown {
  if (!(error instanceof CsvSyntaxError)) return error;
  return new StatpressError('bad-value', `not a readable CSV file: ${error.message}`, { file: display, row: error.line });
}

/** The records after the header; a file without any is an error once read through. */
function* dataRecords(records: Iterator<CsvRecord>, display: string): Generator<CsvRecord> {
  let count = 0;
  for (;;) {
    let next: IteratorResult<CsvRecord>;
    try {
      next = records.next();
    } catch (error) {
      throw syntaxError(error, display);
    }
    if (next.done) break;
    count++;
    yield next.value;
  }
  if (count === 0) throw new StatpressError('file-empty', 'the file has a header but no data rows', { file: display });
}

export function readTable(file: string, display: string, read: ReadFile = readFromDisk): Table {
  let buffer: Buffer;
  try {
    const bytes = read(file);
    buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    throw new StatpressError('file-missing', 'file not found', { file: display });
  }
  const text = buffer.toString('utf8');
  if (text.trim() === '') {
    throw new StatpressError('file-empty', 'the file is empty (expected a header row and data)', { file: display });
  }
  const bad = text.indexOf('\uFFFD');
  if (bad !== -1) {
    let line = 1;
    for (let k = text.indexOf('\n'); k !== -1 && k < bad; k = text.indexOf('\n', k + 1)) line++;
    throw new StatpressError('bad-value', 'the file is not valid UTF-8', { file: display, row: line }, 'save it as UTF-8');
  }
  const records = csvRecords(text);
  let head: IteratorResult<CsvRecord>;
  try {
    head = records.next();
  } catch (error) {
    throw syntaxError(error, display);
  }
  if (head.done) throw new StatpressError('file-empty', 'the file is empty (expected a header row and data)', { file: display });
  const header = head.value.cells.map((h) => h.trim());
  header.forEach((name, i) => {
    const problem = forbiddenCharacter(name);
    if (problem) throw characterError(problem, { file: display, row: 1, column: `column ${i + 1}`, value: name });
  });
  return { file: display, header, suspect: forbiddenCharacter(text) !== undefined, records: dataRecords(records, display) };
}

function characterError(problem: CharacterProblem, at: { file: string; row: number; column: string; value: string }): StatpressError {
  return new StatpressError(
    'bad-value',
    `character ${problem.position} of the value is ${problem.code} (${problem.name}), which is invisible and can change how the text reads`,
    { ...at, value: quotable(at.value) },
    'remove it',
  );
}

/** A column a loader reads, and which length limit applies to it. */
interface Reading {
  index: number;
  kind: 'text' | 'link';
}

/**
 * What is wrong with a row as a whole, before its values are read: a missing or extra field, a
 * forbidden character anywhere in it, or a value read from it that is longer than allowed.
 */
function rowProblem(table: Table, record: CsvRecord, reading: readonly Reading[], limits: TextLimits): StatpressError | undefined {
  const { header, file } = table;
  const { cells, line } = record;
  if (cells.length !== header.length) {
    const runs = record.end !== undefined ? `; a quoted field runs on from line ${line} to line ${record.end}: is a quote missing its partner?` : '';
    return new StatpressError(
      'bad-value',
      `the row has ${cells.length} ${cells.length === 1 ? 'field' : 'fields'} but the header has ${header.length}${runs}`,
      { file, row: line },
      cells.length < header.length ? 'every column needs a value or an empty field, so a missing comma would shift the values that follow' : 'a value that holds a comma must be in double quotes',
    );
  }
  if (table.suspect) {
    for (let i = 0; i < cells.length; i++) {
      const problem = forbiddenCharacter(cells[i]!);
      if (problem) return characterError(problem, { file, row: line, column: header[i]!, value: cells[i]! });
    }
  }
  for (const { index, kind } of reading) {
    const value = cells[index]!.trim();
    const limit = limits[kind];
    if (value.length > limit) {
      return new StatpressError(
        'bad-value',
        `the value is ${value.length.toLocaleString('en-GB')} characters long; ${kind === 'link' ? 'a web link' : 'a text value'} may have at most ${limit.toLocaleString('en-GB')}`,
        { file, row: line, column: header[index]!, value: quotable(value) },
        `set limits.${kind}Length in the release config to allow longer ones (Excel's limit, ${EXCEL_LIMITS[kind].toLocaleString('en-GB')}, is the most)`,
      );
    }
  }
  return undefined;
}

/** Finds which of the accepted header spellings a file uses: its index. */
function pickColumn(table: Table, names: string[], required: true): number;
function pickColumn(table: Table, names: string[] | undefined, required: false): number | undefined;
function pickColumn(table: Table, names: string[] | undefined, required: boolean): number | undefined {
  const normalise = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const name of names ?? []) {
    const found = table.header.findIndex((h) => normalise(h) === normalise(name));
    if (found !== -1) return found;
  }
  if (required) {
    throw new StatpressError('column-missing', `the column is missing (header has: ${table.header.map((h) => quotable(h, 60)).join(', ')})`, {
      file: table.file,
      row: 1,
      column: (names ?? []).join('" or "'),
    });
  }
  return undefined;
}

/** Spelling-insensitive lookup of a raw value (case, spacing and dash style ignored). */
export function normaliseKey(value: string): string {
  return value
    .toLowerCase()
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[’‘]/g, "'")
    .replace(/&/g, 'and')
    .replace(/\s+/g, ' ')
    .trim();
}

function buildLookup(spellings: Record<string, string>, ids: Array<{ id: string; label: string }>): Map<string, string> {
  const lookup = new Map<string, string>();
  for (const { id, label } of ids) {
    lookup.set(normaliseKey(id), id);
    lookup.set(normaliseKey(label), id);
  }
  for (const [raw, id] of Object.entries(spellings)) lookup.set(normaliseKey(raw), id);
  return lookup;
}

/**
 * `fn` remembered by its argument: a history repeats the same few spellings, dates and links
 * thousands of times, so each is worked out once, and every row shares the one string.
 */
function remembered<T>(fn: (raw: string) => T): (raw: string) => T {
  const known = new Map<string, T>();
  return (raw) => {
    let value = known.get(raw);
    if (value === undefined && !known.has(raw)) {
      value = fn(raw);
      known.set(raw, value);
    }
    return value as T;
  };
}

/** A date checked against the file's plausible range: the ISO date, or what is wrong with it. */
type DateReading = IsoDate | { problem: string; code: 'bad-date' };
/** The same, for a source whose dates may be a month or a year: the period they mean. */
type PeriodReading = DatePeriod | { problem: string; code: 'bad-date' };

function periodReader(format: string, range: DateRange, setting: string): (raw: string) => PeriodReading {
  return remembered((raw) => {
    const period = parseDatePeriod(raw, format);
    if (!period) return { problem: `not a real date (expected ${format})`, code: 'bad-date' };
    if (period.from < range.from || period.from > range.to) {
      return { problem: `the date is outside the plausible range ${range.from} to ${range.to} (is the year mistyped? ${setting} in the release config declares another range)`, code: 'bad-date' };
    }
    return period;
  });
}

/** Dates that must be days (the register's, a published series'). */
function dateReader(format: string, range: DateRange, setting: string): (raw: string) => DateReading {
  const read = periodReader(format, range, setting);
  return (raw) => {
    const period = read(raw);
    if ('problem' in period) return period;
    return period.precision === 'day' ? period.from : { problem: `not a real date (expected ${format})`, code: 'bad-date' };
  };
}

/**
 * The register of units: the main list, and the changes file of units created or retired. A
 * retired unit keeps a region: its own (the changes file's region column), else the one its
 * successors share. A unit whose region is still unknown is a warning naming its row: it counts
 * in the whole-coverage figures but in no region.
 */
function loadRegister(config: ReleaseConfig, errors: ErrorList, read: ReadFile, warnings: string[]): Authority[] {
  const { authorities, changes } = config.register;
  const table = readTable(authorities.file, displayName(authorities.file, config.dataRoot), read);
  const col = authorities.columns;
  const codeCol = pickColumn(table, [col.code], true);
  const nameCol = pickColumn(table, [col.name], true);
  const regionCol = pickColumn(table, [col.region], true);
  const altCols = col.altNames.map((n) => pickColumn(table, [n], true));
  const reading: Reading[] = [codeCol, nameCol, regionCol, ...altCols].map((index) => ({ index, kind: 'text' }));
  const byCode = new Map<string, Authority>();
  /** Where each unit was read, for a warning about its region. */
  const rowOf = new Map<string, { file: string; row: number }>();
  /** Successor codes of each retired unit, as the changes file names them. */
  const successorsOf = new Map<string, { codes: string[]; file: string; row: number; column: string }>();
  for (const record of table.records) {
    const problem = rowProblem(table, record, reading, config.limits);
    if (problem) {
      errors.add(problem);
      continue;
    }
    const { line, cells } = record;
    const at = (column: number, value: string) => ({ file: table.file, row: line, column: table.header[column]!, value: quotable(value) });
    const code = cells[codeCol]!.trim();
    if (!/^[A-Z]\d{8}$/.test(code)) {
      errors.add(new StatpressError('bad-value', 'not an ONS area code (expected e.g. E09000002)', at(codeCol, code)));
      continue;
    }
    if (byCode.has(code)) {
      errors.add(new StatpressError('duplicate-event', 'the authority is listed twice', at(codeCol, code)));
      continue;
    }
    const name = cells[nameCol]!.trim();
    byCode.set(code, {
      code,
      name,
      names: [name, ...altCols.map((c) => cells[c]!.trim())].filter((n) => n !== ''),
      region: cells[regionCol]!.trim() || null,
    });
    rowOf.set(code, { file: table.file, row: line });
  }
  if (changes) {
    const t = readTable(changes.file, displayName(changes.file, config.dataRoot), read);
    const c = changes.columns;
    const codeCol2 = pickColumn(t, [c.code], true);
    const nameCol2 = pickColumn(t, [c.name], true);
    const fromCol = pickColumn(t, [c.from], true);
    const untilCol = pickColumn(t, [c.until], true);
    const regionCol2 = c.region === undefined ? undefined : pickColumn(t, [c.region], true);
    const successorCol = c.successors === undefined ? undefined : pickColumn(t, [c.successors], true);
    const readDate = dateReader('yyyy-MM-dd', config.dates, 'dates');
    const reading2: Reading[] = [codeCol2, nameCol2, fromCol, untilCol, regionCol2, successorCol]
      .filter((index): index is number => index !== undefined)
      .map((index) => ({ index, kind: 'text' }));
    for (const record of t.records) {
      const problem = rowProblem(t, record, reading2, config.limits);
      if (problem) {
        errors.add(problem);
        continue;
      }
      const { line, cells } = record;
      const code = cells[codeCol2]!.trim();
      const authority = byCode.get(code) ?? { code, name: cells[nameCol2]!.trim() || code, names: [], region: null };
      for (const [column, key] of [[fromCol, 'from'], [untilCol, 'until']] as const) {
        const value = cells[column]!.trim();
        if (value === '') continue;
        const date = isIsoDate(value) ? readDate(value) : { problem: 'not a real date (expected YYYY-MM-DD)', code: 'bad-date' as const };
        if (typeof date !== 'string') {
          errors.add(new StatpressError(date.code, date.problem, { file: t.file, row: line, column: t.header[column]!, value: quotable(value) }));
          continue;
        }
        authority[key] = date;
      }
      if (!authority.names.includes(authority.name)) authority.names.push(authority.name);
      const region = regionCol2 === undefined ? '' : cells[regionCol2]!.trim();
      if (region !== '') authority.region = region;
      if (successorCol !== undefined) {
        const codes = cells[successorCol]!.match(/\b[A-Z]\d{8}\b/g) ?? [];
        if (codes.length > 0) successorsOf.set(code, { codes, file: t.file, row: line, column: t.header[successorCol]! });
      }
      if (!rowOf.has(code)) rowOf.set(code, { file: t.file, row: line });
      byCode.set(code, authority);
    }
  }
  // A retired unit takes the region its successors share (following a chain of changes).
  const regionOf = (code: string, seen: Set<string>): string | null | undefined => {
    const unit = byCode.get(code);
    if (!unit) return undefined;
    if (unit.region !== null) return unit.region;
    const next = successorsOf.get(code);
    if (!next || seen.has(code)) return null;
    seen.add(code);
    const regions = new Set(next.codes.map((c) => regionOf(c, seen)));
    return regions.size === 1 ? [...regions][0] ?? null : null;
  };
  for (const [code, { codes, file, row, column }] of successorsOf) {
    const unknown = codes.find((c) => !byCode.has(c));
    if (unknown) {
      errors.add(new StatpressError('unknown-authority', `the successor ${unknown} is not in the register`, { file, row, column, value: unknown }));
      continue;
    }
    const unit = byCode.get(code)!;
    if (unit.region !== null) continue;
    const regions = [...new Set(codes.map((c) => regionOf(c, new Set([code]))))];
    if (regions.length === 1 && regions[0]) unit.region = regions[0];
    else if (regions.length > 1) {
      const named = regions.map((r) => r ?? 'none').join(', ');
      warnings.push(`${file}, row ${row}: ${unit.name} has no region: its successors are in different regions (${named}); give it one in a region column of the changes file`);
      rowOf.delete(code);
    }
  }
  for (const unit of byCode.values()) {
    const at = rowOf.get(unit.code);
    if (unit.region === null && at) {
      warnings.push(`${at.file}, row ${at.row}: ${unit.name} has no region: it counts in the figures for the whole coverage but in no region (give its region, or its successors' codes, in the register)`);
    }
  }
  return [...byCode.values()];
}

interface SourceColumns {
  code?: number;
  name?: number;
  date: number;
  published?: number;
  type: number;
  theme?: number;
  link?: number;
  judgements: Array<[string, number]>;
}

function resolveColumns(table: Table, layout: Layout): SourceColumns {
  const c = layout.columns;
  const columns: SourceColumns = {
    date: pickColumn(table, c.date, true),
    type: pickColumn(table, c.type, true),
    judgements: Object.entries(c.judgements).map(([id, names]) => [id, pickColumn(table, names, true)]),
  };
  const code = c.authorityCode && !c.authorityName ? pickColumn(table, c.authorityCode, true) : pickColumn(table, c.authorityCode, false);
  const name = c.authorityName && code === undefined ? pickColumn(table, c.authorityName, true) : pickColumn(table, c.authorityName, false);
  const published = pickColumn(table, c.published, false);
  const theme = pickColumn(table, c.theme, false);
  const link = pickColumn(table, c.link, false);
  if (link !== undefined) columns.link = link;
  if (code !== undefined) columns.code = code;
  if (name !== undefined) columns.name = name;
  if (c.published && published === undefined) pickColumn(table, c.published, true);
  if (published !== undefined) columns.published = published;
  if (theme !== undefined) columns.theme = theme;
  return columns;
}

/** Only a plain web address may become a link in the published files (data are text). */
const WEB_ADDRESS = /^https?:\/\/[^\s<>"'`\\]+$/i;

function loadSource(
  source: SourceConfig,
  config: ReleaseConfig,
  authorities: Authority[],
  sourceErrors: ErrorList,
  warnings: string[],
  read: ReadFile,
): InspectionEvent[] {
  // A source that allows bad rows collects their errors as warnings instead.
  const errors = source.invalidRows === 'warn' ? new ErrorList() : sourceErrors;
  let skipped = 0;
  const { framework } = config;
  const table = readTable(source.file, displayName(source.file, config.dataRoot), read);
  const columns = resolveColumns(table, source.layout);
  const reading: Reading[] = [
    ...[columns.code, columns.name, columns.date, columns.published, columns.type, columns.theme, ...columns.judgements.map(([, c]) => c)]
      .filter((c): c is number => c !== undefined)
      .map((index): Reading => ({ index, kind: 'text' })),
    ...(columns.link !== undefined ? [{ index: columns.link, kind: 'link' as const }] : []),
  ];
  const types = buildLookup(source.layout.values.type, framework.eventTypes);
  const themes = buildLookup(source.layout.values.theme, framework.themes);
  const grades = buildLookup(source.layout.values.grade, framework.grades);
  const blanks = new Set(source.layout.blanks.map(normaliseKey));
  const codes = new Map(authorities.map((a) => [a.code, a.code]));
  const names = new Map<string, string>();
  for (const a of authorities) for (const n of a.names) names.set(normaliseKey(n), a.code);
  for (const [alias, code] of Object.entries(source.layout.authorityAliases)) names.set(normaliseKey(alias), code);
  const take = new Set(source.take);
  const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const typeOf = remembered((raw) => types.get(normaliseKey(raw)));
  const themeOf = remembered((raw) => themes.get(normaliseKey(raw)) ?? null);
  /** A grade id, null for a blank, or undefined for a spelling nobody declared. */
  const gradeOf = remembered((raw) => (raw === '' || blanks.has(normaliseKey(raw)) ? null : grades.get(normaliseKey(raw))));
  const authorityByName = remembered((raw) => names.get(normaliseKey(raw)));
  const readDate = periodReader(source.layout.dateFormat, source.dates, `sources[${config.sources.indexOf(source)}].dates`);
  const publishedFormat = source.layout.publishedFormat ?? source.layout.dateFormat;
  const readPublished = periodReader(publishedFormat, source.dates, `sources[${config.sources.indexOf(source)}].dates`);
  const linkOf = remembered((raw) => (WEB_ADDRESS.test(raw) ? raw : undefined));
  // Events with the same judgements share one record of them, found by a number made of the
  // grades' places in the scale (0 for none).
  const gradeSets = new Map<number, Record<string, string | null>>();
  const gradePlace = new Map(framework.grades.map((g, i) => [g.id, i + 1]));
  const gradeScale = new Map(framework.grades.map((g) => [g.id, scaleOf(framework, g)]));
  const judgementScale = new Map(framework.judgements.map((j) => [j.id, scaleOf(framework, j)]));
  const places = framework.grades.length + 1;
  const events: InspectionEvent[] = [];

  for (const record of table.records) {
    const problem = rowProblem(table, record, reading, config.limits);
    if (problem) {
      errors.add(problem);
      continue;
    }
    const { line, cells } = record;
    const cell = (column: number) => cells[column]!.trim();
    const at = (column: number, value: string) => ({ file: table.file, row: line, column: table.header[column]!, value: quotable(value) });
    const before = errors.errors.length;
    const rawType = cell(columns.type);
    const type = typeOf(rawType);
    if (type === 'skip') {
      skipped++;
      continue;
    }
    if (!type) {
      const known = framework.eventTypes.map((t) => t.label).join(', ');
      errors.add(new StatpressError('bad-value', 'unknown inspection or visit type', at(columns.type, rawType), `expected one of: ${known}, or a spelling listed under values.type in layout ${source.layout.id}`));
      continue;
    }
    if (!take.has(type)) continue;

    const rawDate = cell(columns.date);
    const when = readDate(rawDate);
    if ('problem' in when) {
      errors.add(new StatpressError(when.code, when.problem, at(columns.date, rawDate)));
      continue;
    }
    const date = when.from;
    if (source.between && (date < source.between.from || date > source.between.to)) continue;

    let published: DatePeriod | null = null;
    if (columns.published !== undefined) {
      const rawPublished = cell(columns.published);
      if (rawPublished === '' && graded.has(type)) {
        errors.add(new StatpressError('bad-date', 'a graded inspection needs a publication date', at(columns.published, rawPublished)));
      } else if (rawPublished !== '') {
        const reading = readPublished(rawPublished);
        if ('problem' in reading) {
          errors.add(new StatpressError(reading.code, reading.problem, at(columns.published, rawPublished)));
        } else if (reading.until < date) {
          errors.add(new StatpressError('date-order', `the report was published before the inspection (${formatPeriod(when.from, when.until)})`, at(columns.published, rawPublished)));
        } else {
          published = reading;
        }
      }
    }

    let authority: string | undefined;
    if (columns.code !== undefined) {
      const code = cell(columns.code);
      authority = codes.get(code);
      if (!authority && columns.name === undefined) {
        errors.add(new StatpressError('unknown-authority', 'the authority code is not in the register', at(columns.code, code), 'check the code, or add the authority to the register or la-changes file'));
      }
    }
    if (!authority && columns.name !== undefined) {
      const name = cell(columns.name);
      authority = authorityByName(name);
      if (!authority) {
        errors.add(new StatpressError('unknown-authority', 'no authority in the register has this name', at(columns.name, name), 'add the spelling to the register, or map it in the layout'));
      }
    }

    const eventGrades: Record<string, string | null> = {};
    for (const [judgement, column] of columns.judgements) {
      const raw = cell(column);
      const grade = gradeOf(raw);
      if (grade === null) {
        eventGrades[judgement] = null;
        continue;
      }
      if (grade === undefined) {
        const known = framework.grades.map((g) => g.label).join(', ');
        errors.add(new StatpressError('bad-value', 'unknown grade', at(column, raw), `expected one of: ${known}, or blank`));
        continue;
      }
      if (!graded.has(type)) {
        errors.add(new StatpressError('bad-value', 'a visit that is not graded has a judgement', at(column, raw)));
        continue;
      }
      const scale = judgementScale.get(judgement);
      if (gradeScale.get(grade) !== scale) {
        const known = framework.grades.filter((g) => scaleOf(framework, g) === scale).map((g) => g.label).join(', ');
        errors.add(new StatpressError('bad-value', `a grade of another scale than the judgement's (${scale})`, at(column, raw), `expected one of: ${known}, or blank`));
        continue;
      }
      eventGrades[judgement] = grade;
    }

    let theme: string | null = null;
    if (columns.theme !== undefined) {
      const raw = cell(columns.theme);
      if (raw !== '') {
        theme = themeOf(raw);
        if (!theme) {
          errors.add(new StatpressError('bad-value', 'unknown visit theme', at(columns.theme, raw), `expected one of: ${framework.themes.map((t) => t.label).join(', ')}`));
        }
      }
    }
    let link: string | undefined;
    if (columns.link !== undefined) {
      const raw = cell(columns.link);
      if (raw !== '') {
        link = linkOf(raw);
        if (!link) errors.add(new StatpressError('bad-value', 'not a web address (expected one starting http:// or https://)', at(columns.link, raw)));
      }
    }
    if (errors.errors.length > before || !authority) continue;
    let gradeKey = 0;
    for (const [judgement] of columns.judgements) gradeKey = gradeKey * places + (gradePlace.get(eventGrades[judgement] ?? '') ?? 0);
    let shared = gradeSets.get(gradeKey);
    if (!shared) gradeSets.set(gradeKey, (shared = eventGrades));
    const event: InspectionEvent = { authority, type, date, published: published?.from ?? null, grades: shared, theme, origin: { file: table.file, row: line } };
    if (when.precision !== 'day') event.dateUntil = when.until;
    if (published && published.precision !== 'day') event.publishedUntil = published.until;
    if (link) event.link = link;
    events.push(event);
  }
  if (source.invalidRows === 'warn') {
    for (const error of errors.errors) warnings.push(`left out: ${error.describe()}`);
  }
  if (skipped > 0) warnings.push(`${table.file}: ${skipped} rows of a type this release does not count were left out`);
  return events;
}

function loadPublishedSeries(config: ReleaseConfig, errors: ErrorList, read: ReadFile): PublishedPoint[] {
  const series = config.publishedSeries;
  if (!series) return [];
  const table = readTable(series.file, displayName(series.file, config.dataRoot), read);
  const asAtCol = pickColumn(table, [series.columns.asAt], true);
  const baseCol = pickColumn(table, [series.columns.base], true);
  const gradeCols = Object.entries(series.columns.grades).map(([id, name]) => [id, pickColumn(table, [name], true)] as const);
  const gobCol = pickColumn(table, series.columns.goodOrBetter ? [series.columns.goodOrBetter] : undefined, false);
  const reading: Reading[] = [asAtCol, baseCol, ...gradeCols.map(([, c]) => c), ...(gobCol !== undefined ? [gobCol] : [])].map((index) => ({ index, kind: 'text' }));
  const readDate = dateReader('yyyy-MM-dd', config.dates, 'dates');
  const points: PublishedPoint[] = [];
  for (const record of table.records) {
    const problem = rowProblem(table, record, reading, config.limits);
    if (problem) {
      errors.add(problem);
      continue;
    }
    const { line, cells } = record;
    const at = (column: number, value: string) => ({ file: table.file, row: line, column: table.header[column]!, value: quotable(value) });
    const asAt = cells[asAtCol]!.trim();
    const date = isIsoDate(asAt) ? readDate(asAt) : { problem: 'not a real date (expected YYYY-MM-DD)', code: 'bad-date' as const };
    if (typeof date !== 'string') {
      errors.add(new StatpressError(date.code, date.problem, at(asAtCol, asAt)));
      continue;
    }
    const number = (column: number): number | null => {
      const raw = cells[column]!.trim();
      if (raw === '') return null;
      const value = Number(raw);
      if (!/^-?\d+(\.\d+)?$/.test(raw) || value < 0) {
        errors.add(new StatpressError('bad-value', 'not a number', at(column, raw)));
        return null;
      }
      return value;
    };
    const base = number(baseCol);
    const percent = Object.fromEntries(gradeCols.map(([id, column]) => [id, number(column)]));
    points.push({
      asAt: date,
      base: base ?? 0,
      percent,
      goodOrBetterPercent: gobCol !== undefined ? number(gobCol) : null,
      origin: { file: table.file, row: line },
    });
  }
  return points;
}

/** Rejects the same event given twice (same authority, type and date), naming both rows. */
/**
 * The same event twice (one type, unit and date) is an error. Two graded events of different
 * types in one snapshot scope on one date (a unit's two inspections that a snapshot would have to
 * choose between) are a warning naming both, or an error where the release says so
 * (`sameDayEvents: error`). A date given as a month or a year is the same date only as the same period.
 */
function checkDuplicates(
  events: InspectionEvent[],
  dataset: Pick<Dataset, 'framework' | 'authorities'>,
  errors: ErrorList,
  warnings: string[],
  sameDay: 'warn' | 'error',
): void {
  const names = new Map(dataset.authorities.map((a) => [a.code, a.name]));
  const types = new Map(dataset.framework.eventTypes.map((t) => [t.id, t]));
  // By authority and scope (or type, for types no snapshot counts), then date: no key string per event.
  const seen = new Map<string, Map<string, Map<string, InspectionEvent[]>>>();
  for (const event of events) {
    const type = types.get(event.type);
    const scope = type?.graded ? `scope:${type.scope}` : `type:${event.type}`;
    let byScope = seen.get(event.authority);
    if (!byScope) seen.set(event.authority, (byScope = new Map()));
    let byDate = byScope.get(scope);
    if (!byDate) byScope.set(scope, (byDate = new Map()));
    const when = event.dateUntil ? `${event.date}/${event.dateUntil}` : event.date;
    const earlier = byDate.get(when);
    if (!earlier) {
      byDate.set(when, [event]);
      continue;
    }
    const unit = `${names.get(event.authority) ?? event.authority} (${event.authority})`;
    const date = event.dateUntil ? formatPeriod(event.date, event.dateUntil) : event.date;
    const same = earlier.find((e) => e.type === event.type);
    if (same) {
      errors.add(new StatpressError('duplicate-event', `the same ${type?.name ?? event.type} of ${unit} on ${date} is also at ${same.origin.file} row ${same.origin.row}`, {
        file: event.origin.file, row: event.origin.row, value: date,
      }));
      continue;
    }
    const other = earlier[earlier.length - 1]!;
    const message = `a ${type?.name ?? event.type} and a ${types.get(other.type)?.name ?? other.type} of ${unit} on the same date, ${date}, are in one snapshot scope ("${type?.scope}"), which keeps one graded event per unit (the other is at ${other.origin.file} row ${other.origin.row})`;
    const hint = 'if both count, give the types scopes of their own in the framework (scope: …); if one is a mistake, correct the data';
    if (sameDay === 'error') {
      errors.add(new StatpressError('duplicate-event', message, { file: event.origin.file, row: event.origin.row, value: date }, hint));
    } else {
      warnings.push(`${event.origin.file}, row ${event.origin.row}: ${message}; the snapshot keeps this row, the later one (${hint})`);
    }
    earlier.push(event);
  }
}

/** A source's coverage: as declared, else the span of its rows. */
function coverageOf(source: SourceConfig, events: InspectionEvent[], file: string): SourceCoverage {
  const dates = events.map((e) => e.date).sort();
  const published = events.map((e) => e.published).filter((d): d is IsoDate => d !== null).sort();
  const declared = source.covers ?? {};
  // A source read only `between` two dates is taken to cover that span, unless `covers` says otherwise.
  const from = declared.from ?? source.between?.from ?? dates[0] ?? null;
  const until = declared.until ?? source.between?.to ?? dates[dates.length - 1] ?? null;
  return {
    file,
    types: source.take,
    from,
    until,
    publishedUntil: declared.publishedUntil ?? published[published.length - 1] ?? null,
    declared: { from: (declared.from ?? source.between?.from) !== undefined, until: (declared.until ?? source.between?.to) !== undefined, publishedUntil: declared.publishedUntil !== undefined },
  };
}

/** Loads and validates everything a release reads. Throws a StatpressError listing every problem. */
export function loadDataset(config: ReleaseConfig, read: ReadFile = readFromDisk): Dataset {
  const errors = new ErrorList();
  const warnings: string[] = [];
  const authorities = loadRegister(config, errors, read, warnings);
  errors.throwIfAny();
  const perSource = config.sources.map((source) => loadSource(source, config, authorities, errors, warnings, read));
  const events = perSource.flat();
  const coverage = config.sources.map((source, i) => coverageOf(source, perSource[i]!, displayName(source.file, config.dataRoot)));
  checkDuplicates(events, { framework: config.framework, authorities }, errors, warnings, config.sameDayEvents);
  const published = loadPublishedSeries(config, errors, read);
  errors.throwIfAny();
  events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.authority < b.authority ? -1 : 1));
  return {
    framework: config.framework,
    coverage,
    warnings,
    authorities,
    events,
    published,
    judgement: config.publishedSeries?.judgement ?? null,
  };
}
