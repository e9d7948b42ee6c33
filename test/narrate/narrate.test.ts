/**
 * Narrative templates are strict: unknown values and helpers, numbers printed without a helper,
 * digits typed into the text and unescaped output all fail the build with a located error; data
 * with markup in it come out as text.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocument, figuresOf } from '../../src/pipeline/build.js';
import { computeStats } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import { StatpressError } from '../../src/core/errors.js';
import { loadDataset } from '../../src/load/dataset.js';
import { loadTemplateSet, narrateReport } from '../../src/narrate/narrate.js';
import { renderHtml } from '../../src/render/html.js';
import { editedData, RELEASE_2025, releaseVariant, ROOT, tempDir } from '../support.js';

const config = loadReleaseConfig(RELEASE_2025);
const model = computeStats(loadDataset(config), config.period, config.publishedSeries?.computeFrom);

/** A one-section template set in a temp folder. */
function templateSet(section: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'template-set.yaml'), 'sections: [only.md.hbs]\n');
  writeFileSync(join(dir, 'only.md.hbs'), section);
  return dir;
}

function narrateError(section: string): StatpressError {
  try {
    narrateReport(model, config, loadTemplateSet(templateSet(section)));
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected narrate to fail');
}

describe('strict templates', () => {
  it('flags a digit typed into the text, with its line', () => {
    const error = narrateError('## Title {#t}\n\nWe inspected {{count current.existing}} authorities.\n\nAbout 67% were good.\n');
    expect(error.code).toBe('template-digit');
    expect(error.describe()).toMatch(/only\.md\.hbs, row 5, value "About 67% were good\.": the number 67 is typed into the template/);
  });

  it('fails on an unknown value', () => {
    const error = narrateError('## Title {#t}\n\n{{count current.nonsense}}\n');
    expect(error.describe()).toMatch(/only\.md\.hbs.*\{\{count current\.nonsense\}\} needs a number: "current\.nonsense" is not defined/);
    expect(narrateError('## Title {#t}\n\n{{current.nonsense}}\n').describe()).toMatch(/only\.md\.hbs.*"nonsense" not defined/);
  });

  it('fails on an unknown helper at compile time', () => {
    const error = narrateError('## Title {#t}\n\n{{frobnicate current.existing}}\n');
    expect(error.describe()).toMatch(/only\.md\.hbs.*frobnicate/);
  });

  it('refuses a number printed without a helper', () => {
    const error = narrateError('## Title {#t}\n\nThere are {{current.existing}} authorities.\n');
    expect(error.describe()).toMatch(/the number 153 was printed without a helper/);
  });

  it('refuses triple braces and raw HTML', () => {
    expect(narrateError('## T {#t}\n\n{{{release.title}}}\n').describe()).toMatch(/row 3.*triple braces/);
    expect(narrateError('## T {#t}\n\n<b>bold</b>\n').describe()).toMatch(/raw HTML is not allowed/);
  });

  it('refuses a skipped heading level', () => {
    expect(narrateError('## A {#a}\n\n#### B {#b}\n').describe()).toMatch(/heading level 4 follows level 2/);
  });

  it('turns every number into a value node that records where it came from', () => {
    const dir = templateSet('## T {#t}\n\nOf {{count current.existing}}, {{pct current.judgements.overall.goodOrBetter.share}} were good.\n');
    const doc = narrateReport(model, config, loadTemplateSet(dir));
    const section = doc.children[0]!;
    expect(section.type).toBe('section');
    const paragraph = section.type === 'section' ? section.children[0] : undefined;
    expect(paragraph?.type === 'paragraph' && paragraph.children).toEqual([
      { type: 'text', value: 'Of ' },
      { type: 'value', raw: 153, text: '153', format: 'count', ref: 'current.existing' },
      { type: 'text', value: ', ' },
      { type: 'value', raw: 103 / 153, text: '67%', format: 'percent', ref: 'current.judgements.overall.goodOrBetter.share' },
      { type: 'text', value: ' were good.' },
    ]);
  });

  it('has no digit outside helpers in the shipped templates', () => {
    expect(() => loadTemplateSet(config.templateDir)).not.toThrow();
  });
});

describe('hostile data', () => {
  const HOSTILE_REGION = 'London <script>alert("x")</script> **bold** [link](javascript:alert(1)) {{release.title}} & Co';
  const HOSTILE_NAME = 'Barnet </td><img src=x onerror=alert(1)> & \'quoted\'';

  it('prints region and authority names with markup in them as plain text', () => {
    const lookup = editedData('la-lookup/england_153_la_lookup.csv', (text) =>
      text
        .split('\n')
        .map((line) => {
          let out = line.replace(/,London,E12000007,/, `,"${HOSTILE_REGION.replace(/"/g, '""')}",E12000007,`);
          if (out.startsWith('E09000003,')) out = out.replace(',Barnet,Barnet,', `,Barnet,"${HOSTILE_NAME}",`);
          return out;
        })
        .join('\n'),
    );
    const variant = releaseVariant((c) => {
      c.register.authorities.file = lookup;
      c.regionPhrases = {};
    });
    const { document } = buildDocument({ configFile: variant });
    const html = renderHtml(document);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('London &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; **bold** [link](javascript:alert(1)) {{release.title}} &amp; Co');
    expect(html).toContain('Barnet &lt;/td&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39;');
    // London is the top region, so its name is in the narrative as text, not Markdown.
    const json = JSON.stringify(document);
    expect(json).toContain(JSON.stringify({ type: 'text', value: HOSTILE_REGION, data: true }));
  });
});

describe('the page structure', () => {
  const { document } = buildDocument({ configFile: RELEASE_2025 });
  const html = renderHtml(document);

  it('declares its language and title, and has one h1', () => {
    expect(html).toMatch(/<html lang="en-GB"/);
    expect(html).toMatch(/<title>Main findings: local authority inspection outcomes as at 31 March 2025<\/title>/);
    expect(html.match(/<h1/g)).toHaveLength(1);
  });

  it('never skips a heading level', () => {
    const levels = [...html.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]));
    levels.reduce((previous, level) => {
      expect(level).toBeLessThanOrEqual(previous + 1);
      return level;
    }, 1);
  });

  it('links every contents entry and internal link to an anchor that exists', () => {
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) expect(ids.has(target), target).toBe(true);
  });

  it('gives every table a caption, column headers and row headers', () => {
    const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
    // Table 1, a data table beside each of the five figures, and four again in the annex (the
    // map's 153 rows are not repeated: on paper the map points to its workbook sheet).
    expect(tables.length).toBe(10);
    for (const table of tables) {
      expect(table).toMatch(/<caption/);
      expect(table).toMatch(/<th scope="col"/);
      expect(table).toMatch(/<th scope="row"/);
      expect(table).not.toMatch(/<th scope="col"[^>]*><\/th>/);
    }
  });

  it('puts a "view data" table beside every figure, and opens it when printing', () => {
    const figures = html.match(/<figure[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(5);
    for (const figure of figures) expect(figure).toMatch(/View data in an accessible format[\s\S]*<table/);
    // On paper, a figure whose data are in the annex points there instead of repeating them.
    const printed = renderHtml(document, { mode: 'print' });
    for (const figure of printed.match(/<figure[\s\S]*?<\/figure>/g) ?? []) {
      expect(figure).toMatch(/<details class="govuk-details" open>|The data for this figure are in the annex: <a class="govuk-link" href="#annex-figure-\d">/);
    }
  });

  it('is self-contained: styles inlined, nothing loaded from elsewhere', () => {
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
    expect(html).not.toMatch(/<script/);
    expect(html).not.toMatch(/url\(\/assets/);
  });
});


describe('the rounding note', () => {
  it('is known by its node, so a template set may word it its own way', () => {
    const wording = 'Percentages may not sum to 100 because of rounding.';
    const dir = tempDir();
    cpSync(join(ROOT, 'templates/ofsted-main-findings'), dir, { recursive: true });
    const setFile = join(dir, 'template-set.yaml');
    writeFileSync(setFile, readFileSync(setFile, 'utf8').replace(/^roundingNote:.*$/m, '').concat(`\nroundingNote: ${wording}\n`));
    const variant = releaseVariant((c) => {
      c.templates = dir;
    });
    // Builds with every document gate passing (buildDocument throws on a finding).
    const { document, checks } = buildDocument({ configFile: variant });
    expect(checks.find((g) => g.gate === 'rounding')!.findings).toEqual([]);
    // The note appears exactly on the figures whose rounded shares, summed here, are not 100.
    for (const figure of figuresOf(document)) {
      const cells = figure.dataTable.rows.map((r) => r.cells.filter((c, i) => figure.dataTable.columns[i + 1]!.label.startsWith('%')).map((c) => c.raw ?? 0));
      const rowsOff = cells.some((row) => row.reduce((a, b) => a + b, 0) !== 100);
      const columnsOff = cells[0]!.some((_, j) => cells.reduce((a, row) => a + row[j]!, 0) !== 100);
      const acrossRows = cells.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 100) <= row.length);
      const off = figure.chart.resources?.includes('boundaries') ? false : acrossRows ? rowsOff : columnsOff;
      const notes = figure.notes.map((n) => n.map((x) => ('value' in x ? x.value : '')).join(''));
      expect(notes.includes(wording), `Figure ${figure.number}`).toBe(off);
      expect(figure.roundingNote === true, `Figure ${figure.number}`).toBe(off);
    }
  });
});

describe('a value absent for the date', () => {
  it('is a template error naming the property and its line, not JavaScript\'s words', () => {
    const withoutYearBefore = { ...model, inYear: { ...model.inYear, previousThemes: null } };
    try {
      narrateReport(withoutYearBefore, config, loadTemplateSet(templateSet('## T {#t}\n\nVisits:\n\n{{count inYear.previousThemes.visits}} in the year before.\n')));
      throw new Error('expected narrate to fail');
    } catch (error) {
      expect(error).toBeInstanceOf(StatpressError);
      const text = (error as StatpressError).describe();
      expect(text).toMatch(/only\.md\.hbs, row 5: .*reads "visits" of a value that is absent for this release \(on line 5\)/);
      expect(text).not.toMatch(/Cannot read properties/);
    }
  });
});
