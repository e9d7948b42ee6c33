/**
 * Benchmarks: prints one table for the whole release, asserts nothing. `npm run bench`
 * (compiles first). Each figure is the median of several runs on this machine; targets are
 * from the issues. The Chromium floor is what printing this release with Chromium costs at
 * least: launching the browser, loading the same print HTML and printing it once.
 *
 * The scale rows build a synthetic history of 250,000 inspections (`scripts/synthetic.ts`,
 * written to a temporary folder) to HTML, CSV and both workbooks in a process of its own, with
 * its time and peak memory. `npm run bench -- --scale` runs only those.
 *
 * The last lines are issue 21's figures as ratios (`bench-ratios.ts`): whole release ÷ Chromium
 * floor and ÷ the pandoc + Chromium peer, HTML cold with charts drawn, preview rebuild, peak RSS.
 * `npm run bench -- --ratios [--runs N]` runs only those; `-- --profile` prints one whole build's
 * `statpress build --profile` table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { buildRelease } from '../src/pipeline/build.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { nodeEffects } from '../src/platform/effects.js';
import { govukStylesheet } from '../src/platform/assets.js';
import { findBrowser, withBrowser } from '../src/platform/browser.js';
import { computeSnapshot } from '../src/compute/stats.js';
import { loadReleaseConfig } from '../src/config/config.js';
import { checkFormats } from '../src/quality/gates/format-gates.js';
import { loadDataset } from '../src/load/dataset.js';
import { renderDocx } from '../src/render/docx.js';
import { renderHtml } from '../src/render/html.js';
import { printOptions, renderPdf } from '../src/render/pdf.js';
import { printCss } from '../src/render/print-css.js';
import { benchPreview } from '../src/tools/preview.js';
import { quarterEnds, sweepRelease } from '../src/tools/sweep.js';
import { openDataModel, runNamedQueries } from '../src/query/database.js';
import { loadTemplateSet } from '../src/config/template-set.js';
import { writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { writeSyntheticRelease } from './synthetic.js';
import { benchRatios, processRun } from './bench-ratios.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const release = join(root, 'releases/ofsted-2025.yaml');
const bin = join(root, 'dist/src/bin.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
async function measure(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

type Row = { group: string; name: string; ms: number; target?: string };
const rows: Row[] = [];
const add = (group: string, name: string, ms: number, target?: string) => rows.push({ group, name, ms, ...(target ? { target } : {}) });
const out = mkdtempSync(join(tmpdir(), 'statpress-bench-'));
let peakRss = process.memoryUsage().rss;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

/** Runs the CLI in a process of its own: its time and peak memory. */
const cliRun = (args: string[]) => processRun(process.execPath, [bin, ...args]);

/** The issue's headline figures as ratios (`--ratios` runs only these, `--runs N` times). */
async function ratios(): Promise<string[]> {
  const pipeline = new Pipeline({ configFile: release }, nodeEffects({ storeDir: false }));
  const assets = await pipeline.assets();
  // Every document of the release, as it is printed: the floor prints each once.
  const printables = pipeline.config().documents.map((d) => renderHtml(pipeline.document(d.id), { assets: d.main ? assets : new Map(), stylesheet: govukStylesheet(), mode: 'print', printCss: printCss() }));
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
  return benchRatios({ bin, release, dir: join(out, 'ratios'), printables, documents: pipeline.config().documents.map((d) => d.id), choice: await findBrowser(), previewTemplateEdit: async () => (await benchPreview(release)).templateEdit, runs });
}

/** `--profile`: one whole build of the release with `statpress build --profile`, its table. */
async function profileRun(): Promise<string> {
  const run = await processRun(process.execPath, [bin, 'build', release, '--out', join(out, 'profile'), '--force', '--quiet', '--profile'], { stderr: true });
  return `statpress build --profile (whole release, cold process):\n${run.stderr ?? ''}`;
}

if (process.argv.includes('--ratios') || process.argv.includes('--profile')) {
  clearInterval(sample);
  if (process.argv.includes('--profile')) process.stdout.write(await profileRun());
  if (process.argv.includes('--ratios')) process.stdout.write(`${(await ratios()).join('\n')}\n`);
  rmSync(out, { recursive: true, force: true });
  process.exit(0);
}

