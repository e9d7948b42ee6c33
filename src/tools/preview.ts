/**
 * statpress preview: a local server that shows the HTML release and rebuilds it on every save.
 *
 * The builder keeps each stage's result and recomputes only what a change invalidates:
 *
 *   release config, framework, layout  → everything
 *   a data file                        → load, compute, narrate, charts, page
 *   a template or template-set.yaml    → templates, narrate, charts (unchanged ones reused), page
 *   a chart spec or chart resource     → charts, page
 *
 * A failed stage leaves the page showing the error (file, line, message) until the next good
 * save. The server answers only from memory (the page, its charts, the PDF and Word versions of
 * the current draft) so no request can reach another file, and it listens on 127.0.0.1 unless
 * told otherwise. It answers only requests addressed to this machine by name or address
 * (localhost, 127.0.0.1, [::1]), so a web page elsewhere cannot read the unpublished draft by
 * pointing a name of its own at 127.0.0.1 (DNS rebinding); every answer carries a
 * Content-Security-Policy that lets the page run only its own reload script; and each draft's
 * PDF and Word versions are made once, by one render at a time, however many ask.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { watch, type FSWatcher, existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { OUTPUT_NAME } from '../pipeline/build.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { withBrowser } from '../platform/browser.js';
import { govukStylesheet } from '../platform/assets.js';
import { nodeEffects, type Effects } from '../platform/effects.js';
import { formatGateReport } from '../quality/gates/document-gates.js';
import { loadReleaseConfig, type ReleaseOverrides } from '../config/config.js';
import type { ReportDocument } from '../document/document.js';
import { StatpressError } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import type { ChartAsset } from '../render/chart.js';
import { renderDocx } from '../render/docx.js';
import { escapeHtml, renderHtml } from '../render/html.js';
import { renderPdf } from '../render/pdf.js';
import { printCss } from '../render/print-css.js';

export interface PreviewState {
  /** Increases by one on every rebuild, good or bad. */
  version: number;
  /** The page to show: the release, or the error page. */
  html: string;
  error?: string;
  /** Steps that ran in the last rebuild, with their times in ms. */
  timings: Record<string, number>;
  document?: ReportDocument;
  assets?: Map<string, ChartAsset>;
}

/**
 * Runs the release's pipeline for the preview: after a save, the pipeline forgets only what the
 * changed files invalidate, so each rebuild reruns just those stages.
 */
export class PreviewBuilder {
  private readonly pipeline: Pipeline;
  private built = false;
  state: PreviewState = { version: 0, html: '', timings: {} };

  constructor(
    readonly configFile: string,
    overrides: ReleaseOverrides = {},
    effects: Effects = nodeEffects(),
  ) {
    this.pipeline = new Pipeline({ configFile, ...overrides }, effects);
  }

  /** Every file whose change should trigger a rebuild. */
  watchedFiles(): string[] {
    try {
      return this.pipeline.inputs();
    } catch {
      return [resolve(this.configFile)];
    }
  }

  /** Rebuilds after `changed` files changed (all of it the first time) and returns the new state. */
  async rebuild(changed: readonly string[] = []): Promise<PreviewState> {
    if (this.built) this.pipeline.invalidate(changed);
    this.built = true;
    this.pipeline.resetTimings();
    const version = this.state.version + 1;
    const p = this.pipeline;
    try {
      const start = performance.now();
      const document = p.document();
      const gates = p.checks();
      if (gates.some((g) => g.findings.length > 0)) {
        throw new StatpressError('check', `the draft fails its quality gates:\n${formatGateReport(gates)}`);
      }
      const assets = await p.assets({ png: false });
      const html = p.step('html', () =>
        renderHtml(document, {
          assets,
          stylesheet: govukStylesheet(),
          headExtra: RELOAD_SCRIPT,
          downloads: [
            { label: 'This draft as a PDF', href: `${OUTPUT_NAME}.pdf` },
            { label: 'This draft as a Word document', href: `${OUTPUT_NAME}.docx` },
          ],
        }),
      );
      const timings = { ...p.timings, total: performance.now() - start };
      this.state = { version, html, timings, document, assets };
    } catch (error) {
      const message = error instanceof StatpressError ? error.describe() : (error as Error).stack ?? String(error);
      this.state = { version, html: errorPage(message), error: message, timings: { ...p.timings } };
    }
    return this.state;
  }

  /** The PDF of the current draft (needs Chromium). */
  async pdf(): Promise<Uint8Array> {
    const { document, assets } = this.current();
    return this.once('pdf', () => {
      const printable = renderHtml(document, { assets, stylesheet: govukStylesheet(), mode: 'print', printCss: printCss() });
      return withBrowser(async (browser) => (await renderPdf(printable, document.meta, browser)).pdf);
    });
  }

