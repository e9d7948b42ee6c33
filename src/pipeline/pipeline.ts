/**
 * The pipeline: one release, as named stages that build, check, preview and bench all run.
 *
 *   config ─► dataset ─► model ────────────────┐
 *     │          └──────► database ─► queries ─┤      (DuckDB only when the template set has queries)
 *     ├─────► templates ───────────────┴───────┴─► document ─► checks
 *     └─────► specs ───────────────────┴───────► assets ─► formats ─► gates   (src/pipeline/build.ts)
 *
 * Each stage is memoised: it runs once, and again only after `invalidate` is told that a file
 * it depends on changed (the preview does this on every save), which also drops every stage
 * downstream of it. The stages themselves are functions of their inputs; everything they do to
 * the world (reading files, the store of drawings and compiled templates, the clock, progress)
 * goes through the `Effects` the pipeline is given.
 */
import { join, resolve } from 'node:path';
import { loadReleaseConfig, type DocumentConfig, type ReleaseConfig, type ReleaseOverrides } from '../config/config.js';
import { checkCoverage } from '../compute/coverage.js';
import { computeStats, type StatsModel } from '../compute/stats.js';
import type { FigureNode, ReportDocument } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import { formatDate } from '../core/dates.js';
import { parseJson } from '../core/json.js';
import { reason } from '../platform/output.js';
import { loadDataset, readTable, type Dataset } from '../load/dataset.js';
import { loadTemplateSet, narrateReport, Narrator, type TemplateSet } from '../narrate/narrate.js';
import { checkDocument, type GateResult } from '../quality/gates/document-gates.js';
import { renderCharts, type ChartAsset, type SpecFile } from '../render/chart.js';
import type { Effects } from '../platform/effects.js';
import { chartEngineKey } from '../platform/package.js';
import { inputRoles, type InputRole } from './manifest.js';
import { checkReplacement, readPrevious, refuseUndeclaredRevision, reviseDocument, sourceColumns, type PreviousBuild, type SourceColumns } from './revision.js';
import { QueryEngine } from '../query/engine.js';
import { openDataModel, runNamedQueries, type QueryResults } from '../query/database.js';

/** The stages, in the order a build runs them, each with the stages it reads. */
export const STAGES = {
  config: [],
  dataset: ['config'],
  model: ['dataset'],
  database: ['dataset'],
  templates: ['config'],
  queries: ['database', 'templates'],
  specs: ['config', 'templates'],
  document: ['model', 'templates', 'queries'],
  checks: ['document'],
  assets: ['document', 'specs'],
} as const satisfies Record<string, readonly string[]>;
export type StageName = keyof typeof STAGES;

/** What each stage is called in timings and progress: what it does. */
const STEP_OF: Record<StageName, string> = {
  config: 'config',
  dataset: 'load',
  model: 'compute',
  database: 'database',
  templates: 'templates',
  queries: 'query',
  specs: 'specs',
  document: 'narrate',
  checks: 'check',
  assets: 'charts',
};

/** Which stage a changed input invalidates, by the role it plays in the release. */
const STAGE_OF_ROLE: Record<InputRole, StageName> = {
  'release config': 'config',
  framework: 'config',
  layout: 'config',
  data: 'dataset',
  template: 'templates',
  'chart spec': 'specs',
  resource: 'specs',
};

export interface PipelineRequest extends ReleaseOverrides {
  configFile: string;
}

/** What the chart stage draws from: the spec templates and the resources they may use, parsed. */
export interface ChartInputs {
  specs: Map<string, SpecFile>;
  resources: Map<string, unknown>;
}

export class Pipeline {
  private readonly memo = new Map<string, unknown>();
  /** Time of each step run since the last `resetTimings`, in ms. */
  timings: Record<string, number> = {};
  private readonly narrator: Narrator;

  constructor(
    readonly request: PipelineRequest,
    readonly effects: Effects,
  ) {
    this.narrator = new Narrator(effects.store);
  }

  resetTimings(): void {
    this.timings = {};
  }

  /** Runs `fn` as the named step, timing it and reporting its start and end. */
  step<T>(name: string, fn: () => T): T {
    const start = this.effects.now();
    this.effects.progress({ stage: name, phase: 'start' });
    try {
      return fn();
    } finally {
      this.timings[name] = this.effects.now() - start;
      this.effects.progress({ stage: name, phase: 'end' });
    }
  }

