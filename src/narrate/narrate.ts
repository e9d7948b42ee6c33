/**
 * narrate: StatsModel + template set → ReportDocument. Numbers are formatted here, once.
 *
 * A template set is a folder with `template-set.yaml` (section templates in reading order, and
 * the figures and tables with their titles, notes and alt text) plus the Markdown+Handlebars
 * section templates and the Vega-Lite chart specs.
 */
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import type { DocumentConfig, Framework, ReleaseConfig } from '../config/config.js';
import type { FigureDefinition, TableDefinition, TemplateSet } from '../config/template-set.js';
import type { StatsModel, Distribution } from '../compute/stats.js';
import type { Dataset } from '../load/dataset.js';
import { formatDate } from '../core/dates.js';
import {
  inlineText,
  type Block,
  type FigureNode,
  type Inline,
  type ReportDocument,
  type ReportMeta,
  type TableNode,
  type TableRow,
} from '../document/document.js';
import { AREA_CODE, figureDataCaption, figureLabel, figureSheet, percentColumn, REGION, tableLabel, tableTitle } from '../document/labels.js';
import { StatpressError } from '../core/errors.js';
import { formatNumber, percentValue } from './format.js';
import { COMPILE_OPTIONS, createNarrativeEnvironment, instantiateTemplate, QUERIES, queryRef, withRenderState, type RenderState } from './helpers.js';
import type { QueryResults } from '../query/database.js';
import type { QueryResult } from '../query/engine.js';
import { bytes, text, type Store } from '../platform/cache.js';
import { parseNarrative, stripMarkers, type TokenValue } from './markdown.js';

export { loadTemplateSet, type FigureDefinition, type FigureKind, type TableDefinition, type TemplateSet } from '../config/template-set.js';
export { checkDigits, checkUnescaped } from './template-lint.js';


/** Case-insensitive ordering that is the same on every machine (no locale tables). */
function compareText(a: string, b: string): number {
  const x = a.toLowerCase(), y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** Template context: the model plus the framework keyed by id, and release metadata. */
export function templateContext(model: StatsModel, config: ReleaseConfig, dataset: NarratedDataset): Record<string, unknown> {
  // A judgement's end date is a fact only once announced: a release published before then
  // cannot know it, so its templates do not see it.
  const fw = {
    ...config.framework,
    judgements: config.framework.judgements.map((j) => {
      if (j.until === undefined || (j.announced ?? j.until) <= config.meta.published) return j;
      const { until: _until, announced: _announced, ...known } = j;
      return known;
    }),
  };
  const byId = <T extends { id: string }>(items: T[]): Record<string, T> => Object.fromEntries(items.map((x) => [x.id, x]));
  const headline = fw.judgements.find((j) => j.headline) ?? null;
  const headlineId = headline?.id ?? fw.judgements[0]!.id;
  const ranked = [...model.current.regions].sort(
    (a, b) => b.judgements[headlineId]!.goodOrBetter.share - a.judgements[headlineId]!.goodOrBetter.share || compareText(a.name, b.name),
  );
  const subJudgementsRanked = fw.judgements
    .filter((j) => !j.headline && model.current.judgements[j.id]!.base > 0)
    .map((j) => ({ ...j, d: model.current.judgements[j.id]! }))
    .sort((a, b) => b.d.goodOrBetter.share - a.d.goodOrBetter.share);
  const themesRanked = fw.themes
    .map((t) => ({ ...t, ...model.inYear.themes.themes[t.id]! }))
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count);
  const previousThemes = model.inYear.previousThemes;
  const previousThemesRanked = previousThemes
    ? fw.themes
        .map((t) => ({ ...t, ...previousThemes.themes[t.id]! }))
        .filter((t) => t.count > 0)
        .sort((a, b) => b.count - a.count)
    : [];
  return {
    release: { ...config.meta, id: config.id },
    subJudgementsRanked,
    themesRanked,
    previousThemesRanked,
    period: model.period,
    framework: {
      name: fw.name,
      shortName: fw.shortName,
      grades: byId(fw.grades),
      gradeList: fw.grades,
      best: fw.grades[0],
      worst: fw.grades[fw.grades.length - 1],
      judgements: byId(fw.judgements),
      judgementList: fw.judgements,
      subJudgements: fw.judgements.filter((j) => !j.headline),
      headline,
      types: byId(fw.eventTypes),
      typeList: fw.eventTypes,
      themes: byId(fw.themes),
      themeList: fw.themes,
      facts: fw.facts,
    },
    current: model.current,
    previous: model.comparisons[0] ?? null,
    comparisons: model.comparisons,
    series: model.series,
    earliest: model.series[model.series.length - 1] ?? null,
    changes: model.changes,
    changeSincePrevious: model.changes[0] ?? null,
    changeSinceEarliest: model.changes[model.changes.length - 1] ?? null,
    regionChanges: model.regionChanges,
    regionsRanked: ranked,
    classifications: fw.classifications.map((c) => ({ ...c, part: model.current.classes[c.id]!, previous: model.comparisons[0]?.classes[c.id] ?? null })),
    warnings: dataset.warnings,
    sources: sourcesOf(config, dataset),
    documents: config.documents.map((d) => ({ id: d.id, label: d.label })),
    preReleaseAccess: config.preReleaseAccess ?? null,
    /** Region name → its statistics at the previous comparison date. */
    regionPrevious: Object.fromEntries((model.comparisons[0]?.regions ?? []).map((r) => [r.name, r])),
    /** Region name → how a sentence names it ("the North West"). */
    regionPhrase: Object.fromEntries(model.current.regions.map((r) => [r.name, config.regionPhrases[r.name] ?? r.name])),
    inYear: model.inYear,
  };
}

