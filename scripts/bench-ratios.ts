/**
 * The headline figures of issue 21, as ratios, in one run: the whole release (every format and
 * gate, a cold process, chart cache warm) against the Chromium floor (one launch, each of the
 * release's documents printed once) and against a peer (pandoc making DOCX and HTML from a
 * Markdown copy of each document, then Chromium printing those HTML files), the
 * HTML-only cold build with its charts drawn, a preview rebuild after a template edit, and the
 * peak memory of a whole build. Each is measured `runs` times, interleaved (so a burst of load
 * from elsewhere falls on all of them alike), and printed as median with the range: on a shared
 * machine the range is the noise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import type { BrowserChoice } from '../src/platform/browser.js';

export interface ProcessRun {
  ms: number;
  /** The kernel's high-water mark of the process's resident set, read while it ran (Linux). */
  peakRss: number;
  code: number | null;
  /** What it wrote on stderr, when asked to keep it. */
  stderr?: string;
}

/** Runs a program in a process of its own: its time and its peak memory. */
export async function processRun(command: string, args: string[], options: { stderr?: boolean } = {}): Promise<ProcessRun> {
  const start = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', options.stderr ? 'pipe' : 'ignore'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let peak = 0;
  const read = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
    } catch {
      // ended, or not Linux
    }
  };
  const timer = setInterval(read, 10);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  clearInterval(timer);
  return { ms: performance.now() - start, peakRss: peak, code, ...(options.stderr ? { stderr } : {}) };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const show = (s: Spread) => `${s.median.toFixed(0).padStart(6)} ms (${s.min.toFixed(0)} to ${s.max.toFixed(0)})`;

export interface RatioInputs {
  /** `node dist/src/bin.js`'s path. */
  bin: string;
  release: string;
  /** A scratch folder of the bench's own. */
  dir: string;
  /** The print HTML of each of the release's documents, for the floor. */
  printables: string[];
  /** The ids of the release's documents (their files are named by them). */
  documents: string[];
  choice: BrowserChoice;
  /** The preview's rebuild after a template edit, in ms (one measurement each run). */
  previewTemplateEdit: () => Promise<number>;
  runs: number;
}

/** Launch, then load and print each HTML once, plainly: what printing these with Chromium costs at least. */
async function chromiumPrint(choice: BrowserChoice, htmls: string[]): Promise<number> {
  const start = performance.now();
  const browser = await puppeteer.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  try {
    for (const html of htmls) {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.pdf({ format: 'a4' });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return performance.now() - start;
}

function hasPandoc(): boolean {
  try {
    execFileSync('pandoc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Measures and returns the lines to print. */
export async function benchRatios(input: RatioInputs): Promise<string[]> {
  const { bin, release, dir, runs } = input;
  mkdirSync(dir, { recursive: true });
  const whole = join(dir, 'whole');
  const build = (out: string, extra: string[]) => processRun(process.execPath, [bin, 'build', release, '--out', out, '--quiet', '--force', ...extra]);
  // The chart cache is warmed once, as a second build on a machine finds it.
  const warmup = await build(whole, []);
  if (warmup.code !== 0) throw new Error(`the whole release did not build (exit ${warmup.code})`);
  // The peer's Markdown copies: pandoc reads each of the release's web pages (text, lists and tables).
  const pandoc = hasPandoc();
  const markdown = (id: string) => join(dir, `${id}.md`);
  if (pandoc) {
    for (const id of input.documents) {
      execFileSync('pandoc', ['-f', 'html', '-t', 'markdown', join(whole, `${id}.html`), '-o', markdown(id)], { stdio: 'ignore' });
      // The charts come across as data-URI images, which pandoc 2 takes minutes to parse and its
      // Word writer cannot use without rsvg-convert: the copy keeps each chart's alt text only.
      writeFileSync(markdown(id), readFileSync(markdown(id), 'utf8').replace(/!\[([^\]]*)\]\(data:[^)]*\)(\{[^}]*\})?/g, '$1'));
    }
  }
  // Every document to DOCX and HTML, then one Chromium printing each HTML.
  const peer = async (): Promise<number> => {
    const start = performance.now();
    const htmls: string[] = [];
    for (const id of input.documents) {
      execFileSync('pandoc', [markdown(id), '-o', join(dir, `peer-${id}.docx`)], { stdio: 'ignore' });
      execFileSync('pandoc', [markdown(id), '-s', '--metadata', `title=${id}`, '-o', join(dir, `peer-${id}.html`)], { stdio: 'ignore' });
      htmls.push(readFileSync(join(dir, `peer-${id}.html`), 'utf8'));
    }
    await chromiumPrint(input.choice, htmls);
    return performance.now() - start;
  };
  const t: Record<'whole' | 'floor' | 'peer' | 'html' | 'preview', number[]> = { whole: [], floor: [], peer: [], html: [], preview: [] };
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await build(whole, []);
    if (run.code !== 0) throw new Error(`the whole release did not build (exit ${run.code})`);
    t.whole.push(run.ms);
    rss.push(run.peakRss);
    t.floor.push(await chromiumPrint(input.choice, input.printables));
    if (pandoc) t.peer.push(await peer());
    t.html.push((await build(join(dir, 'html'), ['--formats', 'html', '--quick', '--no-cache'])).ms);
    t.preview.push(await input.previewTemplateEdit());
  }
  const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.length ? spread(v) : undefined])) as Record<keyof typeof t, Spread | undefined>;
  const ratio = (a: Spread, b: Spread) => `${(a.median / b.median).toFixed(2)} (${(a.min / b.max).toFixed(2)} to ${(a.max / b.min).toFixed(2)})`;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const peakRss = spread(rss);
  const load = existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown';
  return [
    `Issue 21 figures: median of ${runs} runs (lowest to highest), load average at the end ${load}`,
    `  whole release, cold process, chart cache warm      ${show(s.whole!)}`,
    `  Chromium floor (launch, each document's HTML printed once) ${show(s.floor!)}`,
    pandoc ? `  peer: pandoc DOCX + HTML of each document, Chromium prints (no charts) ${show(s.peer!)}` : '  peer: pandoc is not installed, so the peer was not measured',
    `  whole release ÷ Chromium floor: ${ratio(s.whole!, s.floor!)}   target ≤ 1.5`,
    pandoc ? `  whole release ÷ peer:           ${ratio(s.whole!, s.peer!)}   target ≤ 1.0` : '  whole release ÷ peer: not measured (no pandoc)',
    `  HTML only, cold, charts drawn (--no-cache)         ${show(s.html!)}   target ≤ 500 ms`,
    `  preview rebuild after a template edit              ${show(s.preview!)}   target ≤ 100 ms`,
    `  peak RSS of a whole build (statpress process)      ${mb(peakRss.median)} (${mb(peakRss.min)} to ${mb(peakRss.max)})   target ≤ 500 MB`,
  ];
}
