/**
 * Every number stated in the published release's text, Table 1 and annex tables (written out
 * here from ../shared/reference/ofsted-main-findings-2025.txt), checked in the generated HTML, in
 * the section where the reference states it. Where the reference text is garbled, the data win:
 * the East Midlands row of Figure 2 is 30/30/30/10 and Figure 5's later base is 36 visits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocument } from '../../src/pipeline/build.js';
import { renderHtml } from '../../src/render/html.js';
import { renderGovspeak } from '../../src/render/govspeak.js';
import { RELEASE_2025 } from '../support.js';

let html = '';
let govspeak = '';

/** Text of a top-level section: from its h2 to the next h2, tags removed, spaces folded. */
function sectionText(id: string): string {
  const start = html.indexOf(`<h2 class="govuk-heading-l" id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  const end = html.indexOf('<h2 class="govuk-heading-l"', start + 10);
  return html
    .slice(start, end === -1 ? undefined : end)
    .replace(/<\/?(span|a|strong|em|sup)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/ \)/g, ')')
    .replace(/\( /g, '(');
}

/** Rows of a table as [header, ...cells] text. */
function tableRows(id: string): string[][] {
  const start = html.indexOf(`<table class="govuk-table" id="${id}"`);
  expect(start, `table ${id}`).toBeGreaterThan(-1);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody'));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/&amp;/g, '&')),
  );
}

beforeAll(() => {
  const { document } = buildDocument({ configFile: RELEASE_2025 });
  html = renderHtml(document);
  govspeak = renderGovspeak(document).markdown;
});

/** A top-level section of the govspeak as a reader reads it: escapes, emphasis and link targets gone. */
function govspeakSection(id: string): string {
  const start = govspeak.indexOf(`{#${id}}\n`);
  expect(start, `govspeak section ${id}`).toBeGreaterThan(-1);
  const next = govspeak.slice(start).search(/\n## /);
  return govspeak
    .slice(start, next === -1 ? undefined : start + next)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\(.)/g, '$1')
    .replace(/\*\*?/g, '')
    .replace(/\s+/g, ' ');
}

/** Rows of the pipe table under a caption in the govspeak, as [header, ...cells] text. */
function govspeakRows(caption: string, from = 0): string[][] {
  const at = govspeak.indexOf(`**${caption}`, from);
  expect(at, `govspeak table ${caption}`).toBeGreaterThan(-1);
  const lines = govspeak.slice(at).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.replace(/^\|# ?/, '').replace(/\|\s*$/, '').split(' | ').map((c) => c.trim().replace(/\\(.)/g, '$1')));
  }
  return rows;
}

const STATED: Record<string, string[]> = {
  introduction: ['12 million', '400,000', '(3%)', '84,000', '153 local authorities', '31 March 2025', '1 April 2024', '30 June 2025'],
  'key-messages': ['67%', '31 March 2025', '53%', '31 March 2022', '114 local authorities', '45 (39%)', '35 (31%)', '19 local authorities (17%)', '31 March 2024', 'London (88%, previously 85%)', 'North West (46%, previously 36%)', '61%', '73%'],
  quality: [
    // Wording changed on purpose (claims are computed): "every one of the 153" is now "all 153",
    // "only 1 (7%)" drops "only", and 29% is no longer "just over a quarter".
    'all 153 local authorities', '36 (24%)', '67 (44%)', '31 (20%)', '19 (12%)',
    'outstanding increased by almost 4 percentage points', 'good increased by just over 3 percentage points',
    'requires improvement to be good decreased by just over 8 percentage points', 'inadequate increased by just over 1 percentage point',
    '114 of the 153', '45 (39%) improved', '8 of these', '35 (31%) kept a good or outstanding', '19 (17%) declined', '6 of these',
    '29 local authorities (88%)', 'England of 67%', 'up 3 percentage points since 31 March 2024',
    'West Midlands: 1 of the 14 local authorities judged outstanding (7%)', 'South West: 2 of the 15 local authorities judged outstanding (13%)',
    'North West: none of the 24 local authorities judged outstanding (0%), and 11 (46%) judged good (up 10 percentage points',
    'South East was judged inadequate', '7 (29%) in the North West', '3 (20%) in the South West',
    '103 of the 153', '71 (69%)', '93 local authorities (61%)', '112 local authorities (73%)', '29% of local authorities were outstanding', 'Four local authorities',
  ],
  'in-year': [
    '99 of the 153', '112 separate occasions', '22 standard inspections', '30 short inspections', '36 focused visits', '24 monitoring visits',
    'one of the standard inspections', '19 (37%) outstanding', '24 (46%) good', '5 (10%) requires improvement to be good', '4 (8%) inadequate',
    '52 local authorities, 50 had', 'improved in 20 (40%)', 'declined in 7 (14%)', '20 (40%) kept a good or outstanding',
    '2 local authorities previously judged inadequate', 'one improved to good', 'one remains inadequate',
    '24 monitoring visits to 14 local authorities', 'Of the 36 focused visits, 21 (58%)', '(36% of visits each)', '(35% and 26%)',
  ],
};

describe('every number of the reference release, in its place', () => {
  for (const [section, phrases] of Object.entries(STATED)) {
    it(`states the reference's numbers in "${section}"`, () => {
      const text = sectionText(section);
      for (const phrase of phrases) expect(text, `${section}: ${phrase}`).toContain(phrase);
    });
  }

  it('reproduces Table 1 cell by cell ([z] where the reference has a dash)', () => {
    expect(tableRows('table-1')).toEqual([
      ['Outstanding', '[z]', '16', '3'],
      ['Good', '13', '19', '8'],
      ['Requires improvement to be good', '19', '13', '8'],
      ['Inadequate', '13', '2', '[z]'],
    ]);
  });

  it('reproduces the annex table for Figure 1', () => {
    expect(tableRows('annex-figure-1')).toEqual([
      ['As at 31 March 2025 (153)', '24', '44', '20', '12'],
      ['As at 31 March 2024 (151)', '20', '40', '28', '11'],
      ['As at 31 March 2023 (152)', '16', '43', '32', '9'],
      ['As at 31 March 2022 (150)', '13', '41', '35', '12'],
    ]);
  });

  it('reproduces the annex table for Figure 2 (Midlands rows from the data)', () => {
    expect(tableRows('annex-figure-2')).toEqual([
      ['London (33)', '42', '45', '6', '6'],
      ['North East, Yorkshire and the Humber (27)', '33', '41', '15', '11'],
      ['South East (19)', '21', '53', '26', '0'],
      ['East of England (11)', '27', '36', '27', '9'],
      ['East Midlands (10)', '30', '30', '30', '10'],
      ['West Midlands (14)', '7', '50', '29', '14'],
      ['South West (15)', '13', '40', '27', '20'],
      ['North West (24)', '0', '46', '25', '29'],
      ['England (153)', '24', '44', '20', '12'],
    ]);
  });

  it('reproduces the annex table for Figure 4', () => {
    expect(tableRows('annex-figure-4')).toEqual([
      ['Overall effectiveness (153)', '24', '44', '20', '12'],
      ['Impact of leaders (153)', '29', '39', '22', '10'],
      ['Help and protection (153)', '14', '46', '29', '10'],
      ['Children in care (153)', '24', '49', '20', '7'],
      ['Care leavers (103)', '26', '42', '25', '7'],
    ]);
  });

  it('reproduces the annex table for Figure 5 (36 visits in the later year, not 52)', () => {
    expect(tableRows('annex-figure-5')).toEqual([
      ['Front door', '26', '6'],
      ['Children in need or subject to a protection plan', '35', '36'],
      ['Children in care', '9', '17'],
      ['Achieving permanence', '6', '6'],
      ['Care leavers', '24', '36'],
    ]);
    expect(html).toContain('1 April 2023 to 31 March 2024 (34)');
    expect(html).toContain('1 April 2024 to 31 March 2025 (36)');
  });

  it('adds the rounding note only to figures whose rounded rows do not sum to 100', () => {
    const figure = (id: string) => html.slice(html.indexOf(`<figure class="app-figure" id="${id}"`), html.indexOf('</figure>', html.indexOf(`id="${id}"`)));
    expect(figure('figure-1')).toContain('Due to rounding'); // 2024: 20+40+28+11 = 99
    expect(figure('figure-4')).toContain('Due to rounding'); // leaders: 29+39+22+10 = 100, care in 24+49+20+7 = 100, overall 100 … care leavers 26+42+25+7 = 100, help 14+46+29+10 = 99
    expect(figure('figure-5')).toContain('Due to rounding'); // 6+36+17+6+36 = 101
    expect(figure('figure-3')).not.toContain('Due to rounding');
  });
});

describe('every number of the reference release, in the govspeak export', () => {
  for (const [section, phrases] of Object.entries(STATED)) {
    it(`states the reference's numbers in "${section}"`, () => {
      const text = govspeakSection(section);
      for (const phrase of phrases) expect(text, `${section}: ${phrase}`).toContain(phrase);
    });
  }

  it('reproduces Table 1 and the annex tables cell by cell', () => {
    expect(govspeakRows('Table 1:')).toEqual([
      ['Outstanding', '[z]', '16', '3'],
      ['Good', '13', '19', '8'],
      ['Requires improvement to be good', '19', '13', '8'],
      ['Inadequate', '13', '2', '[z]'],
    ]);
    const annex = govspeak.indexOf('{#annex}');
    expect(govspeakRows('Data for Figure 2', annex)[4]).toEqual(['East Midlands (10)', '30', '30', '30', '10']);
    expect(govspeakRows('Data for Figure 5', annex)).toEqual([
      ['Front door', '26', '6'],
      ['Children in need or subject to a protection plan', '35', '36'],
      ['Children in care', '9', '17'],
      ['Achieving permanence', '6', '6'],
      ['Care leavers', '24', '36'],
    ]);
  });

  it('has the five figures as images, each with its data under it', () => {
    const images = [...govspeak.matchAll(/\[Image:(figure-(\d)-[a-z0-9-]+\.svg)\]/g)];
    expect(images.map((m) => m[2])).toEqual(['1', '2', '3', '4', '5']);
    for (const m of images) {
      const after = govspeak.slice(m.index!, m.index! + 20000);
      expect(after.indexOf(`**Data for Figure ${m[2]}`), m[1]).toBeGreaterThan(-1);
    }
  });
});
