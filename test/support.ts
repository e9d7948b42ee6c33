/** Paths and builders shared by the tests. Data are read in place from ../shared. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = resolve(ROOT, '../shared/data-sources');
export const RELEASE_2025 = join(ROOT, 'releases/ofsted-2025.yaml');
export const REFERENCE = resolve(ROOT, '../shared/reference/ofsted-main-findings-2025.txt');

export function tempDir(prefix = 'statpress-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Reads a CSV from the shared data as objects keyed by header. */
export function readCsv(relativePath: string): Array<Record<string, string>> {
  return parseCsv(readFileSync(join(DATA, relativePath)), { columns: true, bom: true }) as Array<Record<string, string>>;
}

/**
 * Writes a copy of the 2025 release config to a temp folder whose paths still point at the
 * real templates, framework and layouts, with `edit` applied to the parsed YAML. Returns its path.
 */
export function releaseVariant(edit: (config: Record<string, any>) => void, dir = tempDir()): string {
  const config = parseYaml(readFileSync(RELEASE_2025, 'utf8')) as Record<string, any>;
  const abs = (p: string) => resolve(dirname(RELEASE_2025), p);
  config.templates = abs(config.templates);
  config.framework = abs(config.framework);
  config.dataRoot = abs(config.dataRoot);
  for (const source of config.sources) source.layout = abs(source.layout);
  // Variants read edited copies of data files from temporary folders, outside dataRoot: a config
  // has to say that it means to (a test that deletes this checks the refusal).
  config.allowDataOutsideRoot = true;
  edit(config);
  const file = join(dir, 'release.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

/**
 * A copy of one data file with its text edited, placed in a temp folder; returns the absolute
 * path, for a release variant to read instead of the real file.
 */
export function editedData(relativePath: string, edit: (text: string) => string, dir = tempDir()): string {
  const file = join(dir, relativePath.split('/').pop()!);
  writeFileSync(file, edit(readFileSync(join(DATA, relativePath), 'utf8')));
  return file;
}
