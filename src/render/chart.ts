/**
 * Charts: a figure's Vega-Lite spec template + its tidy data → SVG (for HTML and PDF), a PNG at
 * twice the size (for DOCX) and a CSV of the data. Rendered server-side with Vega (no canvas):
 * text is measured with the real font, and the PNG rasteriser is given the same font files,
 * so labels are neither cut nor lost.
 *
 * A spec template is plain Vega-Lite JSON in which `{"$ref": "name"}` stands for a value filled
 * in from the figure: `data` (its rows), `domain`, `range`, `textRange` (category order, colours
 * and label colours), `xMax` (a round axis end above the largest value) and any resource the
 * release names (e.g. `boundaries`). An author changes a chart by editing the spec alone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { renderAsync } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import type { FigureNode } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import { FONT_FAMILY, FONT_FILES, measureText } from '../platform/fonts.js';
import { PACKAGE_ROOT, versionOf } from '../platform/package.js';

export interface ChartAsset {
  id: string;
  svg: string;
  /** Empty when the caller asked for no PNG. */
  png: Uint8Array;
  csv: string;
  /** Size of the SVG in CSS pixels. */
  width: number;
  height: number;
}

export interface ChartOptions {
  /** Also rasterise each chart to PNG (for DOCX). Default true; a preview of the web page skips it. */
  png?: boolean;
  templateDir: string;
  /** Named files (absolute paths) that specs may refer to. */
  resources: Record<string, string>;
  /**
   * A folder where drawn charts are kept between runs, by a hash of everything that decides
   * the drawing; a later build whose figure is unchanged reads it instead of drawing it again.
   * No folder, no cache on disk.
   */
  cacheDir?: string;
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let engines: Promise<{ vega: Vega; vegaLite: VegaLite }> | undefined;

/** Vega and Vega-Lite, loaded on first use: a build whose charts are all cached never loads them. */
function loadEngines(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => {
    installTextMetrics(vega);
    return { vega, vegaLite };
  });
  return engines;
}

/** The default chart cache: `node_modules/.cache/statpress/charts` of this installation. */
export function defaultChartCacheDir(): string {
  return join(PACKAGE_ROOT, 'node_modules', '.cache', 'statpress', 'charts');
}

let engineKey: string | undefined;
/**
 * What else decides a drawing besides the filled spec: this module's own code and the text
 * measurement's, the versions of the drawing libraries and the font files. Any change to them is a new key, so a cache entry
 * can never outlive the code that drew it.
 */
function engineFingerprint(): string {
  if (engineKey) return engineKey;
  // This module and the font measurement it relies on (fonts.ts beside it, compiled or not).
  const self = fileURLToPath(import.meta.url);
  const hash = createHash('sha256').update(readFileSync(self)).update(readFileSync(join(dirname(self), '..', 'platform', `fonts${extname(self)}`)));
  for (const pkg of ['vega', 'vega-lite', '@resvg/resvg-js']) hash.update(`${pkg}@${versionOf(pkg)}`);
  for (const file of Object.values(FONT_FILES)) hash.update(`${file}:${statSync(file).size}`);
  engineKey = hash.digest('hex');
  return engineKey;
}

let metricsInstalled = false;
/** Vega measures text to place labels and size axes; make it measure the font we embed. */
function installTextMetrics(vega: Vega): void {
  if (metricsInstalled) return;
  // textMetrics is exported at run time but missing from vega's type definitions.
  const metrics = (vega as unknown as { textMetrics: unknown }).textMetrics as { width: (item: Record<string, unknown>, text: unknown) => number };
  metrics.width = (item, text) => {
    const size = typeof item.fontSize === 'number' ? item.fontSize : 11;
    const weight = item.fontWeight;
    const bold = weight === 'bold' || (typeof weight === 'number' && weight >= 600);
    const lines = Array.isArray(text) ? text.map(String) : [String(text ?? '')];
    return Math.max(0, ...lines.map((line) => measureText(line, size, bold)));
  };
  metricsInstalled = true;
}

const specCache = new Map<string, unknown>();
const resourceCache = new Map<string, unknown>();

function readJson(cache: Map<string, unknown>, file: string, what: string): unknown {
  let value = cache.get(file);
  if (value === undefined) {
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new StatpressError('config', `could not read the ${what}: ${(error as Error).message.split('\n')[0]}`, { file });
    }
    cache.set(file, value);
  }
  return value;
}

