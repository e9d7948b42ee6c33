/**
 * Charts from the real 2025 release: the SVG's structure (marks, labels, a colour per grade,
 * all 153 authorities joined on the map), the accessible name, the 2× PNG, and that the chart
 * data are the figure's accessible table.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { figuresOf, Pipeline } from '../../src/pipeline/pipeline.js';
import type { FigureNode } from '../../src/document/document.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCharts, type ChartAsset, type ChartOptions } from '../../src/render/chart.js';
import { diskStore } from '../../src/platform/cache.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { chartEngineKey } from '../../src/platform/package.js';
import { renderHtml } from '../../src/render/html.js';
import { StatpressError } from '../../src/core/errors.js';
import { printCss } from '../../src/render/print-css.js';
import { RELEASE_2025, tempDir } from '../support.js';

let figures: FigureNode[] = [];
let assets = new Map<string, ChartAsset>();
let html = '';

/** The content of every mark group with this class, each up to the next mark group. */
function markGroup(svg: string, cls: string): string {
  const parts: string[] = [];
  let start = svg.indexOf(`class="${cls}`);
  expect(start, cls).toBeGreaterThan(-1);
  while (start !== -1) {
    const next = svg.indexOf('<g class="mark-', start + 10);
    parts.push(svg.slice(start, next === -1 ? undefined : next));
    start = svg.indexOf(`class="${cls}`, start + 10);
  }
  return parts.join('');
}
const fills = (fragment: string) => [...fragment.matchAll(/<path[^>]*fill="(#[0-9a-fA-F]{6})"/g)].map((m) => m[1]!.toUpperCase());
/** Each text element's words; a label on two lines (two tspans) reads as one. */
const texts = (fragment: string) =>
  [...fragment.matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) => m[1]!.replace(/<\/tspan><tspan[^>]*>/g, ' ').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&'));
const count = (list: string[]) => list.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

let pipeline: Pipeline;
beforeAll(async () => {
  // No store: every chart here is drawn afresh.
  pipeline = new Pipeline({ configFile: RELEASE_2025 }, nodeEffects({ storeDir: false }));
  figures = figuresOf(pipeline.document());
  assets = await pipeline.assets();
  html = renderHtml(pipeline.document(), { assets });
});

describe('stacked bar figures (1, 2 and 4)', () => {
  for (const id of ['figure-1', 'figure-2', 'figure-4']) {
    it(`${id}: one segment per row and grade, in the grade's colour, labelled where it fits`, () => {
      const figure = figures.find((f) => f.id === id)!;
      const svg = assets.get(id)!.svg;
      const bars = fills(markGroup(svg, 'mark-rect role-mark'));
      const expected: Record<string, number> = {};
      figure.chart.data.forEach((row) => {
        if (row.value === null) return;
        const colour = figure.chart.range[figure.chart.domain.indexOf(String(row.series))]!.toUpperCase();
        expected[colour] = (expected[colour] ?? 0) + 1;
      });
      expect(count(bars)).toEqual(expected);
      // Every row label (with its base n) is on the axis; no label is truncated.
      const labels = texts(markGroup(svg, 'mark-text role-axis-label'));
      for (const row of figure.dataTable.rows) expect(labels).toContain(row.header.text);
      expect(svg).not.toContain('…');
      // Legend in scale order.
      expect(texts(markGroup(svg, 'mark-text role-legend-label'))).toEqual(figure.chart.domain);
      // Direct labels: every segment of at least 7% carries its percentage.
      const direct = texts(markGroup(svg, 'mark-text role-mark'));
      const big = figure.chart.data.filter((r) => typeof r.value === 'number' && r.value >= 7).map((r) => `${r.value}%`);
      expect(direct.length).toBeGreaterThanOrEqual(big.length);
      for (const label of big) expect(direct).toContain(label);
    });
  }
});

