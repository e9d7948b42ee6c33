/**
 * load: files + release config → a typed, validated Dataset. The only stage that reads data.
 *
 * Every row is checked, and every problem is reported with its file, row (as an editor
 * numbers it, header = 1), column and value, all at once, before anything is computed.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Framework, Layout, ReleaseConfig, SourceConfig } from '../config/config.js';
import { CsvSyntaxError, parseCsvText, type CsvRecord } from './csv.js';
import { isIsoDate, parseDate, type IsoDate } from '../core/dates.js';
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
  date: IsoDate;
  published: IsoDate | null;
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

interface Table {
  file: string;
  header: string[];
  /** Rows as objects keyed by header, with the 1-based line number of each. */
  rows: Array<{ line: number; cells: Record<string, string> }>;
}

/** A short, readable file name for messages: relative to the data root where possible. */
function displayName(file: string, root: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

/** How the loader reads a file (the pipeline's effects; plain file reads by default). */
export type ReadFile = (file: string) => Uint8Array;
const readFromDisk: ReadFile = (file) => readFileSync(file);

export function readTable(file: string, display: string, read: ReadFile = readFromDisk): Table {
  let buffer: Buffer;
  try {
    const bytes = read(file);
    buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    throw new StatpressError('file-missing', 'file not found', { file: display });
  }
  if (buffer.length === 0 || buffer.toString('utf8').trim() === '') {
    throw new StatpressError('file-empty', 'the file is empty (expected a header row and data)', { file: display });
  }
  const text = buffer.toString('utf8');
  if (text.includes('\uFFFD')) {
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    throw new StatpressError('bad-value', 'the file is not valid UTF-8', { file: display, row: line }, 'save it as UTF-8');
  }
  let records: CsvRecord[];
  try {
    records = parseCsvText(text);
  } catch (error) {
    const line = error instanceof CsvSyntaxError ? error.line : undefined;
    throw new StatpressError('bad-value', `not a readable CSV file: ${(error as Error).message}`, {
      file: display,
      ...(line !== undefined ? { row: line } : {}),
    });
  }
  const [head, ...body] = records;
  if (!head || body.length === 0) {
    throw new StatpressError('file-empty', 'the file has a header but no data rows', { file: display });
  }
  const header = head.cells.map((h) => h.trim());
  const rows = body.map(({ cells: record, line }) => {
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      cells[name] = (record[i] ?? '').trim();
    });
    if (record.length > header.length && record.slice(header.length).some((cell) => cell.trim() !== '')) {
      throw new StatpressError('bad-value', `the row has ${record.length} cells but the header has ${header.length}`, {
        file: display,
        row: line,
      });
    }
    for (const [column, value] of Object.entries(cells)) {
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) {
        throw new StatpressError('bad-value', 'the value holds a control character', { file: display, row: line, column, value: value.slice(0, 80) }, 'remove it; it is invisible and breaks documents');
      }
    }
    return { line, cells };
  });
  return { file: display, header, rows };
}

