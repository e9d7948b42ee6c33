/**
 * The Word thread as the command line uses it (compiled): one thread for the process, which makes
 * each document's Word file with the same bytes as the renderer run in this thread, whether the
 * documents are sent one by one or all at once; a document it cannot render is reported, and the
 * thread goes on serving the next.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_2025, ROOT } from '../support.js';
import type { ReportDocument } from '../../src/document/document.js';
import type { ChartImage } from '../../src/render/docx.js';

type Compiled = {
  thread: typeof import('../../src/platform/docx-thread.js');
  docx: typeof import('../../src/render/docx.js');
  documents: ReportDocument[];
  assets: ReadonlyMap<string, ChartImage>;
};
let compiled: Compiled;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', ROOT], { stdio: 'ignore', timeout: 300_000 });
  const load = <T>(path: string) => import(pathToFileURL(join(ROOT, 'dist/src', path)).href) as Promise<T>;
  const { Pipeline } = await load<typeof import('../../src/pipeline/pipeline.js')>('pipeline/pipeline.js');
  const { nodeEffects } = await load<typeof import('../../src/platform/effects.js')>('platform/effects.js');
  const pipeline = new Pipeline({ configFile: RELEASE_2025 }, nodeEffects({ storeDir: false }));
  const assets = await pipeline.assets();
  compiled = {
    thread: await load('platform/docx-thread.js'),
    docx: await load('render/docx.js'),
    documents: pipeline.config().documents.map((d) => pipeline.document(d.id)),
    assets,
  };
}, 300_000);

describe('the Word thread', () => {
  it('makes every document of the release with the same bytes as this thread, sent together or one by one', async () => {
    const { thread, docx, documents, assets } = compiled;
    expect(documents.length).toBeGreaterThan(1);
    const here = await Promise.all(documents.map((d, i) => docx.renderDocx(d, i === 0 ? assets : new Map())));
    const together = await Promise.all(documents.map((d, i) => thread.renderDocxInThread(d, i === 0 ? assets : new Map())));
    for (const [i, bytes] of together.entries()) expect(Buffer.from(bytes).equals(Buffer.from(here[i]!)), documents[i]!.meta.title).toBe(true);
    const last = documents.at(-1)!;
    const again = await thread.renderDocxInThread(last, new Map());
    expect(Buffer.from(again).equals(Buffer.from(here.at(-1)!))).toBe(true);
  }, 120_000);

  it('reports a document it cannot render, and goes on serving the next', async () => {
    const { thread, documents } = compiled;
    const broken = { ...documents[0]!, children: [{ type: 'paragraph', children: null }] } as unknown as ReportDocument;
    await expect(thread.renderDocxInThread(broken, new Map())).rejects.toThrow();
    const next = await thread.renderDocxInThread(documents.at(-1)!, new Map());
    expect(next.byteLength).toBeGreaterThan(1000);
  }, 120_000);
});