describe('the map (figure 3)', () => {
  it('joins all 153 authorities on the main map, and the London boroughs in the close-up', () => {
    const figure = figures.find((f) => f.id === 'figure-3')!;
    const svg = assets.get('figure-3')!.svg;
    const colours = new Set(figure.chart.range.map((c) => c.toUpperCase()));
    const main = fills(markGroup(svg, 'mark-shape role-mark concat_0_layer_0_marks'));
    expect(main).toHaveLength(153);
    expect(main.every((c) => colours.has(c))).toBe(true);
    const byColour = count(main);
    figure.chart.domain.forEach((grade, i) => {
      expect(byColour[figure.chart.range[i]!.toUpperCase()] ?? 0, grade).toBe(figure.chart.data.filter((r) => r.series === grade).length);
    });
    const london = fills(markGroup(svg, 'mark-shape role-mark concat_1_layer_0_marks'));
    expect(london).toHaveLength(figure.chart.data.filter((r) => String(r.code).startsWith('E09')).length);
    // Region outlines are drawn in grey, unfilled.
    expect(markGroup(svg, 'mark-shape role-mark concat_0_layer_1_marks')).toMatch(/stroke="#505a5f"/);
    expect(texts(markGroup(svg, 'mark-text role-title-text'))).toEqual(['London (close-up)']);
  });
});

describe('the grouped bar figure (5)', () => {
  it('draws a bar per theme and period with its percentage', () => {
    const figure = figures.find((f) => f.id === 'figure-5')!;
    const svg = assets.get('figure-5')!.svg;
    expect(fills(markGroup(svg, 'mark-rect role-mark'))).toHaveLength(figure.chart.data.length);
    expect(texts(markGroup(svg, 'mark-text role-mark')).sort()).toEqual(figure.chart.data.map((r) => `${r.value}%`).sort());
  });
});