/** Finds which of the accepted header spellings a file uses. */
function pickColumn(table: Table, names: string[], required: true): string;
function pickColumn(table: Table, names: string[] | undefined, required: false): string | undefined;
function pickColumn(table: Table, names: string[] | undefined, required: boolean): string | undefined {
  const normalise = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const name of names ?? []) {
    const found = table.header.find((h) => normalise(h) === normalise(name));
    if (found !== undefined) return found;
  }
  if (required) {
    throw new StatpressError('column-missing', `the column is missing (header has: ${table.header.join(', ')})`, {
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

function loadRegister(config: ReleaseConfig, errors: ErrorList, read: ReadFile): Authority[] {
  const { authorities, changes } = config.register;
  const table = readTable(authorities.file, displayName(authorities.file, config.dataRoot), read);
  const col = authorities.columns;
  const codeCol = pickColumn(table, [col.code], true);
  const nameCol = pickColumn(table, [col.name], true);
  const regionCol = pickColumn(table, [col.region], true);
  const altCols = col.altNames.map((n) => pickColumn(table, [n], true));
  const byCode = new Map<string, Authority>();
  for (const { line, cells } of table.rows) {
    const code = cells[codeCol] ?? '';
    if (!/^[A-Z]\d{8}$/.test(code)) {
      errors.add(new StatpressError('bad-value', 'not an ONS area code (expected e.g. E09000002)', {
        file: table.file, row: line, column: codeCol, value: code,
      }));
      continue;
    }
    if (byCode.has(code)) {
      errors.add(new StatpressError('duplicate-event', 'the authority is listed twice', {
        file: table.file, row: line, column: codeCol, value: code,
      }));
      continue;
    }
    const name = cells[nameCol] ?? '';
    byCode.set(code, {
      code,
      name,
      names: [name, ...altCols.map((c) => cells[c] ?? '')].filter((n) => n !== ''),
      region: cells[regionCol] || null,
    });
  }
  if (changes) {
    const t = readTable(changes.file, displayName(changes.file, config.dataRoot), read);
    const c = changes.columns;
    const codeCol2 = pickColumn(t, [c.code], true);
    const nameCol2 = pickColumn(t, [c.name], true);
    const fromCol = pickColumn(t, [c.from], true);
    const untilCol = pickColumn(t, [c.until], true);
    for (const { line, cells } of t.rows) {
      const code = cells[codeCol2] ?? '';
      const authority = byCode.get(code) ?? { code, name: cells[nameCol2] ?? code, names: [], region: null };
      for (const [column, key] of [[fromCol, 'from'], [untilCol, 'until']] as const) {
        const value = cells[column] ?? '';
        if (value === '') continue;
        if (!isIsoDate(value)) {
          errors.add(new StatpressError('bad-date', 'not a real date (expected YYYY-MM-DD)', {
            file: t.file, row: line, column, value,
          }));
          continue;
        }
        authority[key] = value;
      }
      if (!authority.names.includes(authority.name)) authority.names.push(authority.name);
      byCode.set(code, authority);
    }
  }
  return [...byCode.values()];
}

interface SourceColumns {
  code?: string;
  name?: string;
  date: string;
  published?: string;
  type: string;
  theme?: string;
  link?: string;
  judgements: Array<[string, string]>;
}

function resolveColumns(table: Table, layout: Layout): SourceColumns {
  const c = layout.columns;
  const columns: SourceColumns = {
    date: pickColumn(table, c.date, true),
    type: pickColumn(table, c.type, true),
    judgements: Object.entries(c.judgements).map(([id, names]) => [id, pickColumn(table, names, true)]),
  };
  const code = c.authorityCode && !c.authorityName ? pickColumn(table, c.authorityCode, true) : pickColumn(table, c.authorityCode, false);
  const name = c.authorityName && !code ? pickColumn(table, c.authorityName, true) : pickColumn(table, c.authorityName, false);
  const published = pickColumn(table, c.published, false);
  const theme = pickColumn(table, c.theme, false);
  const link = pickColumn(table, c.link, false);
  if (link) columns.link = link;
  if (code) columns.code = code;
  if (name) columns.name = name;
  if (c.published && !published) pickColumn(table, c.published, true);
  if (published) columns.published = published;
  if (theme) columns.theme = theme;
  return columns;
}

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
  const types = buildLookup(source.layout.values.type, framework.eventTypes);
  const themes = buildLookup(source.layout.values.theme, framework.themes);
  const grades = buildLookup(source.layout.values.grade, framework.grades);
  const blanks = new Set(source.layout.blanks.map(normaliseKey));
  const codes = new Map(authorities.map((a) => [a.code, a]));
  const names = new Map<string, string>();
  for (const a of authorities) for (const n of a.names) names.set(normaliseKey(n), a.code);
  for (const [alias, code] of Object.entries(source.layout.authorityAliases)) names.set(normaliseKey(alias), code);
  const take = new Set(source.take);
  const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const events: InspectionEvent[] = [];

  for (const { line, cells } of table.rows) {
    const at = (column: string, value: string) => ({ file: table.file, row: line, column, value });
    const before = errors.errors.length;
    const rawType = cells[columns.type] ?? '';
    const type = types.get(normaliseKey(rawType));
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

    const rawDate = cells[columns.date] ?? '';
    const date = parseDate(rawDate, source.layout.dateFormat);
    if (!date) {
      errors.add(new StatpressError('bad-date', `not a real date (expected ${source.layout.dateFormat})`, at(columns.date, rawDate)));
      continue;
    }
    if (source.between && (date < source.between.from || date > source.between.to)) continue;

    let published: IsoDate | null = null;
    if (columns.published) {
      const rawPublished = cells[columns.published] ?? '';
      if (rawPublished === '' && graded.has(type)) {
        errors.add(new StatpressError('bad-date', 'a graded inspection needs a publication date', at(columns.published, rawPublished)));
      } else if (rawPublished !== '') {
        const format = source.layout.publishedFormat ?? source.layout.dateFormat;
        published = parseDate(rawPublished, format) ?? null;
        if (!published) {
          errors.add(new StatpressError('bad-date', `not a real date (expected ${format})`, at(columns.published, rawPublished)));
        } else if (published < date) {
          errors.add(new StatpressError('date-order', `the report was published before the inspection (${date})`, at(columns.published, rawPublished)));
        }
      }
    }

    let authority: string | undefined;
    if (columns.code) {
      const code = cells[columns.code] ?? '';
      if (codes.has(code)) authority = code;
      else if (!columns.name) {
        errors.add(new StatpressError('unknown-authority', 'the authority code is not in the register', at(columns.code, code), 'check the code, or add the authority to the register or la-changes file'));
      }
    }
    if (!authority && columns.name) {
      const name = cells[columns.name] ?? '';
      authority = names.get(normaliseKey(name));
      if (!authority) {
        errors.add(new StatpressError('unknown-authority', 'no authority in the register has this name', at(columns.name, name), 'add the spelling to the register, or map it in the layout'));
      }
    }

    const eventGrades: Record<string, string | null> = {};
    for (const [judgement, column] of columns.judgements) {
      const raw = cells[column] ?? '';
      if (raw === '' || blanks.has(normaliseKey(raw))) {
        eventGrades[judgement] = null;
        continue;
      }
      const grade = grades.get(normaliseKey(raw));
      if (!grade) {
        const known = framework.grades.map((g) => g.label).join(', ');
        errors.add(new StatpressError('bad-value', 'unknown grade', at(column, raw), `expected one of: ${known}, or blank`));
        continue;
      }
      if (!graded.has(type)) {
        errors.add(new StatpressError('bad-value', 'a visit that is not graded has a judgement', at(column, raw)));
        continue;
      }
      eventGrades[judgement] = grade;
    }

    let theme: string | null = null;
    if (columns.theme) {
      const raw = cells[columns.theme] ?? '';
      if (raw !== '') {
        theme = themes.get(normaliseKey(raw)) ?? null;
        if (!theme) {
          errors.add(new StatpressError('bad-value', 'unknown visit theme', at(columns.theme, raw), `expected one of: ${framework.themes.map((t) => t.label).join(', ')}`));
        }
      }
    }
    let link: string | undefined;
    if (columns.link) {
      const raw = (cells[columns.link] ?? '').trim();
      // Data are text: only a plain web address may become a link in the published files.
      if (raw !== '' && !/^https?:\/\/[^\s<>"'`\\]+$/i.test(raw)) {
        errors.add(new StatpressError('bad-value', 'not a web address (expected one starting http:// or https://)', at(columns.link, raw)));
      } else if (raw !== '') link = raw;
    }
    if (errors.errors.length > before || !authority) continue;
    events.push({ authority, type, date, published, grades: eventGrades, theme, ...(link ? { link } : {}), origin: { file: table.file, row: line } });
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
  const points: PublishedPoint[] = [];
  for (const { line, cells } of table.rows) {
    const asAt = cells[asAtCol] ?? '';
    if (!isIsoDate(asAt)) {
      errors.add(new StatpressError('bad-date', 'not a real date (expected YYYY-MM-DD)', { file: table.file, row: line, column: asAtCol, value: asAt }));
      continue;
    }
    const number = (column: string): number | null => {
      const raw = cells[column] ?? '';
      if (raw === '') return null;
      const value = Number(raw);
      if (!/^-?\d+(\.\d+)?$/.test(raw) || value < 0) {
        errors.add(new StatpressError('bad-value', 'not a number', { file: table.file, row: line, column, value: raw }));
        return null;
      }
      return value;
    };
    const base = number(baseCol);
    const percent = Object.fromEntries(gradeCols.map(([id, column]) => [id, number(column)]));
    points.push({
      asAt,
      base: base ?? 0,
      percent,
      goodOrBetterPercent: gobCol ? number(gobCol) : null,
      origin: { file: table.file, row: line },
    });
  }
  return points;
}

/** Rejects the same event given twice (same authority, type and date), naming both rows. */
function checkDuplicates(events: InspectionEvent[], dataset: Pick<Dataset, 'framework' | 'authorities'>, errors: ErrorList): void {
  const names = new Map(dataset.authorities.map((a) => [a.code, a.name]));
  const types = new Map(dataset.framework.eventTypes.map((t) => [t.id, t.name]));
  const seen = new Map<string, InspectionEvent>();
  for (const event of events) {
    const key = `${event.authority}|${event.type}|${event.date}`;
    const first = seen.get(key);
    if (first) {
      errors.add(new StatpressError('duplicate-event', `the same ${types.get(event.type) ?? event.type} of ${names.get(event.authority) ?? event.authority} (${event.authority}) on ${event.date} is also at ${first.origin.file} row ${first.origin.row}`, {
        file: event.origin.file, row: event.origin.row, value: event.date,
      }));
    } else {
      seen.set(key, event);
    }
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
  const authorities = loadRegister(config, errors, read);
  errors.throwIfAny();
  const warnings: string[] = [];
  const perSource = config.sources.map((source) => loadSource(source, config, authorities, errors, warnings, read));
  const events = perSource.flat();
  const coverage = config.sources.map((source, i) => coverageOf(source, perSource[i]!, displayName(source.file, config.dataRoot)));
  checkDuplicates(events, { framework: config.framework, authorities }, errors);
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
