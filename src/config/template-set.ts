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
import { templateSetSchema } from './schemas.js';
import { settingTemplateProblem, templateSyntaxProblem } from './template-syntax.js';
import { readUtf8, YamlFile, type ReadText, type SettingPath } from './yaml.js';

export type FigureKind = 'series' | 'regions' | 'judgements' | 'map' | 'themes';

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
}
export interface TableDefinition {
  id: string;
  /** `movement`: previous vs latest grade (Table 1); `classes`: the framework's classes by region. */
  kind: 'movement' | 'classes';
  judgement: string;
  caption: string;
  rowHeader: string;
  /** Column labels: improved/retained/declined for `movement`, count for `classes`. */
  columns: { improved: string; retained: string; declined: string; count: string };
  notes: string[];
}
export interface TemplateSet {
  dir: string;
  sections: Array<{ file: string; source: string }>;
  figures: FigureDefinition[];
  tables: TableDefinition[];
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
  const source = YamlFile.parse(file, readText(file, read));
  const raw = source.validate(templateSetSchema);
  // Templates and chart specs come from the folder of template sets (a set may share another's
  // chart specs): a path that leads out of it would make a build read, and quote in its
  // messages, any file on the machine.
  const errors = new ErrorList();
  const sets = dirname(realPath(dir));
  const inside = (name: string, setting: SettingPath): void => {
    if (!isInside(realPath(join(dir, name)), sets)) {
      errors.add(source.error(setting, 'the file is outside the folder of template sets', { value: name, hint: `templates and chart specs are read only from ${sets}` }));
    }
  };
  raw.sections.forEach((name, i) => inside(name, ['sections', i]));
  raw.figures.forEach((f, i) => inside(f.spec, ['figures', i, 'spec']));
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
  const figures = raw.figures.map((f): FigureDefinition => {
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
    };
    if (f.subtitle !== undefined) definition.subtitle = f.subtitle;
    if (f.label !== undefined) definition.label = f.label;
    if (f.source !== undefined) definition.source = f.source;
    if (f.colours !== undefined) definition.colours = f.colours;
    return definition;
  });
  const tables = raw.tables.map((t): TableDefinition => {
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
    };
  });
  const set: TemplateSet = {
    dir,
    sections,
    figures,
    tables,
    roundingNote: raw.roundingNote,
    allowDigits: raw.allowDigits,
    allowClaims: raw.allowClaims,
    ...(raw.appliesFrom !== undefined ? { appliesFrom: raw.appliesFrom, appliesFromAt: source.error(['appliesFrom'], '').location } : {}),
    ...(raw.appliesUntil !== undefined ? { appliesUntil: raw.appliesUntil, appliesUntilAt: source.error(['appliesUntil'], '').location } : {}),
    files: [file, ...sections.map((s) => s.file)],
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

