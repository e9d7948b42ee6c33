/**
 * A synthetic inspection history for the bench's scale row: `rows` graded inspections of the
 * 2025 release's authorities, in the 2025 layout, written to a folder of its own with a release
 * config that reads it (and the real register, in-year visits and templates) instead of the real
 * history. Seeded, so every run writes the same file. Never written into the repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseCsvText } from '../src/load/csv.js';

/** Small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface SyntheticRelease {
  config: string;
  history: string;
  rows: number;
  bytes: number;
}

/**
 * Writes `rows` inspections into `dir` and a release config beside them. Each current authority
 * gets its share of the rows on distinct days from January 1990 to the end of 2024 (published 30
 * to 80 days later), so no row is a duplicate and every one is in the release's period.
 */
export function writeSyntheticRelease(release: string, dir: string, rows: number): SyntheticRelease {
  const config = parseYaml(readFileSync(release, 'utf8')) as Record<string, any>;
  const base = dirname(release);
  const dataRoot = resolve(base, config.dataRoot);
  const [head, ...body] = parseCsvText(readFileSync(join(dataRoot, config.register.authorities.file), 'utf8'));
  const header = head!.cells;
  const codeAt = header.indexOf(config.register.authorities.columns.code);
  const nameAt = header.indexOf(config.register.authorities.columns.name);
  const linkAt = header.indexOf('ofsted_web_link');
  const authorities = body.map(({ cells }) => {
    return { code: cells[codeAt]!, name: cells[nameAt]!, link: linkAt >= 0 ? cells[linkAt]! : '' };
  });
  const grades = ['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate'];
  const pick = random(2025);
  const start = Date.UTC(1990, 0, 1);
  const end = Date.UTC(2024, 11, 31);
  const perAuthority = Math.ceil(rows / authorities.length);
  const step = Math.floor((end - start) / DAY / perAuthority);
  if (step < 1) throw new Error(`${rows} rows do not fit on distinct days for ${authorities.length} authorities`);
  const lines: string[] = [
    'Web link,Local authority area code,Local authority name,Local authority status,Ofsted region,Inspection date,Publication date,Inspection type,Overall effectiveness,The impact of leaders on social work practice with children and families,The experiences and progress of children who need help and protection,The experiences and progress of children in care,The experiences and progress of care leavers',
  ];
  let written = 0;
  const quote = (text: string) => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  for (let k = 0; k < perAuthority && written < rows; k++) {
    for (const a of authorities) {
      if (written === rows) break;
      const day = start + (k * step + Math.floor(pick() * step)) * DAY;
      const published = day + (30 + Math.floor(pick() * 50)) * DAY;
      const type = pick() < 0.7 ? 'ILACS Standard Inspection' : 'ILACS Short Inspection';
      // Judgements mostly agree with the overall grade, and are otherwise a grade better, as
      // inspection rules make them (an inadequate judgement makes the whole inadequate).
      const overall = Math.min(3, Math.floor(pick() * 4));
      const grade = () => grades[pick() < 0.85 || overall === 0 ? overall : overall - 1]!;
      const careLeavers = day >= Date.UTC(2023, 0, 1) ? grade() : '';
      lines.push([a.link, a.code, quote(a.name), 'Current', 'England', iso(day), iso(published), type, grades[overall]!, grade(), grade(), grade(), careLeavers].join(','));
      written++;
    }
  }
  const history = join(dir, 'synthetic_inspection_history.csv');
  const text = `${lines.join('\n')}\n`;
  writeFileSync(history, text);

  // The release reads the synthetic history in place of the real one; the published headline
  // series cannot agree with made-up data, so it is left out.
  const abs = (p: string) => resolve(base, p);
  config.templates = abs(config.templates);
  config.framework = abs(config.framework);
  config.dataRoot = dataRoot;
  for (const source of config.sources) source.layout = abs(source.layout);
  config.sources[0].file = history;
  config.allowDataOutsideRoot = true;
  delete config.publishedSeries;
  const file = join(dir, 'release.yaml');
  writeFileSync(file, stringifyYaml(config));
  return { config: file, history, rows: written, bytes: Buffer.byteLength(text) };
}
