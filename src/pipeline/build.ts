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
import type { DocumentConfig, ReleaseConfig, ReleaseOverrides } from '../config/config.js';
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
import { CSV_ZIP, underlyingDataFiles, type DataFormat } from '../render/workbook/files.js';
import { renderHtml } from '../render/html.js';
import { renderLanding } from '../render/landing.js';
import { renderGovspeak } from '../render/govspeak.js';
import { checkGovspeak } from '../quality/gates/govspeak.js';
import { govspeakOptions, publishFiles, uploadList, uploadMarkdown } from './publish.js';
import { checkReleaseFiles } from '../quality/gates/release.js';
import { LANDING_PAGE } from '../narrate/narrate.js';
import { printCss } from '../render/print-css.js';
import { svgText, type ChartAsset } from '../render/chart.js';
import { subsetFontFaceCss } from '../platform/fonts.js';
import { ALL_CSV_ZIP, csvDownload, DATA_GUIDANCE, documentPdf, documentWord, fileSize, ODS_WORKBOOK, PDF_VERSION, WORD_VERSION, XLSX_WORKBOOK } from '../document/labels.js';
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
export async function checkRelease(options: ReleaseOverrides & { configFile: string; formats?: Format[]; quick?: boolean; progress?: ProgressSink }): Promise<GateResult[]> {
  const { quick, ...request } = options;
  // Every format (the govspeak and release gates need them all); quick: the document's own checks, on the web page alone.
  const formats: Format[] = quick ? ['html'] : FORMATS;
  const result = await buildRelease({ formats, ...request, ...(quick ? { gates: 'document' as const } : {}), outDir: '(not written)', collectGates: true }, { writeOutputs() {} });
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
    inputs: [config.file, config.templateDir, ...config.documents.map((d) => d.templateDir), ...config.inputs, config.register.authorities.file, ...config.sources.map((s) => s.file), ...Object.values(config.resources)],
  });
  let session: BrowserSession | undefined;
  // The Word thread loads its renderer while the data are read and narrated.
  if (options.formats.includes('docx')) (await import('../platform/docx-thread.js')).warmDocxThread();
  try {
    pipeline.document();
    const checks = pipeline.checks();
    if (!options.collectGates) requirePassed(checks, 'the release fails its quality gates');
    // The other documents are narrated and checked before the browser starts, too.
    for (const doc of config.documents) {
      if (!options.collectGates && !doc.main) requirePassed(pipeline.checks(doc.id), `the ${doc.label} fails its quality gates`);
    }
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

/** What rendering one document needs beside the pipeline. */
interface DocumentRendering {
  options: BuildOptions;
  stylesheet: string;
  session: { browser: Browser; gates?: Promise<typeof import('../quality/gates/format-gates.js')> } | undefined;
}

/**
 * One document of the release in every format asked for, with the checks on those formats: the
 * web page (whose accessibility check runs in its own tab while the PDF prints), the Word file
 * and the PDF. Returns the files, named by the document's id, once they are made, and the format
 * gates' results to come.
 */
async function renderDocument(
  pipeline: Pipeline,
  doc: DocumentConfig,
  render: DocumentRendering,
  extra: { assets: ReadonlyMap<string, ChartAsset>; downloads: Array<{ label: string; href: string }>; fontCss?: string; docx?: Promise<Uint8Array> },
): Promise<{ files: Map<string, string | Uint8Array>; gates: Promise<GateResult[]> }> {
  const { options, stylesheet, session } = render;
  const document = pipeline.document(doc.id);
  const files = new Map<string, string | Uint8Array>();
  const step = (name: string) => (doc.main ? name : `${name} (${doc.id})`);
  const { assets } = extra;
  const html = pipeline.step(step('html'), () =>
    renderHtml(document, { assets, stylesheet, ...(extra.fontCss !== undefined ? { fontCss: extra.fontCss } : {}), downloads: extra.downloads }),
  );
  if (options.formats.includes('html')) files.set(`${doc.id}.html`, html);
  // The Word file is made in a thread of its own while Chromium prints; it is still written
  // before the PDF, so the outputs (and the manifest) keep their order.
  const docxMade = extra.docx ?? (options.formats.includes('docx') ? startDocx(pipeline, step('docx'), document, assets) : undefined);
  let docx: Uint8Array | undefined;
  const browser = session?.browser;
  const gateModule = session?.gates;
  // The web page's checks (axe-core in a tab of its own) run while the PDF prints.
  const htmlReading = gateModule && browser && options.formats.includes('html') ? gateModule.then(({ readHtml }) => readHtml(html, browser)) : undefined;
  htmlReading?.catch(() => undefined);
  let pdf: Uint8Array | undefined;
  if (browser && options.formats.includes('pdf')) {
    pdf = await pipeline.stepAsync(step('pdf'), async () => {
      const printable = renderHtml(document, { assets, stylesheet, mode: 'print', printCss: printCss() });
      const { renderPdf } = await import('../render/pdf.js');
      return (await inChromium('printing the PDF', () => renderPdf(printable, document.meta, browser))).pdf;
    });
  }
  if (docxMade) files.set(`${doc.id}.docx`, (docx = await docxMade));
  if (pdf) files.set(`${doc.id}.pdf`, pdf);
  // The format gates read the files while the caller goes on (the landing page is checked meanwhile).
  const gates = gateModule
    ? pipeline.stepAsync(step('gates'), async () => {
        const { checkFormats } = await gateModule;
        return checkFormats({
          document,
          ...(htmlReading ? { htmlReading: await inChromium('checking the web page', () => htmlReading) } : {}),
          ...(pdf ? { pdf } : {}),
          ...(docx ? { docx } : {}),
        });
      })
    : Promise.resolve([]);
  gates.catch(() => undefined);
  return { files, gates };
}

/** A document's Word file, made in a worker thread; a failure is reported when it is awaited. */
function startDocx(pipeline: Pipeline, step: string, document: ReportDocument, assets: ReadonlyMap<string, ChartAsset>): Promise<Uint8Array> {
  const made = pipeline.stepAsync(step, async () => (await import('../platform/docx-thread.js')).renderDocxInThread(document, assets));
  made.catch(() => undefined);
  return made;
}

/**
 * The gates of every document as one list, in the order the main document's ran: a gate's
 * findings in another document name that document first.
 */
export function mergeGates(perDocument: Array<{ doc: DocumentConfig; gates: GateResult[] }>): GateResult[] {
  const merged = new Map<string, GateResult>();
  for (const { doc, gates } of perDocument) {
    for (const gate of gates) {
      const into = merged.get(gate.gate) ?? { gate: gate.gate, guarantees: gate.guarantees, findings: [] };
      into.findings.push(...gate.findings.map((f) => (doc.main ? f : { ...f, where: `${doc.label}, ${f.where}` })));
      merged.set(gate.gate, into);
    }
  }
  return [...merged.values()];
}

async function renderRelease(pipeline: Pipeline, options: BuildOptions, checks: GateResult[], session: BrowserSession | undefined, sink: OutputSink): Promise<BuildResult> {
  const config = pipeline.config();
  const document = pipeline.document();
  const { timings } = pipeline;
  const files = new Map<string, string | Uint8Array>();
  const outputs = new Map<string, OutputRecord>();
  // What each output was made from (a streamed one can be made again), for the publish folder.
  const contents = new Map<string, OutputContent>();
  // Each output goes to the folder as soon as it is made; it becomes the release only at the end.
  const write = async (name: string, content: OutputContent): Promise<void> => {
    if (typeof content === 'string' || content instanceof Uint8Array) files.set(name, content);
    contents.set(name, content);
    outputs.set(name, await sink.write(name, content));
  };
  // The PNGs are the Word file's pictures: a build without the Word file does not draw them.
  const assets = await pipeline.assets({ png: options.formats.includes('docx') });
  for (const [id, asset] of assets) {
    await write(`charts/${id}.svg`, asset.svg);
    if (asset.png.length > 0) await write(`charts/${id}.png`, asset.png);
    await write(`charts/${id}.csv`, asset.csv);
  }
  const data = options.formats.filter((f): f is DataFormat => f === 'ods' || f === 'xlsx' || f === 'csv');
  const stylesheet = govukStylesheet();
  const book = buildWorkbook(config, pipeline.dataset(), pipeline.model(), document);
  const dataDownloads = [
    ...(data.includes('ods') ? [{ label: ODS_WORKBOOK, href: 'underlying-data.ods' }] : []),
    ...(data.includes('xlsx') ? [{ label: XLSX_WORKBOOK, href: 'underlying-data.xlsx' }] : []),
    ...(data.includes('csv')
      ? [
          ...book.tables.map((t) => ({ label: csvDownload(t.title), href: `data/${t.id}.csv` })),
          { label: ALL_CSV_ZIP, href: CSV_ZIP },
          { label: DATA_GUIDANCE, href: 'data/data-guidance.txt' },
        ]
      : []),
  ];
  // Each document's Word file is made in a thread of its own while the workbooks are written and
  // Chromium starts and prints.
  const docxOf = new Map(
    options.formats.includes('docx')
      ? config.documents.map((doc) => [doc.id, startDocx(pipeline, doc.main ? 'docx' : `docx (${doc.id})`, pipeline.document(doc.id), doc.main ? assets : new Map())] as const)
      : [],
  );
  let browserUsed: BrowserChoice['source'] | undefined;
  let browserVersion: string | undefined;
  let render: DocumentRendering['session'];
  const main = pipeline.documentConfig();
  // The documents are made side by side (each in tabs of its own, each Word file in its turn in
  // the Word thread) as soon as Chromium is up, while the underlying data are written; their
  // files are written after the data, in the order the release lists them.
  const documentsMade = (async () => {
    if (session) {
      const started = await session.ready;
      browserUsed = started.choice.source;
      if (options.formats.includes('pdf')) browserVersion = await inChromium('asking its version', () => started.browser.version());
      render = { browser: started.browser, ...((options.gates ?? 'all') === 'all' ? { gates: import('../quality/gates/format-gates.js') } : {}) };
    }
    return Promise.all(config.documents.map((doc) => {
      const own = (format: Format, label: string) => (options.formats.includes(format) ? [{ label, href: `${doc.id}.${format}` }] : []);
      return renderDocument(
        pipeline,
        doc,
        { options, stylesheet, session: render },
        doc.main
          ? {
              assets,
              // The charts were measured in Arimo: the page carries the glyphs they use.
              fontCss: subsetFontFaceCss([...assets.values()].map((a) => `${svgText(a.svg)} ${a.narrow ? svgText(a.narrow.svg) : ''}`).join(' ')),
              downloads: [...own('pdf', PDF_VERSION), ...own('docx', WORD_VERSION), ...dataDownloads],
              ...(docxOf.has(doc.id) ? { docx: docxOf.get(doc.id)! } : {}),
            }
          : { assets: new Map(), downloads: [...own('pdf', documentPdf(doc.label)), ...own('docx', documentWord(doc.label))], ...(docxOf.has(doc.id) ? { docx: docxOf.get(doc.id)! } : {}) },
      );
    }));
  })();
  documentsMade.catch(() => undefined);
  if (data.length > 0) {
    // The workbook's long tables are made row by row as each file is written.
    await pipeline.stepAsync('data', async () => {
      for await (const [name, content] of underlyingDataFiles(book, data)) await write(name, content);
    });
  }
  const rendered = await documentsMade;
  // Each part's gates, in the order they are reported: the documents', the landing page's, the exports'.
  const perDocument: Array<{ doc: DocumentConfig; gates: Promise<GateResult[]> }> = [];
  for (const [i, doc] of config.documents.entries()) {
    for (const [name, content] of rendered[i]!.files) await write(name, content);
    const own = doc.main ? checks : pipeline.checks(doc.id);
    perDocument.push({ doc, gates: rendered[i]!.gates.then((formats) => [...own, ...formats]) });
  }
  // The landing page, the govspeak and the publish folder are the release as a publisher uploads
  // it: they are made, and checked, only when every format is built (a draft of some formats
  // would link to files it does not have).
  const whole = FORMATS.every((f) => options.formats.includes(f));
  // The landing page: every document with its other formats, and every data file.
  const release = document.meta.release;
  if (release && whole) {
    const sizeOf = (name: string) => fileSize(outputs.get(name)!.bytes);
    const landing = renderLanding({
      meta: { ...document.meta, release },
      stylesheet,
      documents: config.documents.map((d) => ({
        title: pipeline.document(d.id).meta.title,
        html: `${d.id}.html`,
        formats: (['pdf', 'docx'] as const).filter((f) => outputs.has(`${d.id}.${f}`)).map((f) => ({ format: f === 'pdf' ? 'PDF' : 'Word', href: `${d.id}.${f}`, size: sizeOf(`${d.id}.${f}`) })),
      })),
      data: dataDownloads.map((d) => ({ ...d, size: sizeOf(d.href) })),
    });
    await write(LANDING_PAGE, landing);
    const checking = render;
    if (checking?.gates) {
      const gates = pipeline.stepAsync('gates (index)', async () => {
        const { readHtml, checkAxe } = await checking.gates!;
        const reading = await inChromium('checking the landing page', () => readHtml(landing, checking.browser));
        return [checkAxe(reading.axe, reading.reflow)];
      });
      gates.catch(() => undefined);
      perDocument.push({ doc: { id: 'index', label: 'landing page', templateDir: '', main: false }, gates });
    }
  }
  if (whole) {
    // The govspeak of every document, the upload list, and the govspeak gate on each export.
    const has = (name: string) => outputs.has(name);
    const exports = config.documents.map((doc) => ({ doc, exported: renderGovspeak(pipeline.document(doc.id), govspeakOptions(has, dataDownloads)) }));
    const uploads = uploadList(exports, dataDownloads, has);
    for (const { doc, exported } of exports) await write(`govspeak/${doc.id}.md`, exported.markdown);
    await write('govspeak/upload.json', `${JSON.stringify(uploads, null, 2)}\n`);
    await write('govspeak/UPLOAD.md', uploadMarkdown(document.meta.release?.title ?? document.meta.title, config.documents.map((d) => ({ id: d.id, title: pipeline.document(d.id).meta.title })), uploads, exports.flatMap((e) => e.exported.warnings)));
    // publish/: exactly what a publisher uploads, named as the govspeak names it, with its manifest.
    for (const [name, content] of publishFiles(contents, outputs, uploads, config.documents)) await write(`publish/${name}`, content);
    const uploaded = new Set(uploads.map((u) => u.file));
    for (const { doc, exported } of exports) perDocument.push({ doc, gates: Promise.resolve([checkGovspeak(pipeline.document(doc.id), exported, uploaded)]) });
    perDocument.push({
      doc: main,
      gates: Promise.resolve([checkReleaseFiles({ documents: config.documents, formats: options.formats.filter((f) => DOCUMENT_FORMATS.includes(f)), names: new Set(outputs.keys()), text: (name) => files.get(name), ...(outputs.has(LANDING_PAGE) ? { landing: LANDING_PAGE } : {}) })]),
    });
  }
  const gates = mergeGates(await Promise.all(perDocument.map(async ({ doc, gates }) => ({ doc, gates: await gates }))));
  if (!options.collectGates) requirePassed(gates, 'the release fails its quality gates, so nothing was written');
  await write('document.json', `${JSON.stringify(document, null, 2)}\n`);
  for (const doc of config.documents) if (!doc.main) await write(`documents/${doc.id}.json`, `${JSON.stringify(pipeline.document(doc.id), null, 2)}\n`);
  const effects = pipeline.effects;
  // Every input was read through the effects, which hashed the bytes the stages used.
  const inputs = new Map(pipeline.inputs().map((file) => {
    const read = effects.reads.get(file);
    if (!read) throw new Error(`internal: the input ${file} was not read through the effects`);
    return [file, read];
  }));
  const documents = config.documents.length > 1
    ? config.documents.map((d) => ({ id: d.id, label: d.label, title: pipeline.document(d.id).meta.title, files: [...outputs.keys()].filter((f) => f.startsWith(`${d.id}.`)).sort() }))
    : undefined;
  await write('manifest.json', buildManifest({
    config, document, inputs, outputs, sources: pipeline.sourceColumns(), values: exactValues(document, pipeline.model()),
    ...(documents ? { documents } : {}),
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
