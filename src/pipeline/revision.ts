/**
 * Revisions: a rebuild after a correction of the data says what moved.
 *
 * Two baselines say what was published: the release's published series (`publishedSeries`,
 * whole-number percentages of the headline series), and, where the release names it, the build
 * as first published (`meta.revision.previous`: its folder or its manifest.json, whose
 * document.json holds every sentence, value and cell as printed, with the raw numbers behind
 * them). A published figure that the data now give differently is a revision:
 *
 *   - undeclared (no `meta.revision`), the build stops, naming every published figure that
 *     moved and the YAML that declares the revision;
 *   - declared, the build goes on: each figure that moved is listed in the notice (old → new,
 *     and where it appears), the cells that moved are marked [r] in the figures' and tables' data
 *     (and so in the workbook and CSVs), and the manifest records the list and the build compared.
 *
 * A replaced data file must keep the columns the previous build read (as Explore Education
 * Statistics asks of a replacement): the previous manifest records each source's header.
 */
import { createHash } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { formatDate } from '../core/dates.js';
import { StatpressError } from '../core/errors.js';
import type { ReleaseConfig } from '../config/config.js';
import { modelValue, type StatsModel } from '../compute/stats.js';
import type { Block, ReportDocument, RevisedFigure, TableNode } from '../document/document.js';
import { diffDocuments, markRevised, revisedFigures } from '../tools/diff.js';

/** The header of each data file the release reads, by the setting that names the file. */
export interface SourceColumns {
  setting: string;
  /** The file as the manifest names it (relative to the release config). */
  path: string;
  columns: string[];
}

/**
 * The exact value behind every table cell that prints a rounded one (a percentage's share), by
 * the cell's model path: the manifest keeps them, so that a later revision that moves a value by
 * less than its rounding is still found.
 */
