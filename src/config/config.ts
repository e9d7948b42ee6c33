/**
 * Release configuration: one YAML file per release naming its data, dates, framework,
 * layouts, templates and metadata. Everything release-specific (grade names, judgement areas,
 * inspection types, regions, wording) comes from here and from the templates, never from src/.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { addDays, addMonths, isIsoDate, type IsoDate } from '../core/dates.js';
import { ErrorList, nearest, StatpressError } from '../core/errors.js';

export interface Grade {
  id: string;
  label: string;
  colour: string;
  textColour: string;
  goodOrBetter: boolean;
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
}
export interface EventType {
  id: string;
  label: string;
  name: string;
  plural: string;
  graded: boolean;
}
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

export interface SourceConfig {
  file: string;
  layout: Layout;
  take: string[];
  between?: { from: IsoDate; to: IsoDate };
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
}

export interface ContextFigure {
  value?: number;
  share?: number;
  text?: string;
  source: string;
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
  revision?: { date: IsoDate; reason: string };
  context: Record<string, ContextFigure>;
}

export interface ReleaseConfig {
  id: string;
  /** Absolute path of the YAML file, for messages. */
  file: string;
  templateDir: string;
  dataRoot: string;
  framework: Framework;
  period: PeriodRules;
  register: {
    authorities: { file: string; columns: { code: string; name: string; altNames: string[]; region: string } };
    changes?: { file: string; columns: { code: string; name: string; from: string; until: string } };
  };
  sources: SourceConfig[];
  publishedSeries?: {
    file: string;
    judgement: string;
    computeFrom: IsoDate;
    columns: { asAt: string; base: string; grades: Record<string, string>; goodOrBetter?: string };
  };
  meta: ReleaseMetaConfig;
  /** How sentences name a region where it differs from its name ("the North West"). */
  regionPhrases: Record<string, string>;
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

type Raw = Record<string, unknown>;

