/**
 * Template sets: a folder with `template-set.yaml` (section templates in reading order, and the
 * figures and tables with their titles, notes and alt text) plus the Markdown+Handlebars section
 * templates and the Vega-Lite chart specs. The YAML is checked against its schema like every
 * other config file; the section templates are checked for typed-in numbers and unescaped output.
 */
import { dirname, join } from 'node:path';
import { isInside, realPath } from '../core/paths.js';
import { ErrorList, StatpressError, type ErrorLocation } from '../core/errors.js';
import type { IsoDate } from '../core/dates.js';
import { checkClaimWords, checkDigits, checkUnescaped, claimError, findClaimWord } from '../narrate/template-lint.js';
import type { NamedQuery } from '../query/database.js';
import { templateSetSchema } from './schemas.js';
import { settingTemplateProblem, templateSyntaxProblem } from './template-syntax.js';
import { readUtf8, YamlFile, type ReadText, type SettingPath } from './yaml.js';

export type FigureKind = 'series' | 'regions' | 'judgements' | 'map' | 'themes' | 'query';

/** What a figure of kind `query` shows of its query's result. */
export interface FigureBinding {
  query: string;
  category: string;
  series: string;
  value: string;
  show: 'percent' | 'count' | 'share';
}
/** What a table of kind `query` shows of its query's result. */
export interface TableBinding {
  query: string;
  rows: string;
  /** Column → header, in order. */
  values: Array<[string, string]>;
  /** Columns holding shares (0 to 1), shown as percentages. */
  percent: string[];
}

export interface FigureDefinition {
  id: string;
  kind: FigureKind;
  judgement: string;
  title: string;
  subtitle?: string;
  spec: string;
  rowHeader: string;
  label?: string;
  notes: string[];
  alt: string;
  annex: boolean;
  /** On paper the figure's data are in its workbook sheet, not printed (a long table, such as a map's). */
  dataInWorkbook: boolean;
  source?: string;
  /** Series colours for figures whose series are not grades (e.g. two periods). */
  colours?: string[];
  /** For kind `query`: the query and its columns. */
  binding?: FigureBinding;
  /** Where the definition is written, for messages. */
  at: ErrorLocation;
}
export interface TableDefinition {
  id: string;
  /** `movement`: previous vs latest grade (Table 1); `classes`: the framework's classes by region; `query`: a named query's result. */
  kind: 'movement' | 'classes' | 'query';
  judgement: string;
  caption: string;
  rowHeader: string;
  /** Column labels: improved/retained/declined for `movement`, count for `classes`. */
  columns: { improved: string; retained: string; declined: string; count: string };
  notes: string[];
  /** For kind `query`: the query and its columns. */
  binding?: TableBinding;
  /** Where the definition is written, for messages. */
  at: ErrorLocation;
}
export interface TemplateSet {
  dir: string;
  sections: Array<{ file: string; source: string }>;
  figures: FigureDefinition[];
  tables: TableDefinition[];
  /** Named SQL queries, in the order written. */
  queries: NamedQuery[];
  roundingNote: string;
  /** Phrases with digits that are words, not data (e.g. a law's name). */
  allowDigits: string[];
  /** Phrases with claim words that define rather than claim (e.g. "kept the same judgement"). */
  allowClaims: string[];
  /** The as-at dates the wording is true for, and where they are written (for messages). */
  appliesFrom?: IsoDate;
  appliesFromAt?: ErrorLocation;
  appliesUntil?: IsoDate;
  appliesUntilAt?: ErrorLocation;
  files: string[];
}

function readText(file: string, read: ReadText): string {
  try {
    return read(file);
  } catch {
    throw new StatpressError('file-missing', 'template file not found', { file });
  }
}