describe('every figure', () => {
  it('has an accessible name from its alt text, unique ids and no title inside the image', () => {
    const ids = new Set<string>();
    for (const figure of figures) {
      const { svg } = assets.get(figure.id)!;
      expect(svg).toMatch(/^<svg[^>]* role="img" aria-labelledby="[^"]+"><title id="[^"]+">/);
      expect(svg).toContain(`<title id="${figure.id}-svg-title">${figure.altText.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}</title>`);
      expect(svg).not.toContain(figure.title);
      for (const [, id] of svg.matchAll(/\sid="([^"]+)"/g)) {
        expect(ids.has(id!), id).toBe(false);
        ids.add(id!);
      }
      expect(figure.altText.length).toBeLessThanOrEqual(220);
      expect(figure.altText).not.toBe(figure.title);
    }
  });

  it('has a PNG at twice the SVG size', () => {
    for (const figure of figures) {
      const asset = assets.get(figure.id)!;
      const png = Buffer.from(asset.png);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBe(Math.round(asset.width * 2));
      expect(png.readUInt32BE(20)).toBe(Math.round(asset.height * 2));
    }
  });

  it('has chart data equal to its accessible data table, and a tidy CSV of it', () => {
    for (const figure of figures) {
      const table = figure.dataTable;
      if (figure.chart.spec.includes('choropleth')) {
        expect(figure.chart.data.map((r) => [r.name, r.code])).toEqual(table.rows.map((r) => [r.header.text, r.cells[0]!.text]));
        continue;
      }
      const fromTable = table.rows.flatMap((row) => row.cells.map((cell, i) => `${row.header.text}|${table.columns[i + 1]!.label.replace(/^% /, '')}|${cell.raw}`));
      const fromChart = figure.chart.data.map((r) => `${r.label}|${r.series}|${r.value}`);
      expect(fromChart.sort()).toEqual(fromTable.sort());
      const csv = assets.get(figure.id)!.csv.trim().split('\r\n');
      expect(csv).toHaveLength(figure.chart.data.length + 1);
    }
  });

  it('is drawn no wider than the printed text column, so its 16 px text prints at 12 pt or more', () => {
    const page = /@page\s*{[^}]*size:\s*A4;\s*margin:\s*[\d.]+mm\s+([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm/.exec(printCss());
    expect(page).not.toBeNull();
    const column = ((210 - Number(page![1]) - Number(page![2])) / 25.4) * 96;
    for (const figure of figures) {
      const asset = assets.get(figure.id)!;
      expect(asset.width, figure.id).toBeLessThanOrEqual(column);
      expect(asset.svg, figure.id).not.toMatch(/font-size="(?:[0-9]|1[0-5])(?:\.\d+)?px"/);
    }
  });

  it('is inlined in the HTML page beside its data table', () => {
    for (const figure of figures) {
      const start = html.indexOf(`<figure class="app-figure" id="${figure.id}"`);
      const end = html.indexOf('</figure>', start);
      const block = html.slice(start, end);
      expect(block).toContain(`<title id="${figure.id}-svg-title">`);
      expect(block).toContain('View data in an accessible format');
    }
  });
});

describe('drawings kept in a store on disk', () => {
  it('reuses an unchanged figure from an earlier run, byte for byte, draws a changed one again, and never uses a damaged entry', async () => {
    const dir = tempDir();
    const options = (): ChartOptions => ({ ...pipeline.specs(), engine: chartEngineKey(), store: diskStore(dir) });
    const folder = join(dir, 'charts');
    const first = await renderCharts(figures, options());
    const entries = readdirSync(folder).filter((f) => f.endsWith('.svg'));
    expect(entries).toHaveLength(figures.length);
    for (const figure of figures) {
      expect(first.get(figure.id)!.svg).toBe(assets.get(figure.id)!.svg);
      expect(Buffer.from(first.get(figure.id)!.png).equals(Buffer.from(assets.get(figure.id)!.png))).toBe(true);
    }

    // A later process (a new store on the same folder) reads the entry: to prove it is the one
    // used, one entry is rewritten consistently (its listed hash updated with it).
    const figure1 = entries.find((f) => readFileSync(join(folder, f), 'utf8').includes('figure-1-svg-title'))!;
    const index = join(folder, figure1.replace(/\.svg$/, '.json'));
    const marked = readFileSync(join(folder, figure1), 'utf8').replace('</svg>', '<!-- from the store --></svg>');
    writeFileSync(join(folder, figure1), marked);
    const listed = JSON.parse(readFileSync(index, 'utf8')) as { parts: Record<string, string> };
    listed.parts.svg = createHash('sha256').update(marked).digest('hex');
    writeFileSync(index, JSON.stringify(listed));
    const second = await renderCharts(figures, options());
    expect(second.get('figure-1')!.svg).toContain('<!-- from the store -->');
    expect(second.get('figure-1')!.csv).toBe(assets.get('figure-1')!.csv);

    // Changed data is another key: drawn afresh, with the new value on the chart.
    const changed = structuredClone(figures);
    const row = changed[0]!.chart.data.find((r) => typeof r.value === 'number' && r.value >= 20)!;
    row.value = (row.value as number) + 1;
    const third = await renderCharts(changed, options());
    expect(third.get('figure-1')!.svg).not.toContain('<!-- from the store -->');
    expect(third.get('figure-1')!.svg).not.toBe(assets.get('figure-1')!.svg);
    expect(readdirSync(folder).filter((f) => f.endsWith('.svg'))).toHaveLength(figures.length + 1);

    // A part changed behind the store's back (its hash no longer matches) is discarded and the
    // chart drawn again: a tampered drawing never reaches the page.
    writeFileSync(join(folder, figure1), marked.replace('<!-- from the store -->', '<script>alert(1)</script>'));
    const fourth = await renderCharts(figures, options());
    expect(fourth.get('figure-1')!.svg).toBe(assets.get('figure-1')!.svg);

    // A damaged index counts as absent too.
    writeFileSync(index, '{"key":');
    const fifth = await renderCharts(figures, options());
    expect(fifth.get('figure-1')!.svg).toBe(assets.get('figure-1')!.svg);
  });
});

describe('a drawing in the store that statpress did not make', () => {
  it('is never used, even with its listed hashes made to match: the chart is drawn again', async () => {
    const dir = tempDir();
    const options = (): ChartOptions => ({ ...pipeline.specs(), engine: chartEngineKey(), store: diskStore(dir) });
    const folder = join(dir, 'charts');
    await renderCharts(figures, options());
    const entry = readdirSync(folder).find((f) => f.endsWith('.svg') && readFileSync(join(folder, f), 'utf8').includes('figure-1-svg-title'))!;
    const key = entry.replace(/\.svg$/, '');
    /** Rewrites one part of the entry and its listed hash, as someone with write access could. */
    const tamper = (part: string, content: string | Buffer) => {
      writeFileSync(join(folder, `${key}.${part}`), content);
      const index = JSON.parse(readFileSync(join(folder, `${key}.json`), 'utf8')) as { parts: Record<string, string> };
      index.parts[part] = createHash('sha256').update(content).digest('hex');
      writeFileSync(join(folder, `${key}.json`), JSON.stringify(index));
    };
    const fresh = assets.get('figure-1')!;
    const original = readFileSync(join(folder, entry), 'utf8');
    for (const hostile of [
      original.replace('</svg>', '<script>alert(1)</script></svg>'),
      original.replace('<svg', '<svg onload="alert(1)"'),
      original.replace('</svg>', '<foreignObject><iframe src="https://example.org"/></foreignObject></svg>'),
      original.replace('</svg>', '<image href="https://example.org/track.png"/></svg>'),
      original.replace('</svg>', '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ]) {
      tamper('svg', hostile);
      const drawn = await renderCharts(figures, options());
      expect(drawn.get('figure-1')!.svg).toBe(fresh.svg);
    }
    // A drawing stored for another figure, or a PNG that is not one, is not used either.
    const meta = JSON.parse(readFileSync(join(folder, `${key}.meta`), 'utf8')) as Record<string, unknown>;
    tamper('meta', JSON.stringify({ ...meta, id: 'figure-2' }));
    expect((await renderCharts(figures, options())).get('figure-1')!.svg).toBe(fresh.svg);
    tamper('png', Buffer.from('<svg onload="alert(1)"/>'));
    const png = (await renderCharts(figures, options())).get('figure-1')!.png;
    expect(Buffer.from(png).equals(Buffer.from(fresh.png))).toBe(true);
  });
});

describe('what a chart spec may read', () => {
  it('refuses data, lookups, images and links from any address, saying where the spec asks for them, and fetches nothing', async () => {
    const { createServer } = await import('node:http');
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('a\n1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const figure = figures[0]!;
    const values = { values: [{ a: 1 }] };
    const x = { field: 'a', type: 'quantitative' };
    const cases: Array<[unknown, string, string]> = [
      [{ data: { url: `${base}/data.csv` }, mark: 'bar', encoding: { x } }, 'data.url', `${base}/data.csv`],
      [{ data: values, transform: [{ lookup: 'a', from: { data: { url: `${base}/lookup.csv` }, key: 'a' } }], mark: 'point', encoding: { x } }, 'transform[0].from.data.url', `${base}/lookup.csv`],
      [{ data: values, mark: 'image', encoding: { x, url: { value: `${base}/pixel.png` } } }, 'encoding.url.value', `${base}/pixel.png`],
      [{ data: values, mark: 'point', encoding: { x, href: { value: 'javascript:alert(1)' } } }, 'encoding.href.value', 'javascript:alert(1)'],
      [{ data: { url: 'file:///etc/passwd' }, mark: 'bar', encoding: { x } }, 'data.url', 'file:///etc/passwd'],
    ];
    try {
      for (const [spec, setting, address] of cases) {
        const options: ChartOptions = { specs: new Map([[figure.chart.spec, { file: 'hostile.vl.json', json: spec }]]), resources: new Map(), engine: 'test' };
        const error = await renderCharts([figure], options).catch((e: unknown) => e);
        expect(error, setting).toBeInstanceOf(StatpressError);
        expect((error as StatpressError).describe()).toBe(`hostile.vl.json, setting "${setting}": the chart spec asks to load "${address}"; a chart may use only the data statpress gives it and the resources the release declares`);
      }
      expect(requests).toEqual([]);
    } finally {
      server.close();
    }
  });


  it('refuses a spec that loads data from a URL or a file, naming what it asked for', async () => {
    const figure = figures[0]!;
    for (const url of ['http://127.0.0.1:9/data.csv', 'file:///etc/passwd', '/etc/passwd']) {
      const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { url }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } };
      const options: ChartOptions = { specs: new Map([[figure.chart.spec, { file: 'hostile.vl.json', json: spec }]]), resources: new Map(), engine: 'test' };
      await expect(renderCharts([figure], options)).rejects.toThrow(new RegExp(`asks to load "${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`));
    }
  });
});
