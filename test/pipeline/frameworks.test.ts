/**
 * Releases by configuration alone: the 2024 release in its own config, a post-April-2026 quarter
 * from the community scrape (another layout, no headline judgement), and no release-specific
 * names in src/. Expected values are computed here from the raw CSVs, not typed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildDocument } from '../../src/pipeline/build.js';
import { percentValue } from '../../src/narrate/format.js';
import { renderHtml } from '../../src/render/html.js';
import { readCsv, ROOT } from '../support.js';

const GRADE: Record<string, string> = { outstanding: 'outstanding', good: 'good', 'requires improvement': 'ri', inadequate: 'inadequate' };

/** dd/mm/yy or dd/mm/yyyy → ISO, or undefined. */
function isoOf(text: string): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{2}|\d{4})$/.exec(text);
  if (!m) return undefined;
  return `${m[3]!.length === 2 ? `20${m[3]}` : m[3]}-${m[2]}-${m[1]}`;
}

describe('a post-April-2026 quarter from the community scrape', () => {
  const asAt = '2026-06-30';
  const publishedBy = '2026-08-22';
  const { document, model, dataset } = buildDocument({ configFile: join(ROOT, 'releases/ilacs-2026-q2.yaml') });
  const html = renderHtml(document);

  // Independent reading of the scrape: latest standard/short report per authority by start date.
  const rows = readCsv('ilacs-scrape-jt39/ofsted_csc_ilacs_history_2026-08-22.csv').filter((r) => {
    const start = isoOf(r.inspection_start_date ?? '');
    const published = isoOf(r.publication_date ?? '');
    const known = (v: string) => v === '' || v in GRADE || ['inspection_pre_dates_judgement', 'data_unreadable', 'not_reported_post_reform'].includes(v);
    const readable = [r.overall_effectiveness_grade, r.impact_of_leaders_grade, r.help_and_protection_grade, r.in_care_grade, r.care_leavers_grade].every((v) => known(v ?? ''));
    return r.inspection_framework !== '' && start && published && start <= asAt && published <= publishedBy && readable;
  });
  const latest = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const previous = latest.get(r.local_authority!);
    if (!previous || isoOf(previous.inspection_start_date!)! <= isoOf(r.inspection_start_date!)!) latest.set(r.local_authority!, r);
  }
  const latestRows = [...latest.values()];

  it('counts the same authorities and the same headline as the raw file', () => {
    expect(model.current.inspected).toBe(latestRows.length);
    const withHeadline = latestRows.filter((r) => r.overall_effectiveness_grade! in GRADE);
    expect(model.current.withHeadline.count).toBe(withHeadline.length);
    expect(model.current.judgements.overall!.base).toBe(withHeadline.length);
    for (const [raw, id] of Object.entries(GRADE)) {
      expect(model.current.judgements.overall!.grades[id]!.count, raw).toBe(withHeadline.filter((r) => r.overall_effectiveness_grade === raw).length);
      expect(model.current.judgements.helpProtection!.grades[id]!.count, raw).toBe(latestRows.filter((r) => r.help_and_protection_grade === raw).length);
    }
    expect(latestRows.length - withHeadline.length).toBeGreaterThan(0);
  });

  it('classifies by the new rule, computed here from the raw grades', () => {
    const practice = (r: Record<string, string>) => [r.help_and_protection_grade, r.in_care_grade, r.care_leavers_grade].map((v) => GRADE[v ?? '']);
    const expected = { anyInadequate: 0, mostlyRi: 0, goodOrBetter: 0 };
    for (const r of latestRows) {
      const p = practice(r);
      const leaders = GRADE[r.impact_of_leaders_grade ?? ''];
      if (p.includes('inadequate')) expected.anyInadequate++;
      else if (leaders === 'ri' || p.filter((g) => g === 'ri').length >= 2) expected.mostlyRi++;
      else if ((leaders === 'good' || leaders === 'outstanding') && p.filter((g) => g === 'good' || g === 'outstanding').length >= 2) expected.goodOrBetter++;
    }
    expect(Object.fromEntries(Object.entries(model.current.classes).map(([k, v]) => [k, v.count]))).toEqual(expected);
  });

  it('says the headline is missing and makes no claim over all authorities', () => {
    const text = html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
    const missing = model.current.inspected - model.current.withHeadline.count;
    expect(text).toContain(`the latest inspection of ${missing} of the ${model.current.inspected} local authorities inspected was under the new arrangements`);
    expect(text).toContain(`Of the ${model.current.withHeadline.count} local authorities whose latest inspection, carried out under the earlier arrangements, gave an overall effectiveness judgement`);
    expect(text).not.toMatch(/of local authorities were judged good or outstanding at their most recent inspection/);
    const good = model.current.classes.goodOrBetter!;
    expect(text).toContain(`${good.count} local authorities (${percentValue(good.share)}%) were in the group "good or outstanding for leaders and at least two practice judgements"`);
  });

  it('lists the rows it left out instead of failing on a secondary source', () => {
    expect(dataset.warnings.some((w) => /row \d+, column "help_and_protection_grade", value "to requires improvement": unknown grade/.test(w))).toBe(true);
    expect(html).toMatch(/the build lists each one/);
  });
});