const scaleOnly = process.argv.includes('--scale');
const scale: string[] = [];
{
  // ── Scale: a history of 250,000 inspections ────────────────────────────────────────────────
  const dir = mkdtempSync(join(tmpdir(), 'statpress-scale-'));
  const synthetic = writeSyntheticRelease(release, dir, 250_000);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const build = (extra: string[]) => cliRun(['build', synthetic.config, '--out', join(dir, 'out'), '--formats', 'html,csv,ods,xlsx', '--quick', '--quiet', ...extra]);
  process.env.STATPRESS_CACHE_DIR = join(dir, 'chart-cache');
  const cold = await build(['--no-cache']);
  const warm: Array<{ ms: number; peakRss: number; code: number | null }> = [];
  for (let i = 0; i < 3; i++) warm.push(await build([]));
  const htmlOnly = await cliRun(['build', synthetic.config, '--out', join(dir, 'html'), '--formats', 'html', '--quick', '--quiet']);
  const mid = warm.sort((a, b) => a.ms - b.ms)[1]!;
  const failed = [cold, ...warm, htmlOnly].some((r) => r.code !== 0);
  add('scale', `${synthetic.rows.toLocaleString('en-GB')}-row history (${mb(synthetic.bytes)}) → HTML, CSV, ODS, XLSX, charts drawn (--no-cache)`, cold.ms, '≤ 5000 ms');
  add('scale', '  the same, unchanged charts from the store', mid.ms, '≤ 5000 ms');
  add('scale', '  HTML only (no workbook made)', htmlOnly.ms);
  scale.push(
    `Scale: ${synthetic.rows.toLocaleString('en-GB')} rows, ${mb(synthetic.bytes)} of CSV${failed ? ' (A BUILD FAILED)' : ''}; peak RSS ${mb(cold.peakRss)} charts drawn, ${mb(mid.peakRss)} from the store, ${mb(htmlOnly.peakRss)} HTML only (target ≤ 1024 MB); ${(Math.max(cold.peakRss, mid.peakRss) / synthetic.bytes).toFixed(1)}× the input (target about 10×)`,
  );
  rmSync(dir, { recursive: true, force: true });
}

if (scaleOnly) {
  clearInterval(sample);
  for (const r of rows) process.stdout.write(`${`[${r.group}] ${r.name}`.padEnd(100)}  ${r.ms.toFixed(1).padStart(8)} ms  ${r.target ?? ''}\n`);
  process.stdout.write(`${scale.join('\n')}\n`);
  process.exit(0);
}

// ── Whole builds, as a user runs them (a new process each time) ──────────────────────────────
// The chart cache lives in a folder of its own, so earlier builds on this machine do not count.
process.env.STATPRESS_CACHE_DIR = join(out, 'chart-cache');
const cli = (args: string[]) => () => execFileSync(process.execPath, [bin, 'build', release, '--out', join(out, 'cli'), ...args], { stdio: 'ignore' });
add('process', 'HTML only, document gates (--quick), cold, charts drawn (--no-cache)', await measure(5, cli(['--formats', 'html', '--quick', '--no-cache'])), '≤ 500 ms');
add('process', 'HTML only, document gates (--quick), cold, unchanged charts from the cache', await measure(5, cli(['--formats', 'html', '--quick'])), '≤ 500 ms');
add('process', 'whole release: HTML, PDF, DOCX and every gate, cold, charts drawn', await measure(3, cli(['--no-cache'])));

// ── The steps, warm, in one process ──────────────────────────────────────────────────────────
// Each measured run gets a pipeline of its own with no store, so nothing is reused unless said.
const fresh = () => new Pipeline({ configFile: release }, nodeEffects({ storeDir: false }));
const config = loadReleaseConfig(release);
const dataset = loadDataset(config);
add('document', 'load config + data', await measure(20, () => loadDataset(loadReleaseConfig(release))));
add('document', 'snapshot as at 31 March 2025', await measure(200, () => computeSnapshot(dataset, config.period.asAt, config.period.publishedBy)), '≤ 5 ms');
const first = fresh();
first.checks();
// Later builds find the compiled templates in the store, as a second build on a machine does.
const sharedEffects = nodeEffects({ storeDir: false });
new Pipeline({ configFile: release }, sharedEffects).checks();
add('document', 'whole document: load → compute → narrate → document gates (templates compiled before)', await measure(10, () => new Pipeline({ configFile: release }, sharedEffects).checks()));
for (const [stage, ms] of Object.entries(first.timings)) add('document', `  of which ${stage} (first run)`, ms);