  /** The Word version of the current draft. */
  async docx(): Promise<Uint8Array> {
    const { document } = this.current();
    return this.once('docx', async () => renderDocx(document, await this.chartsWithPng()));
  }

  /** The PDF and Word versions being made or made, with the draft they are of. */
  private readonly renders = new Map<'pdf' | 'docx', { version: number; result: Promise<Uint8Array> }>();

  /**
   * Makes a draft's PDF or Word version once: requests for the same draft share the render in
   * progress (or done); a request for a newer draft waits for it to end before its own starts.
   * So ten readers asking for the PDF start one Chromium, not ten.
   */
  private once(kind: 'pdf' | 'docx', make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const version = this.state.version;
    const known = this.renders.get(kind);
    if (known && known.version === version) return known.result;
    const before = known ? known.result.catch(() => undefined) : Promise.resolve(undefined);
    const result = before.then(make);
    this.renders.set(kind, { version, result });
    // A failed render is not kept: the next request tries again.
    result.catch(() => {
      if (this.renders.get(kind)?.result === result) this.renders.delete(kind);
    });
    return result;
  }

  /** The current draft's charts with their PNGs (the page itself needs only the SVGs). */
  async chartsWithPng(): Promise<Map<string, ChartAsset>> {
    this.current();
    return this.pipeline.assets({ png: true });
  }

  private current(): { document: ReportDocument; assets: Map<string, ChartAsset> } {
    const { document, assets } = this.state;
    if (!document || !assets) throw new StatpressError('check', 'the draft does not build at the moment; fix the error shown in the preview first');
    return { document, assets };
  }
}

/** Reloads the page when the server says the draft was rebuilt, keeping the reader's place. */
const RELOAD_JS = `
(() => {
  const key = 'statpress-scroll:' + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved) addEventListener('load', () => scrollTo(0, Number(saved)));
  const events = new EventSource('/events');
  events.onmessage = () => { sessionStorage.setItem(key, String(scrollY)); location.reload(); };
})();
`;
const RELOAD_SCRIPT = `<script>${RELOAD_JS}</script>`;

/**
 * What a page from the preview may do: run the reload script and nothing else (no other script,
 * inline or fetched, even one that got into the page), use its own styles and images, and talk
 * only to the preview; no frames, forms, or other pages framing it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(RELOAD_JS).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The names a request may use for this machine: loopback ones, and the address it was told to listen on. */
function hostAllowed(header: string | undefined, listening: string): boolean {
  if (!header) return false;
  const name = (header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '')).toLowerCase();
  if (['localhost', '127.0.0.1', '[::1]'].includes(name)) return true;
  const bare = name.replace(/^\[|\]$/g, '');
  if (bare === listening.toLowerCase()) return true;
  // Listening on every address (--host 0.0.0.0): any address, but still no name, since a name
  // is what a rebinding page controls.
  return (listening === '0.0.0.0' || listening === '::') && isIP(bare) !== 0;
}