/** Reads a template set and checks that no digit in a narrative template bypasses the helpers. */
export function loadTemplateSet(dir: string, read: ReadText = readUtf8): TemplateSet {
  const file = join(dir, 'template-set.yaml');
  const text = readText(file, read);
  const source = YamlFile.parse(file, text);
  const raw = source.validate(templateSetSchema);
  // Templates and chart specs come from the folder of template sets (a set may share another's
  // chart specs): a path that leads out of it would make a build read, and quote in its
  // messages, any file on the machine.
  const errors = new ErrorList();
  const sets = dirname(realPath(dir));
  const inside = (name: string, setting: SettingPath): void => {
    if (!isInside(realPath(join(dir, name)), sets)) {
      errors.add(source.error(setting, 'the file is outside the folder of template sets', { value: name, hint: `templates, chart specs and queries are read only from ${sets}` }));
    }
  };
  raw.sections.forEach((name, i) => inside(name, ['sections', i]));
  raw.figures.forEach((f, i) => inside(f.spec, ['figures', i, 'spec']));
  for (const [name, q] of Object.entries(raw.queries)) if (typeof q === 'object' && 'file' in q) inside(q.file, ['queries', name, 'file']);
  // The short templates written as settings (titles, alt text, notes) are checked where they are.
  const templated = (value: string | undefined, setting: SettingPath): void => {
    const problem = value === undefined ? undefined : settingTemplateProblem(value);
    if (problem) errors.add(source.error(setting, problem, { code: 'template', value }));
  };
  raw.figures.forEach((f, i) => {
    for (const key of ['title', 'subtitle', 'alt', 'source', 'label'] as const) templated(f[key], ['figures', i, key]);
    f.notes.forEach((note, k) => templated(note, ['figures', i, 'notes', k]));
  });
  raw.tables.forEach((t, i) => {
    templated(t.caption, ['tables', i, 'caption']);
    t.notes.forEach((note, k) => templated(note, ['tables', i, 'notes', k]));
  });
  errors.throwIfAny();
  const sections = raw.sections.map((name) => {
    const path = join(dir, name);
    return { file: path, source: readText(path, read) };
  });
  // A section's syntax, by file, line and column, naming a block left open where it was opened.
  for (const section of sections) {
    const problem = templateSyntaxProblem(section.source);
    if (problem) throw new StatpressError('template', problem.message, { file: section.file, line: problem.line, col: problem.column });
  }
  const figures = raw.figures.map((f, i): FigureDefinition => {
    const definition: FigureDefinition = {
      id: f.id,
      kind: f.kind,
      judgement: f.judgement,
      title: f.title,
      spec: f.spec,
      rowHeader: f.rowHeader,
      notes: f.notes,
      alt: f.alt,
      annex: f.annex,
      dataInWorkbook: f.dataInWorkbook,
      at: source.error(['figures', i], '').location,
    };
    if (f.kind === 'query') definition.binding = { query: f.query!, category: f.category!, series: f.series!, value: f.value!, show: f.show };
    if (f.subtitle !== undefined) definition.subtitle = f.subtitle;
    if (f.label !== undefined) definition.label = f.label;
    if (f.source !== undefined) definition.source = f.source;
    if (f.colours !== undefined) definition.colours = f.colours;
    return definition;
  });
  const tables = raw.tables.map((t, i): TableDefinition => {
    // The schema requires the labels the table's kind uses; the others are left empty.
    const label = (key: keyof TableDefinition['columns'], kind: TableDefinition['kind']): string => (t.kind === kind ? (t.columns?.[key] ?? '') : '');
    return {
      id: t.id,
      kind: t.kind,
      judgement: t.judgement,
      caption: t.caption,
      rowHeader: t.rowHeader,
      columns: {
        improved: label('improved', 'movement'),
        retained: label('retained', 'movement'),
        declined: label('declined', 'movement'),
        count: label('count', 'classes'),
      },
      notes: t.notes,
      at: source.error(['tables', i], '').location,
      ...(t.kind === 'query' ? { binding: { query: t.query!, rows: t.rows!, values: Object.entries(t.values!), percent: t.percent } } : {}),
    };
  });
  const queries = Object.entries(raw.queries).map(([name, q]): NamedQuery => {
    if (typeof q === 'object' && 'file' in q) {
      const path = join(dir, q.file);
      return { name, sql: readText(path, read), file: path, line: 1 };
    }
    // Inline: the query's first line in the file, after a block scalar's indicator (| or >).
    const at = source.locate(['queries', name, ...(typeof q === 'object' ? ['sql'] : [])]);
    const line = at ? at.line + (/^[|>]/.test(text.split('\n')[at.line - 1]?.slice(at.col - 1) ?? '') ? 1 : 0) : undefined;
    return { name, sql: typeof q === 'object' ? q.sql : q, file, ...(line !== undefined ? { line } : {}) };
  });
  for (const def of [...figures, ...tables]) {
    const name = def.binding?.query;
    if (name !== undefined && !queries.some((q) => q.name === name)) {
      const kind = figures.includes(def as FigureDefinition) ? 'figures' : 'tables';
      const index = kind === 'figures' ? figures.indexOf(def as FigureDefinition) : tables.indexOf(def as TableDefinition);
      throw source.error([kind, index, 'query'], `no query "${name}" under queries`, { value: name, hint: queries.length ? `the queries are: ${queries.map((q) => q.name).join(', ')}` : 'declare it under queries' });
    }
  }
  const set: TemplateSet = {
    dir,
    sections,
    figures,
    tables,
    queries,
    roundingNote: raw.roundingNote,
    allowDigits: raw.allowDigits,
    allowClaims: raw.allowClaims,
    ...(raw.appliesFrom !== undefined ? { appliesFrom: raw.appliesFrom, appliesFromAt: source.error(['appliesFrom'], '').location } : {}),
    ...(raw.appliesUntil !== undefined ? { appliesUntil: raw.appliesUntil, appliesUntilAt: source.error(['appliesUntil'], '').location } : {}),
    files: [file, ...sections.map((s) => s.file), ...queries.filter((q) => q.file !== file).map((q) => q.file)],
  };
  for (const section of sections) {
    checkUnescaped(section.source, section.file);
    checkDigits(section.source, section.file, set.allowDigits);
    checkClaimWords(section.source, section.file, set.allowClaims);
  }
  // The wording in template-set.yaml (titles, alt text, notes, labels, captions) is held to the same rule.
  const wordingErrors = new ErrorList();
  const wording = (path: SettingPath, text: string | undefined) => {
    const word = text === undefined ? undefined : findClaimWord(text, set.allowClaims);
    if (word) {
      const located = source.error(path, '', { code: 'template-claim', value: text! });
      wordingErrors.add(claimError(word, located.location));
    }
  };
  raw.figures.forEach((f, i) => {
    for (const key of ['title', 'subtitle', 'alt', 'label', 'source'] as const) wording(['figures', i, key], f[key]);
    f.notes.forEach((n, k) => wording(['figures', i, 'notes', k], n));
  });
  raw.tables.forEach((t, i) => {
    wording(['tables', i, 'caption'], t.caption);
    t.notes.forEach((n, k) => wording(['tables', i, 'notes', k], n));
  });
  wordingErrors.throwIfAny();
  return set;
}