// ── The query stage (DuckDB), on the query fixture's template set over the 2025 data ──────────
// Start-up in a new process: the worker thread, DuckDB's library and an empty database.
const startScript = `import('${join(root, 'dist/src/query/engine.js')}').then(({ QueryEngine }) => { const t = performance.now(); QueryEngine.start(); console.log(performance.now() - t); })`;
const startups = Array.from({ length: 3 }, () => Number(execFileSync(process.execPath, ['-e', startScript], { encoding: 'utf8' })));
add('query', 'DuckDB start-up: worker, library, empty in-memory database (new process)', median(startups));
const querySet = loadTemplateSet(join(root, 'test/fixtures/query-set'));
add('query', 'load the data model: tables from the dataset through the appender, views', await measure(10, () => openDataModel({ dataset, framework: config.framework, period: config.period }).close()));
const engine = openDataModel({ dataset, framework: config.framework, period: config.period });
runNamedQueries(engine, querySet.queries, config);
add('query', `every named query of a document (${querySet.queries.length}, the query fixture), warm`, await measure(20, () => runNamedQueries(engine, querySet.queries, config)), '≤ 100 ms');
// A release built on the fixture's template set: the whole document, DuckDB included.
const variant = parseYaml(readFileSync(release, 'utf8')) as Record<string, any>;
variant.templates = join(root, 'test/fixtures/query-set');
variant.framework = join(root, 'frameworks/ilacs-2018.yaml');
variant.dataRoot = resolve(root, '../shared/data-sources');
for (const source of variant.sources) source.layout = join(root, 'layouts', source.layout.split('/').pop());
const queryRelease = join(out, 'query-release.yaml');
writeFileSync(queryRelease, stringifyYaml(variant));
const queryEffects = nodeEffects({ storeDir: false });
const queryFirst = new Pipeline({ configFile: queryRelease }, queryEffects);
queryFirst.checks();
add('query', 'whole document with queries: load → compute → database → queries → narrate → gates', await measure(10, () => new Pipeline({ configFile: queryRelease }, queryEffects).checks()));
for (const stage of ['database', 'query'] as const) add('query', `  of which ${stage} (first run)`, queryFirst.timings[stage] ?? 0);

const built = { document: first.document() };
add('charts', 'all charts, SVG + PNG + CSV, nothing stored', await measure(5, () => fresh().assets()), '≤ 300 ms');
add('charts', 'all charts, SVG only, nothing stored', await measure(5, () => fresh().assets({ png: false })));
// Unchanged figures in a new pipeline that shares the store of an earlier one (a rebuild).
const assets = await new Pipeline({ configFile: release }, sharedEffects).assets();
add('charts', 'all charts, unchanged figures (from the store)', await measure(10, () => new Pipeline({ configFile: release }, sharedEffects).assets()));

const stylesheet = govukStylesheet();
add('html', 'render HTML from the tree', await measure(20, () => renderHtml(built.document, { assets, stylesheet })));
add('docx', 'render DOCX from the tree', await measure(10, () => renderDocx(built.document, assets)), '≤ 300 ms');

