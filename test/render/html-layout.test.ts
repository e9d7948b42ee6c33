/**
 * The web page as a reader meets it in Chromium: the GOV.UK HTML-publication layout at 1280 px,
 * charts drawn for a phone at 375 px with text measured at 12 px or more and no sideways scroll,
 * chart text set in the embedded Arimo (so a machine without Arial lays it out as it was
 * measured), a link to every CSV file and to a zip of them, and the map's long table only once.
 */
import JSZip from 'jszip';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withBrowser } from '../../src/platform/browser.js';
import { measureText } from '../../src/platform/fonts.js';
import { sharedRelease } from '../support.js';

const shared = await sharedRelease();
const html = shared.text('main-findings.html');

interface Measured {
  scrollWidth: number;
  texts: Array<{ text: string; px: number; length: number; drawnSize: number; bold: boolean; figure: string }>;
}

/** Every chart text shown at this width: its size on screen and its rendered length. */
async function measure(width: number): Promise<Measured> {
  return withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    const result = await page.evaluate(() => {
      const texts = [...document.querySelectorAll<SVGTextElement>('.app-chart svg text')]
        .filter((t) => t.getBoundingClientRect().width > 0 && (t.textContent ?? '').trim())
        .map((t) => {
          const drawnSize = parseFloat(t.getAttribute('font-size') ?? getComputedStyle(t).fontSize);
          const ctm = t.getScreenCTM()!;
          return {
            text: t.textContent ?? '',
            px: drawnSize * Math.hypot(ctm.a, ctm.b),
            length: t.getComputedTextLength(),
            drawnSize,
            bold: ['bold', '700'].includes(t.getAttribute('font-weight') ?? getComputedStyle(t).fontWeight),
            figure: t.closest('figure')?.id ?? '',
          };
        });
      return { scrollWidth: document.documentElement.scrollWidth, texts };
    });
    await page.close();
    return result;
  });
}

describe('the web page on a phone (375 px)', () => {
  let narrow: Measured;
  beforeAll(async () => {
    narrow = await measure(375);
  }, 60_000);

  it('does not scroll sideways', () => {
    expect(narrow.scrollWidth).toBeLessThanOrEqual(375);
  });

  it('shows every chart with its smallest text at least 12 px high', () => {
    const figures = new Set(narrow.texts.map((t) => t.figure));
    expect(figures.size).toBe(5);
    for (const t of narrow.texts) expect(t.px, `${t.figure} "${t.text}"`).toBeGreaterThanOrEqual(12);
  });

  it('sets chart text in the embedded Arimo, whatever fonts the machine has', () => {
    // Rendered lengths equal Arimo's own metrics (kerning aside): no wider fallback font.
    expect(narrow.texts.length).toBeGreaterThan(40);
    for (const t of narrow.texts) {
      const expected = measureText(t.text, t.drawnSize, t.bold);
      expect(Math.abs(t.length - expected), `"${t.text}": ${t.length} against ${expected}`).toBeLessThanOrEqual(Math.max(1.5, expected * 0.03));
    }
  });
});

describe('the web page on a desktop (1280 px)', () => {
  it('has the GOV.UK publication header, a two-thirds reading column, contents and a print link', () =>
    withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.setContent(html, { waitUntil: 'load' });
      const layout = await page.evaluate(() => {
        const header = document.querySelector('.app-publication-header')!;
        const column = document.querySelector('.govuk-grid-column-two-thirds')!;
        const paragraph = column.querySelector('.govuk-body')!;
        return {
          caption: header.querySelector('.govuk-caption-xl')?.textContent,
          title: header.querySelector('h1')?.textContent,
          published: header.querySelector('.app-published')?.textContent,
          background: getComputedStyle(header).backgroundColor,
          column: column.getBoundingClientRect().width,
          container: document.querySelector('main')!.getBoundingClientRect().width,
          paragraph: paragraph.getBoundingClientRect().width,
          contents: !!column.querySelector('nav.app-contents'),
          print: column.querySelector('.app-print-link button')?.textContent,
          status: (document.body.innerText.match(/Official statistics/gi) ?? []).length,
        };
      });
      await page.close();
      const meta = shared.document.meta;
      expect(layout.caption).toBe(meta.status);
      expect(layout.title).toBe(meta.title);
      expect(layout.published).toBe(`Published ${meta.published.text}`);
      expect(layout.background).toBe('rgb(29, 112, 184)');
      expect(layout.column / layout.container).toBeCloseTo(2 / 3, 1);
      expect(layout.paragraph).toBeLessThanOrEqual(650);
      expect(layout.contents).toBe(true);
      expect(layout.print).toBe('Print this page');
      // The status once, in the header: not again as a row of the release's details.
      expect(layout.status).toBe(1);
    }), 60_000);
});

describe('what the page links to and holds', () => {
  it('links to every CSV file and to a zip that holds them all with the data guidance', async () => {
    const csvs = readdirSync(shared.file('data')).filter((n) => n.endsWith('.csv')).map((n) => `data/${n}`);
    expect(csvs.length).toBeGreaterThan(5);
    for (const name of csvs) expect(html, name).toContain(`href="${name}"`);
    expect(html).toContain('href="data/underlying-data-csv.zip"');
    const zip = await JSZip.loadAsync(shared.bytes('data/underlying-data-csv.zip'));
    expect(Object.keys(zip.files).sort()).toEqual([...csvs.map((n) => n.slice('data/'.length)), 'data-guidance.txt'].sort());
    for (const name of csvs) expect(await zip.file(name.slice('data/'.length))!.async('string'), name).toBe(shared.text(name));
  });

  it("has the map's 153-row table once (the annex points to the workbook instead), and figure notes only under figures", () => {
    expect(html.match(/<table[^>]*id="figure-3-data"/g)).toHaveLength(1);
    expect(html).not.toContain('id="annex-figure-3"');
    expect(html).toContain('sheet Figure_3');
    const annex = html.slice(html.indexOf('id="annex"'));
    expect(annex).toContain('id="annex-figure-1"');
    expect(annex).not.toContain('app-notes');
  });
});
