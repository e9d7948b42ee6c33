/**
 * statpress sweep: builds a release as at every quarter-end in a span, as drafts (each
 * edition's dates derived), to HTML with the document gates, and says for each date whether it
 * built or why it was refused. A refusal the user can act on is a located input error; anything
 * else (a JavaScript error) is reported as internal, and is a bug.
 *
 * All dates share one set of effects, so the store's compiled templates and drawn charts serve
 * every build.
 */
import { addMonths, type IsoDate } from '../core/dates.js';
import { StatpressError } from '../core/errors.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { govukStylesheet } from '../platform/assets.js';
import { nodeEffects, type Effects } from '../platform/effects.js';
import { renderHtml } from '../render/html.js';

export interface SweepRow {
  asAt: IsoDate;
  result: 'built' | 'refused' | 'internal error';
  /** Gates that passed (built) or failed (refused by a gate). */
  gates: string[];
  ms: number;
  /** Why it was refused: the first line of the message. */
  reason?: string;
}

/** The quarter-ends (31 March, 30 June, 30 September, 31 December) from `from` to `to`. */
export function quarterEnds(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  const ends = ['03-31', '06-30', '09-30', '12-31'];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const end of ends) {
      const date = `${year}-${end}`;
      if (date >= from && date <= to) out.push(date);
    }
  }
  return out;
}

/**
 * The span the release's sources could cover: from the first quarter-end after the earliest
 * date any source starts to the last quarter-end on or before the latest it reaches (and today).
 */
export function coveredSpan(configFile: string, effects: Effects): { from: IsoDate; to: IsoDate } {
  const pipeline = new Pipeline({ configFile }, effects);
  const coverage = pipeline.dataset().coverage.filter((s) => s.from !== null && s.until !== null);
  const from = coverage.map((s) => s.from!).sort()[0] ?? pipeline.config().period.asAt;
  const until = coverage.map((s) => s.until!).sort().reverse()[0] ?? pipeline.config().period.asAt;
  const today = effects.today();
  return { from, to: until < today ? until : today };
}

export async function sweepRelease(configFile: string, dates: readonly IsoDate[], effects: Effects = nodeEffects()): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const stylesheet = govukStylesheet();
  for (const asAt of dates) {
    const start = effects.now();
    const pipeline = new Pipeline({ configFile, asAt, draft: true }, effects);
    try {
      const gates = pipeline.checks();
      const failed = gates.filter((g) => g.findings.length > 0);
      if (failed.length > 0) {
        const first = failed[0]!.findings[0]!;
        rows.push({ asAt, result: 'refused', gates: failed.map((g) => g.gate), ms: effects.now() - start, reason: `${failed[0]!.gate} gate: ${first.where}: ${first.message}` });
        continue;
      }
      const assets = await pipeline.assets({ png: false });
      renderHtml(pipeline.document(), { assets, stylesheet });
      rows.push({ asAt, result: 'built', gates: gates.map((g) => g.gate), ms: effects.now() - start });
    } catch (error) {
      const known = error instanceof StatpressError;
      const message = known ? error.describe() : `${(error as Error).name}: ${(error as Error).message}`;
      rows.push({ asAt, result: known ? 'refused' : 'internal error', gates: [], ms: effects.now() - start, reason: message.split('\n').find((l) => l.trim() && !/^\d+ problems in the input:$/.test(l.trim()))?.replace(/^\s*-\s*/, '') ?? message });
    }
  }
  return rows;
}

/** The sweep as a table for the terminal. */
export function formatSweep(configFile: string, rows: readonly SweepRow[]): string {
  const lines = rows.map((r) => `${r.asAt}  ${r.result.padEnd(14)}  ${String(r.result === 'built' ? r.gates.length : '-').padStart(5)}  ${String(Math.round(r.ms)).padStart(6)}  ${r.reason ?? ''}`);
  const built = rows.filter((r) => r.result === 'built').length;
  const internal = rows.filter((r) => r.result === 'internal error').length;
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  return [
    `${configFile}: ${rows.length} quarter-ends, ${built} built, ${rows.length - built - internal} refused, ${internal} internal errors, ${(total / 1000).toFixed(1)} s`,
    `as at       result          gates      ms  reason`,
    ...lines,
    '',
  ].join('\n');
}

/** The quarter-end on or after a date. */
export function nextQuarterEnd(date: IsoDate): IsoDate {
  return quarterEnds(date, addMonths(date, 3))[0]!;
}