  async stepAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = this.effects.now();
    this.effects.progress({ stage: name, phase: 'start' });
    try {
      return await fn();
    } finally {
      this.timings[name] = this.effects.now() - start;
      this.effects.progress({ stage: name, phase: 'end' });
    }
  }

  private stage<T>(name: StageName, fn: () => T, key: string = name): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = this.step(STEP_OF[name], fn);
    this.memo.set(key, value);
    return value;
  }

  config(): ReleaseConfig {
    const { configFile, ...overrides } = this.request;
    return this.stage('config', () => loadReleaseConfig(configFile, overrides, this.effects.readText));
  }

  dataset(): Dataset {
    const config = this.config();
    return this.stage('dataset', () => loadDataset(config, this.effects.readBytes));
  }

  model(): StatsModel {
    const dataset = this.dataset();
    const config = this.config();
    return this.stage('model', () => {
      const coverage = checkCoverage(config, dataset, this.effects.today());
      const model = computeStats(dataset, config.period, config.publishedSeries?.computeFrom, coverage);
      // A published figure the data now give differently is a revision, which the release must declare.
      refuseUndeclaredRevision(config, model);
      return model;
    });
  }

  /** The release's document with this id (its main one when none is given). */
  documentConfig(id?: string): DocumentConfig {
    const documents = this.config().documents;
    const found = id === undefined ? documents.find((d) => d.main) : documents.find((d) => d.id === id);
    if (!found) throw new StatpressError('config', `the release has no document "${id}"`, { file: this.config().file, setting: 'documents' });
    return found;
  }

  /** A memo key for a document's stage: the stage's own for the main document. */
  private keyFor(stage: StageName, doc: DocumentConfig): string {
    return doc.main ? stage : `${stage}:${doc.id}`;
  }

  /** The template set of a document (the main one when no id is given). */
  templates(id?: string): TemplateSet {
    const doc = this.documentConfig(id);
    const set = this.stage('templates', () => {
      const set = loadTemplateSet(doc.templateDir, this.effects.readText);
      // Charts are drawn for the main document only: their files are named by figure number.
      if (!doc.main && set.figures.length > 0) {
        throw new StatpressError('config', `the document "${doc.id}" has figures; only the main document draws charts`, { file: join(doc.templateDir, 'template-set.yaml'), setting: 'figures' }, 'place the figures in the main findings');
      }
      // The worker loads DuckDB while the other stages run.
      if (set.queries.length > 0) QueryEngine.warm();
      return set;
    }, this.keyFor('templates', doc));
    if (doc.main) this.lastTemplates = set;
    return set;
  }

  /** The template set last read well: its files are still the release's while an edit breaks it. */
  private lastTemplates: TemplateSet | undefined;

  /** The chart spec templates the template set names, and the release's resources, read and parsed. */
  specs(): ChartInputs {
    const config = this.config();
    const set = this.templates();
    return this.stage('specs', () => {
      const json = (file: string, what: string): unknown => {
        let text: string;
        try {
          text = this.effects.readText(file);
        } catch (error) {
          throw new StatpressError('file-missing', `could not read the ${what}: ${reason(error)}`, { file });
        }
        // A syntax error is placed by line and column; nothing of the file is quoted.
        return parseJson(text, file, what);
      };
      const specs = new Map<string, SpecFile>();
      for (const { spec } of set.figures) {
        if (specs.has(spec)) continue;
        const file = join(config.templateDir, spec);
        specs.set(spec, { file, json: json(file, 'chart spec') });
      }
      const resources = new Map<string, unknown>();
      for (const [name, file] of Object.entries(config.resources)) resources.set(name, json(file, `resource "${name}"`));
      return { specs, resources };
    });
  }

  /**
   * The release's data model in an in-process DuckDB (src/query): started on first use, loaded
   * from the validated dataset, and opened afresh when the data change.
   */
  database(): QueryEngine {
    const config = this.config();
    // The worker loads DuckDB while this thread reads the data.
    if (!this.memo.has('database')) QueryEngine.warm();
    const dataset = this.dataset();
    return this.stage('database', () => openDataModel({ dataset, framework: config.framework, period: config.period }));
  }

  /** A document's named queries, run once per build; none, and DuckDB is never started. */
  queries(id?: string): QueryResults {
    const doc = this.documentConfig(id);
    const set = this.templates(id);
    const key = this.keyFor('queries', doc);
    if (set.queries.length === 0) {
      // Nothing to run: no step, no DuckDB.
      if (!this.memo.has(key)) this.memo.set(key, new Map());
      return this.memo.get(key) as QueryResults;
    }
    const engine = this.database();
    const config = this.config();
    return this.stage('queries', () => runNamedQueries(engine, set.queries, config), key);
  }

  /** The document tree of a document (the main one when no id is given). */
  document(id?: string): ReportDocument {
    const model = this.model();
    const doc = this.documentConfig(id);
    const set = this.templates(id);
    const results = this.queries(id);
    const config = this.config();
    const dataset = this.dataset();
    return this.stage('document', () => {
      // A template set written for some dates (a framework it describes) says nothing true of others.
      const asAt = config.period.asAt;
      if (set.appliesFrom && asAt < set.appliesFrom) {
        throw new StatpressError('coverage', `the template set is written for releases as at ${formatDate(set.appliesFrom)} or later; this one is as at ${formatDate(asAt)}`, set.appliesFromAt ?? {}, 'use a template set written for that date');
      }
      if (set.appliesUntil && asAt > set.appliesUntil) {
        throw new StatpressError('coverage', `the template set is written for releases as at ${formatDate(set.appliesUntil)} or earlier; this one is as at ${formatDate(asAt)}`, set.appliesUntilAt ?? {}, 'use a template set written for that date');
      }
      // A revision is checked against the build it revises before anything is narrated or written.
      // The previous build's values are the main document's: the others carry the revision's date and reason.
      const previous = doc.main ? readPrevious(config, this.effects.readText) : undefined;
      if (doc.main) this.previousBuild = previous;
      if (previous) checkReplacement(this.sourceColumns(), previous);
      const document = narrateReport(model, config, set, dataset, this.narrator, results, doc);
      if (doc.main) reviseDocument(document, model, previous);
      return document;
    }, this.keyFor('document', doc));
  }

  /** The build the document was compared with (`meta.revision.previous`), once the document is made. */
  previousBuild: PreviousBuild | undefined;

  /** The header of every data file of the release (for the manifest and the replacement check). */
  sourceColumns(): SourceColumns[] {
    const config = this.config();
    return sourceColumns(config, (file) => readTable(file, file, this.effects.readBytes).header);
  }

  /** The gates on a document's tree: structure, numbers-trace, directions, rounding, style, claims. */
  checks(id?: string): GateResult[] {
    const doc = this.documentConfig(id);
    const document = this.document(id);
    return this.stage('checks', () => checkDocument(document), this.keyFor('checks', doc));
  }

  /** Every figure's chart (SVG, CSV and, unless `png: false`, the PNG for Word). */
  async assets(options: { png?: boolean } = {}): Promise<Map<string, ChartAsset>> {
    const png = options.png !== false;
    const document = this.document();
    const inputs = this.specs();
    // A drawing with its PNG serves a request without one too.
    const known = (this.memo.get('assets+png') ?? (png ? undefined : this.memo.get('assets'))) as Promise<Map<string, ChartAsset>> | undefined;
    if (known) return known;
    const drawn = this.stepAsync('charts', () =>
      renderCharts(figuresOf(document), { ...inputs, png, store: this.effects.store, engine: chartEngineKey() }),
    );
    this.memo.set(png ? 'assets+png' : 'assets', drawn);
    drawn.catch(() => this.memo.delete(png ? 'assets+png' : 'assets'));
    return drawn;
  }

  /** Every input file of the release, once each, absolute (the templates' once they are read). */
  inputs(): string[] {
    const config = this.config();
    const set = (this.memo.get('templates') as TemplateSet | undefined) ?? this.lastTemplates;
    const others = config.documents.filter((d) => !d.main).map((d) => this.memo.get(`templates:${d.id}`) as TemplateSet | undefined);
    const files = [
      ...config.inputs,
      config.register.authorities.file,
      ...(config.register.changes ? [config.register.changes.file] : []),
      ...config.sources.map((s) => s.file),
      ...(config.publishedSeries ? [config.publishedSeries.file] : []),
      ...Object.values(config.resources),
      ...(set ? [...set.files, ...set.figures.map((f) => join(config.templateDir, f.spec))] : []),
      ...others.flatMap((other) => other?.files ?? []),
    ];
    return [...new Set(files.map((f) => resolve(f)))];
  }

  /**
   * Forgets what the changed files invalidate (and everything downstream of it); a file the
   * release does not know, or any change before the config was read, invalidates everything.
   * Returns the stages that will run again.
   */
  invalidate(changed: readonly string[]): Set<StageName> {
    const config = this.memo.get('config') as ReleaseConfig | undefined;
    const roots = new Set<StageName>();
    if (!config) roots.add('config');
    else {
      const roles = inputRoles(config, changed);
      for (const file of changed) roots.add(STAGE_OF_ROLE[roles.get(resolve(file)) ?? 'release config']);
    }
    const dropped = new Set<StageName>();
    const drop = (stage: StageName): void => {
      if (dropped.has(stage)) return;
      dropped.add(stage);
      for (const [other, needs] of Object.entries(STAGES) as Array<[StageName, readonly StageName[]]>) if (needs.includes(stage)) drop(other);
    };
    for (const stage of roots) drop(stage);
    for (const stage of dropped) {
      if (stage === 'database') (this.memo.get('database') as QueryEngine | undefined)?.close();
      this.memo.delete(stage);
      // The same stage of the release's other documents.
      for (const key of [...this.memo.keys()]) if (key.startsWith(`${stage}:`)) this.memo.delete(key);
      if (stage === 'assets') this.memo.delete('assets+png');
    }
    return dropped;
  }
}

export function figuresOf(doc: ReportDocument): FigureNode[] {
  const out: FigureNode[] = [];
  const walk = (blocks: ReportDocument['children']): void => {
    for (const b of blocks) {
      if (b.type === 'figure') out.push(b);
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  return out;
}
