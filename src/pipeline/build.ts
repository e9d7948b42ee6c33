/**
 * build: the commands over the pipeline (`pipeline.ts`) that produce a release's files.
 *
 *   document stages ─► checks ─► assets (charts) ─► formats: HTML, underlying data, DOCX, PDF
 *                                                           ─► format gates ─► manifest ─► write
 *
 * Chromium starts as soon as the document is sound and launches while the charts, the workbook
 * and the Word file are made; the web page's accessibility check runs in its own tab while the
 * PDF prints. Outputs go through the output folder the effects open (`effects.openOutput`): each
 * is written as it is made (the underlying data's CSVs row by row, never held whole) into a folder
 * beside the release, which takes the release's place only when everything succeeded, so a failed
 * build leaves the previous release untouched. Only what the asked formats need is made: an HTML
 * draft builds no workbook.
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
import { memoryOutput, nodeEffects, type Effects, type OutputContent, type OutputRecord, type OutputSink } from '../platform/effects.js';
import { formatGateReport, type GateResult } from '../quality/gates/document-gates.js';
import { buildWorkbook } from '../render/workbook/workbook.js';
import { underlyingDataFiles, type DataFormat } from '../render/workbook/files.js';
import { renderHtml } from '../render/html.js';
import { printCss } from '../render/print-css.js';
import { svgText } from '../render/chart.js';
import { subsetFontFaceCss } from '../platform/fonts.js';
import { ALL_CSV_ZIP, csvDownload, DATA_GUIDANCE, ODS_WORKBOOK, PDF_VERSION, WORD_VERSION, XLSX_WORKBOOK } from '../document/labels.js';
import { buildManifest } from './manifest.js';
import { exactValues } from './revision.js';
import { Pipeline } from './pipeline.js';

export { figuresOf } from './pipeline.js';

export type Format = 'html' | 'pdf' | 'docx' | DataFormat;
/** Every format a build can write: the document in three, the underlying data in three. */
export const FORMATS: Format[] = ['html', 'pdf', 'docx', 'ods', 'xlsx', 'csv'];
/** The formats of the document itself, which the quality gates read. */
export const DOCUMENT_FORMATS: Format[] = ['html', 'pdf', 'docx'];

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
  /** Replace an output folder that is not a statpress output (`--force`). */
  force?: boolean;
}

export interface BuildResult {
  config: ReleaseConfig;
  dataset: Dataset;
  model: StatsModel;
  document: ReportDocument;
  /** The outputs made in memory (all but the streamed CSVs), by path. */
  files: Map<string, string | Uint8Array>;
  /** Every output written, in the order written, with its SHA-256 and size. */
  outputs: Map<string, OutputRecord>;
  timings: Record<string, number>;
  /** Where the browser that printed the PDF came from. */
  browser?: BrowserChoice['source'];
  /** Every gate that ran, with its findings (empty when it passed). */
  gates: GateResult[];
}

/** The base name of every output file of a release. */
export const OUTPUT_NAME = 'main-findings';
/** Every CSV file and the data guidance, in one zip. */
import { CSV_ZIP } from '../render/workbook/files.js';
export { CSV_ZIP };

