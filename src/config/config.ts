/**
 * Release configuration: one YAML file per release naming its data, dates, framework,
 * layouts, templates and metadata. Everything release-specific (grade names, judgement areas,
 * inspection types, regions, wording) comes from here and from the templates, never from src/.
 * Each file is checked against its schema (schemas.ts) by the one validator (yaml.ts); this
 * module works out what the schemas cannot: defaults taken from other settings, absolute paths,
 * the release's dates, and the ids one file takes from another.
 */
import { dirname, resolve } from 'node:path';
import { addDays, addMonths, datePatternProblem, formatDate, formatMonth, type IsoDate } from '../core/dates.js';
import { isInside, realPath } from '../core/paths.js';
import { ErrorList, nearest, StatpressError, type ErrorLocation } from '../core/errors.js';
import type { z } from 'zod';
import { frameworkSchema, layoutSchema, releaseSchema } from './schemas.js';
import { settingTemplateProblem } from './template-syntax.js';
import { loadYaml, readUtf8, type ReadText, type SettingPath, type YamlFile } from './yaml.js';

export interface Grade {
  id: string;
  label: string;
  colour: string;
  textColour: string;
  goodOrBetter: boolean;
  /** The grade scale it belongs to, where the framework has more than one (else the framework's id). */
  scale?: string;
}
export interface Judgement {
  id: string;
  /** Short label for tables and figures ("Help and protection"). */
  label: string;
  /** Full name for sentences ("the experiences and progress of children in care"). */
  name: string;
  headline: boolean;
  from?: IsoDate;
  until?: IsoDate;
  /** When the `until` date was announced (releases published before then do not state it). */
  announced?: IsoDate;
  /** The grade scale it is graded on, where the framework has more than one (else the framework's id). */
  scale?: string;
}

/** The scale a grade or judgement belongs to: its own, else the framework's one scale. */
export function scaleOf(framework: Pick<Framework, 'id'>, item: { scale?: string }): string {
  return item.scale ?? framework.id;
}
export interface EventType {
  id: string;
  label: string;
  name: string;
  plural: string;
  graded: boolean;
  /**
   * Snapshot scope, for a graded type: the snapshot keeps each unit's latest graded event of each
   * scope. Graded types that declare none share the scope `graded`.
   */
  scope?: string;
}
/** The snapshot scope of graded event types that declare none. */
export const DEFAULT_SCOPE = 'graded';
export interface Theme {
  id: string;
  label: string;
}
/** "At least `count` of these judgements have one of these grades." */
export interface Condition {
  judgements: string[];
  count: number;
  grades: string[];
}
/**
 * A way of grouping authorities by their latest judgements (from April 2026 Ofsted decides the
 * next inspection this way). Classes are tried in order; the first that matches wins.
 */
export interface Classification {
  id: string;
  label: string;
  /** Matches when every condition in `allOf` and at least one in `anyOf` (if given) hold. */
  allOf: Condition[];
  anyOf: Condition[];
  colour: string;
}
export interface Framework {
  id: string;
  name: string;
  shortName: string;
  /** Best first. */
  grades: Grade[];
  judgements: Judgement[];
  eventTypes: EventType[];
  themes: Theme[];
  classifications: Classification[];
  /** Numbers the framework sets that the text states, by name. */
  facts: Record<string, number>;
}

/** How one file's columns and spellings map onto inspection events. */
export interface Layout {
  id: string;
  dateFormat: string;
  /** Date format of the publication column where it differs from `dateFormat`. */
  publishedFormat?: string;
  columns: {
    authorityCode?: string[];
    authorityName?: string[];
    date: string[];
    published?: string[];
    type: string[];
    theme?: string[];
    /** A web address for the authority's inspection reports (http or https only). */
    link?: string[];
    judgements: Record<string, string[]>;
  };
  /** Raw spelling → framework id, per kind of value; matched without regard to case or spacing. */
  /**
   * Raw spelling → framework id, per kind of value; matched without regard to case or spacing.
   * A type mapped to `skip` marks rows that are not events to count (e.g. reports of an older
   * framework in a scrape); they are left out and counted.
   */
  values: { type: Record<string, string>; theme: Record<string, string>; grade: Record<string, string> };
  /** Raw values that mean "no judgement" (besides an empty cell), e.g. a scrape's sentinels. */
  blanks: string[];
  /** Authority names this layout spells differently from the register → ONS code. */
  authorityAliases: Record<string, string>;
}

