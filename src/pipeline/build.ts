/**
 * build: orchestrates one release.
 *
 *   release config ─► loadReleaseConfig
 *   data files ─────► loadDataset ─► computeStats ─► narrateReport ─► validateDocument
 *                                                           │
 *                                  renderCharts (SVG, PNG, CSV) ◄─┤
 *                                                           ▼
 *                                renderHtml / renderPdf / renderDocx ─► writeOutputs
 *
 * All file writes go through an injected `Effects` object, and the outputs are written to a
 * temporary folder that replaces the output folder only when everything succeeded, so a failed
 * build leaves the previous release untouched.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { computeStats, type StatsModel } from '../compute/stats.js';
import { loadReleaseConfig, type ReleaseConfig, type ReleaseOverrides } from '../config/config.js';
import type { FigureNode, ReportDocument } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import { loadDataset, type Dataset } from '../load/dataset.js';
import { loadTemplateSet, narrateReport, type TemplateSet } from '../narrate/narrate.js';
import { defaultChartCacheDir, renderCharts } from '../render/chart.js';
import type { Browser, BrowserChoice, BrowserSession } from '../platform/browser.js';
import { buildManifest } from './manifest.js';
import { buildWorkbook } from '../render/workbook/workbook.js';
import { underlyingDataFiles } from '../render/workbook/files.js';
import { renderHtml } from '../render/html.js';
import { printCss } from '../render/print-css.js';
import { checkDocument, formatGateReport, type GateResult } from '../quality/gates/document-gates.js';

export type Format = 'html' | 'pdf' | 'docx';
export const FORMATS: Format[] = ['html', 'pdf', 'docx'];

export interface BuildOptions extends ReleaseOverrides {
  configFile: string;
  outDir: string;
  formats: Format[];
  /**
   * Which quality gates run: `all` (default) adds the checks on the rendered formats, which
   * need Chromium for the web page; `document` runs only the checks on the tree (drafts, preview).
   */
  gates?: 'all' | 'document';
  /** Collect gate findings in the result instead of failing the build (`statpress check`). */
  collectGates?: boolean;
  /**
   * Where drawn charts are kept between builds (see `renderCharts`): a folder, or `false` for
   * none. Default: `chartCacheDir()`.
   */
  chartCache?: string | false;
  progress?: import('../core/progress.js').ProgressSink; // told when each stage starts and ends (the CLI's progress lines)
}

/**
 * The chart cache builds use unless told otherwise: `STATPRESS_CACHE_DIR` if set (`off` for
 * none), else `node_modules/.cache/statpress/charts` of this installation.
 */
export function chartCacheDir(): string | undefined {
  const setting = process.env.STATPRESS_CACHE_DIR;
  if (setting === 'off') return undefined;
  return setting ? resolve(setting) : defaultChartCacheDir();
}

/** File writes, injected so tests can build without touching the disk. */
export interface Effects {
  /** Writes all files to `outDir` at once, replacing what was there only on success. */
  writeOutputs(outDir: string, files: Map<string, string | Uint8Array>): void;
}

export interface BuildResult {
  config: ReleaseConfig;
  dataset: Dataset;
  model: StatsModel;
  document: ReportDocument;
  files: Map<string, string | Uint8Array>;
  timings: Record<string, number>;
  /** Where the browser that printed the PDF came from. */
  browser?: BrowserChoice['source'];
  /** Every gate that ran, with its findings (empty when it passed). */
  gates: GateResult[];
}