export function exactValues(document: ReportDocument, model: StatsModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { table } of tablesOf(document)) {
    for (const row of table.rows) {
      for (const cell of row.cells) {
        if (!cell.ref || typeof cell.raw !== 'number') continue;
        const exact = modelValue(model, cell.ref.split('.'));
        if (typeof exact === 'number' && exact !== cell.raw) out[cell.ref] = exact;
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What a build knows of the build it revises. */
export interface PreviousBuild {
  /** The folder or manifest.json as the config names it (relative to the release config). */
  path: string;
  manifestSha256: string;
  published?: string;
  sources?: SourceColumns[];
  /** The exact values behind its rounded cells (see `exactValues`), where its manifest has them. */
  values?: Record<string, number>;
  document: ReportDocument;
}

const rel = (config: ReleaseConfig, file: string) => relative(dirname(config.file), file).split(sep).join('/');

/** The header of each data file of the release, as the manifest records it. */
export function sourceColumns(config: ReleaseConfig, header: (file: string) => string[]): SourceColumns[] {
  return sourceFiles(config).map(({ setting, file }) => ({ setting, path: rel(config, file), columns: header(file) }));
}

/** The data files of a release with the setting that names each. */
export function sourceFiles(config: ReleaseConfig): Array<{ setting: string; file: string }> {
  return [
    { setting: 'register.authorities.file', file: config.register.authorities.file },
    ...(config.register.changes ? [{ setting: 'register.changes.file', file: config.register.changes.file }] : []),
    ...config.sources.map((s, i) => ({ setting: `sources[${i}].file`, file: s.file })),
    ...(config.publishedSeries ? [{ setting: 'publishedSeries.file', file: config.publishedSeries.file }] : []),
  ];
}

/**
 * Refuses a build whose data move a figure of the published series when the release does not
 * declare a revision: every moved figure is named, with the YAML that declares it.
 */
export function refuseUndeclaredRevision(config: ReleaseConfig, model: StatsModel): void {
  const moved = model.seriesRevisions;
  if (moved.length === 0 || config.meta.revision) return;
  const lines = moved.map((r) => `  as at ${formatDate(r.asAt)}, ${r.label}: published ${r.published}${r.measure === 'base' ? '' : '%'} (row ${r.origin.row}), the data give ${r.computed}${r.measure === 'base' ? '' : '%'}`);
  const yaml = [
    'meta:',
    '  revision:',
    '    date: YYYY-MM-DD        # the day the revised release is published',
    '    reason: …               # what was corrected and why, for the revision notice',
    '    previous: …             # the build as first published (its folder or manifest.json), to list every figure that moved',
  ].map((l) => `  ${l}`);
  throw new StatpressError(
    'data-disagrees',
    `the data change ${moved.length} published figure${moved.length === 1 ? '' : 's'} of the series, so this build is a revision of the published release:\n${lines.join('\n')}\nIf the data were corrected, declare the revision in ${config.file}:\n${yaml.join('\n')}`,
    { file: moved[0]!.origin.file },
    'if the data are not meant to differ from the published figures, check the data files',
  );
}

/**
 * The columns a replaced data file dropped, added or renamed compared with the previous build,
 * each as a located error; all of them at once.
 */
export function checkReplacement(current: SourceColumns[], previous: PreviousBuild): void {
  if (!previous.sources) return;
  const problems: string[] = [];
  let first: { file: string; column: string } | undefined;
  const firstOf = (renamedFrom: string[], dropped: string[], added: string[]) => [...renamedFrom, ...dropped, ...added][0]!;
  for (const now of current) {
    const then = previous.sources.find((s) => s.setting === now.setting);
    if (!then) continue;
    const dropped = then.columns.filter((c) => !now.columns.includes(c));
    const added = now.columns.filter((c) => !then.columns.includes(c));
    const renamed: string[] = [];
    const renamedFrom: string[] = [];
    // A column dropped and one added at the same place is a rename.
    for (const d of [...dropped]) {
      const a = now.columns[then.columns.indexOf(d)];
      if (a !== undefined && added.includes(a)) {
        renamed.push(`column "${d}" renamed "${a}" (column ${then.columns.indexOf(d) + 1})`);
        renamedFrom.push(d);
        dropped.splice(dropped.indexOf(d), 1);
        added.splice(added.indexOf(a), 1);
      }
    }
    const what = [...renamed, ...dropped.map((c) => `column "${c}" dropped`), ...added.map((c) => `column "${c}" added (column ${now.columns.indexOf(c) + 1})`)];
    if (what.length === 0) continue;
    first ??= { file: now.path, column: firstOf(renamedFrom, dropped, added) };
    problems.push(`  ${now.path} (${now.setting}), row 1: ${what.join('; ')}; the previous build read ${then.path}`);
  }
  if (problems.length === 0) return;
  throw new StatpressError(
    'column-missing',
    `a replaced data file must keep the columns of the one it replaces (the previous build, ${previous.path}):\n${problems.join('\n')}`,
    { file: first!.file, row: 1, column: first!.column },
    `restore the columns, or, if the layout really changed, make this a new release rather than a revision of ${previous.path}`,
  );
}

/** Reads the build a revision compares with: its manifest and its document tree. */
export function readPrevious(config: ReleaseConfig, readText: (file: string) => string): PreviousBuild | undefined {
  const given = config.meta.revision?.previous;
  if (!given) return undefined;
  const manifestFile = /\.json$/i.test(given) ? given : join(given, 'manifest.json');
  const folder = dirname(manifestFile);
  const at = { file: config.file, setting: 'meta.revision.previous', value: rel(config, given) };
  const read = (file: string, what: string): string => {
    try {
      return readText(file);
    } catch {
      throw new StatpressError('file-missing', `cannot read the previous build's ${what} (${rel(config, file)})`, at, 'point meta.revision.previous at the output folder of the release as published, or at its manifest.json');
    }
  };
  const manifestText = read(manifestFile, 'manifest.json');
  let manifest: { release?: { published?: string }; sources?: SourceColumns[]; values?: Record<string, number> };
  let document: ReportDocument;
  try {
    manifest = JSON.parse(manifestText);
    document = JSON.parse(read(join(folder, 'document.json'), 'document.json')) as ReportDocument;
    if (document.type !== 'report') throw new Error('not a statpress document tree');
  } catch (error) {
    if (error instanceof StatpressError) throw error;
    throw new StatpressError('config', `the previous build is not a statpress build: ${(error as Error).message}`, at);
  }
  return {
    path: rel(config, given),
    manifestSha256: createHash('sha256').update(manifestText).digest('hex'),
    ...(manifest.release?.published ? { published: manifest.release.published } : {}),
    ...(Array.isArray(manifest.sources) ? { sources: manifest.sources } : {}),
    ...(manifest.values && typeof manifest.values === 'object' ? { values: manifest.values } : {}),
    document,
  };
}

/** Every table of the document with the label the diff gives it (figure data first by position). */
export function tablesOf(doc: ReportDocument): Array<{ label: string; table: TableNode }> {
  const out: Array<{ label: string; table: TableNode }> = [];
  const walk = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'figure') out.push({ label: `Figure ${b.number} data`, table: b.dataTable });
      if (b.type === 'table' && !b.id.startsWith('annex-')) out.push({ label: b.number ? `Table ${b.number}` : b.caption, table: b });
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  return out;
}

/**
 * A declared revision applied to the document: what moved is listed in `meta.revision.changes`
 * and the cells that moved (as printed) are marked [r]. Against the previous build when the
 * release names one (every sentence, value and cell), else against the published series.
 */
export function reviseDocument(document: ReportDocument, model: StatsModel, previous: PreviousBuild | undefined): void {
  const revision = document.meta.revision;
  if (!revision) return;
  if (previous) {
    const report = diffDocuments(previous.document, document, { old: 'old', new: 'new' }, { old: previous.values, new: exactValues(document, model) });
    revision.changes = revisedFigures(report);
    revision.compared = previous.published ? `the release published on ${formatDate(previous.published)}` : 'the release as first published';
    markRevised(document, report);
    return;
  }
  // Against the published series: the cells that print a revised point of it.
  const changes: RevisedFigure[] = [];
  const tables = tablesOf(document);
  for (const r of model.seriesRevisions) {
    const i = model.series.findIndex((p) => p.asAt === r.asAt);
    const ref = r.measure === 'goodOrBetter' ? `series.${i}.goodOrBetter` : `series.${i}.shares.${r.measure}`;
    let placed = false;
    for (const { label, table } of tables) {
      table.rows.forEach((row) => {
        row.cells.forEach((cell, ci) => {
          if (cell.ref !== ref) return;
          placed = true;
          changes.push({ where: `${label}, row "${row.header.text}", column "${table.columns[ci + 1]?.label ?? ''}"`, old: String(r.published), new: cell.text });
          if (!cell.text.endsWith(REVISED_MARK)) cell.text += REVISED_MARK;
        });
      });
    }
    if (!placed) changes.push({ where: `published series as at ${formatDate(r.asAt)}, ${r.label}`, old: String(r.published), new: String(r.computed) });
  }
  revision.changes = changes;
  revision.compared = 'the published series';
}

/** What marks a revised value in a table cell (GSS shorthand). */
export const REVISED_MARK = ' [r]';