/** The dates a data file may hold: a value outside is refused. */
export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

export interface SourceConfig {
  file: string;
  layout: Layout;
  take: string[];
  between?: { from: IsoDate; to: IsoDate };
  /** What the file is declared to cover; what is not declared is inferred from its rows. */
  covers?: { from?: IsoDate; until?: IsoDate; publishedUntil?: IsoDate };
  /** What the file is, as the methodology names it. */
  title?: string;
  /** Dates outside this range are refused (the release's range unless the source declares its own). */
  dates: DateRange;
  /**
   * `error` (default): any bad row stops the build. `warn`: bad rows are left out and listed as
   * warnings, for secondary sources known to have a few unreadable rows.
   */
  invalidRows: 'error' | 'warn';
}

export interface PeriodRules {
  asAt: IsoDate;
  publishedBy: IsoDate;
  inYear: { from: IsoDate; to: IsoDate };
  previousYear: { from: IsoDate; to: IsoDate };
  /** Earlier as-at dates to compare with, most recent first, each with its publication cut-off. */
  comparisons: Array<{ asAt: IsoDate; publishedBy: IsoDate }>;
  publicationLagMonths: number;
  inYearMonths: number;
  comparisonYearsBack: number[];
  /** What the data model's `base_grade` compares a latest grade with (`previous` unless the release says `first`). */
  movementBase?: MovementBase;
  /** The release's further named windows (`period.windows`), where it declares any. */
  windows?: NamedWindow[];
}

export type MovementBase = 'previous' | 'first';

/** How a release declares a window: exactly one of a date range, months back, a quarter or a year. */
export interface WindowSpec {
  name: string;
  from?: IsoDate;
  to?: IsoDate;
  monthsBack?: number;
  quarter?: string;
  year?: 'latest' | number;
}

/** A named period events are counted over. */
export interface NamedWindow {
  name: string;
  from: IsoDate;
  to: IsoDate;
}

/** The dates of each declared window as at `asAt` (windows given relative to it move with `--as-at`). */
export function deriveWindows(asAt: IsoDate, specs: readonly WindowSpec[]): NamedWindow[] {
  const quarterOf = (year: number, q: number): NamedWindow => {
    const from = `${year}-${String(3 * q - 2).padStart(2, '0')}-01`;
    return { name: '', from, to: addDays(addMonths(from, 3), -1) };
  };
  return specs.map((w) => {
    if (w.monthsBack !== undefined) return { name: w.name, from: addDays(addMonths(asAt, -w.monthsBack), 1), to: asAt };
    if (w.quarter !== undefined) {
      const [year, q] = w.quarter === 'latest' ? [Number(asAt.slice(0, 4)), Math.floor((Number(asAt.slice(5, 7)) - 1) / 3) + 1] : [Number(w.quarter.slice(0, 4)), Number(w.quarter.slice(6))];
      return { ...quarterOf(year, q), name: w.name };
    }
    if (w.year !== undefined) {
      const year = w.year === 'latest' ? asAt.slice(0, 4) : String(w.year);
      return { name: w.name, from: `${year}-01-01`, to: `${year}-12-31` };
    }
    return { name: w.name, from: w.from!, to: w.to! };
  });
}

export interface ContextFigure {
  value?: number;
  share?: number;
  text?: string;
  /** Address of the publication quoted, and its name. */
  source: string;
  sourceTitle: string;
  /** Publication date of the edition the figure is quoted from. */
  edition: IsoDate;
  /** The date the figure describes. */
  asAt?: IsoDate;
  /** Where `edition` is written in the config (file, line, column), for messages. */
  editionAt?: ErrorLocation;
}

export interface ReleaseMetaConfig {
  title: string;
  status: string;
  draft: boolean;
  coverage: string;
  published: IsoDate;
  nextUpdate: string;
  producer: string;
  contact: { name: string; email: string; team: string; teamEmail: string };
  licence: { name: string; url: string };
  language: string;
  series?: { title: string; url?: string };
  includes: string[];
  acknowledgements?: string;
  glossaryUrl?: string;
  releaseUrl?: string;
  methodologyUrl?: string;
  frequency?: string;
  /** `previous`: the published build compared with (absolute path of its folder or manifest.json). */
  revision?: { date: IsoDate; reason: string; previous?: string };
  context: Record<string, ContextFigure>;
  abbreviations: Record<string, string>;
  /** The landing page's title and summary templates. */
  publication?: { title: string; summary: string };
}