/** Atomic replacement of the output folder: write beside it, then swap. */
export const nodeEffects: Effects = {
  writeOutputs(outDir, files) {
    const target = resolve(outDir);
    const parent = dirname(target);
    mkdirSync(parent, { recursive: true });
    const staging = `${target}.tmp-${process.pid}`;
    const backup = `${target}.old-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    try {
      for (const [name, content] of files) {
        const path = join(staging, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw new StatpressError('output', `could not write the outputs: ${(error as Error).message}`, { file: staging });
    }
    if (existsSync(target)) renameSync(target, backup);
    renameSync(staging, target);
    rmSync(backup, { recursive: true, force: true });
  },
};

/** The base name of every output file of a release. */
export const OUTPUT_NAME = 'main-findings';

/** Builds the document tree and runs every gate on it, returning all results (no throw on findings). */
export async function checkRelease(options: ReleaseOverrides & { configFile: string; formats?: Format[] }): Promise<GateResult[]> {
  const result = await buildRelease({ formats: FORMATS, ...options, outDir: '(not written)', collectGates: true }, { writeOutputs() {} });
  return result.gates;
}

/** Everything up to the document tree: pure apart from reading the inputs. */
export function buildDocument(
  options: ReleaseOverrides & { configFile: string; gates?: boolean },
): Omit<BuildResult, 'files' | 'gates'> & { checks: GateResult[] } {
  const timings: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const start = performance.now();
    const result = fn();
    timings[name] = performance.now() - start;
    return result;
  };
  const overrides: ReleaseOverrides = {};
  if (options.asAt) overrides.asAt = options.asAt;
  if (options.publishedBy) overrides.publishedBy = options.publishedBy;
  if (options.draft !== undefined) overrides.draft = options.draft;
  const config = time('config', () => loadReleaseConfig(options.configFile, overrides));
  const dataset = time('load', () => loadDataset(config));
  const model = time('compute', () => computeStats(dataset, config.period, config.publishedSeries?.computeFrom));
  const set = time('templates', () => loadTemplateSet(config.templateDir));
  const document = time('narrate', () => narrateReport(model, config, set, dataset));
  const checks = time('check', () => {
    if (options.gates === false) return [];
    const results = checkDocument(document);
    if (results.some((r) => r.findings.length > 0)) {
      throw new StatpressError('check', `the release fails its quality gates:\n${formatGateReport(results)}`);
    }
    return results;
  });
  config.inputs.push(...set.files, ...set.figures.map((f) => join(config.templateDir, f.spec)));
  return { config, dataset, model, document, timings, checks };
}

/**
 * Every file a release reads, once each: the release config, framework and layouts, the data
 * files and chart resources, and (once loaded) the templates and chart specs.
 */
export function inputFiles(config: ReleaseConfig, set?: TemplateSet): string[] {
  const files = [
    ...config.inputs,
    config.register.authorities.file,
    ...(config.register.changes ? [config.register.changes.file] : []),
    ...config.sources.map((s) => s.file),
    ...(config.publishedSeries ? [config.publishedSeries.file] : []),
    ...Object.values(config.resources),
    ...(set ? [...set.files, ...set.figures.map((f) => join(config.templateDir, f.spec))] : []),
  ];
  return [...new Set(files.map((f) => resolve(f)))];
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

/** Builds a release and writes it to `options.outDir`, unless a quality gate fails. */
export async function buildRelease(options: BuildOptions, effects: Effects = nodeEffects): Promise<BuildResult> {
  const built = buildDocument({ ...options, gates: !options.collectGates });
  const formatGates = (options.gates ?? 'all') === 'all';
  const needBrowser = options.formats.includes('pdf') || (formatGates && options.formats.includes('html'));
  // Chromium starts once the document is sound, and launches while the charts, the workbook and
  // the Word file are made. Loaded only when needed: a quick HTML draft never pays for it.
  const session = needBrowser ? (await import('../platform/browser.js')).startBrowser() : undefined;
  try {
    return await renderRelease(built, options, effects, session);
  } finally {
    await session?.close();
  }
}

async function renderRelease(
  built: ReturnType<typeof buildDocument>,
  options: BuildOptions,
  effects: Effects,
  session: BrowserSession | undefined,
): Promise<BuildResult> {
  const { config, dataset, model, document, timings } = built;
  // Every gate that ran, passed or not: the document gates, then (below) the format gates.
  const gates: GateResult[] = options.collectGates ? checkDocument(document) : built.checks;
  const files = new Map<string, string | Uint8Array>();
  let start = performance.now();
  const cacheDir = options.chartCache === false ? undefined : options.chartCache ?? chartCacheDir();
  const assets = await renderCharts(figuresOf(document), { templateDir: config.templateDir, resources: config.resources, ...(cacheDir ? { cacheDir } : {}) });
  timings.charts = performance.now() - start;
  for (const [id, asset] of assets) {
    files.set(`charts/${id}.svg`, asset.svg);
    files.set(`charts/${id}.png`, asset.png);
    files.set(`charts/${id}.csv`, asset.csv);
  }
  start = performance.now();
  const html = renderHtml(document, {
    assets,
    downloads: [
      ...(options.formats.includes('pdf') ? [{ label: 'This release as a PDF', href: `${OUTPUT_NAME}.pdf` }] : []),
      ...(options.formats.includes('docx') ? [{ label: 'This release as a Word document', href: `${OUTPUT_NAME}.docx` }] : []),
      { label: 'Underlying data (OpenDocument spreadsheet)', href: 'underlying-data.ods' },
      { label: 'Underlying data (Excel workbook)', href: 'underlying-data.xlsx' },
      { label: 'Underlying data as CSV files, with data guidance', href: 'data/data-guidance.txt' },
    ],
  });
  timings.html = performance.now() - start;
  if (options.formats.includes('html')) files.set(`${OUTPUT_NAME}.html`, html);
  start = performance.now();
  for (const [name, content] of await underlyingDataFiles(buildWorkbook(config, dataset, model, document))) files.set(name, content);
  timings.data = performance.now() - start;
  let docx: Uint8Array | undefined;
  if (options.formats.includes('docx')) {
    start = performance.now();
    const { renderDocx } = await import('../render/docx.js');
    docx = await renderDocx(document, assets);
    files.set(`${OUTPUT_NAME}.docx`, docx);
    timings.docx = performance.now() - start;
  }
  let browser: Browser | undefined;
  let browserUsed: BrowserChoice['source'] | undefined;
  let browserVersion: string | undefined;
  if (session) {
    const started = await session.ready;
    browser = started.browser;
    browserUsed = started.choice.source;
    if (options.formats.includes('pdf')) browserVersion = await browser.version();
  }
  const gateModule = (options.gates ?? 'all') === 'all' ? import('../quality/gates/format-gates.js') : undefined;
  // The web page's checks (axe-core in a tab of its own) run while the PDF prints.
  const htmlReading = gateModule && browser && options.formats.includes('html') ? gateModule.then(({ readHtml }) => readHtml(html, browser)) : undefined;
  htmlReading?.catch(() => undefined);
  let pdf: Uint8Array | undefined;
  if (browser && options.formats.includes('pdf')) {
    start = performance.now();
    const printable = renderHtml(document, { assets, mode: 'print', printCss: printCss() });
    const { renderPdf } = await import('../render/pdf.js');
    pdf = (await renderPdf(printable, document.meta, browser)).pdf;
    files.set(`${OUTPUT_NAME}.pdf`, pdf);
    timings.pdf = performance.now() - start;
  }
  if (gateModule) {
    start = performance.now();
    const { checkFormats } = await gateModule;
    const results = await checkFormats({
      document,
      ...(htmlReading ? { htmlReading: await htmlReading } : {}),
      ...(pdf ? { pdf } : {}),
      ...(docx ? { docx } : {}),
    });
    gates.push(...results);
    // What the gates cost beyond the time they ran beside the PDF.
    timings.gates = performance.now() - start;
  }
  if (!options.collectGates && gates.some((g) => g.findings.length > 0)) {
    throw new StatpressError('check', `the release fails its quality gates, so nothing was written:\n${formatGateReport(gates)}`);
  }
  files.set('document.json', `${JSON.stringify(document, null, 2)}\n`);
  files.set('manifest.json', buildManifest({ config, document, inputs: inputFiles(config), outputs: files, ...(browserVersion ? { browserVersion } : {}) }));
  effects.writeOutputs(options.outDir, files);
  return { config, dataset, model, document, files, timings, gates, ...(browserUsed ? { browser: browserUsed } : {}) };
}

/** Reads a file as text, for tests and tools. */
export function readOutput(outDir: string, name: string): string {
  return readFileSync(join(outDir, name), 'utf8');
}