/** Reads a YAML file into a plain object, with a located error for a missing or broken file. */
function readYaml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new StatpressError('file-missing', 'file not found', { file });
  }
  try {
    const value: unknown = parseYaml(text, { prettyErrors: true });
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new StatpressError('config', 'expected a YAML mapping at the top of the file', { file });
    }
    return value as Raw;
  } catch (error) {
    if (error instanceof StatpressError) throw error;
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new StatpressError('config', `not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      file,
      ...(line !== undefined ? { row: line } : {}),
    });
  }
}

/** Typed access to one YAML mapping, with errors that name the file and the key path. */
class Reader {
  /** Keys this code asked for, present or not: what is left over is a setting nobody reads. */
  private readonly asked = new Set<string>();
  private readonly children: Reader[] = [];
  private open = false;

  constructor(
    readonly file: string,
    readonly raw: Raw,
    readonly path: string,
  ) {}

  private get(key: string): unknown {
    this.asked.add(key);
    return this.raw[key];
  }

  /**
   * Refuses settings that nothing reads (a misspelt key would otherwise fall back to its
   * default without a word), naming each with its place and the nearest known key.
   */
  rejectUnknown(): void {
    const errors = new ErrorList();
    const walk = (reader: Reader): void => {
      if (!reader.open) {
        for (const key of Object.keys(reader.raw)) {
          if (reader.asked.has(key)) continue;
          const near = nearest(key, [...reader.asked]);
          errors.add(
            new StatpressError('config', `unknown setting "${key}"`, { file: reader.file, column: reader.path ? `${reader.path}.${key}` : key }, near ? `did you mean "${near}"?` : `the settings here are: ${[...reader.asked].join(', ')}`),
          );
        }
      }
      reader.children.forEach(walk);
    };
    walk(this);
    errors.throwIfAny();
  }

  private fail(key: string, expected: string, value: unknown): never {
    // A missing setting is often a misspelt one: point at the key that was written instead.
    const written = value === undefined ? nearest(key, Object.keys(this.raw).filter((k) => !this.asked.has(k) || k === key)) : undefined;
    throw new StatpressError(
      'config',
      `expected ${expected}`,
      { file: this.file, column: this.path ? `${this.path}.${key}` : key, value: value === undefined ? '(missing)' : JSON.stringify(value) },
      written && written !== key ? `found "${written}": is it misspelt?` : undefined,
    );
  }
  has(key: string): boolean {
    const value = this.get(key);
    return value !== undefined && value !== null;
  }
  string(key: string, fallback?: string): string {
    const value = this.get(key) ?? fallback;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value === '') return this.fail(key, 'a non-empty string', value);
    return value;
  }
  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }
  date(key: string, fallback?: IsoDate): IsoDate {
    let value = this.get(key) ?? fallback;
    if (value instanceof Date) value = value.toISOString().slice(0, 10);
    if (typeof value !== 'string' || !isIsoDate(value)) return this.fail(key, 'a date written YYYY-MM-DD', value);
    return value;
  }
  number(key: string, fallback?: number): number {
    const value = this.get(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.fail(key, 'a number', value);
    return value;
  }
  boolean(key: string, fallback: boolean): boolean {
    const value = this.get(key) ?? fallback;
    if (typeof value !== 'boolean') return this.fail(key, 'true or false', value);
    return value;
  }
  strings(key: string, fallback?: string[]): string[] {
    const value = this.get(key) ?? fallback;
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      return this.fail(key, 'a string or a list of strings', value);
    }
    return value as string[];
  }
  numbers(key: string, fallback?: number[]): number[] {
    const value = this.get(key) ?? fallback;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) {
      return this.fail(key, 'a list of numbers', value);
    }
    return value as number[];
  }
  child(key: string): Reader {
    const value = this.get(key);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return this.fail(key, 'a mapping', value);
    const child = new Reader(this.file, value as Raw, this.path ? `${this.path}.${key}` : key);
    this.children.push(child);
    return child;
  }
  optionalChild(key: string): Reader | undefined {
    return this.has(key) ? this.child(key) : undefined;
  }
  list(key: string): Reader[] {
    const value = this.get(key);
    if (!Array.isArray(value)) return this.fail(key, 'a list', value);
    return value.map((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) this.fail(`${key}[${i}]`, 'a mapping', item);
      const child = new Reader(this.file, item as Raw, `${this.path ? `${this.path}.` : ''}${key}[${i}]`);
      this.children.push(child);
      return child;
    });
  }
  /** Every key, for mappings whose keys are data (ids, spellings): all of them count as read. */
  keys(): string[] {
    this.open = true;
    return Object.keys(this.raw);
  }
  /** A mapping of string to string. */
  dictionary(key: string): Record<string, string> {
    if (!this.has(key)) return {};
    const child = this.child(key);
    return Object.fromEntries(child.keys().map((k) => [k, child.string(k)]));
  }
}

function readFramework(file: string): Framework {
  const r = new Reader(file, readYaml(file), '');
  const framework: Framework = {
    id: r.string('id'),
    name: r.string('name'),
    shortName: r.string('shortName', r.string('name')),
    grades: r.list('grades').map((g) => ({
      id: g.string('id'),
      label: g.string('label'),
      colour: g.string('colour'),
      textColour: g.string('textColour', '#000000'),
      goodOrBetter: g.boolean('goodOrBetter', false),
    })),
    judgements: r.list('judgements').map((j) => {
      const judgement: Judgement = {
        id: j.string('id'),
        label: j.string('label'),
        name: j.string('name', j.string('label')),
        headline: j.boolean('headline', false),
      };
      if (j.has('from')) judgement.from = j.date('from');
      if (j.has('until')) judgement.until = j.date('until');
      return judgement;
    }),
    eventTypes: r.list('eventTypes').map((t) => ({
      id: t.string('id'),
      label: t.string('label'),
      name: t.string('name', t.string('label')),
      plural: t.string('plural', `${t.string('name', t.string('label'))}s`),
      graded: t.boolean('graded', false),
    })),
    themes: r.has('themes') ? r.list('themes').map((t) => ({ id: t.string('id'), label: t.string('label') })) : [],
    classifications: [],
  };
  const judgementIds = new Set(framework.judgements.map((j) => j.id));
  const gradeIds = new Set(framework.grades.map((g) => g.id));
  const readCondition = (c: Reader): Condition => {
    const condition = { judgements: c.strings('judgements'), count: c.number('count', 1), grades: c.strings('grades') };
    for (const j of condition.judgements) if (!judgementIds.has(j)) throw new StatpressError('config', `unknown judgement "${j}"`, { file, column: c.path });
    for (const g of condition.grades) if (!gradeIds.has(g)) throw new StatpressError('config', `unknown grade "${g}"`, { file, column: c.path });
    return condition;
  };
  if (r.has('classifications')) {
    framework.classifications = r.list('classifications').map((c) => ({
      id: c.string('id'),
      label: c.string('label'),
      colour: c.string('colour', '#3D3D3D'),
      allOf: c.has('allOf') ? c.list('allOf').map(readCondition) : [],
      anyOf: c.has('anyOf') ? c.list('anyOf').map(readCondition) : [],
    }));
  }
  if (framework.grades.length < 2) {
    throw new StatpressError('config', 'a framework needs at least two grades', { file, column: 'grades' });
  }
  r.rejectUnknown();
  return framework;
}

function readLayout(file: string, framework: Framework): Layout {
  const r = new Reader(file, readYaml(file), '');
  const c = r.child('columns');
  const optional = (key: string): string[] | undefined => (c.has(key) ? c.strings(key) : undefined);
  const judgementColumns = c.child('judgements');
  const judgements: Record<string, string[]> = {};
  for (const id of judgementColumns.keys()) {
    if (!framework.judgements.some((j) => j.id === id)) {
      throw new StatpressError('config', `"${id}" is not a judgement of framework ${framework.id}`, {
        file,
        column: `columns.judgements.${id}`,
      });
    }
    judgements[id] = judgementColumns.strings(id);
  }
  const values = r.optionalChild('values');
  const layout: Layout = {
    id: r.string('id'),
    dateFormat: r.string('dateFormat', 'yyyy-MM-dd'),
    columns: { date: c.strings('date'), type: c.strings('type'), judgements },
    values: {
      type: values?.dictionary('type') ?? {},
      theme: values?.dictionary('theme') ?? {},
      grade: values?.dictionary('grade') ?? {},
    },
    blanks: r.has('blanks') ? r.strings('blanks') : [],
    authorityAliases: r.dictionary('authorityAliases'),
  };
  const publishedFormat = r.optionalString('publishedFormat');
  if (publishedFormat) layout.publishedFormat = publishedFormat;
  const code = optional('authorityCode');
  const name = optional('authorityName');
  const published = optional('published');
  const theme = optional('theme');
  const link = optional('link');
  if (link) layout.columns.link = link;
  if (code) layout.columns.authorityCode = code;
  if (name) layout.columns.authorityName = name;
  if (published) layout.columns.published = published;
  if (theme) layout.columns.theme = theme;
  if (!code && !name) {
    throw new StatpressError('config', 'a layout needs columns.authorityCode or columns.authorityName', { file });
  }
  r.rejectUnknown();
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
function releaseDate(m: Reader, period: PeriodRules, check: boolean): IsoDate {
  const published = m.date('published');
  if (check && published < period.publishedBy) {
    throw new StatpressError(
      'date-order',
      `the release is published before its publication cut-off (${period.publishedBy})`,
      { file: m.file, column: 'meta.published', value: published },
      'reports published up to the cut-off are counted, so the release cannot come out earlier',
    );
  }
  return published;
}

/** Reads and checks a release config and everything it refers to (framework, layouts). */
export function loadReleaseConfig(configFile: string, overrides: ReleaseOverrides = {}): ReleaseConfig {
  const file = resolve(configFile);
  const base = dirname(file);
  const r = new Reader(file, readYaml(file), '');
  const frameworkFile = resolve(base, r.string('framework'));
  const framework = readFramework(frameworkFile);
  const dataRoot = resolve(base, r.string('dataRoot', '.'));
  const inData = (path: string): string => resolve(dataRoot, path);

  const p = r.child('period');
  // The written dates are checked even when the command line overrides them.
  const writtenAsAt = p.date('asAt');
  const writtenPublishedBy = p.has('publishedBy') ? p.date('publishedBy') : undefined;
  const asAt = overrides.asAt ?? writtenAsAt;
  const configuredPublishedBy = overrides.asAt ? undefined : writtenPublishedBy;
  const publishedBy = overrides.publishedBy ?? configuredPublishedBy;
  const period = derivePeriod(asAt, {
    ...(publishedBy !== undefined ? { publishedBy } : {}),
    publicationLagMonths: p.number('publicationLagMonths', 3),
    inYearMonths: p.number('inYearMonths', 12),
    comparisonYearsBack: p.numbers('comparisonYearsBack', [1]),
  });
  if (period.publishedBy < period.asAt) {
    throw new StatpressError('date-order', 'the publication cut-off is before the as-at date', {
      file,
      column: 'period.publishedBy',
      value: period.publishedBy,
    });
  }

  const reg = r.child('register');
  const a = reg.child('authorities');
  const ac = a.child('columns');
  const register: ReleaseConfig['register'] = {
    authorities: {
      file: inData(a.string('file')),
      columns: {
        code: ac.string('code'),
        name: ac.string('name'),
        altNames: ac.has('altNames') ? ac.strings('altNames') : [],
        region: ac.string('region'),
      },
    },
  };
  const ch = reg.optionalChild('changes');
  if (ch) {
    const cc = ch.child('columns');
    register.changes = {
      file: inData(ch.string('file')),
      columns: { code: cc.string('code'), name: cc.string('name'), from: cc.string('from'), until: cc.string('until') },
    };
  }

  const layouts = new Map<string, Layout>();
  const typeIds = new Set(framework.eventTypes.map((t) => t.id));
  const sources = r.list('sources').map((s): SourceConfig => {
    const layoutFile = resolve(base, s.string('layout'));
    let layout = layouts.get(layoutFile);
    if (!layout) {
      layout = readLayout(layoutFile, framework);
      layouts.set(layoutFile, layout);
    }
    const take = s.has('take') ? s.strings('take') : [...typeIds];
    for (const id of take) {
      if (!typeIds.has(id)) {
        throw new StatpressError('config', `"${id}" is not an event type of framework ${framework.id}`, {
          file,
          column: `${s.path}.take`,
          value: id,
        });
      }
    }
    const invalidRows = s.string('invalidRows', 'error');
    if (invalidRows !== 'error' && invalidRows !== 'warn') {
      throw new StatpressError('config', 'expected error or warn', { file, column: `${s.path}.invalidRows`, value: invalidRows });
    }
    const source: SourceConfig = { file: inData(s.string('file')), layout, take, invalidRows };
    const between = s.optionalChild('between');
    if (between) source.between = { from: between.date('from'), to: between.date('to') };
    return source;
  });

  const series = r.optionalChild('publishedSeries');
  const m = r.child('meta');
  const contact = m.child('contact');
  const licence = m.child('licence');
  const context: Record<string, ContextFigure> = {};
  const ctx = m.optionalChild('context');
  for (const key of ctx?.keys() ?? []) {
    const c = ctx!.child(key);
    const figure: ContextFigure = { source: c.string('source') };
    if (c.has('value')) figure.value = c.number('value');
    if (c.has('share')) figure.share = c.number('share');
    if (c.has('text')) figure.text = c.string('text');
    context[key] = figure;
  }
  // Checked even when --draft decides.
  const writtenDraft = m.boolean('draft', false);
  const meta: ReleaseMetaConfig = {
    title: m.string('title'),
    status: m.string('status'),
    draft: overrides.draft ?? writtenDraft,
    coverage: m.string('coverage'),
    published: releaseDate(m, period, !overrides.asAt && !overrides.publishedBy),
    nextUpdate: m.string('nextUpdate'),
    producer: m.string('producer'),
    contact: {
      name: contact.string('name'),
      email: contact.string('email'),
      team: contact.string('team'),
      teamEmail: contact.string('teamEmail'),
    },
    licence: { name: licence.string('name'), url: licence.string('url') },
    language: m.string('language', 'en-GB'),
    includes: m.has('includes') ? m.strings('includes') : [],
    context,
  };
  const seriesMeta = m.optionalChild('series');
  if (seriesMeta) {
    meta.series = { title: seriesMeta.string('title') };
    const url = seriesMeta.optionalString('url');
    if (url) meta.series.url = url;
  }
  for (const key of ['acknowledgements', 'glossaryUrl', 'releaseUrl'] as const) {
    const value = m.optionalString(key);
    if (value !== undefined) meta[key] = value;
  }
  const revision = m.optionalChild('revision');
  if (revision) meta.revision = { date: revision.date('date'), reason: revision.string('reason') };

  const config: ReleaseConfig = {
    id: r.string('id'),
    file,
    templateDir: resolve(base, r.string('templates')),
    dataRoot,
    framework,
    period,
    register,
    sources,
    meta,
    regionPhrases: r.dictionary('regionPhrases'),
    resources: Object.fromEntries(Object.entries(r.dictionary('resources')).map(([k, v]) => [k, inData(v)])),
    notes: r.has('notes') ? r.list('notes').map((n) => ({ id: n.string('id'), text: n.string('text'), appliesTo: n.strings('appliesTo', []) })) : [],
    inputs: [file, frameworkFile, ...layouts.keys()],
  };
  if (series) {
    const sc = series.child('columns');
    const grades = sc.dictionary('grades');
    config.publishedSeries = {
      file: inData(series.string('file')),
      judgement: series.string('judgement'),
      computeFrom: series.date('computeFrom'),
      columns: { asAt: sc.string('asAt'), base: sc.string('base'), grades },
    };
    const gob = sc.optionalString('goodOrBetter');
    if (gob) config.publishedSeries.columns.goodOrBetter = gob;
  }
  r.rejectUnknown();
  return config;
}