/** One document of the release: the main findings (the release's own template set) or another. */
export interface DocumentConfig {
  /** Names its files: `<id>.html`, `<id>.pdf`, `<id>.docx`. */
  id: string;
  label: string;
  /** Title template; absent for the main document, which takes meta.title. */
  title?: string;
  templateDir: string;
  main: boolean;
}

export interface ReleaseConfig {
  id: string;
  /** Absolute path of the YAML file, for messages. */
  file: string;
  templateDir: string;
  dataRoot: string;
  /** The dates the register and published series may hold (sources have their own, `dates`). */
  dates: DateRange;
  /** Most characters a text value and a web link read from data may have. */
  limits: { text: number; link: number };
  framework: Framework;
  period: PeriodRules;
  register: {
    authorities: { file: string; columns: { code: string; name: string; altNames: string[]; region: string } };
    changes?: { file: string; columns: { code: string; name: string; from: string; until: string; region?: string; successors?: string } };
  };
  sources: SourceConfig[];
  publishedSeries?: {
    file: string;
    judgement: string;
    computeFrom: IsoDate;
    columns: { asAt: string; base: string; grades: Record<string, string>; goodOrBetter?: string };
  };
  meta: ReleaseMetaConfig;
  /** The documents of the release, the main one first. */
  documents: DocumentConfig[];
  preReleaseAccess?: { hours: number; recipients: Array<{ role: string; organisation: string }> };
  /** How sentences name a region where it differs from its name ("the North West"). */
  regionPhrases: Record<string, string>;
  /** What two graded events of one scope, unit and date are: a warning, or an error. */
  sameDayEvents: 'warn' | 'error';
  /** Files chart specs may use by name (e.g. map boundaries), as absolute paths. */
  resources: Record<string, string>;
  /**
   * Notes for the underlying-data workbook, numbered in this order. `appliesTo` names the tables
   * (latest-judgements, in-year-inspections, inspection-history, figure-N, table-N) and columns
   * (code, name, region, a judgement id …) whose title or header carries "[note N]".
   */
  notes: Array<{ id: string; text: string; appliesTo?: string[] }>;
  /** Every file the release reads, for the build manifest. */
  inputs: string[];
}

export interface ReleaseOverrides {
  asAt?: IsoDate;
  publishedBy?: IsoDate;
  draft?: boolean;
}

/** Where one id of a list setting is: the item of a list, or the setting when one string was written. */
function itemPath(source: YamlFile, path: SettingPath, index: number): SettingPath {
  return Array.isArray(source.valueAt(path)) ? [...path, index] : path;
}

/** "did you mean …?" or the ids there are, for an id that names nothing. */
function idHint(id: string, ids: Iterable<string>, what: string): string {
  const known = [...ids];
  const near = nearest(id, known);
  return near ? `did you mean "${near}"?` : `the ${what} are: ${known.join(', ')}`;
}

