/**
 * build: the commands over the pipeline (`pipeline.ts`) that produce a release's files.
 *
 *   document stages ─► checks ─► assets (charts) ─► formats: HTML, underlying data, DOCX, PDF
 *                                                           ─► format gates ─► manifest ─► write
 *
 * Chromium starts as soon as the document is sound and launches while the charts, the workbook
 * and the Word file are made; the web page's accessibility check runs in its own tab while the
 * PDF prints. Outputs go through `effects.writeOutputs`, which replaces the output folder only
 * when everything succeeded, so a failed build leaves the previous release untouched.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseConfig, ReleaseOverrides } from '../config/config.js';
import type { StatsModel } from '../compute/stats.js';
import type { ReportDocument } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import type { Dataset } from '../load/dataset.js';
import type { Browser, BrowserChoice, BrowserSession } from '../platform/browser.js';
import { govukStylesheet } from '../platform/assets.js';
import { nodeEffects, type Effects } from '../platform/effects.js';
import { formatGateReport, type GateResult } from '../quality/gates/document-gates.js';
import { buildWorkbook } from '../render/workbook/workbook.js';
import { underlyingDataFiles } from '../render/workbook/files.js';
import { renderHtml } from '../render/html.js';
import { printCss } from '../render/print-css.js';
import { svgText } from '../render/chart.js';
import { subsetFontFaceCss } from '../platform/fonts.js';
import { ALL_CSV_ZIP, csvDownload, DATA_GUIDANCE, ODS_WORKBOOK, PDF_VERSION, WORD_VERSION, XLSX_WORKBOOK } from '../document/labels.js';
import { buildManifest } from './manifest.js';
import { Pipeline } from './pipeline.js';

export { figuresOf } from './pipeline.js';

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
   * Where drawn charts and compiled templates are kept between builds: a folder, or `false`
   * for none. Default: `storeDir()` (`STATPRESS_CACHE_DIR`, else `node_modules/.cache/statpress`).
   */
  chartCache?: string | false;
  /** Told when each stage starts and ends (the CLI shows slow ones). */
  progress?: ProgressSink;
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

/** The base name of every output file of a release. */
export const OUTPUT_NAME = 'main-findings';
/** Every CSV file and the data guidance, in one zip. */
export const CSV_ZIP = 'data/underlying-data-csv.zip';

