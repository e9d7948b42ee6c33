/** Paths and builders shared by the tests. Data are read in place from ../shared. */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { StatpressError } from '../src/core/errors.js';
import { inject } from 'vitest';
import type { ReportDocument } from '../src/document/document.js';
import type { GateResult } from '../src/quality/gates/document-gates.js';
import type { SharedBuildOutcome } from './setup/release.js';

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
  for (const doc of config.documents ?? []) if (doc.templates) doc.templates = abs(doc.templates);
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

/** Runs `fn`, which must refuse with a StatpressError, and returns the error. */
export function refusalOf(fn: () => unknown): StatpressError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StatpressError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but it succeeded');
}

/**
 * The 2025 release built once for the whole run by the global setup (test/setup/release.ts), in
 * every format: its folder, its files, the document tree it was rendered from, and the gates that
 * ran. Waits for the build to end if it is still running. Only in the test files whose config
 * runs that setup (the `formats` project of vitest.config.ts, and the interop tier).
 */
export async function sharedRelease(): Promise<{
  dir: string;
  browser: string | null;
  gates: GateResult[];
  seconds: number;
  file(name: string): string;
  bytes(name: string): Uint8Array;
  text(name: string): string;
  document: ReportDocument;
}> {
  const place = inject('release2025');
  if (!place) throw new Error('no shared build: list this test file in the "formats" project of vitest.config.ts (or run it with vitest.interop.config.ts), whose global setup builds it');
  const deadline = Date.now() + 10 * 60_000;
  while (!existsSync(place.ready)) {
    if (Date.now() > deadline) throw new Error(`the shared build of the 2025 release has not finished after 10 minutes (${place.ready})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const outcome = JSON.parse(readFileSync(place.ready, 'utf8')) as SharedBuildOutcome;
  if ('error' in outcome) throw new Error(`the shared build of the 2025 release failed:\n${outcome.error}`);
  const file = (name: string) => join(place.dir, name);
  return {
    dir: place.dir,
    ...outcome,
    file,
    bytes: (name) => new Uint8Array(readFileSync(file(name))),
    text: (name) => readFileSync(file(name), 'utf8'),
    // The tree every format was rendered from, as the build wrote it.
    document: JSON.parse(readFileSync(file('document.json'), 'utf8')) as ReportDocument,
  };
}

/**
 * A copy of a fixture folder (test/fixtures/NAME) in a temp folder, with the text of some of its
 * files edited; returns the folder. Fixtures are read in place when nothing is edited.
 */
export function fixtureVariant(name: string, edits: Record<string, (text: string) => string> = {}): string {
  const dir = tempDir();
  cpSync(join(ROOT, 'test/fixtures', name), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}