function readFramework(file: string, read: ReadText): Framework {
  const { value: raw, source } = loadYaml(file, frameworkSchema, read);
  const framework: Framework = {
    id: raw.id,
    name: raw.name,
    shortName: raw.shortName ?? raw.name,
    grades: raw.grades.map((g) => ({ id: g.id, label: g.label, colour: g.colour, textColour: g.textColour, goodOrBetter: g.goodOrBetter, ...(g.scale !== undefined ? { scale: g.scale } : {}) })),
    judgements: raw.judgements.map((j) => {
      const judgement: Judgement = { id: j.id, label: j.label, name: j.name ?? j.label, headline: j.headline };
      if (j.from !== undefined) judgement.from = j.from;
      if (j.until !== undefined) judgement.until = j.until;
      if (j.announced !== undefined) judgement.announced = j.announced;
      if (j.scale !== undefined) judgement.scale = j.scale;
      return judgement;
    }),
    eventTypes: raw.eventTypes.map((t) => {
      const name = t.name ?? t.label;
      const type: EventType = { id: t.id, label: t.label, name, plural: t.plural ?? `${name}s`, graded: t.graded };
      if (t.graded) type.scope = t.scope ?? DEFAULT_SCOPE;
      return type;
    }),
    themes: raw.themes.map((t) => ({ id: t.id, label: t.label })),
    classifications: [],
    facts: { ...raw.facts },
  };
  // Conditions name judgements and grades of this framework.
  const errors = new ErrorList();
  raw.eventTypes.forEach((t, i) => {
    if (t.scope !== undefined && !t.graded) errors.add(source.error(['eventTypes', i, 'scope'], `event type "${t.id}" is not graded, so a snapshot never counts it: a scope means nothing here`, { hint: 'set graded: true, or remove the scope' }));
  });
  const scales = new Set(framework.grades.map((g) => scaleOf(framework, g)));
  raw.judgements.forEach((j, i) => {
    if (j.scale !== undefined && !scales.has(j.scale)) errors.add(source.error(['judgements', i, 'scale'], `no grade is on the scale "${j.scale}"`, { value: j.scale, hint: idHint(j.scale, scales, 'scales') }));
  });
  const judgementIds = framework.judgements.map((j) => j.id);
  const gradeIds = framework.grades.map((g) => g.id);
  const readCondition = (c: Condition, path: SettingPath): Condition => {
    c.judgements.forEach((id, k) => {
      if (!judgementIds.includes(id)) errors.add(source.error(itemPath(source, [...path, 'judgements'], k), `unknown judgement "${id}"`, { value: id, hint: idHint(id, judgementIds, 'judgements') }));
    });
    c.grades.forEach((id, k) => {
      if (!gradeIds.includes(id)) errors.add(source.error(itemPath(source, [...path, 'grades'], k), `unknown grade "${id}"`, { value: id, hint: idHint(id, gradeIds, 'grades') }));
    });
    return { judgements: c.judgements, count: c.count, grades: c.grades };
  };
  framework.classifications = raw.classifications.map((c, i) => ({
    id: c.id,
    label: c.label,
    colour: c.colour,
    allOf: c.allOf.map((condition, k) => readCondition(condition, ['classifications', i, 'allOf', k])),
    anyOf: c.anyOf.map((condition, k) => readCondition(condition, ['classifications', i, 'anyOf', k])),
  }));
  errors.throwIfAny();
  return framework;
}

function readLayout(file: string, framework: Framework, read: ReadText): Layout {
  const { value: raw, source } = loadYaml(file, layoutSchema, read);
  const errors = new ErrorList();
  const judgementIds = framework.judgements.map((j) => j.id);
  const judgements: Record<string, string[]> = {};
  for (const [id, columns] of Object.entries(raw.columns.judgements)) {
    if (!judgementIds.includes(id)) {
      errors.add(source.error(['columns', 'judgements', id], `"${id}" is not a judgement of framework ${framework.id}`, { part: 'key', hint: idHint(id, judgementIds, 'judgements') }));
    }
    judgements[id] = columns;
  }
  const layout: Layout = {
    id: raw.id,
    dateFormat: raw.dateFormat,
    columns: { date: raw.columns.date, type: raw.columns.type, judgements },
    values: { type: raw.values?.type ?? {}, theme: raw.values?.theme ?? {}, grade: raw.values?.grade ?? {} },
    blanks: raw.blanks,
    authorityAliases: raw.authorityAliases,
  };
  if (raw.publishedFormat) layout.publishedFormat = raw.publishedFormat;
  for (const key of ['dateFormat', 'publishedFormat'] as const) {
    const problem = raw[key] === undefined ? undefined : datePatternProblem(raw[key]);
    if (problem) errors.add(source.error([key], problem, { hint: 'write the pattern with yyyy (or yy), MM and dd in the order the file gives them: yyyy for a year only, MM/yyyy or yyyy-MM for a month' }));
  }
  const { authorityCode: code, authorityName: name, published, theme, link } = raw.columns;
  if (link) layout.columns.link = link;
  if (code) layout.columns.authorityCode = code;
  if (name) layout.columns.authorityName = name;
  if (published) layout.columns.published = published;
  if (theme) layout.columns.theme = theme;
  if (!code && !name) {
    errors.add(source.error(['columns'], 'a layout needs columns.authorityCode or columns.authorityName', { part: 'key' }));
  }
  errors.throwIfAny();
  return layout;
}

