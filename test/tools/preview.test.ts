/**
 * statpress preview: a running server on a copy of the templates and one data file. Edits are
 * picked up by the watcher, only the invalidated stages rerun, errors show in the page and the
 * terminal, the next good save recovers, and nothing but the release is served.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type PreviewServer } from '../../src/tools/preview.js';
import { editedData, releaseVariant, ROOT, tempDir } from '../support.js';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';
const BARKING_LATEST = '2023-07-10,2023-09-04,ILACS Standard Inspection,Requires improvement to be good';
const BARKING_LATEST_ROW = `${BARKING_LATEST},Requires improvement to be good,Requires improvement to be good,Requires improvement to be good,Good`;

let server: PreviewServer;
let templates: string;
let dataFile: string;
const log: string[] = [];

beforeAll(async () => {
  const dir = tempDir('statpress-preview-');
  templates = join(dir, 'templates');
  cpSync(join(ROOT, 'templates/ofsted-main-findings'), templates, { recursive: true });
  dataFile = editedData(HISTORY, (t) => t, dir);
  const config = releaseVariant((c) => {
    c.templates = templates;
    c.sources[0].file = dataFile;
  }, dir);
  server = await startPreview({ configFile: config, port: 0, log: (line) => log.push(line), debounceMs: 20 });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function get(path: string): Promise<{ status: number; type: string; body: Buffer }> {
  // A raw request, so paths like /../x reach the server as written.
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes a file and waits for the rebuild it causes. */
async function save(file: string, text: string) {
  const next = server.builder.state.version + 1;
  writeFileSync(file, text);
  return server.waitFor(next);
}

describe('statpress preview', () => {
  it('serves the release on the loopback address only', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('Main findings: local authority inspection outcomes');
    expect(page.body.toString()).toContain('new EventSource');
  });

  it('rebuilds after a template edit without reloading the data, and tells the open page', async () => {
    const events = await new Promise<string[]>((resolve) => {
      const url = new URL(server.url);
      const seen: string[] = [];
      const req = request({ host: url.hostname, port: url.port, path: '/events' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          seen.push(chunk);
          if (chunk.includes('data:')) {
            req.destroy();
            resolve(seen);
          }
        });
        // Once connected, make the edit.
        const file = join(templates, 'introduction.md.hbs');
        void save(file, `${readFileSync(file, 'utf8')}\nA sentence added while drafting.\n`);
      });
      req.end();
    });
    expect(events.join('')).toMatch(/data: \d+/);
    const state = await server.waitFor(2);
    expect(state.error).toBeUndefined();
    expect(Object.keys(state.timings)).not.toContain('load');
    expect(Object.keys(state.timings)).not.toContain('compute');
    expect(Object.keys(state.timings)).toContain('narrate');
    expect((await get('/')).body.toString()).toContain('A sentence added while drafting.');
  });

  it('rebuilds after a data edit, with the new judgement in the page', async () => {
    const text = readFileSync(dataFile, 'utf8');
    expect(text).toContain(BARKING_LATEST_ROW);
    const careLeavers = (page: string) => /Care leavers \(\d+\)<\/th>(.*?)<\/tr>/.exec(page)?.[1];
    const before = careLeavers((await get('/')).body.toString());
    // Barking and Dagenham's care leavers: Good → Inadequate in its latest inspection.
    const state = await save(dataFile, text.replace(BARKING_LATEST_ROW, BARKING_LATEST_ROW.replace(/,Good$/, ',Inadequate')));
    try {
      expect(state.error).toBeUndefined();
      expect(Object.keys(state.timings)).toEqual(expect.arrayContaining(['load', 'compute', 'narrate']));
      expect(Object.keys(state.timings)).not.toContain('templates');
      const after = careLeavers((await get('/')).body.toString());
      expect(before).toBeDefined();
      expect(after).not.toEqual(before);
    } finally {
      await save(dataFile, text);
    }
  });

  it('shows a broken template as an error page naming file and line, and recovers on the next good save', async () => {
    const file = join(templates, 'key-messages.md.hbs');
    const good = readFileSync(file, 'utf8');
    const broken = await save(file, `${good}\n{{#if model}}\nunclosed\n`);
    expect(broken.error).toContain('key-messages.md.hbs');
    expect(broken.error).toMatch(/line \d+/);
    const page = await get('/');
    expect(page.status).toBe(500);
    expect(page.body.toString()).toContain('The draft could not be built');
    expect(page.body.toString()).toContain('key-messages.md.hbs');
    expect(log.some((l) => l.includes('error') && l.includes('key-messages.md.hbs'))).toBe(true);
    const fixed = await save(file, good);
    expect(fixed.error).toBeUndefined();
    expect((await get('/')).status).toBe(200);
  });

  it('shows bad data as an error page naming file, row, column and value', async () => {
    const text = readFileSync(dataFile, 'utf8');
    const broken = await save(dataFile, text.replace(BARKING_LATEST, BARKING_LATEST.replace(/Requires improvement to be good$/, 'Good-ish')));
    expect(broken.error).toMatch(/ILACS_inspection_history\.csv, row \d+, column "Overall effectiveness", value "Good-ish"/);
    try {
      expect((await get('/')).body.toString()).toContain('Good-ish');
    } finally {
      expect((await save(dataFile, text)).error).toBeUndefined();
    }
  });

  it('serves only the release: no path leads to another file', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/charts/../../package.json', '/charts/..%2f..%2fpackage.json', '/etc/passwd', '/charts/figure-1.svg/../../x', '/output/main-findings.html']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString(), path).not.toContain('"name": "statpress"');
    }
    const chart = await get('/charts/figure-1.svg');
    expect(chart.status).toBe(200);
    expect(chart.type).toContain('image/svg+xml');
  });

  it('offers the current draft as PDF and Word', async () => {
    const docx = await get('/main-findings.docx');
    expect(docx.status).toBe(200);
    expect(docx.body.subarray(0, 2).toString()).toBe('PK');
    const pdf = await get('/main-findings.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);
});