/** The chosen files in one zip, with fixed dates and order, so the same files give the same bytes. */
async function zipFiles(files: ReadonlyMap<string, string | Uint8Array>, take: (name: string) => boolean, iso: string): Promise<Uint8Array> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  const date = new Date(`${iso}T00:00:00Z`);
  for (const name of [...files.keys()].filter(take).sort()) zip.file(name.replace(/^data\//, ''), files.get(name)!, { date, createFolders: false });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}

/** Effects for a build: the caller's, or this machine's with the build's store and progress. */
function effectsFor(options: Pick<BuildOptions, 'chartCache' | 'progress'>, given?: Partial<Effects>): Effects {
  const base = nodeEffects({
    ...(options.chartCache !== undefined ? { storeDir: options.chartCache } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  return { ...base, ...given };
}

/** Builds the document tree and runs every gate on it, returning all results (no throw on findings). */
export async function checkRelease(options: ReleaseOverrides & { configFile: string; formats?: Format[]; progress?: ProgressSink }): Promise<GateResult[]> {
  const result = await buildRelease({ formats: FORMATS, ...options, outDir: '(not written)', collectGates: true }, { writeOutputs() {} });
  return result.gates;
}

/** Fails with every finding when a gate found something. */
function requirePassed(gates: GateResult[], what: string): void {
  if (gates.some((g) => g.findings.length > 0)) throw new StatpressError('check', `${what}:\n${formatGateReport(gates)}`);
}

/** Everything up to the document tree and its gates, in a pipeline of its own. */
export function buildDocument(
  options: ReleaseOverrides & { configFile: string; gates?: boolean },
  effects: Effects = nodeEffects(),
): Omit<BuildResult, 'files' | 'gates'> & { checks: GateResult[] } {
  const { gates, ...request } = options;
  const pipeline = new Pipeline(request, effects);
  const document = pipeline.document();
  const checks = gates === false ? [] : pipeline.checks();
  requirePassed(checks, 'the release fails its quality gates');
  return { config: pipeline.config(), dataset: pipeline.dataset(), model: pipeline.model(), document, timings: pipeline.timings, checks };
}

/** Builds a release and writes it to `options.outDir`, unless a quality gate fails. */
export async function buildRelease(options: BuildOptions, effects?: Partial<Effects>): Promise<BuildResult> {
  const { configFile, asAt, publishedBy, draft } = options;
  const pipeline = new Pipeline(
    { configFile, ...(asAt ? { asAt } : {}), ...(publishedBy ? { publishedBy } : {}), ...(draft !== undefined ? { draft } : {}) },
    effectsFor(options, effects),
  );
  pipeline.document();
  const checks = pipeline.checks();
  if (!options.collectGates) requirePassed(checks, 'the release fails its quality gates');
  const formatGates = (options.gates ?? 'all') === 'all';
  const needBrowser = options.formats.includes('pdf') || (formatGates && options.formats.includes('html'));
  // Chromium starts once the document is sound, and launches while the charts, the workbook and
  // the Word file are made. Loaded only when needed: a quick HTML draft never pays for it.
  const session = needBrowser ? (await import('../platform/browser.js')).startBrowser() : undefined;
  try {
    return await renderRelease(pipeline, options, checks, session);
  } finally {
    await session?.close();
  }
}

async function renderRelease(pipeline: Pipeline, options: BuildOptions, checks: GateResult[], session: BrowserSession | undefined): Promise<BuildResult> {
  const config = pipeline.config();
  const document = pipeline.document();
  const { timings } = pipeline;
  // Every gate that ran, passed or not: the document gates, then (below) the format gates.
  const gates: GateResult[] = [...checks];
  const files = new Map<string, string | Uint8Array>();
  const assets = await pipeline.assets();
  for (const [id, asset] of assets) {
    files.set(`charts/${id}.svg`, asset.svg);
    files.set(`charts/${id}.png`, asset.png);
    files.set(`charts/${id}.csv`, asset.csv);
  }
  const stylesheet = govukStylesheet();
  const book = buildWorkbook(config, pipeline.dataset(), pipeline.model(), document);
  const data = await pipeline.stepAsync('data', async () => {
    const made = await underlyingDataFiles(book);
    made.set(CSV_ZIP, await zipFiles(made, (name) => name.startsWith('data/'), document.meta.published.iso));
    return made;
  });
  for (const [name, content] of data) files.set(name, content);
  const html = pipeline.step('html', () =>
    renderHtml(document, {
      assets,
      stylesheet,
      // The charts were measured in Arimo: the page carries the glyphs they use.
      fontCss: subsetFontFaceCss([...assets.values()].map((a) => `${svgText(a.svg)} ${a.narrow ? svgText(a.narrow.svg) : ''}`).join(' ')),
      downloads: [
        ...(options.formats.includes('pdf') ? [{ label: PDF_VERSION, href: `${OUTPUT_NAME}.pdf` }] : []),
        ...(options.formats.includes('docx') ? [{ label: WORD_VERSION, href: `${OUTPUT_NAME}.docx` }] : []),
        { label: ODS_WORKBOOK, href: 'underlying-data.ods' },
        { label: XLSX_WORKBOOK, href: 'underlying-data.xlsx' },
        ...book.tables.filter((t) => data.has(`data/${t.id}.csv`)).map((t) => ({ label: csvDownload(t.title), href: `data/${t.id}.csv` })),
        { label: ALL_CSV_ZIP, href: CSV_ZIP },
        { label: DATA_GUIDANCE, href: 'data/data-guidance.txt' },
      ],
    }),
  );
  if (options.formats.includes('html')) files.set(`${OUTPUT_NAME}.html`, html);
  let docx: Uint8Array | undefined;
  if (options.formats.includes('docx')) {
    docx = await pipeline.stepAsync('docx', async () => (await import('../render/docx.js')).renderDocx(document, assets));
    files.set(`${OUTPUT_NAME}.docx`, docx);
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
    const printer = browser;
    pdf = await pipeline.stepAsync('pdf', async () => {
      const printable = renderHtml(document, { assets, stylesheet, mode: 'print', printCss: printCss() });
      const { renderPdf } = await import('../render/pdf.js');
      return (await renderPdf(printable, document.meta, printer)).pdf;
    });
    files.set(`${OUTPUT_NAME}.pdf`, pdf);
  }
  if (gateModule) {
    // What the gates cost beyond the time they ran beside the PDF.
    const results = await pipeline.stepAsync('gates', async () => {
      const { checkFormats } = await gateModule;
      return checkFormats({
        document,
        ...(htmlReading ? { htmlReading: await htmlReading } : {}),
        ...(pdf ? { pdf } : {}),
        ...(docx ? { docx } : {}),
      });
    });
    gates.push(...results);
  }
  if (!options.collectGates) requirePassed(gates, 'the release fails its quality gates, so nothing was written');
  files.set('document.json', `${JSON.stringify(document, null, 2)}\n`);
  const effects = pipeline.effects;
  // Every input was read through the effects, which hashed the bytes the stages used.
  const inputs = new Map(pipeline.inputs().map((file) => {
    const read = effects.reads.get(file);
    if (!read) throw new Error(`internal: the input ${file} was not read through the effects`);
    return [file, read];
  }));
  files.set('manifest.json', buildManifest({ config, document, inputs, outputs: files, ...(browserVersion ? { browserVersion } : {}) }));
  pipeline.step('write', () => effects.writeOutputs(options.outDir, files));
  return { config, dataset: pipeline.dataset(), model: pipeline.model(), document, files, timings, gates, ...(browserUsed ? { browser: browserUsed } : {}) };
}

/** Reads a file as text, for tests and tools. */
export function readOutput(outDir: string, name: string): string {
  return readFileSync(join(outDir, name), 'utf8');
}