/**
 * Derives the dates a release needs from its as-at date and the rules in the config, so that
 * `--as-at` alone makes another quarter's or year's release.
 */
export function derivePeriod(
  asAt: IsoDate,
  rules: { publishedBy?: IsoDate; publicationLagMonths: number; inYearMonths: number; comparisonYearsBack: number[] },
): PeriodRules {
  const publishedBy = rules.publishedBy ?? addMonths(asAt, rules.publicationLagMonths);
  const yearStart = (end: IsoDate): IsoDate => addDays(addMonths(end, -rules.inYearMonths), 1);
  const previousEnd = addMonths(asAt, -rules.inYearMonths);
  return {
    asAt,
    publishedBy,
    inYear: { from: yearStart(asAt), to: asAt },
    previousYear: { from: yearStart(previousEnd), to: previousEnd },
    comparisons: rules.comparisonYearsBack.map((years) => {
      const date = addMonths(asAt, -12 * years);
      return { asAt: date, publishedBy: addMonths(date, rules.publicationLagMonths) };
    }),
    publicationLagMonths: rules.publicationLagMonths,
    inYearMonths: rules.inYearMonths,
    comparisonYearsBack: rules.comparisonYearsBack,
  };
}


/**
 * The publication date, which cannot come before the last report the release counts was
 * published. Checked when the config's own dates are used; `--as-at` builds of other dates keep
 * the written publication date as it is.
 */
function releaseDate(source: YamlFile, published: IsoDate, period: PeriodRules, check: boolean): IsoDate {
  if (check && published < period.publishedBy) {
    throw source.error(['meta', 'published'], `the release is published before its publication cut-off (${period.publishedBy})`, {
      code: 'date-order',
      value: published,
      hint: 'reports published up to the cut-off are counted, so the release cannot come out earlier',
    });
  }
  return published;
}

/** "September 2026" moved on by `months`, or null where the text is not a month and year. */
export function shiftMonthText(text: string, months: number): string | null {
  const m = /^\s*([A-Z][a-z]+)\s+(\d{4})\s*$/.exec(text);
  const index = m ? MONTH_NAMES.indexOf(m[1]!) : -1;
  if (!m || index < 0) return null;
  return formatMonth(addMonths(`${m[2]}-${String(index + 1).padStart(2, '0')}-01`, months));
}
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Whole months from one ISO date to another (by calendar month). */
function monthsBetween(from: IsoDate, to: IsoDate): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}

/**
 * The publication date, next update and acknowledgements of the edition being built. The
 * config's own `meta` belongs to its own as-at date; another date (`--as-at`) takes its
 * metadata from `editions`, or, in a draft, derives them by moving the config's on by as many
 * months (acknowledgements left out). Otherwise the build is refused: a release must not print
 * another edition's publication date, next update or thanks.
 */
function editionMeta(
  source: YamlFile,
  raw: z.output<typeof releaseSchema>,
  asAt: IsoDate,
  overrides: ReleaseOverrides,
): { published: IsoDate; nextUpdate: string; acknowledgements?: string; context?: z.output<typeof releaseSchema>['meta']['context']; own: boolean } {
  const m = raw.meta;
  const withThanks = (e: { published: IsoDate; nextUpdate: string; acknowledgements?: string | undefined }, own: boolean) => ({
    published: e.published,
    nextUpdate: e.nextUpdate,
    ...(e.acknowledgements !== undefined ? { acknowledgements: e.acknowledgements } : {}),
    own,
  });
  if (asAt === raw.period.asAt) return withThanks(m, true);
  const listed = raw.editions[asAt];
  if (listed) return { ...withThanks(listed, false), ...(listed.context ? { context: listed.context } : {}) };
  const draft = overrides.draft ?? false;
  if (draft) {
    const months = monthsBetween(raw.period.asAt, asAt);
    return { published: addMonths(m.published, months), nextUpdate: shiftMonthText(m.nextUpdate, months) ?? 'to be confirmed', own: false };
  }
  throw source.error(['meta', 'published'], `the metadata in this config (published ${formatDate(m.published)}, next update ${m.nextUpdate}${m.acknowledgements ? ', acknowledgements' : ''}) belong to the edition as at ${formatDate(raw.period.asAt)}, not to the one as at ${formatDate(asAt)}`, {
    code: 'config',
    value: m.published,
    hint: `add that edition under editions (${asAt}: { published: …, nextUpdate: … }), make a config for it with statpress next, or build a draft with --draft (its dates then derived)`,
  });
}