/** Replaces every `{"$ref": name}` in a spec with its value. */
function fillRefs(node: unknown, refs: Record<string, unknown>, file: string): unknown {
  if (Array.isArray(node)) return node.map((n) => fillRefs(n, refs, file));
  if (node && typeof node === 'object') {
    const object = node as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1 && keys[0] === '$ref') {
      const name = String(object.$ref);
      if (!(name in refs)) throw new StatpressError('config', `the chart spec refers to "${name}", which this figure does not provide`, { file, value: name }, `available: ${Object.keys(refs).join(', ')}`);
      return refs[name];
    }
    return Object.fromEntries(keys.map((k) => [k, fillRefs(object[k], refs, file)]));
  }
  return node;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/**
 * Makes the SVG stand alone in a page with others: ids prefixed with the figure id, an
 * accessible name (role="img", <title>, aria-labelledby), and size kept by its viewBox.
 */
function finishSvg(svg: string, figure: FigureNode): { svg: string; width: number; height: number } {
  const prefix = `${figure.id}-`;
  // Map paths carry far more precision than a screen or printer resolves; a tenth of a pixel keeps
  // the shapes and roughly halves the size of the page.
  let out = svg
    .replace(/\sd="([^"]+)"/g, (_, d: string) => ` d="${d.replace(/-?\d+\.\d{2,}/g, (n) => String(Math.round(Number(n) * 10) / 10))}"`)
    .replace(/\sid="([^"]+)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`)
    // The chart is one image described by its alt text (the data table is the full alternative):
    // Vega's per-mark roles would make screen readers walk hundreds of unlabelled shapes.
    .replace(/<[a-z][^>]*>/g, (tag) => tag.replace(/\s(role|aria-roledescription|aria-label|aria-labelledby)="[^"]*"/g, ''));
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(out);
  const width = size ? Number(size[1]) : 0;
  const height = size ? Number(size[2]) : 0;
  const titleId = `${figure.id}-svg-title`;
  out = out.replace(/<svg([^>]*)>/, (_, attrs: string) => {
    return `<svg${attrs} role="img" aria-labelledby="${titleId}"><title id="${titleId}">${escapeXml(figure.altText)}</title>`;
  });
  return { svg: out, width, height };
}

const CSV_HEADERS: Record<string, string> = { label: '', series: 'category', value: 'percentage', code: 'area_code', name: 'name' };

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '[z]';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The figure's data as a tidy CSV (header row, one observation per row, `[z]` where none applies). */
export function figureCsv(figure: FigureNode): string {
  const rows = figure.chart.data;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const rowHeader = figure.dataTable.columns[0]?.label.toLowerCase().replace(/[^a-z0-9]+/g, '_') ?? 'label';
  const header = keys.map((k) => (k === 'label' ? rowHeader : CSV_HEADERS[k] ?? k));
  const lines = [header.join(','), ...rows.map((row) => keys.map((k) => csvCell(row[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A round axis end above the largest value: 40 for 36, 60 for 52. */
function roundedMax(rows: FigureNode['chart']['data']): number {
  const max = Math.max(0, ...rows.map((r) => (typeof r.value === 'number' ? r.value : 0)));
  return Math.max(10, Math.ceil(max / 10) * 10);
}

/** A drawn chart and its key; `png` only when it was drawn before (possibly empty: not rasterised yet). */
type Drawn = Omit<ChartAsset, 'png'> & { key: string; png?: Uint8Array };

async function renderChart(figure: FigureNode, options: ChartOptions): Promise<Drawn> {
  const file = join(options.templateDir, figure.chart.spec);
  const template = readJson(specCache, file, 'chart spec');
  const { domain, range } = figure.chart;
  const refs: Record<string, unknown> = {
    data: figure.chart.data.map((row) => ({ ...row, order: typeof row.series === 'string' ? domain.indexOf(row.series) : 0 })),
    domain,
    range,
    textRange: figure.chart.textRange ?? range.map(() => '#0b0c0c'),
    xMax: roundedMax(figure.chart.data),
  };
  for (const name of figure.chart.resources ?? []) {
    const path = options.resources[name];
    if (!path) throw new StatpressError('config', `figure ${figure.number} needs the resource "${name}"; add it under resources in the release config`);
    refs[name] = readJson(resourceCache, path, `resource "${name}"`);
  }
  const spec = fillRefs(template, refs, file) as TopLevelSpec;
  const key = createHash('sha256').update(JSON.stringify([engineFingerprint(), figure.id, figure.altText, spec])).digest('hex');
  const csv = figureCsv(figure);
  const cached = drawn.get(key) ?? readCached(options.cacheDir, key, figure.id);
  if (cached) return { ...cached, csv, key };
  let svg: string;
  try {
    const { vega, vegaLite } = await loadEngines();
    const compiled = vegaLite.compile(spec, { logger: silentLogger }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    svg = await view.toSVG();
    view.finalize();
  } catch (error) {
    throw new StatpressError('config', `the chart could not be drawn: ${(error as Error).message}`, { file });
  }
  const finished = finishSvg(svg, figure);
  return { key, id: figure.id, svg: finished.svg, width: finished.width, height: finished.height, csv };
}

/** A chart drawn by an earlier run, if the cache holds it (a damaged entry counts as absent). */
function readCached(dir: string | undefined, key: string, id: string): ChartAsset | undefined {
  if (!dir) return undefined;
  try {
    const { width, height } = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as { width: number; height: number };
    const svg = readFileSync(join(dir, `${key}.svg`), 'utf8');
    let png = new Uint8Array();
    try {
      png = new Uint8Array(readFileSync(join(dir, `${key}.png`)));
    } catch {
      // Drawn for a preview, without its PNG: the PNG is made when asked for.
    }
    if (typeof width !== 'number' || typeof height !== 'number' || !svg.startsWith('<svg')) return undefined;
    // Used again: keep it longest when the cache is pruned.
    const now = new Date();
    utimesSync(join(dir, `${key}.json`), now, now);
    return { id, svg, png, csv: '', width, height };
  } catch {
    return undefined;
  }
}

/** Keeps a drawn chart for later runs; a cache that cannot be written is only slower. */
function writeCached(dir: string | undefined, key: string, asset: ChartAsset): void {
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const put = (name: string, data: string | Uint8Array) => {
      const temporary = join(dir, `.${name}.${process.pid}`);
      writeFileSync(temporary, data);
      renameSync(temporary, join(dir, name));
    };
    put(`${key}.svg`, asset.svg);
    if (asset.png.length > 0) put(`${key}.png`, asset.png);
    put(`${key}.json`, JSON.stringify({ id: asset.id, width: asset.width, height: asset.height }));
    pruneCache(dir);
  } catch {
    // Read-only installation or full disk: carry on without the cache.
  }
}

/** How many drawings the cache keeps: every figure of a few dozen recent drafts. */
export const CHART_CACHE_ENTRIES = 200;

/** Forgets the least recently written drawings once the cache holds more than it keeps. */
function pruneCache(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ key: f.slice(0, -'.json'.length), time: statSync(join(dir, f)).mtimeMs }));
  if (entries.length <= CHART_CACHE_ENTRIES) return;
  entries.sort((a, b) => a.time - b.time);
  for (const { key } of entries.slice(0, entries.length - CHART_CACHE_ENTRIES)) {
    for (const ext of ['json', 'svg', 'png']) rmSync(join(dir, `${key}.${ext}`), { force: true });
  }
}

/** Rasterises an SVG at twice its size, off the main thread, with the embedded fonts. */
async function renderPng(svg: string): Promise<Uint8Array> {
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return new Uint8Array(image.asPng());
}

/** Vega-Lite warns on stderr about harmless things (e.g. dropped nulls); keep builds quiet. */
const silentLogger = {
  level: () => silentLogger,
  error: (...args: unknown[]) => {
    throw new Error(args.map(String).join(' '));
  },
  warn: () => silentLogger,
  info: () => silentLogger,
  debug: () => silentLogger,
};

/**
 * Charts already drawn in this process, by a hash of everything that decides the drawing (the
 * filled spec, the alt text, the id): a rebuild whose figure data did not change, such as a
 * preview after a wording edit, reuses them.
 */
const drawn = new Map<string, ChartAsset>();

/**
 * Renders every figure's chart: SVGs in turn, then the PNGs in parallel off the main thread.
 * A figure drawn before, in this process or (with `cacheDir`) an earlier one, is reused.
 */
export async function renderCharts(figures: readonly FigureNode[], options: ChartOptions): Promise<Map<string, ChartAsset>> {
  const charts: Drawn[] = [];
  for (const figure of figures) charts.push(await renderChart(figure, options));
  const assets = await Promise.all(
    charts.map(async ({ key, png, ...chart }) => {
      const wanted = options.png !== false;
      if (png && (png.length > 0 || !wanted)) return remember(key, { ...chart, png });
      const asset = remember(key, { ...chart, png: wanted ? await renderPng(chart.svg) : new Uint8Array() });
      writeCached(options.cacheDir, key, asset);
      return asset;
    }),
  );
  return new Map(assets.map((a) => [a.id, a]));
}

function remember(key: string, asset: ChartAsset): ChartAsset {
  drawn.set(key, asset);
  if (drawn.size > 64) drawn.delete(drawn.keys().next().value!);
  return asset;
}

/** Forgets charts drawn earlier in this process (for benchmarks of a first drawing). */
export function clearChartCache(): void {
  drawn.clear();
}

/** Forgets the spec templates and resources read so far, after one of them changed on disk. */
export function forgetChartInputs(): void {
  specCache.clear();
  resourceCache.clear();
}
