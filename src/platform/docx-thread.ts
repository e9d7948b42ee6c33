/**
 * The Word version made in a worker thread, so that it is laid out and zipped while Chromium
 * prints the PDF (the main thread then mostly waits on Chromium), instead of before it.
 *
 * One thread serves every document of the process: started early (`warmDocxThread`), it loads
 * the renderer while the data are read, then renders the documents in the order they are sent.
 * It runs the same `renderDocx` on a structured copy of the same tree and drawings, so the bytes
 * are the same as in the main thread. It loads `render/docx.js` (it lives here, not in
 * src/render, because it looks for that file: renderers touch no files); where that is not compiled
 * JavaScript (the tests run the TypeScript sources), the Word file is made in this thread, as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReportDocument } from '../document/document.js';
import type { ChartImage } from '../render/docx.js';

/**
 * The thread's code: import the renderer once, then render each document it is sent, one after
 * another in the order sent, and send its bytes back.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.module);
let queue = loaded.catch(() => undefined);
parentPort.on('message', ({ id, document, assets }) => {
  queue = queue.then(() => loaded.then(({ renderDocx }) => renderDocx(document, assets))).then(
    (bytes) => parentPort.postMessage({ id, ok: true, bytes }),
    (error) => parentPort.postMessage({ id, ok: false, message: String(error && error.stack || error) }),
  );
});
`;

type Reply = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };

/** The one thread of the process, while it lives, and the documents it has not sent back yet. */
interface DocxThread {
  worker: Worker;
  pending: Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>;
  next: number;
}
let thread: DocxThread | undefined;

/** The compiled renderer the thread loads, or undefined where there is none (the tests run TypeScript). */
function compiledRenderer(): URL | undefined {
  const module = new URL('../render/docx.js', import.meta.url);
  return module.protocol === 'file:' && existsSync(fileURLToPath(module)) ? module : undefined;
}

/** The thread, started on first use; it does not keep the process alive while it has nothing to do. */
function docxThread(module: URL): DocxThread {
  if (thread) return thread;
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module: module.href } });
  const started: DocxThread = { worker, pending: new Map(), next: 0 };
  const fail = (error: Error) => {
    if (thread === started) thread = undefined;
    for (const { reject } of started.pending.values()) reject(error);
    started.pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiting = started.pending.get(reply.id);
    if (!waiting) return;
    started.pending.delete(reply.id);
    if (started.pending.size === 0) worker.unref();
    if (reply.ok) waiting.resolve(new Uint8Array(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
    else waiting.reject(new Error(reply.message));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the Word version's thread ended (exit ${code}) before it finished`)));
  worker.unref();
  thread = started;
  return started;
}

/** Starts the thread now, so it loads the renderer while the caller reads the data. */
export function warmDocxThread(): void {
  const module = compiledRenderer();
  if (module) docxThread(module);
}

/** Renders the Word version in the worker thread when it can, else here; same bytes either way. */
export async function renderDocxInThread(doc: ReportDocument, assets: ReadonlyMap<string, ChartImage>): Promise<Uint8Array> {
  const module = compiledRenderer();
  if (!module) return (await import('../render/docx.js')).renderDocx(doc, assets);
  // Only what the renderer reads crosses to the thread (a chart's CSV and narrow layout do not).
  const images = new Map([...assets].map(([id, a]) => [id, { svg: a.svg, png: a.png, width: a.width, height: a.height }]));
  const running = docxThread(module);
  const { worker, pending, next } = running;
  running.next = next + 1;
  return new Promise<Uint8Array>((resolve, reject) => {
    pending.set(next, { resolve, reject });
    worker.ref();
    worker.postMessage({ id: next, document: doc, assets: images });
  });
}