/** Reads and checks a release config and everything it refers to (framework, layouts). */
export function loadReleaseConfig(configFile: string, overrides: ReleaseOverrides = {}, read: ReadText = readUtf8): ReleaseConfig {
  const file = resolve(configFile);
  const base = dirname(file);
  const { value: raw, source } = loadYaml(file, releaseSchema, read);
  const frameworkFile = resolve(base, raw.framework);
  const framework = readFramework(frameworkFile, read);
  const dataRoot = resolve(base, raw.dataRoot);
  /**
   * A data or resource file: relative to dataRoot, and inside it unless the config says
   * otherwise, so a config cannot make a build read (and quote in its messages) any file on
   * the machine. Links are followed, so a link inside dataRoot to a file outside is outside.
   */
  const inData = (path: string, setting: SettingPath): string => {
    const file = resolve(dataRoot, path);
    if (!raw.allowDataOutsideRoot && !isInside(realPath(file), realPath(dataRoot))) {
      errors.add(source.error(setting, `the file is outside dataRoot (${dataRoot})`, {
        value: path,
        hint: 'data and resources are read only from dataRoot; move the file there, or set allowDataOutsideRoot: true in the release config',
      }));
    }
    return file;
  };
  const errors = new ErrorList();

  // The written dates are checked (by the schema) even when the command line overrides them.
  const p = raw.period;
  const asAt = overrides.asAt ?? p.asAt;
  // A fixed cut-off belongs to the config's own as-at date; another date derives its own.
  const configuredPublishedBy = overrides.asAt && overrides.asAt !== p.asAt ? undefined : p.publishedBy;
  const publishedBy = overrides.publishedBy ?? configuredPublishedBy;
  const period = derivePeriod(asAt, {
    ...(publishedBy !== undefined ? { publishedBy } : {}),
    publicationLagMonths: p.publicationLagMonths,
    inYearMonths: p.inYearMonths,
    comparisonYearsBack: p.comparisonYearsBack,
  });
  if (p.movementBase !== 'previous') period.movementBase = p.movementBase;
  const windowNames = new Set(['in_year', 'previous_year']);
  p.windows.forEach((w, i) => {
    const kinds = [w.from !== undefined || w.to !== undefined, w.monthsBack !== undefined, w.quarter !== undefined, w.year !== undefined].filter(Boolean).length;
    if (kinds !== 1) throw source.error(['period', 'windows', i], 'a window is given by exactly one of: from and to, monthsBack, quarter, year', { code: 'config' });
    if ((w.from === undefined) !== (w.to === undefined)) throw source.error(['period', 'windows', i, w.from === undefined ? 'to' : 'from'], 'a date range needs both from and to', { code: 'config' });
    if (w.from !== undefined && w.to !== undefined && w.from > w.to) throw source.error(['period', 'windows', i, 'to'], 'the window ends before it starts', { code: 'date-order', value: w.to });
    if (windowNames.has(w.name)) throw source.error(['period', 'windows', i, 'name'], `there is already a window named "${w.name}"`, { code: 'config', value: w.name });
    windowNames.add(w.name);
  });
  if (p.windows.length > 0) period.windows = deriveWindows(period.asAt, p.windows);
  if (period.publishedBy < period.asAt) {
    const message = 'the publication cut-off is before the as-at date';
    // Placed at the written cut-off when that is the one used, else it came from the command line.
    throw overrides.publishedBy === undefined && configuredPublishedBy !== undefined
      ? source.error(['period', 'publishedBy'], message, { code: 'date-order', value: period.publishedBy })
      : new StatpressError('date-order', message, { file, setting: 'period.publishedBy', value: period.publishedBy });
  }

  // Dates outside this range are slips of the keyboard (1018 for 2018); a file may declare its own.
  const latestAsAt = overrides.asAt && overrides.asAt > p.asAt ? overrides.asAt : p.asAt;
  const dates: DateRange = { from: raw.dates?.from ?? '1900-01-01', to: raw.dates?.to ?? addMonths(latestAsAt, 12) };
  if (dates.to < dates.from) errors.add(source.error(['dates', 'to'], `the range of plausible dates ends before it starts (${dates.from})`, { code: 'date-order', value: dates.to }));

  const a = raw.register.authorities;
  const register: ReleaseConfig['register'] = {
    authorities: {
      file: inData(a.file, ['register', 'authorities', 'file']),
      columns: { code: a.columns.code, name: a.columns.name, altNames: a.columns.altNames ?? [], region: a.columns.region },
    },
  };
  const ch = raw.register.changes;
  if (ch) {
    register.changes = {
      file: inData(ch.file, ['register', 'changes', 'file']),
      columns: { code: ch.columns.code, name: ch.columns.name, from: ch.columns.from, until: ch.columns.until },
    };
    if (ch.columns.region) register.changes.columns.region = ch.columns.region;
    if (ch.columns.successors) register.changes.columns.successors = ch.columns.successors;
  }

  const layouts = new Map<string, Layout>();
  const typeIds = framework.eventTypes.map((t) => t.id);
  const sources = raw.sources.map((s, i): SourceConfig => {
    const layoutFile = resolve(base, s.layout);
    let layout = layouts.get(layoutFile);
    if (!layout) {
      layout = readLayout(layoutFile, framework, read);
      layouts.set(layoutFile, layout);
    }
    const take = s.take ?? [...typeIds];
    take.forEach((id, k) => {
      if (!typeIds.includes(id)) {
        errors.add(source.error(itemPath(source, ['sources', i, 'take'], k), `"${id}" is not an event type of framework ${framework.id}`, { value: id, hint: idHint(id, typeIds, 'event types') }));
      }
    });
    const own: DateRange = { from: s.dates?.from ?? dates.from, to: s.dates?.to ?? dates.to };
    if (own.to < own.from) errors.add(source.error(['sources', i, 'dates', 'to'], `the range of plausible dates ends before it starts (${own.from})`, { code: 'date-order', value: own.to }));
    const config: SourceConfig = { file: inData(s.file, ['sources', i, 'file']), layout, take, invalidRows: s.invalidRows, dates: own };
    if (s.between) config.between = { from: s.between.from, to: s.between.to };
    if (s.covers) config.covers = { ...s.covers };
    if (s.title) config.title = s.title;
    return config;
  });
  const series = raw.publishedSeries;
  const seriesFile = series ? inData(series.file, ['publishedSeries', 'file']) : undefined;
  const resources = Object.fromEntries(Object.entries(raw.resources).map(([k, v]) => [k, inData(v, ['resources', k])]));
  errors.throwIfAny();

  const m = raw.meta;
  const edition = editionMeta(source, raw, asAt, overrides);
  const contextPath = raw.editions[asAt]?.context && asAt !== raw.period.asAt ? ['editions', asAt, 'context'] : ['meta', 'context'];
  // The title is a one-line template: its syntax is checked here, where it is written.
  const titleProblem = settingTemplateProblem(m.title);
  if (titleProblem) throw source.error(['meta', 'title'], titleProblem, { code: 'template', value: m.title });
  const context: Record<string, ContextFigure> = {};
  for (const [key, c] of Object.entries(edition.context ?? m.context)) {
    const figure: ContextFigure = { source: c.source, sourceTitle: c.sourceTitle, edition: c.edition };
    if (c.asAt !== undefined) figure.asAt = c.asAt;
    if (c.value !== undefined) figure.value = c.value;
    if (c.share !== undefined) figure.share = c.share;
    if (c.text !== undefined) figure.text = c.text;
    context[key] = figure;
  }
  const meta: ReleaseMetaConfig = {
    title: m.title,
    status: m.status,
    draft: overrides.draft ?? m.draft,
    coverage: m.coverage,
    published: releaseDate(source, edition.published, period, !overrides.asAt && !overrides.publishedBy),
    nextUpdate: edition.nextUpdate,
    producer: m.producer,
    contact: { name: m.contact.name, email: m.contact.email, team: m.contact.team, teamEmail: m.contact.teamEmail },
    licence: { name: m.licence.name, url: m.licence.url },
    language: m.language,
    includes: m.includes,
    context,
    abbreviations: { ...m.abbreviations },
  };
  if (m.series) {
    meta.series = { title: m.series.title };
    if (m.series.url) meta.series.url = m.series.url;
  }
  for (const key of ['glossaryUrl', 'releaseUrl', 'methodologyUrl', 'frequency'] as const) {
    const value = m[key];
    if (value !== undefined) meta[key] = value;
  }
  if (edition.acknowledgements !== undefined) meta.acknowledgements = edition.acknowledgements;
  // Where each figure's edition is written, for the coverage check's message.
  for (const [key, figure] of Object.entries(context)) figure.editionAt = source.error([...contextPath, key, 'edition'], '').location;
  // A revision belongs to the edition it revised.
  if (m.revision && edition.own) {
    meta.revision = { date: m.revision.date, reason: m.revision.reason, ...(m.revision.previous ? { previous: resolve(base, m.revision.previous) } : {}) };
  }

  if (m.publication) meta.publication = { title: m.publication.title, summary: m.publication.summary };
  const config: ReleaseConfig = {
    id: raw.id,
    file,
    templateDir: resolve(base, raw.templates),
    dataRoot,
    dates,
    limits: { text: raw.limits.textLength, link: raw.limits.linkLength },
    framework,
    period,
    register,
    sources,
    meta,
    documents: releaseDocuments(source, raw, base),
    regionPhrases: raw.regionPhrases,
    sameDayEvents: raw.sameDayEvents,
    resources,
    notes: raw.notes.map((n) => ({ id: n.id, text: n.text, appliesTo: n.appliesTo })),
    inputs: [file, frameworkFile, ...layouts.keys()],
  };
  if (raw.preReleaseAccess) config.preReleaseAccess = { hours: raw.preReleaseAccess.hours, recipients: raw.preReleaseAccess.recipients.map((r) => ({ ...r })) };
  if (series && seriesFile) {
    config.publishedSeries = {
      file: seriesFile,
      judgement: series.judgement,
      computeFrom: series.computeFrom,
      columns: { asAt: series.columns.asAt, base: series.columns.base, grades: series.columns.grades },
    };
    if (series.columns.goodOrBetter) config.publishedSeries.columns.goodOrBetter = series.columns.goodOrBetter;
  }
  return config;
}