/** Effects for a build: the caller's, or this machine's with the build's store and progress. */
function effectsFor(options: Pick<BuildOptions, 'chartCache' | 'progress'>, given?: Partial<Effects>): Effects {
  const base = nodeEffects({
    ...(options.chartCache !== undefined ? { storeDir: options.chartCache } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const effects = { ...base, ...given };
  // A caller that writes all files at once gets them gathered in memory.
  if (given?.writeOutputs && !given.openOutput) effects.openOutput = memoryOutput(given.writeOutputs);
  return effects;
}

/** Builds the document tree and runs every gate on it, returning all results (no throw on findings). */
export async function checkRelease(options: ReleaseOverrides & { configFile: string; formats?: Format[]; progress?: ProgressSink }): Promise<GateResult[]> {
  const result = await buildRelease({ formats: DOCUMENT_FORMATS, ...options, outDir: '(not written)', collectGates: true }, { writeOutputs() {} });
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
): Omit<BuildResult, 'files' | 'outputs' | 'gates'> & { checks: GateResult[] } {
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
  // The output folder is claimed once the config is known (it may not hold an input) and
  // before the work: a second build into the same folder stops here, not after its work.
  const config = pipeline.config();
  const sink = pipeline.effects.openOutput(options.outDir, {
    force: options.force === true,
    inputs: [config.file, config.templateDir, ...config.inputs, config.register.authorities.file, ...config.sources.map((s) => s.file), ...Object.values(config.resources)],
  });
  let session: BrowserSession | undefined;
  try {
    pipeline.document();
    const checks = pipeline.checks();
    if (!options.collectGates) requirePassed(checks, 'the release fails its quality gates');
    const formatGates = (options.gates ?? 'all') === 'all';
    const needBrowser = options.formats.includes('pdf') || (formatGates && options.formats.includes('html'));
    // Chromium starts once the document is sound, and launches while the charts, the workbook and
    // the Word file are made. Loaded only when needed: a quick HTML draft never pays for it.
    session = needBrowser ? (await import('../platform/browser.js')).startBrowser() : undefined;
    return await renderRelease(pipeline, options, checks, session, sink);
  } finally {
    await session?.close();
    sink.close();
  }
}

async function renderRelease(pipeline: Pipeline, options: BuildOptions, checks: GateResult[], session: BrowserSession | undefined, sink: OutputSink): Promise<BuildResult> {
  const config = pipeline.config();
  const document = pipeline.document();
  const { timings } = pipeline;
  // Every gate that ran, passed or not: the document gates, then (below) the format gates.
  const gates: GateResult[] = [...checks];
  const files = new Map<string, string | Uint8Array>();
  const outputs = new Map<string, OutputRecord>();
  // Each output goes to the folder as soon as it is made; it becomes the release only at the end.
  const write = async (name: string, content: OutputContent): Promise<void> => {
    if (typeof content === 'string' || content instanceof Uint8Array) files.set(name, content);
    outputs.set(name, await sink.write(name, content));
  };
  const assets = await pipeline.assets();
  for (const [id, asset] of assets) {
    await write(`charts/${id}.svg`, asset.svg);
    await write(`charts/${id}.png`, asset.png);
    await write(`charts/${id}.csv`, asset.csv);
  }
  const data = options.formats.filter((f): f is DataFormat => f === 'ods' || f === 'xlsx' || f === 'csv');
  const stylesheet = govukStylesheet();
  const book = buildWorkbook(config, pipeline.dataset(), pipeline.model(), document);
  const html = pipeline.step('html', () =>
    renderHtml(document, {
      assets,
      stylesheet,
      // The charts were measured in Arimo: the page carries the glyphs they use.
      fontCss: subsetFontFaceCss([...assets.values()].map((a) => `${svgText(a.svg)} ${a.narrow ? svgText(a.narrow.svg) : ''}`).join(' ')),
      downloads: [
        ...(options.formats.includes('pdf') ? [{ label: PDF_VERSION, href: `${OUTPUT_NAME}.pdf` }] : []),
        ...(options.formats.includes('docx') ? [{ label: WORD_VERSION, href: `${OUTPUT_NAME}.docx` }] : []),
        ...(data.includes('ods') ? [{ label: ODS_WORKBOOK, href: 'underlying-data.ods' }] : []),
        ...(data.includes('xlsx') ? [{ label: XLSX_WORKBOOK, href: 'underlying-data.xlsx' }] : []),
        ...(data.includes('csv')
          ? [
              ...book.tables.map((t) => ({ label: csvDownload(t.title), href: `data/${t.id}.csv` })),
              { label: ALL_CSV_ZIP, href: CSV_ZIP },
              { label: DATA_GUIDANCE, href: 'data/data-guidance.txt' },
            ]
          : []),
      ],
    }),
  );
  if (options.formats.includes('html')) await write(`${OUTPUT_NAME}.html`, html);
  if (data.length > 0) {
    // The workbook's long tables are made row by row as each file is written.
    await pipeline.stepAsync('data', async () => {
      for await (const [name, content] of underlyingDataFiles(book, data)) await write(name, content);
    });
  }
  let docx: Uint8Array | undefined;
  // The Word file is made in a thread of its own while Chromium prints; it is still written
  // before the PDF, so the outputs (and the manifest) keep their order.
  const docxMade = options.formats.includes('docx') ? pipeline.stepAsync('docx', async () => (await import('../platform/docx-thread.js')).renderDocxInThread(document, assets)) : undefined;
  docxMade?.catch(() => undefined);
  let browser: Browser | undefined;
  let browserUsed: BrowserChoice['source'] | undefined;
  let browserVersion: string | undefined;
  if (session) {
    const started = await session.ready;
    browser = started.browser;
    browserUsed = started.choice.source;
    if (options.formats.includes('pdf')) browserVersion = await inChromium('asking its version', () => started.browser.version());
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
      return (await inChromium('printing the PDF', () => renderPdf(printable, document.meta, printer))).pdf;
    });
    if (docxMade) await write(`${OUTPUT_NAME}.docx`, (docx = await docxMade));
    await write(`${OUTPUT_NAME}.pdf`, pdf);
  } else if (docxMade) await write(`${OUTPUT_NAME}.docx`, (docx = await docxMade));
  if (gateModule) {
    // What the gates cost beyond the time they ran beside the PDF.
    const results = await pipeline.stepAsync('gates', async () => {
      const { checkFormats } = await gateModule;
      return checkFormats({
        document,
        ...(htmlReading ? { htmlReading: await inChromium('checking the web page', () => htmlReading) } : {}),
        ...(pdf ? { pdf } : {}),
        ...(docx ? { docx } : {}),
      });
    });
    gates.push(...results);
  }
  if (!options.collectGates) requirePassed(gates, 'the release fails its quality gates, so nothing was written');
  await write('document.json', `${JSON.stringify(document, null, 2)}\n`);
  const effects = pipeline.effects;
  // Every input was read through the effects, which hashed the bytes the stages used.
  const inputs = new Map(pipeline.inputs().map((file) => {
    const read = effects.reads.get(file);
    if (!read) throw new Error(`internal: the input ${file} was not read through the effects`);
    return [file, read];
  }));
  await write('manifest.json', buildManifest({
    config, document, inputs, outputs, sources: pipeline.sourceColumns(), values: exactValues(document, pipeline.model()),
    ...(pipeline.previousBuild ? { previous: pipeline.previousBuild } : {}),
    ...(browserVersion ? { browserVersion } : {}),
  }));
  await pipeline.stepAsync('write', async () => sink.commit());
  return { config, dataset: pipeline.dataset(), model: pipeline.model(), document, files, outputs, timings, gates, ...(browserUsed ? { browser: browserUsed } : {}) };
}

/**
 * Runs a step that drives Chromium: if Chromium fails under it (it crashed, was killed, ran out
 * of memory), the build stops saying so, not with the browser library's error and stack.
 */
async function inChromium<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StatpressError) throw error;
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    throw new StatpressError('output', `Chromium failed while ${what}: ${reason}`, {}, 'nothing was written; build again, and if it fails again check that Chromium runs on this machine');
  }
}

/** Reads a file as text, for tests and tools. */
export function readOutput(outDir: string, name: string): string {
  return readFileSync(join(outDir, name), 'utf8');
}