/** What narration reads of the dataset: its warnings and, where given, what each source holds. */
export type NarratedDataset = Pick<Dataset, 'warnings'> & Partial<Pick<Dataset, 'coverage' | 'events'>>;

/**
 * Each source as the methodology describes it: its title (else its file), the event types taken
 * from it, the span it covers and the latest publication date, and how many events it gave.
 */
function sourcesOf(config: ReleaseConfig, dataset: NarratedDataset): Array<Record<string, unknown>> {
  const coverage = dataset.coverage ?? [];
  const typeLabel = new Map(config.framework.eventTypes.map((t) => [t.id, t.plural]));
  return coverage.map((c, i) => ({
    title: config.sources[i]?.title ?? c.file,
    file: c.file,
    types: c.types.map((t) => typeLabel.get(t) ?? t),
    from: c.from,
    until: c.until,
    publishedUntil: c.publishedUntil,
    events: (dataset.events ?? []).filter((e) => e.origin.file === c.file).length,
    // Read, but dated after the as-at date: no figure of this release counts them.
    afterAsAt: (dataset.events ?? []).filter((e) => e.origin.file === c.file && e.date > config.period.asAt).length,
  }));
}

/** Renders a short template (a title, a label, alt text) to plain text. */
function renderPlain(n: Narrator, template: string, context: unknown, file: string, where: string): string {
  const tokens: TokenValue[] = [];
  const state: RenderState = {
    tokens,
    block: () => {
      throw new StatpressError('template', 'figures and tables cannot be placed here', { file, column: where });
    },
    reference: () => [],
  };
  const markdown = renderTemplate(n, template, context, state, file, where);
  // Most labels are words, escaped data and values: read them without the Markdown parser.
  const unescaped = markdown.replace(/\\([!-/:-@[-`{-~])/g, '');
  if (!/[\n*_`[\]<>!#|~&\\]/.test(unescaped)) {
    return stripMarkers(markdown)
      .replace(/\\([!-/:-@[-`{-~])/g, '$1')
      .replace(/\uE000(\d+)\uE001/g, (_, i: string) => {
        const token = tokens[Number(i)];
        return token?.kind === 'inline' ? inlineText(token.nodes) : '';
      })
      .trim();
  }
  const parsed = parseNarrative(markdown, tokens, file);
  const first = parsed.blocks[0];
  if (parsed.blocks.length > 1 || (first && first.type !== 'paragraph')) {
    throw new StatpressError('template', 'expected a single line of text', { file, column: where });
  }
  return first?.type === 'paragraph' ? inlineText(first.children) : '';
}

/**
 * A narration's Handlebars environment and compiled templates. Compiling is most of a cold
 * build's time, so Handlebars' precompiled form of each template is kept in the store it is
 * given, by a hash of the template and the compiler: an edited template compiles afresh.
 */
export class Narrator {
  private readonly env = createNarrativeEnvironment();
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();
  private readonly salt = `${this.env.VERSION}|${JSON.stringify(COMPILE_OPTIONS)}|`;

  constructor(private readonly store?: Store) {}

  compile(template: string): HandlebarsTemplateDelegate {
    const known = this.compiled.get(template);
    if (known) return known;
    const key = createHash('sha256').update(this.salt + template).digest('hex');
    let source = text(this.store?.get('templates', key)?.js);
    if (source === undefined) {
      source = this.env.precompile(template, COMPILE_OPTIONS) as unknown as string;
      this.store?.set('templates', key, { js: bytes(source) });
    }
    // The source is Handlebars' own output for our template (never data), as its docs load it.
    const spec = new Function(`return ${source}`)() as TemplateSpecification;
    const fn = instantiateTemplate(this.env, spec);
    this.compiled.set(template, fn);
    return fn;
  }
}

/**
 * A template read a property of a value that is absent for this release (a comparison that does
 * not exist for the date, an empty year): said as that, with the lines that read the property,
 * never as JavaScript's own words.
 */
function absentValueError(template: string, property: string, file: string, where?: string): StatpressError {
  const reads = new RegExp(`\\{\\{[^}]*[.(\\s]${property.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  const lines = template.split('\n').flatMap((text, i) => (reads.test(text) ? [i + 1] : []));
  return new StatpressError(
    'template',
    `the template reads "${property}" of a value that is absent for this release${lines.length ? ` (on line ${lines.join(', ')})` : ''}`,
    { file, ...(lines.length === 1 ? { row: lines[0]! } : {}), ...(where ? { column: where } : {}) },
    'a comparison or a period may not exist for every date: guard the sentence with {{#if …}} or {{#with …}} on the value it needs',
  );
}

function renderTemplate(n: Narrator, template: string, context: unknown, state: RenderState, file: string, where?: string): string {
  try {
    const run = n.compile(template);
    return withRenderState(state, () => run(context));
  } catch (error) {
    if (error instanceof StatpressError && error.location.file) throw error;
    const absent = error instanceof TypeError ? /Cannot read properties of (null|undefined) \(reading '([^']+)'\)/.exec(error.message) : null;
    if (absent) throw absentValueError(template, absent[2]!, file, where);
    const message = (error as Error).message;
    const line = /line (\d+)|- (\d+):\d+/.exec(message);
    const row = line ? Number(line[1] ?? line[2]) : undefined;
    throw new StatpressError('template', message.split('\n')[0] ?? message, {
      file,
      ...(row !== undefined ? { row } : {}),
      ...(where ? { column: where } : {}),
    });
  }
}

function judgementId(framework: Framework, id: string): string {
  if (id === 'headline') {
    const headline = framework.judgements.find((j) => j.headline);
    if (!headline) throw new StatpressError('config', 'this framework has no headline judgement; name the judgement for the figure');
    return headline.id;
  }
  if (!framework.judgements.some((j) => j.id === id)) throw new StatpressError('config', `unknown judgement "${id}"`);
  return id;
}

function percentCells(d: Distribution | undefined, framework: Framework, ref: string): TableRow['cells'] {
  return framework.grades.map((g) => {
    if (!d || d.base === 0) return { text: '[z]', raw: null };
    const raw = percentValue(d.grades[g.id]!.share);
    return { text: formatNumber(raw), raw, ref: `${ref}.grades.${g.id}.share` };
  });
}

/** Builds each figure's data table and chart data from the model, by its kind. */
function buildFigure(n: Narrator, def: FigureDefinition, number: number, model: StatsModel, config: ReleaseConfig, context: Record<string, unknown>, setFile: string, roundingNote: string, results: QueryResults): FigureNode {
  const fw = config.framework;
  const where = `figure ${def.id}`;
  const gradeColumns = fw.grades.map((g) => ({ label: percentColumn(g.label), align: 'right' as const }));
  let rows: TableRow[] = [];
  let columns = [{ label: def.rowHeader, align: 'left' as const }, ...gradeColumns] as TableNode['columns'];
  let chartData: FigureNode['chart']['data'] = [];
  let domain = fw.grades.map((g) => g.label);
  let range = fw.grades.map((g) => g.colour);
  let sumsOk = true;
  let boundText: string[] | undefined;
  const label = (item: unknown): string => renderPlain(n, def.label ?? '{{name}}', { ...context, ...(item as object) }, setFile, `${where}.label`);
  const stacked = (items: Array<{ label: string; d: Distribution | undefined; shares?: Record<string, number>; ref: string }>) => {
    rows = items.map((item) => {
      const cells = item.shares
        ? fw.grades.map((g) => {
            const raw = percentValue(item.shares![g.id]!);
            return { text: formatNumber(raw), raw, ref: `${item.ref}.shares.${g.id}` };
          })
        : percentCells(item.d, fw, item.ref);
      const numbers = cells.map((c) => c.raw).filter((v): v is number => typeof v === 'number');
      if (numbers.length > 0 && numbers.reduce((a, b) => a + b, 0) !== 100) sumsOk = false;
      return { header: { text: item.label }, cells };
    });
    chartData = rows.flatMap((row) =>
      fw.grades.map((g, i) => ({ label: row.header.text, series: g.label, value: row.cells[i]!.raw ?? null })),
    );
  };
  switch (def.kind) {
    case 'query': {
      const bound = boundFigure(def, results, fw, setFile, label);
      ({ columns, rows, chartData, domain, range, sumsOk } = bound);
      boundText = bound.textRange;
      break;
    }
    case 'series': {
      stacked(model.series.map((point, i) => ({ label: label(point), d: undefined, shares: point.shares, ref: `series.${i}` })));
      break;
    }
    case 'regions': {
      const id = judgementId(fw, def.judgement);
      const ranked = context.regionsRanked as StatsModel['current']['regions'];
      stacked([
        ...ranked.map((r) => ({ label: label({ name: r.name, base: r.judgements[id]!.base }), d: r.judgements[id], ref: `current.regions.${r.name}.judgements.${id}` })),
        { label: label({ name: config.meta.coverage, base: model.current.judgements[id]!.base }), d: model.current.judgements[id], ref: `current.judgements.${id}` },
      ]);
      break;
    }
    case 'judgements': {
      stacked(
        fw.judgements
          .filter((j) => model.current.judgements[j.id]!.base > 0)
          .map((j) => ({ label: label({ ...j, base: model.current.judgements[j.id]!.base }), d: model.current.judgements[j.id], ref: `current.judgements.${j.id}` })),
      );
      break;
    }
    case 'map': {
      const id = judgementId(fw, def.judgement);
      const judgement = fw.judgements.find((j) => j.id === id)!;
      const gradeLabel = new Map(fw.grades.map((g) => [g.id, g.label]));
      const authorities = [...model.current.authorities].sort((a, b) => compareText(a.name, b.name));
      columns = [
        { label: def.rowHeader, align: 'left' },
        { label: AREA_CODE, align: 'left' },
        { label: REGION, align: 'left' },
        { label: judgement.label, align: 'left' },
      ];
      rows = authorities.map((a) => ({
        header: { text: a.name },
        cells: [{ text: a.code }, { text: a.region ?? '[x]' }, { text: gradeLabel.get(a.grades[id] ?? '') ?? '[x]' }],
      }));
      chartData = authorities.map((a) => ({ code: a.code, name: a.name, series: gradeLabel.get(a.grades[id] ?? '') ?? null }));
      break;
    }
    case 'themes': {
      // A year the sources do not cover is absent (null), not a year without visits.
      const periods = [model.inYear.previousThemes, model.inYear.themes].filter((p): p is NonNullable<typeof p> => p !== null && p.visits > 0);
      const periodLabels = periods.map((p) => label({ ...p, base: p.visits, fromText: formatDate(p.from), toText: formatDate(p.to) }));
      columns = [{ label: def.rowHeader, align: 'left' }, ...periodLabels.map((l) => ({ label: percentColumn(l), align: 'right' as const }))];
      const themes = fw.themes.filter((t) => periods.some((p) => p.themes[t.id]!.count > 0));
      rows = themes.map((t) => ({
        header: { text: t.label },
        cells: periods.map((p, i) => {
          const raw = percentValue(p.themes[t.id]!.share);
          return { text: formatNumber(raw), raw, ref: `inYear.${i === periods.length - 1 ? 'themes' : 'previousThemes'}.themes.${t.id}.share` };
        }),
      }));
      sumsOk = periods.every((_, i) => rows.reduce((sum, row) => sum + (row.cells[i]!.raw ?? 0), 0) === 100);
      chartData = rows.flatMap((row) => periods.map((_, i) => ({ label: row.header.text, series: periodLabels[i]!, value: row.cells[i]!.raw ?? null })));
      domain = periodLabels;
      range = def.colours ?? [];
      if (range.length < domain.length) {
        throw new StatpressError('config', `figure ${def.id} needs ${domain.length} colours for its series`, { file: setFile, column: `${where}.colours` });
      }
      break;
    }
  }
  const title = renderPlain(n, def.title, context, setFile, `${where}.title`);
  const alt = renderPlain(n, def.alt, context, setFile, `${where}.alt`);
  if (alt.length > 220) throw new StatpressError('template', `alt text is ${alt.length} characters; the limit is 220`, { file: setFile, column: `${where}.alt`, value: alt });
  if (alt === title) throw new StatpressError('template', 'alt text must say more than the title', { file: setFile, column: `${where}.alt` });
  const notes: Inline[][] = def.notes.map((note, i) => [{ type: 'text', value: renderPlain(n, note, context, setFile, `${where}.notes[${i}]`) }]);
  const rounding = !sumsOk && def.kind !== 'map';
  if (rounding) notes.push([{ type: 'text', value: roundingNote }]);
  const node: FigureNode = {
    type: 'figure',
    id: def.id,
    number,
    title,
    chart: {
      spec: def.spec,
      data: chartData,
      domain,
      range,
      ...(def.kind === 'themes' || def.kind === 'query' ? (boundText ? { textRange: boundText } : {}) : { textRange: fw.grades.map((g) => g.textColour) }),
      ...(def.kind === 'map' ? { resources: ['boundaries'] } : {}),
    },
    altText: alt,
    dataTable: { type: 'table', id: `${def.id}-data`, caption: figureDataCaption(number, title), columns, rows, notes: [] },
    notes,
    ...(rounding ? { roundingNote: true as const } : {}),
    ...(def.dataInWorkbook ? { dataSheet: figureSheet(number) } : {}),
  };
  if (def.subtitle) node.subtitle = renderPlain(n, def.subtitle, context, setFile, `${where}.subtitle`);
  if (def.source) node.source = renderPlain(n, def.source, context, setFile, `${where}.source`);
  return node;
}


function buildTable(n: Narrator, def: TableDefinition, number: number, model: StatsModel, config: ReleaseConfig, context: Record<string, unknown>, setFile: string, results: QueryResults): TableNode {
  const fw = config.framework;
  const where = `table ${def.id}`;
  const caption = tableTitle(number, renderPlain(n, def.caption, context, setFile, `${where}.caption`));
  const notes: Inline[][] = def.notes.map((note, i) => [{ type: 'text', value: renderPlain(n, note, context, setFile, `${where}.notes[${i}]`) }]);
  const cell = (n: number | null, ref: string) => (n === null ? { text: '[z]', raw: null } : { text: formatNumber(n), raw: n, ref });
  const table = (columns: TableNode['columns'], rows: TableRow[]): TableNode => ({ type: 'table', id: def.id, number, caption, columns: [{ label: def.rowHeader, align: 'left' }, ...columns], rows, notes });
  if (def.kind === 'query') {
    const { columns, rows } = boundTable(def, results, setFile);
    return table(columns, rows);
  }
  if (def.kind === 'classes') {
    const percent = (share: number, base: number, ref: string) =>
      base === 0 ? { text: '[z]', raw: null } : { text: formatNumber(percentValue(share)), raw: percentValue(share), ref };
    const row = (name: string, count: number, classes: Record<string, { share: number }>, ref: string): TableRow => ({
      header: { text: name },
      cells: [cell(count, `${ref}.count`), ...fw.classifications.map((c) => percent(classes[c.id]!.share, count, `${ref}.classes.${c.id}.share`))],
    });
    return table(
      [{ label: def.columns.count, align: 'right' }, ...fw.classifications.map((c) => ({ label: percentColumn(c.label), align: 'right' as const }))],
      [
        ...model.current.regions.map((r) => row(r.name, r.authorities, r.classes, `current.regions.${r.name}`)),
        row(config.meta.coverage, model.current.inspected, model.current.classes, 'current'),
      ],
    );
  }
  const id = judgementId(fw, def.judgement);
  const movement = model.current.movement[id]!;
  return table(
    [
      { label: def.columns.improved, align: 'right' },
      { label: def.columns.retained, align: 'right' },
      { label: def.columns.declined, align: 'right' },
    ],
    movement.matrix.map((r, i) => ({
      header: { text: fw.grades[i]!.label },
      cells: [
        cell(r.improved, `current.movement.${id}.matrix.${i}.improved`),
        cell(r.retained, `current.movement.${id}.matrix.${i}.retained`),
        cell(r.declined, `current.movement.${id}.matrix.${i}.declined`),
      ],
    })),
  );
}

/** The result a figure or table is bound to, and a located error for a column it does not have. */
function boundResult(def: { id: string; at: TableDefinition['at'] }, what: string, name: string, results: QueryResults): { result: QueryResult; column(setting: string, name: string): number } {
  const result = results.get(name);
  if (!result) throw new StatpressError('config', `${what} ${def.id}: the query "${name}" has not run`, def.at);
  return {
    result,
    column(setting, column) {
      const i = result.columns.findIndex((c) => c.name === column);
      if (i < 0) {
        throw new StatpressError('config', `${what} ${def.id}: the query "${name}" gives no column "${column}" (it gives: ${result.columns.map((c) => c.name).join(', ')})`, { ...def.at, setting: `${setting}` });
      }
      return i;
    },
  };
}

/** A cell's value as the text of a row or series name. */
function nameOf(value: unknown): string {
  return value === null || value === undefined ? '[x]' : isIsoDateText(value) ? formatDate(value) : String(value);
}
function isIsoDateText(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/**
 * A figure of kind `query`: its rows are the values of the category column and its series those
 * of the series column, each in the order the query gives them first; each cell is the value
 * column, as it is (count), as a percentage of its row's total (percent), or a share shown as a
 * percentage (share). A series named like a grade takes the grade's colour.
 */
function boundFigure(def: FigureDefinition, results: QueryResults, fw: Framework, setFile: string, label: (item: unknown) => string) {
  const b = def.binding!;
  const { result, column } = boundResult(def, 'figure', b.query, results);
  const [ci, si, vi] = [column('category', b.category), column('series', b.series), column('value', b.value)];
  const categories: string[] = [];
  const series: string[] = [];
  const cells = new Map<string, { value: number; row: number }>();
  result.rows.forEach((r, i) => {
    const category = nameOf(r[ci]);
    const name = nameOf(r[si]);
    const value = r[vi];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StatpressError('config', `figure ${def.id}: the query "${b.query}" gives ${JSON.stringify(value)} in column "${b.value}", row ${i + 1}; expected a number`, { ...def.at, setting: 'value' });
    }
    if (!categories.includes(category)) categories.push(category);
    if (!series.includes(name)) series.push(name);
    const key = `${category}\u0000${name}`;
    if (cells.has(key)) throw new StatpressError('config', `figure ${def.id}: the query "${b.query}" gives "${category}" and "${name}" twice (rows ${cells.get(key)!.row} and ${i + 1})`, def.at);
    cells.set(key, { value, row: i + 1 });
  });
  const grade = (name: string) => fw.grades.find((g) => g.label === name || g.id === name);
  const gradeSeries = series.length > 0 && series.every((s) => grade(s));
  const domain = gradeSeries ? series.map((s) => grade(s)!.label) : series;
  const range = gradeSeries && !def.colours ? series.map((s) => grade(s)!.colour) : (def.colours ?? []);
  if (range.length < domain.length) {
    throw new StatpressError('config', `figure ${def.id} needs ${domain.length} colours for its series (${domain.join(', ')})`, { file: setFile, setting: `figure ${def.id}.colours` });
  }
  const percent = b.show !== 'count';
  let sumsOk = true;
  const rows: TableRow[] = categories.map((category) => {
    const total = series.reduce((sum, s) => sum + (cells.get(`${category}\u0000${s}`)?.value ?? 0), 0);
    const row = series.map((s) => {
      const cell = cells.get(`${category}\u0000${s}`);
      if (!cell) return { text: '[x]', raw: null };
      const ref = queryRef(b.query, cell.row, b.value);
      if (b.show === 'count') return { text: formatNumber(cell.value), raw: cell.value, ref };
      const share = b.show === 'share' ? cell.value : total > 0 ? cell.value / total : 0;
      const raw = percentValue(share);
      return b.show === 'share' ? { text: formatNumber(raw), raw, ref } : { text: formatNumber(raw), raw, ref: `${ref} as a share of its row`, count: cell.value };
    });
    if (b.show === 'percent' && row.reduce((sum, c) => sum + (c.raw ?? 0), 0) !== 100) sumsOk = false;
    return { header: { text: label({ name: category, base: total }) }, cells: row };
  });
  const columns: TableNode['columns'] = [{ label: def.rowHeader, align: 'left' }, ...domain.map((s) => ({ label: percent ? percentColumn(s) : s, align: 'right' as const }))];
  const chartData = rows.flatMap((row) => domain.map((s, i) => ({ label: row.header.text, series: s, value: row.cells[i]!.raw ?? null })));
  // Text drawn on a grade's fill takes the grade's text colour; on others, the spec's default.
  const textRange = gradeSeries && !def.colours ? series.map((s) => grade(s)!.textColour) : undefined;
  return { columns, rows, chartData, domain, range, sumsOk, textRange };
}

/** A table of kind `query`: a row per result row, headed by the rows column, with the value columns in order. */
function boundTable(def: TableDefinition, results: QueryResults, setFile: string): { columns: TableNode['columns']; rows: TableRow[] } {
  const b = def.binding!;
  const { result, column } = boundResult(def, 'table', b.query, results);
  const ri = column('rows', b.rows);
  const values = b.values.map(([name, header]) => ({ name, header, i: column(`values.${name}`, name), percent: b.percent.includes(name) }));
  for (const name of b.percent) {
    if (!values.some((v) => v.name === name)) throw new StatpressError('config', `table ${def.id}: "${name}" under percent is not one of its values`, { file: setFile, setting: `table ${def.id}.percent` });
  }
  const rows: TableRow[] = result.rows.map((r, k) => ({
    header: { text: nameOf(r[ri]) },
    cells: values.map((v) => {
      const value = r[v.i];
      const ref = queryRef(b.query, k + 1, v.name);
      if (value === null || value === undefined) return { text: '[z]', raw: null };
      if (typeof value === 'number') {
        const raw = v.percent ? percentValue(value) : value;
        return { text: formatNumber(raw), raw, ref };
      }
      return { text: nameOf(value) };
    }),
  }));
  const numeric = (v: { i: number }) => result.rows.some((r) => typeof r[v.i] === 'number');
  return { columns: values.map((v) => ({ label: v.percent ? percentColumn(v.header) : v.header, align: numeric(v) ? ('right' as const) : ('left' as const) })), rows };
}

/** The landing page of a release that has one: the page that lists every document and data file. */
export const LANDING_PAGE = 'index.html';

function buildMeta(n: Narrator, config: ReleaseConfig, context: Record<string, unknown>, doc: DocumentConfig): ReportMeta {
  const m = config.meta;
  const title = doc.main || !doc.title ? renderPlain(n, m.title, context, config.file, 'meta.title') : renderPlain(n, doc.title, context, config.file, `documents.${doc.id}.title`);
  // Each item of "This release includes" links to its document, or else to the landing page
  // that lists the data files; the document itself is not a link.
  const includes = m.includes.map((text) => {
    const target = config.documents.find((d) => d.label === text);
    if (target?.id === doc.id) return { text };
    if (target) return { text, url: `${target.id}.html` };
    return m.publication ? { text, url: LANDING_PAGE } : { text };
  });
  const meta: ReportMeta = {
    title,
    status: m.status,
    draft: m.draft,
    coverage: m.coverage,
    period: `Inspections as at ${formatDate(config.period.asAt)}, with a report published by ${formatDate(config.period.publishedBy)}`,
    published: { iso: m.published, text: formatDate(m.published) },
    nextUpdate: m.nextUpdate,
    producer: m.producer,
    contact: m.contact,
    licence: m.licence,
    language: m.language,
    includes,
    document: { id: doc.id, label: doc.label },
  };
  if (m.publication) {
    meta.release = {
      title: renderPlain(n, m.publication.title, context, config.file, 'meta.publication.title'),
      url: LANDING_PAGE,
      summary: renderPlain(n, m.publication.summary, context, config.file, 'meta.publication.summary'),
    };
  }
  if (Object.keys(m.abbreviations).length > 0) meta.abbreviations = m.abbreviations;
  if (m.series) meta.series = m.series;
  if (m.acknowledgements) meta.acknowledgements = m.acknowledgements;
  if (m.revision) meta.revision = { iso: m.revision.date, text: formatDate(m.revision.date), reason: m.revision.reason };
  return meta;
}

/** Ids of the numbered tables in reading order. */
function tablesInOrder(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.type === 'table' && b.number !== undefined ? [b.id] : b.type === 'section' ? tablesInOrder(b.children) : []));
}

/** Turns the statistics model into the document tree through the release's template set. */
export function narrateReport(
  model: StatsModel,
  config: ReleaseConfig,
  set: TemplateSet,
  dataset: NarratedDataset = { warnings: [] },
  n: Narrator = new Narrator(),
  results: QueryResults = new Map(),
  doc: DocumentConfig = config.documents.find((d) => d.main) ?? { id: 'main-findings', label: 'main findings', templateDir: set.dir, main: true },
): ReportDocument {
  const context = templateContext(model, config, dataset);
  // Read by the (query …) helper; a symbol, so no template can reach the map itself.
  Object.defineProperty(context, QUERIES, { value: results, enumerable: true });
  const setFile = join(set.dir, 'template-set.yaml');
  const figureNumbers = new Map(set.figures.map((f, i) => [f.id, i + 1]));
  const figures = new Map<string, FigureNode>();
  const figureNode = (id: string): FigureNode => {
    let node = figures.get(id);
    if (!node) {
      const def = set.figures.find((f) => f.id === id);
      if (!def) throw new StatpressError('template', `no figure "${id}" in template-set.yaml`, { file: setFile });
      node = buildFigure(n, def, figureNumbers.get(id)!, model, config, context, setFile, set.roundingNote, results);
      figures.set(id, node);
    }
    return node;
  };
  /**
   * One rendering with the tables numbered as `tableNumbers` says. Tables written in Markdown
   * are known only once the text is parsed: `pending` collects references to ids not known yet.
   */
  const narrate = (tableNumbers: Map<string, number>, pending?: Set<string>) => {
    const tables = new Map<string, TableNode>();
    const tableNode = (id: string): TableNode => {
      let node = tables.get(id);
      if (!node) {
        const def = set.tables.find((t) => t.id === id);
        if (!def) throw new StatpressError('template', `no table "${id}" in template-set.yaml`, { file: setFile });
        node = buildTable(n, def, tableNumbers.get(id)!, model, config, context, setFile, results);
        tables.set(id, node);
      }
      return node;
    };
    const tokens: TokenValue[] = [];
    const state: RenderState = {
      tokens,
      block: (kind, id) => {
        if (kind === 'figure') return [figureNode(id)];
        if (kind === 'table') return [tableNode(id)];
        return set.figures
          .filter((f) => f.annex && !f.dataInWorkbook)
          .map((f) => {
            const figure = figureNode(f.id);
            // Notes about the figure stay under the figure.
            return { ...figure.dataTable, id: `annex-${f.id}`, notes: [] };
          });
      },
      reference: (kind, id) => {
        let number = kind === 'figure' ? figureNumbers.get(id) : tableNumbers.get(id);
        if (number === undefined && kind === 'table' && pending) {
          pending.add(id);
          number = 0;
        }
        if (number === undefined) throw new StatpressError('template', `no ${kind} "${id}" in template-set.yaml`, { file: setFile });
        return [{ type: 'link', url: `#${id}`, children: [{ type: 'text', value: kind === 'figure' ? figureLabel(number) : tableLabel(number) }] }];
      },
    };
    const rendered = set.sections.map((section) => renderTemplate(n, section.source, context, state, section.file));
    let line = 1;
    const parts = set.sections.map((section, i) => {
      const part = { file: section.file, source: section.source, startLine: line };
      line += rendered[i]!.split('\n').length + 1;
      return part;
    });
    return parseNarrative(rendered.join('\n\n'), tokens, relative(process.cwd(), set.dir), {
      parts,
      tableNumber: (id, index) => tableNumbers.get(id) ?? set.tables.length + index + 1,
    });
  };
  const declared = new Map(set.tables.map((t, i) => [t.id, i + 1]));
  const pending = new Set<string>();
  let parsed = narrate(declared, pending);
  if (parsed.tables.length > 0) {
    // With tables written in the text, every table is numbered in reading order (declared tables
    // placed nowhere come last), and the text is narrated again so references carry the numbers.
    const clash = parsed.tables.find((id, i) => declared.has(id) || parsed.tables.indexOf(id) !== i);
    if (clash) throw new StatpressError('template', `two tables have the id "${clash}"`, { file: setFile }, 'give the table written in the text an id of its own with {#its-id} at the end of its caption line');
    const order = tablesInOrder(parsed.blocks);
    for (const t of set.tables) if (!order.includes(t.id)) order.push(t.id);
    parsed = narrate(new Map(order.map((id, i) => [id, i + 1])));
  } else {
    const unknown = [...pending][0];
    if (unknown !== undefined) throw new StatpressError('template', `no table "${unknown}" in template-set.yaml`, { file: setFile });
  }
  const document: ReportDocument = {
    type: 'report',
    meta: buildMeta(n, config, context, doc),
    children: parsed.blocks as Block[],
    footnotes: parsed.footnotes,
  };
  return document;
}