function errorPage(message: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error: the draft could not be built</title>
<style>body{font-family:Arial,sans-serif;margin:30px;color:#0b0c0c}.box{border:5px solid #d4351c;padding:20px;max-width:60em}h1{font-size:1.5rem;margin-top:0}pre{white-space:pre-wrap;font-size:1rem;background:#f3f2f1;padding:15px}</style>
${RELOAD_SCRIPT}
</head><body><div class="box" role="alert" aria-labelledby="error-title"><h1 id="error-title">The draft could not be built</h1>
<p>Fix the problem below and save: the page reloads by itself.</p><pre>${escapeHtml(message)}</pre></div></body></html>`;
}

export interface PreviewOptions extends ReleaseOverrides {
  configFile: string;
  /** Told when each stage of a rebuild starts and ends. */
  progress?: ProgressSink;
  port?: number;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  /** Where progress and errors are written (the terminal). */
  log?: (line: string) => void;
  /** Wait this long after a save for more saves before rebuilding (editors write in bursts). */
  debounceMs?: number;
}

export interface PreviewServer {
  url: string;
  builder: PreviewBuilder;
  /** Resolves with the state once a rebuild reaches `version` or later. */
  waitFor(version: number): Promise<PreviewState>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', csv: 'text/csv; charset=utf-8' };

/** Starts the preview server and the file watcher; resolves once the first build is served. */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const builder = new PreviewBuilder(options.configFile, {
    ...(options.asAt ? { asAt: options.asAt } : {}),
    ...(options.publishedBy ? { publishedBy: options.publishedBy } : {}),
    ...(options.draft !== undefined ? { draft: options.draft } : {}),
  }, nodeEffects(options.progress ? { progress: options.progress } : {}));
  const clients = new Set<ServerResponse>();
  const waiters: Array<{ version: number; resolve: (s: PreviewState) => void }> = [];
  const report = (state: PreviewState, changed: readonly string[]) => {
    const what = changed.length ? ` after a change to ${[...new Set(changed.map((f) => f.split(sep).pop()))].join(', ')}` : '';
    if (state.error) log(`statpress preview: error${what}:\n${state.error}`);
    else log(`statpress preview: rebuilt in ${Math.round(state.timings.total ?? 0)} ms${what} (${Object.keys(state.timings).filter((k) => k !== 'total').join(', ')})`);
    for (const client of clients) client.write(`data: ${state.version}\n\n`);
    for (const w of waiters.splice(0)) {
      if (state.version >= w.version) w.resolve(state);
      else waiters.push(w);
    }
  };
  report(await builder.rebuild(), []);

  // Watching: the folders that hold the inputs, so editors that save by renaming are seen too.
  const watchers = new Map<string, FSWatcher>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const rewatch = () => {
    const files = new Set(builder.watchedFiles());
    const dirs = new Set([...files].map((f) => dirname(f)));
    for (const [dir, watcher] of watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir) || !existsSync(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        if (!name) return;
        const file = join(dir, name.toString());
        if (!new Set(builder.watchedFiles()).has(file)) return;
        pending.add(file);
        clearTimeout(timer);
        timer = setTimeout(flush, options.debounceMs ?? 30);
      });
      watcher.on('error', () => undefined);
      watchers.set(dir, watcher);
    }
  };
  const flush = () => {
    const changed = [...pending];
    pending = new Set();
    running = running.then(async () => {
      report(await builder.rebuild(changed), changed);
      rewatch();
    });
  };
  rewatch();

  const host = options.host ?? '127.0.0.1';
  const headers = (type: string) => ({
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
  });
  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array) => {
    res.writeHead(status, headers(type));
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Before anything else: a request addressed to another name is not for this preview.
    if (!hostAllowed(req.headers.host, host)) {
      return send(res, 421, 'text/plain; charset=utf-8', 'This preview answers only requests to localhost, 127.0.0.1 or [::1].\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'Only GET is supported.\n');
    // Only fixed names are served, all from memory: nothing in a URL ever becomes a file path.
    const path = new URL(req.url ?? '/', 'http://preview').pathname;
    const state = builder.state;
    if (path === '/' || path === `/${OUTPUT_NAME}.html`) return send(res, state.error ? 500 : 200, 'text/html; charset=utf-8', state.html);
    if (path === '/events') {
      res.writeHead(200, { ...headers('text/event-stream'), connection: 'keep-alive' });
      res.write(': statpress preview\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/state.json') {
      return send(res, 200, 'application/json', JSON.stringify({ version: state.version, error: state.error ?? null, timings: state.timings }));
    }
    if (path === `/${OUTPUT_NAME}.pdf`) return send(res, 200, 'application/pdf', await builder.pdf());
    if (path === `/${OUTPUT_NAME}.docx`) {
      return send(res, 200, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', await builder.docx());
    }
    const chart = /^\/charts\/([A-Za-z0-9_-]+)\.(svg|png|csv)$/.exec(path);
    const asset = chart ? state.assets?.get(chart[1]!) : undefined;
    if (chart && asset) {
      const kind = chart[2] as 'svg' | 'png' | 'csv';
      const body = kind === 'png' ? (await builder.chartsWithPng()).get(chart[1]!)?.png : asset[kind];
      if (body !== undefined) return send(res, 200, TYPES[kind]!, body);
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found: the preview serves only the release page, its charts and its PDF and Word versions.\n');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof StatpressError ? error.describe() : String((error as Error).message ?? error);
      log(`statpress preview: ${message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${message}\n`);
      else res.end();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new StatpressError('config', `the preview could not listen on ${host}:${options.port ?? 4173}: ${error.code ?? error.message}`, {}, 'choose another port with --port')),
    );
    server.listen(options.port ?? 4173, host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 4173;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return {
    url,
    builder,
    waitFor: (version) =>
      builder.state.version >= version ? Promise.resolve(builder.state) : new Promise((resolveState) => waiters.push({ version, resolve: resolveState })),
    async close() {
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      for (const c of clients) c.end();
      await running;
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** For the benchmark: the rebuild time after a template edit and after a data edit. */
export async function benchPreview(configFile: string): Promise<{ templateEdit: number; dataEdit: number }> {
  const builder = new PreviewBuilder(configFile);
  await builder.rebuild();
  await builder.rebuild();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const config = loadReleaseConfig(configFile);
  const template = join(config.templateDir, 'template-set.yaml');
  const data = config.sources[0]!.file;
  const run = async (file: string) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const state = await builder.rebuild([file]);
      if (state.error) throw new Error(state.error);
      times.push(state.timings.total!);
    }
    return median(times);
  };
  return { templateEdit: await run(template), dataEdit: await run(data) };
}