describe('the 2024 release from its own config', () => {
  const { document, model } = buildDocument({ configFile: join(ROOT, 'releases/ofsted-2024.yaml') });
  const official = readCsv('ofsted-la-outcomes/csv-2024/Inspections_31_March_2024.csv').filter((r) => r['Overall effectiveness'] && r['Overall effectiveness'] !== 'Not yet inspected');
  const inYear = readCsv('ofsted-la-outcomes/csv-2024/Inspections_in_year_2023-24.csv').filter((r) => r['Inspection/Visit date']! >= '2023-04-01' && r['Inspection/Visit date']! <= '2024-03-31');

  it('has the 2024 snapshot and in-year visits of the 2024 files', () => {
    expect(document.meta.title).toMatch(/as at 31 March 2024$/);
    expect(model.current.inspected).toBe(official.length);
    expect(model.inYear.byType.focused!.count).toBe(inYear.filter((r) => r['Inspection/Visit type'] === 'ILACS Focused Visit').length);
    expect(model.inYear.byType.monitoring!.count).toBe(inYear.filter((r) => r['Inspection/Visit type'] === 'LA Monitoring visit').length);
    const themes = inYear.filter((r) => r['Inspection/Visit type'] === 'ILACS Focused Visit' && r['Visit Theme'] === 'Front door').length;
    expect(model.inYear.themes.themes.frontDoor!.count).toBe(themes);
  });

  it('graded inspections in 2023-24 match the 2024 in-year file', () => {
    for (const [type, label] of [['standard', 'ILACS Standard Inspection'], ['short', 'ILACS Short Inspection']] as const) {
      expect(model.inYear.byType[type]!.count, type).toBe(inYear.filter((r) => r['Inspection/Visit type'] === label).length);
    }
  });
});

describe('nothing release-specific in src/', () => {
  const words = new Set<string>();
  for (const file of ['frameworks/ilacs-2018.yaml']) {
    const fw = parseYaml(readFileSync(join(ROOT, file), 'utf8')) as Record<string, Array<{ label: string; name?: string }>>;
    for (const key of ['grades', 'judgements', 'eventTypes', 'themes', 'classifications']) for (const item of fw[key] ?? []) {
      words.add(item.label);
      if (item.name) words.add(item.name);
    }
  }
  for (const r of readCsv('la-lookup/england_153_la_lookup.csv')) words.add(r.ofsted_region!);
  for (const w of ['Ofsted', 'ILACS', 'London']) words.add(w);

  it('names no grade, judgement, inspection type, theme or region in the code', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    for (const file of files(join(ROOT, 'src'))) {
      // Comments may explain with examples; code and strings may not name them.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      // Identifiers such as goodOrBetter name framework concepts; the check is on text the code could print.
      const literals = (code.match(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g) ?? []).join('\n');
      for (const word of words) {
        const pattern = new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
        expect(pattern.test(literals), `${file} names "${word}"`).toBe(false);
      }
    }
  });
});
