/**
 * Coverage: can the release's sources say anything true about its dates? Every source knows what
 * it covers (declared in the release config, or read off its rows). A release whose as-at date
 * is in the future, whose snapshot needs inspections or reports beyond what the sources hold, or
 * whose in-year figures need events from a span no source covers, is refused with a message that
 * names the sources, what they cover and what the release needs. A span that only an optional
 * comparison needs (the year before, for the themes of visits) is reported as absent, so the
 * release leaves that comparison out instead of counting nothing as zero.
 */
import type { ReleaseConfig } from '../config/config.js';
import { formatDate, type IsoDate } from '../core/dates.js';
import { ErrorList, StatpressError } from '../core/errors.js';
import type { Dataset, SourceCoverage } from '../load/dataset.js';

export interface CoverageResult {
  /** Whether the year before the in-year period is covered for the visits whose themes are compared. */
  previousYear: boolean;
}

/** The day before an ISO date. */
function dayBefore(date: IsoDate): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Whether the sources that give `type` together cover every day from `from` to `to`. */
function covered(sources: SourceCoverage[], from: IsoDate, to: IsoDate): boolean {
  const spans = sources
    .filter((s) => s.from !== null && s.until !== null)
    .map((s) => ({ from: s.from!, until: s.until! }))
    .sort((a, b) => (a.from < b.from ? -1 : 1));
  let reached = dayBefore(from);
  for (const span of spans) {
    if (span.from > reached && dayBefore(span.from) > reached) break;
    if (span.until > reached) reached = span.until;
    if (reached >= to) return true;
  }
  return reached >= to;
}

const span = (s: SourceCoverage): string =>
  s.from === null ? 'no events' : `${formatDate(s.from)} to ${formatDate(s.until!)}${s.publishedUntil ? `, with reports published up to ${formatDate(s.publishedUntil)}` : ''}`;

function describe(sources: SourceCoverage[]): string {
  if (sources.length === 0) return 'no source gives them';
  return sources.map((s) => `${s.file} covers ${span(s)}`).join('; ');
}

const HINT = 'choose a date the data cover, or add a source that covers it (say what a file covers with `covers: { from, until, publishedUntil }` under its source in the release config)';

/**
 * Checks the release's dates against what its sources cover; throws every problem at once.
 * `today` is the date of the build (a future as-at date is refused).
 */
export function checkCoverage(config: ReleaseConfig, dataset: Dataset, today: IsoDate): CoverageResult {
  const { period, framework } = config;
  const errors = new ErrorList();
  const at = { file: config.file, setting: 'period.asAt' };
  if (period.asAt > today) {
    errors.add(new StatpressError('coverage', `the as-at date ${formatDate(period.asAt)} is after today (${formatDate(today)}): no data can cover it yet`, at, 'choose a date that has passed'));
  }
  const taken = new Set(dataset.coverage.flatMap((s) => s.types));
  const typesOf = (ids: string[]) => framework.eventTypes.filter((t) => ids.includes(t.id));
  const sourcesOf = (type: string) => dataset.coverage.filter((s) => s.types.includes(type));
  const names = (ids: string[]) => {
    const list = typesOf(ids).map((t) => t.plural);
    return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  };

  // Types given by the same sources are reported together ("standard and short inspections").
  const bySources = (types: string[]): string[][] => {
    const groups = new Map<string, string[]>();
    for (const type of types) {
      const key = sourcesOf(type).map((s) => s.file).join('\n');
      groups.set(key, [...(groups.get(key) ?? []), type]);
    }
    return [...groups.values()];
  };

  // The snapshot: graded events up to the as-at date, with reports published by the cut-off.
  const graded = framework.eventTypes.filter((t) => t.graded && taken.has(t.id)).map((t) => t.id);
  for (const types of bySources(graded)) {
    const sources = sourcesOf(types[0]!);
    const reaches = sources.some((s) => s.until !== null && s.until >= period.asAt);
    const published = sources.filter((s) => s.publishedUntil !== null).map((s) => s.publishedUntil!);
    const publishedEnough = published.length === 0 || published.some((d) => d >= period.publishedBy);
    if (!reaches || !publishedEnough) {
      errors.add(new StatpressError('coverage',
        `the release as at ${formatDate(period.asAt)} counts ${names(types)} carried out by that date with a report published by ${formatDate(period.publishedBy)}, but ${describe(sources)}`,
        at, HINT));
    }
  }

  // The in-year figures: every event type the release takes, over the whole period.
  const { from, to } = period.inYear;
  for (const types of bySources([...taken])) {
    const sources = sourcesOf(types[0]!);
    if (!covered(sources, from, to)) {
      errors.add(new StatpressError('coverage',
        `the in-year figures count ${names(types)} from ${formatDate(from)} to ${formatDate(to)}, but ${describe(sources)}`,
        at, HINT));
    }
  }
  // A figure quoted from another publication must have been published when this release is.
  for (const [key, figure] of Object.entries(config.meta.context)) {
    if (figure.edition > config.meta.published) {
      errors.add(new StatpressError('coverage', `the context figure "${key}" is quoted from an edition published ${formatDate(figure.edition)}, after this release (${formatDate(config.meta.published)})`,
        figure.editionAt ?? { file: config.file, setting: `meta.context.${key}.edition` },
        'quote the edition that was current when this release is published (for another as-at date, under editions)'));
    }
  }
  errors.throwIfAny();

  // The year before, compared only for the themes of visits: absent where not covered.
  const themed = framework.eventTypes.filter((t) => !t.graded && taken.has(t.id)).map((t) => t.id);
  const previousYear = themed.every((type) => covered(sourcesOf(type), period.previousYear.from, period.previousYear.to));
  return { previousYear };
}