/** The default name of the main document's files, where the config lists no documents. */
export const MAIN_DOCUMENT = 'main-findings';

/**
 * The release's documents, the main one first: the one without `templates`, which takes the
 * release's template set and title. Ids are unique; exactly one document is the main one.
 */
function releaseDocuments(source: YamlFile, raw: z.output<typeof releaseSchema>, base: string): DocumentConfig[] {
  const main = (id: string, label: string): DocumentConfig => ({ id, label, templateDir: resolve(base, raw.templates), main: true });
  if (!raw.documents) return [main(MAIN_DOCUMENT, 'main findings')];
  const errors = new ErrorList();
  const seen = new Set<string>();
  const out: DocumentConfig[] = [];
  raw.documents.forEach((d, i) => {
    if (seen.has(d.id)) errors.add(source.error(['documents', i, 'id'], `the document id "${d.id}" is listed twice`, { value: d.id }));
    seen.add(d.id);
    if (d.id === 'index') errors.add(source.error(['documents', i, 'id'], 'the id "index" names the landing page', { value: d.id, hint: 'choose another id' }));
    if (!d.templates) {
      if (d.title) errors.add(source.error(['documents', i, 'title'], 'the main document takes its title from meta.title', { hint: 'remove this setting, or give the document its own `templates`' }));
      out.unshift(main(d.id, d.label));
    } else {
      out.push({ id: d.id, label: d.label, ...(d.title ? { title: d.title } : {}), templateDir: resolve(base, d.templates), main: false });
    }
  });
  const mains = out.filter((d) => d.main).length;
  if (mains !== 1) errors.add(source.error(['documents'], mains === 0 ? 'no document is the main findings (the one without `templates`)' : 'more than one document has no `templates`: only the main findings takes the release\'s template set'));
  for (const d of out) if (!d.main && !d.title) errors.add(source.error(['documents', raw.documents.findIndex((x) => x.id === d.id)], `the document "${d.id}" needs a title`));
  errors.throwIfAny();
  return out;
}