// ── Chromium: the floor, then the release's PDF ──────────────────────────────────────────────
const choice = await findBrowser();
const printable = renderHtml(built.document, { assets, stylesheet, mode: 'print', printCss: printCss() });
// The floor, as issue 4 defines it: launch Chromium, load the same HTML, print it once, nothing else.
const floor = await measure(3, async () => {
  const browser = await puppeteer.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  const page = await browser.newPage();
  await page.setContent(printable, { waitUntil: 'load' });
  await page.pdf({ format: 'a4' });
  await browser.close();
});
add('pdf', `Chromium floor: launch + the same HTML + one print (${choice.source})`, floor);
// The same, printed the way an accessible release must be (tagged, bookmarked, running footer).
const accessibleFloor = await measure(3, async () => {
  const browser = await puppeteer.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  const page = await browser.newPage();
  await page.setContent(printable, { waitUntil: 'load' });
  await page.pdf(printOptions(built.document.meta));
  await browser.close();
});
add('pdf', '  the same, one tagged and bookmarked print with the footer', accessibleFloor);
const bare = await measure(3, async () => {
  const browser = await puppeteer.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  const page = await browser.newPage();
  await page.setContent('<p>statpress</p>');
  await page.pdf({ format: 'a4' });
  await browser.close();
});
add('pdf', '  for scale: launch + a one-line page + one print', bare);
const launch = await measure(3, async () => {
  const browser = await puppeteer.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  await browser.close();
});
add('pdf', '  of which launch and close', launch);
const pdfStep = await measure(3, () => withBrowser((browser) => renderPdf(printable, built.document.meta, browser)));
add('pdf', 'PDF step: launch + two prints (page-numbered contents) + finish', pdfStep);
const inside = await withBrowser(async (browser) => (await renderPdf(printable, built.document.meta, browser)).timings);
for (const [stage, ms] of Object.entries(inside)) add('pdf', `  of which ${stage}`, ms);

// ── Gates on the formats ─────────────────────────────────────────────────────────────────────
const full = await buildRelease({ configFile: release, outDir: join(out, 'full'), formats: ['html', 'pdf', 'docx'], chartCache: false });
const gateTime = await measure(3, () =>
  withBrowser((browser) =>
    checkFormats({
      document: full.document,
      html: full.files.get('main-findings.html') as string,
      pdf: full.files.get('main-findings.pdf') as Uint8Array,
      docx: full.files.get('main-findings.docx') as Uint8Array,
      browser,
    }),
  ),
);
add('gates', 'format gates: axe-core, PDF and DOCX structure, agreement (incl. launch)', gateTime);
for (const [stage, ms] of Object.entries(full.timings)) add('whole', `in-process build, ${stage}`, ms);
const total = Object.values(full.timings).reduce((a, b) => a + b, 0);
add('whole', 'in-process build, total (first run)', total);

// ── Preview ──────────────────────────────────────────────────────────────────────────────────
const preview = await benchPreview(release);
add('preview', 'rebuild after a template edit (HTML only, data not reloaded)', preview.templateEdit, '≤ 200 ms');
add('preview', 'rebuild after a data edit', preview.dataEdit);

// ── Sweep: every quarter-end from 31 March 2019 to 31 December 2026 as an HTML draft, one process ──
{
  const dates = quarterEnds('2019-03-31', '2026-12-31');
  const start = performance.now();
  const swept = await sweepRelease(release, dates, nodeEffects({ storeDir: join(out, 'sweep-store') }));
  const built = swept.filter((r) => r.result === 'built').length;
  add('sweep', `${dates.length} quarter-ends as HTML drafts (${built} built, ${dates.length - built} refused for coverage), cold store`, performance.now() - start, '≤ 30000 ms');
}

clearInterval(sample);
const width = Math.max(...rows.map((r) => r.name.length + r.group.length + 3));
const line = '─'.repeat(width + 30);
process.stdout.write(`statpress benchmark: whole 2025 release (${process.version}, ${choice.source} Chromium, median of runs)\n${line}\n`);
let group = '';
for (const r of rows) {
  if (r.group !== group && group) process.stdout.write('\n');
  group = r.group;
  process.stdout.write(`${`[${r.group}] ${r.name}`.padEnd(width)}  ${r.ms.toFixed(1).padStart(8)} ms  ${r.target ?? ''}\n`);
}
process.stdout.write(`${line}\n`);
process.stdout.write(`PDF step ÷ Chromium floor: ${(pdfStep / floor).toFixed(2)} (target ≤ 1.3; the release lays out twice to number its contents page)\n`);
process.stdout.write(`PDF step ÷ one accessible print of the same HTML: ${(pdfStep / accessibleFloor).toFixed(2)}\n`);
process.stdout.write(`Whole cold build ÷ Chromium floor: ${(rows.find((r) => r.name.startsWith('whole release'))!.ms / floor).toFixed(2)}\n`);
process.stdout.write(`Peak memory (RSS) of this process: ${(peakRss / 1024 / 1024).toFixed(0)} MB\n`);
process.stdout.write(`${(await ratios()).join('\n')}\n`);
process.stdout.write(`${scale.join('\n')}\n`);
