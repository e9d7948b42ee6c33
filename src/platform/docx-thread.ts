/**
 * The Word version made in a worker thread, so that it is laid out and zipped while Chromium
 * prints the PDF (the main thread then mostly waits on Chromium), instead of before it.
 *
 * The thread runs the same `renderDocx` on a structured copy of the same tree and drawings, so
 * the bytes are the same as in the main thread. It loads `render/docx.js` (it lives here, not in
 * src/render, because it looks for that file: renderers touch no files); where that is not compiled
 * JavaScript (the tests run the TypeScript sources), the Word file is made in this thread, as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReportDocument } from '../document/document.js';
import type { ChartImage } from '../render/docx.js';

/** The thread's code: import the renderer, render, send the bytes back. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ renderDocx }) => renderDocx(workerData.document, workerData.assets)).then(
  (bytes) => parentPort.postMessage({ ok: true, bytes }),
  (error) => parentPort.postMessage({ ok: false, message: String(error && error.stack || error) }),
);
`;

/** Renders the Word version in a worker thread when it can, else here; same bytes either way. */
export async function renderDocxInThread(doc: ReportDocument, assets: ReadonlyMap<string, ChartImage>): Promise<Uint8Array> {
  const module = new URL('../render/docx.js', import.meta.url);
  if (module.protocol !== 'file:' || !existsSync(fileURLToPath(module))) return (await import('../render/docx.js')).renderDocx(doc, assets);
  // Only what the renderer reads crosses to the thread (a chart's CSV and narrow layout do not).
  const images = new Map([...assets].map(([id, a]) => [id, { svg: a.svg, png: a.png, width: a.width, height: a.height }]));
  return new Promise<Uint8Array>((resolve, reject) => {
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module: module.href, document: doc, assets: images } });
    let settled = false;
    worker.once('message', (reply: { ok: true; bytes: Uint8Array } | { ok: false; message: string }) => {
      settled = true;
      if (reply.ok) resolve(new Uint8Array(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
      else reject(new Error(reply.message));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the Word version's thread ended (exit ${code}) before it finished`));
    });
  });
}
