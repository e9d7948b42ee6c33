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
 *
 * A spec may also give, under `usermeta.narrow`, a JSON merge patch (RFC 7396) for a phone: the
 * chart is then drawn a second time with the patch applied, and the web page shows that drawing
 * on narrow screens.
 */
import { createHash } from 'node:crypto';
import { renderAsync } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import type { FigureNode } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import { FONT_FAMILY, FONT_FILES, measureText } from '../platform/fonts.js';
import { bytes, text, type Store } from '../platform/cache.js';
import { neutralised } from './workbook/formula.js';

export interface ChartAsset {
  id: string;
  svg: string;
  /** Empty when the caller asked for no PNG. */
  png: Uint8Array;
  csv: string;
  /** Size of the SVG in CSS pixels. */
  width: number;
  height: number;
  /**
   * The same chart laid out for a phone, where the spec gives a narrow layout
   * (`usermeta.narrow`): drawn narrower with text that stays readable unscaled on a 375 px screen.
   */
  narrow?: { svg: string; width: number; height: number };
}

/** A chart spec template as read by the pipeline: where it came from (for errors) and its JSON. */
export interface SpecFile {
  file: string;
  json: unknown;
}

export interface ChartOptions {
  /** Also rasterise each chart to PNG (for DOCX). Default true; a preview of the web page skips it. */
  png?: boolean;
  /** The spec templates, by the name figures give (`figure.chart.spec`). */
  specs: ReadonlyMap<string, SpecFile>;
  /** Parsed resources that specs may refer to, by name (e.g. `boundaries`). */
  resources: ReadonlyMap<string, unknown>;
  /**
   * Where drawn charts are kept, by a hash of everything that decides the drawing; a build whose
   * figure is unchanged takes it from there instead of drawing it again. None, no reuse.
   */
  store?: Store;
  /** Fingerprint of the drawing code, engine versions and fonts (`chartEngineKey()`): part of every key. */
  engine: string;
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let engines: Promise<{ vega: Vega; vegaLite: VegaLite }> | undefined;

/** Vega and Vega-Lite, loaded on first use: a build whose charts are all cached never loads them. */
function loadEngines(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return engines;
}

/** How Vega measures text (a module-level object: Vega has no per-view setting for it). */
type TextMetrics = { width: (item: Record<string, unknown>, text: unknown) => number };

/** Width of a Vega text item set in the embedded font, as the PDF and the PNG will draw it. */
function arimoWidth(item: Record<string, unknown>, text: unknown): number {
  const size = typeof item.fontSize === 'number' ? item.fontSize : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || (typeof weight === 'number' && weight >= 600);
  const lines = Array.isArray(text) ? text.map(String) : [String(text ?? '')];
  return Math.max(0, ...lines.map((line) => measureText(line, size, bold)));
}

let drawing = 0;
let vegaOwnWidth: TextMetrics['width'] | undefined;
/**
 * Runs `fn` with Vega measuring text in the embedded font, and gives Vega its own measure back
 * when the last drawing in progress ends: nothing stays patched after statpress has drawn.
 */
async function withArimoMetrics<T>(vega: Vega, fn: () => Promise<T>): Promise<T> {
  // textMetrics is exported at run time but missing from vega's type definitions.
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  if (drawing++ === 0) {
    vegaOwnWidth = metrics.width;
    metrics.width = arimoWidth;
  }
  try {
    return await fn();
  } finally {
    if (--drawing === 0 && vegaOwnWidth) metrics.width = vegaOwnWidth;
  }
}

/** Where in a spec a string is written, as a setting path ("transform[0].from.data.url"). */
function settingOf(node: unknown, wanted: string, path = ''): string | undefined {
  if (typeof node === 'string') return node === wanted ? path : undefined;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const found = settingOf(item, wanted, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      const found = settingOf(value, wanted, path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Vega's loader would fetch any URL or read any file a spec names, for data, lookups, images
 * and links alike. A chart may use only the data statpress fills in, so every load is refused,
 * naming the spec file, where in it the address is written, and the address.
 */
function refusingLoader(vega: Vega, file: string, spec: unknown): unknown {
  const refuse = (uri: unknown): never => {
    const address = String(uri);
    const setting = settingOf(spec, address);
    const shown = address.length > 200 ? `${address.slice(0, 200)}…` : address;
    throw new StatpressError(
      'config',
      `the chart spec asks to load "${shown}"; a chart may use only the data statpress gives it and the resources the release declares`,
      { file, ...(setting ? { setting } : {}) },
    );
  };
  return { ...vega.loader(), load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/**
 * What a drawing taken from the store must not hold: Vega draws none of these, so a drawing
 * with one was not made by statpress, whatever its listed hashes say.
 */
const FOREIGN_IN_SVG = /<script|<foreignObject|<iframe|<object|<embed|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*["'](?!#)/i;

/** A PNG's signature, which a rasterised chart starts with. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

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

/** A JSON merge patch (RFC 7396): objects merge key by key, null deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The spec template for a phone, if it gives one: the template with its narrow patch applied. */
function narrowTemplate(json: unknown): unknown {
  const meta = (json as { usermeta?: { narrow?: unknown } } | null)?.usermeta;
  if (!meta?.narrow) return undefined;
  return mergePatch(json, { usermeta: null, ...(meta.narrow as Record<string, unknown>) });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/**
 * Makes the SVG stand alone in a page with others: ids prefixed with the figure id, an
 * accessible name (role="img", <title>, aria-labelledby), and size kept by its viewBox.
 */
function finishSvg(svg: string, figure: FigureNode, variant = ''): { svg: string; width: number; height: number } {
  const prefix = `${figure.id}-${variant}`;
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
  const titleId = `${prefix}svg-title`;
  out = out.replace(/<svg([^>]*)>/, (_, attrs: string) => {
    return `<svg${attrs} role="img" aria-labelledby="${titleId}"><title id="${titleId}">${escapeXml(figure.altText)}</title>`;
  });
  return { svg: out, width, height };
}

const CSV_HEADERS: Record<string, string> = { label: '', series: 'category', value: 'percentage', code: 'area_code', name: 'name' };

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '[z]';
  // Text from the data never reaches a spreadsheet as a formula (see workbook/formula.ts).
  const text = typeof value === 'number' ? String(value) : neutralised(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every piece of text an SVG drawing shows (for the font subset the page embeds). */
export function svgText(svg: string): string {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]!)).join(' ');
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
  const template = options.specs.get(figure.chart.spec);
  if (!template) throw new StatpressError('config', `figure ${figure.number} names the chart spec "${figure.chart.spec}", which the template set does not have`);
  const file = template.file;
  const { domain, range } = figure.chart;
  const refs: Record<string, unknown> = {
    data: figure.chart.data.map((row) => ({ ...row, order: typeof row.series === 'string' ? domain.indexOf(row.series) : 0 })),
    domain,
    range,
    textRange: figure.chart.textRange ?? range.map(() => '#0b0c0c'),
    xMax: roundedMax(figure.chart.data),
  };
  for (const name of figure.chart.resources ?? []) {
    if (!options.resources.has(name)) throw new StatpressError('config', `figure ${figure.number} needs the resource "${name}"; add it under resources in the release config`);
    refs[name] = options.resources.get(name);
  }
  const wide = template.json as { usermeta?: unknown };
  const spec = fillRefs({ ...wide, usermeta: undefined }, refs, file) as TopLevelSpec;
  const narrowJson = narrowTemplate(template.json);
  const narrowSpec = narrowJson === undefined ? undefined : (fillRefs(narrowJson, refs, file) as TopLevelSpec);
  const key = createHash('sha256').update(JSON.stringify([options.engine, figure.id, figure.altText, spec, narrowSpec ?? null])).digest('hex');
  const csv = figureCsv(figure);
  const cached = readStored(options.store, key, figure.id);
  // A drawing from the store is used only if it is one statpress could have made for this figure.
  if (cached) return { ...cached, csv };
  const finished = finishSvg(await draw(spec, file, template.json), figure);
  const drawn: Drawn = { key, id: figure.id, svg: finished.svg, width: finished.width, height: finished.height, csv };
  if (narrowSpec) drawn.narrow = finishSvg(await draw(narrowSpec, file, template.json), figure, 'narrow-');
  return drawn;
}

/** Draws a filled Vega-Lite spec to SVG, with the embedded font's metrics and no loading (`written`: the spec as its file gives it, to place a refused load). */
async function draw(spec: TopLevelSpec, file: string, written: unknown): Promise<string> {
  try {
    const { vega, vegaLite } = await loadEngines();
    const compiled = vegaLite.compile(spec, { logger: silentLogger }).spec;
    return await withArimoMetrics(vega, async () => {
      // Vega reports a failed load to its logger as a warning and draws on without the data:
      // collect the refusal, and any error, and fail the drawing with it.
      const failures: unknown[] = [];
      const logger = {
        ...silentLogger,
        error: (...args: unknown[]) => (failures.push(...args), logger),
        warn: (...args: unknown[]) => (failures.push(...args.filter((a) => a instanceof StatpressError)), logger),
      };
      const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: refusingLoader(vega, file, written) as never, logger: logger as never });
      try {
        const drawing = await view.toSVG();
        const failure = failures.find((f) => f instanceof StatpressError) ?? failures[0];
        if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
        return drawing;
      } finally {
        view.finalize();
      }
    });
  } catch (error) {
    if (error instanceof StatpressError) throw error;
    throw new StatpressError('config', `the chart could not be drawn: ${(error as Error).message}`, { file });
  }
}

/** A chart drawn before, if the store holds it (without its PNG if it was drawn for a preview). */
function readStored(store: Store | undefined, key: string, id: string): Drawn | undefined {
  const parts = store?.get('charts', key);
  if (!parts) return undefined;
  try {
    const { id: storedId, width, height, narrow } = JSON.parse(text(parts.meta) ?? '') as { id: unknown; width: unknown; height: unknown; narrow?: { width: number; height: number } };
    const svg = text(parts.svg) ?? '';
    const sound = (drawing: string) => drawing.startsWith('<svg') && drawing.endsWith('</svg>') && !FOREIGN_IN_SVG.test(drawing);
    if (storedId !== id || typeof width !== 'number' || typeof height !== 'number' || !sound(svg)) return undefined;
    // A PNG that is not one is drawn again from the SVG.
    const png = parts.png && PNG_SIGNATURE.every((b, i) => parts.png![i] === b) ? parts.png : new Uint8Array();
    const drawn: Drawn = { key, id, svg, width, height, csv: '', png };
    if (narrow) {
      const narrowSvg = text(parts.narrow) ?? '';
      if (!sound(narrowSvg) || typeof narrow.width !== 'number' || typeof narrow.height !== 'number') return undefined;
      drawn.narrow = { svg: narrowSvg, width: narrow.width, height: narrow.height };
    }
    return drawn;
  } catch {
    return undefined;
  }
}

function keep(store: Store | undefined, key: string, asset: ChartAsset): void {
  store?.set('charts', key, {
    svg: bytes(asset.svg),
    ...(asset.png.length > 0 ? { png: asset.png } : {}),
    ...(asset.narrow ? { narrow: bytes(asset.narrow.svg) } : {}),
    meta: bytes(JSON.stringify({ id: asset.id, width: asset.width, height: asset.height, ...(asset.narrow ? { narrow: { width: asset.narrow.width, height: asset.narrow.height } } : {}) })),
  });
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
 * Renders every figure's chart: SVGs in turn, then the PNGs in parallel off the main thread.
 * A figure drawn before (found in `options.store`) is reused.
 */
export async function renderCharts(figures: readonly FigureNode[], options: ChartOptions): Promise<Map<string, ChartAsset>> {
  const charts: Drawn[] = [];
  for (const figure of figures) charts.push(await renderChart(figure, options));
  const wanted = options.png !== false;
  const assets = await Promise.all(
    charts.map(async ({ key, png, ...chart }) => {
      if (png && (png.length > 0 || !wanted)) return { ...chart, png };
      const asset = { ...chart, png: wanted ? await renderPng(chart.svg) : new Uint8Array() };
      keep(options.store, key, asset);
      return asset;
    }),
  );
  return new Map(assets.map((a) => [a.id, a]));
}
