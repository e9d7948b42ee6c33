/**
 * compute: Dataset + period → StatsModel. Pure; raw numbers only (shares are 0 to 1, changes in
 * percentage points are unrounded), no text. Everything is keyed by the ids the framework
 * declares, so a new grade scale or judgement area needs no change here.
 */
import type { Condition, Framework, PeriodRules } from '../config/config.js';
import { formatDate, formatPeriod, type IsoDate } from '../core/dates.js';
import type { Authority, Dataset, InspectionEvent } from '../load/dataset.js';
import { ErrorList, StatpressError } from '../core/errors.js';
import type { CoverageResult } from './coverage.js';
import { percentValue } from '../narrate/format.js';

/** A count with its share of a stated base. */
export interface Part {
  count: number;
  share: number;
}

export interface Distribution {
  judgement: string;
  /** Authorities with a grade for this judgement. */
  base: number;
  /** Grade id → count and share of base. */
  grades: Record<string, Part>;
  goodOrBetter: Part;
  /** Whether the whole-number percentages of this row add up to 100. */
  roundedSumIs100: boolean;
}

export interface SnapshotAuthority {
  /** Class from the framework's classification rules, or null where none matched or none declared. */
  class: string | null;
  code: string;
  name: string;
  region: string | null;
  date: IsoDate;
  /** Set where the source gives the date as a month or a year (see `InspectionEvent.dateUntil`). */
  dateUntil?: IsoDate;
  published: IsoDate | null;
  publishedUntil?: IsoDate;
  type: string;
  grades: Record<string, string | null>;
  /** The graded inspection before the latest, if any. */
  previous: { date: IsoDate; type: string; grades: Record<string, string | null> } | null;
}

export interface RegionStats {
  name: string;
  authorities: number;
  judgements: Record<string, Distribution>;
  classes: Record<string, Part>;
}

/** Movement of one judgement between each authority's previous and latest graded inspection. */
export interface Movement {
  judgement: string;
  /** Authorities with two or more graded inspections (and a grade at both). */
  base: number;
  improved: Part & { byTwoOrMore: number };
  declined: Part & { byTwoOrMore: number };
  retained: Part;
  retainedGoodOrBetter: Part;
  retainedOther: Part;
  /** One row per previous grade; null where the move is impossible (best cannot improve). */
  matrix: Array<{ grade: string; improved: number | null; retained: number; declined: number | null }>;
}

/** How one judgement compares with another at the same inspection ("care leavers vs children in care"). */
export interface Pairing {
  base: number;
  sameOrBetter: Part;
  better: Part;
  same: Part;
  worse: Part;
}

export interface Snapshot {
  asAt: IsoDate;
  publishedBy: IsoDate;
  /** Authorities that existed on the as-at date. */
  existing: number;
  /** Of those, authorities with a graded inspection by the date. */
  inspected: number;
  notInspected: number;
  judgements: Record<string, Distribution>;
  /** Class id → authorities in it (share of those inspected), by the framework's rules. */
  classes: Record<string, Part>;
  /** Authorities whose latest inspection has a headline judgement (none after its removal). */
  withHeadline: Part;
  regions: RegionStats[];
  authorities: SnapshotAuthority[];
  movement: Record<string, Movement>;
  /** pairings[a][b]: judgement a compared with judgement b, over authorities graded on both. */
  pairings: Record<string, Record<string, Pairing>>;
  /**
   * Authorities whose headline grade is the lowest grade with exactly one other judgement at the
   * lowest grade, and the grades their other judgements had.
   */
  singleLowestDriver: { count: number; otherGrades: string[] };
}

export interface SeriesPoint {
  asAt: IsoDate;
  source: 'computed' | 'published';
  base: number;
  /** Grade id → share (0 to 1). Published points carry the published, rounded shares. */
  shares: Record<string, number>;
  goodOrBetter: number;
}

export interface ThemeCounts {
  from: IsoDate;
  to: IsoDate;
  visits: number;
  themes: Record<string, Part>;
}

export interface InYear {
  from: IsoDate;
  to: IsoDate;
  events: number;
  authoritiesVisited: number;
  byType: Record<string, { count: number; authorities: number }>;
  /** Graded inspections in the period. */
  graded: {
    count: number;
    outcomes: Distribution;
    /** Those whose authority had an earlier graded inspection, and how the headline moved. */
    withPrevious: number;
    improved: Part;
    declined: Part;
    retainedGoodOrBetter: Part;
    retainedOther: Part;
    /** byType[type][previousGrade][newGrade] = count. */
    transitions: Record<string, Record<string, Record<string, number>>>;
    /** fromPrevious[previousGrade][newGrade] = count, over all graded types. */
    fromPrevious: Record<string, Record<string, number>>;
  };
  /** Ungraded visits by the grade of the authority's latest graded inspection before the visit. */
  visitsByPreviousGrade: Record<string, Record<string, Part>>;
  /** Distinct authorities visited, by visit type, by that grade. */
  authoritiesByPreviousGrade: Record<string, Record<string, number>>;
  themes: ThemeCounts;
  /** The same for the year before; null where the sources do not cover that year. */
  previousThemes: ThemeCounts | null;
}

export interface StatsModel {
  period: PeriodRules;
  current: Snapshot;
  /** Snapshots at each comparison date that the history can rebuild, most recent first. */
  comparisons: Snapshot[];
  /** Headline judgement's series, latest first: computed where possible, else as published. */
  series: SeriesPoint[];
  /** Published figures of the series that the data give differently (empty when none moved). */
  seriesRevisions: SeriesRevision[];
  /** Change in share (percentage points) of each grade and of good or better, vs each series point. */
  changes: Array<{ asAt: IsoDate; points: Record<string, number>; goodOrBetter: number }>;
  /** Change in good-or-better share by region since the first comparison, in points. */
  regionChanges: Record<string, { judgements: Record<string, { grades: Record<string, number>; goodOrBetter: number }> }>;
  inYear: InYear;
}

function part(count: number, base: number): Part {
  return { count, share: base > 0 ? count / base : 0 };
}

function existsOn(authority: Authority, date: IsoDate): boolean {
  return (authority.from === undefined || authority.from <= date) && (authority.until === undefined || authority.until >= date);
}

/** Share distribution of one judgement over a set of grade values (nulls are not in the base). */
export function computeDistribution(framework: Framework, judgement: string, values: Array<string | null>): Distribution {
  const graded = values.filter((v): v is string => v !== null);
  const base = graded.length;
  const grades: Record<string, Part> = {};
  for (const g of framework.grades) grades[g.id] = part(graded.filter((v) => v === g.id).length, base);
  const good = framework.grades.filter((g) => g.goodOrBetter).reduce((sum, g) => sum + grades[g.id]!.count, 0);
  const roundedSum = framework.grades.reduce((sum, g) => sum + percentValue(grades[g.id]!.share), 0);
  return { judgement, base, grades, goodOrBetter: part(good, base), roundedSumIs100: base === 0 || roundedSum === 100 };
}

function rankOf(framework: Framework): Map<string, number> {
  return new Map(framework.grades.map((g, i) => [g.id, i]));
}

function computeMovement(framework: Framework, judgement: string, authorities: SnapshotAuthority[]): Movement {
  const rank = rankOf(framework);
  const good = new Set(framework.grades.filter((g) => g.goodOrBetter).map((g) => g.id));
  const pairs = authorities
    .map((a) => [a.previous?.grades[judgement] ?? null, a.grades[judgement] ?? null] as const)
    .filter((p): p is readonly [string, string] => p[0] !== null && p[1] !== null);
  const base = pairs.length;
  let improved = 0, declined = 0, improvedTwo = 0, declinedTwo = 0, retainedGood = 0;
  const last = framework.grades.length - 1;
  const matrix = framework.grades.map((g, i) => ({
    grade: g.id,
    improved: i === 0 ? null : 0,
    retained: 0,
    declined: i === last ? null : 0,
  }));
  for (const [before, after] of pairs) {
    const step = rank.get(before)! - rank.get(after)!;
    const row = matrix[rank.get(before)!]!;
    if (step > 0) {
      improved++;
      if (step >= 2) improvedTwo++;
      row.improved = (row.improved ?? 0) + 1;
    } else if (step < 0) {
      declined++;
      if (step <= -2) declinedTwo++;
      row.declined = (row.declined ?? 0) + 1;
    } else {
      row.retained++;
      if (good.has(after)) retainedGood++;
    }
  }
  const retained = base - improved - declined;
  return {
    judgement,
    base,
    improved: { ...part(improved, base), byTwoOrMore: improvedTwo },
    declined: { ...part(declined, base), byTwoOrMore: declinedTwo },
    retained: part(retained, base),
    retainedGoodOrBetter: part(retainedGood, base),
    retainedOther: part(retained - retainedGood, base),
    matrix,
  };
}

function computePairing(framework: Framework, a: string, b: string, authorities: SnapshotAuthority[]): Pairing {
  const rank = rankOf(framework);
  let better = 0, same = 0, worse = 0;
  for (const authority of authorities) {
    const x = authority.grades[a], y = authority.grades[b];
    if (!x || !y) continue;
    const diff = rank.get(y)! - rank.get(x)!;
    if (diff > 0) better++;
    else if (diff === 0) same++;
    else worse++;
  }
  const base = better + same + worse;
  return { base, sameOrBetter: part(better + same, base), better: part(better, base), same: part(same, base), worse: part(worse, base) };
}

/** The first class whose conditions the grades meet, or null. */
export function classify(framework: Framework, grades: Record<string, string | null>): string | null {
  const holds = (c: Condition) => c.judgements.filter((j) => { const g = grades[j]; return g != null && c.grades.includes(g); }).length >= c.count;
  for (const cls of framework.classifications) {
    if (cls.allOf.every(holds) && (cls.anyOf.length === 0 || cls.anyOf.some(holds))) return cls.id;
  }
  return null;
}

function classParts(framework: Framework, list: SnapshotAuthority[]): Record<string, Part> {
  return Object.fromEntries(framework.classifications.map((c) => [c.id, part(list.filter((a) => a.class === c.id).length, list.length)]));
}

/**
 * The snapshot "as at" date D with reports published by P: every authority that existed on D,
 * with its most recent graded inspection carried out by D and published by P.
 */
export function computeSnapshot(dataset: Dataset, asAt: IsoDate, publishedBy: IsoDate): Snapshot {
  const { framework } = dataset;
  const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const existing = dataset.authorities.filter((a) => existsOn(a, asAt));
  refuseUndecided(dataset.events.filter((e) => graded.has(e.type) && e.dateUntil !== undefined), [{ field: 'date', by: asAt }]);
  refuseUndecided(dataset.events.filter((e) => graded.has(e.type) && e.publishedUntil !== undefined && e.date <= asAt), [{ field: 'published', by: publishedBy }]);
  const byAuthority = new Map<string, InspectionEvent[]>();
  for (const event of dataset.events) {
    if (!graded.has(event.type) || event.date > asAt) continue;
    if (event.published === null || event.published > publishedBy) continue;
    const list = byAuthority.get(event.authority);
    if (list) list.push(event);
    else byAuthority.set(event.authority, [event]);
  }
  const scopeOf = new Map(framework.eventTypes.map((t) => [t.id, t.scope ?? t.id]));
  const authorities: SnapshotAuthority[] = [];
  for (const authority of existing) {
    const events = byAuthority.get(authority.code);
    if (!events || events.length === 0) continue;
    // Events are sorted by date on load, so the last of each scope is its latest. Each scope
    // keeps its own latest event: two judgements made on one visit by two graded types both count.
    const byScope = new Map<string, InspectionEvent[]>();
    for (const e of events) {
      const scope = scopeOf.get(e.type)!;
      const list = byScope.get(scope);
      if (list) list.push(e);
      else byScope.set(scope, [e]);
    }
    const lists = [...byScope.values()];
    const latest = events[events.length - 1]!;
    const own = byScope.get(scopeOf.get(latest.type)!)!;
    const previous = own.length > 1 ? own[own.length - 2]! : null;
    const grades = lists.length === 1 ? latest.grades : mergeGrades(lists.map((l) => l[l.length - 1]!));
    const previousGrades = lists.length === 1 || !previous ? previous?.grades : mergeGrades(lists.flatMap((l) => (l.length > 1 ? [l[l.length - 2]!] : [])));
    authorities.push({
      class: classify(framework, grades),
      code: authority.code,
      name: authority.name,
      region: authority.region,
      date: latest.date,
      published: latest.published,
      type: latest.type,
      grades,
      ...(latest.dateUntil ? { dateUntil: latest.dateUntil } : {}),
      ...(latest.publishedUntil ? { publishedUntil: latest.publishedUntil } : {}),
      previous: previous ? { date: previous.date, type: previous.type, grades: previousGrades! } : null,
    });
  }
  const distributionOf = (list: SnapshotAuthority[]): Record<string, Distribution> =>
    Object.fromEntries(
      framework.judgements.map((j) => [j.id, computeDistribution(framework, j.id, list.map((a) => a.grades[j.id] ?? null))]),
    );
  const regionNames = [...new Set(existing.map((a) => a.region).filter((r): r is string => r !== null))].sort();
  const regions = regionNames.map((name) => {
    const list = authorities.filter((a) => a.region === name);
    return { name, authorities: list.length, judgements: distributionOf(list), classes: classParts(framework, list) };
  });
  const pairings: Record<string, Record<string, Pairing>> = {};
  for (const a of framework.judgements) {
    pairings[a.id] = {};
    for (const b of framework.judgements) {
      if (a.id !== b.id) pairings[a.id]![b.id] = computePairing(framework, a.id, b.id, authorities);
    }
  }
  const headline = framework.judgements.find((j) => j.headline);
  const lowest = framework.grades[framework.grades.length - 1]!.id;
  const drivers = headline
    ? authorities.filter((a) => {
        if (a.grades[headline.id] !== lowest) return false;
        const others = framework.judgements.filter((j) => j.id !== headline.id).map((j) => a.grades[j.id]);
        return others.filter((g) => g === lowest).length === 1;
      })
    : [];
  const otherGrades = new Set<string>();
  for (const a of drivers) {
    for (const j of framework.judgements) {
      const g = a.grades[j.id];
      if (j.id !== headline?.id && g && g !== lowest) otherGrades.add(g);
    }
  }
  return {
    asAt,
    publishedBy,
    existing: existing.length,
    inspected: authorities.length,
    notInspected: existing.length - authorities.length,
    judgements: distributionOf(authorities),
    classes: classParts(framework, authorities),
    withHeadline: part(headline ? authorities.filter((a) => a.grades[headline.id] != null).length : 0, authorities.length),
    regions,
    authorities,
    movement: Object.fromEntries(framework.judgements.map((j) => [j.id, computeMovement(framework, j.id, authorities)])),
    pairings,
    singleLowestDriver: {
      count: drivers.length,
      otherGrades: framework.grades.map((g) => g.id).filter((id) => otherGrades.has(id)),
    },
  };
}

function computeThemes(dataset: Dataset, from: IsoDate, to: IsoDate, visitType: string | undefined): ThemeCounts {
  refuseUndecided(dataset.events.filter((e) => e.type === visitType && e.dateUntil !== undefined), [{ field: 'date', from, by: to }]);
  const visits = dataset.events.filter((e) => e.type === visitType && e.date >= from && e.date <= to);
  const themes: Record<string, Part> = {};
  for (const theme of dataset.framework.themes) {
    themes[theme.id] = part(visits.filter((v) => v.theme === theme.id).length, visits.length);
  }
  return { from, to, visits: visits.length, themes };
}

/**
 * The judgements of a unit's latest events of several snapshot scopes, as one record: each
 * judgement from the latest event that made it. Two events of one date that grade one judgement
 * differently cannot be told apart: refused, naming both rows.
 */
function mergeGrades(events: InspectionEvent[]): Record<string, string | null> {
  const ordered = [...events].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const grades: Record<string, string | null> = {};
  const from = new Map<string, InspectionEvent>();
  for (const e of ordered) {
    for (const [judgement, grade] of Object.entries(e.grades)) {
      if (grade === null) {
        if (!(judgement in grades)) grades[judgement] = null;
        continue;
      }
      const before = from.get(judgement);
      if (before && before.date === e.date && grades[judgement] !== grade) {
        throw new StatpressError('duplicate-event', `two events of one date in different snapshot scopes grade "${judgement}" differently (the other is at ${before.origin.file} row ${before.origin.row})`, { file: e.origin.file, row: e.origin.row, value: e.date },
          'a judgement belongs to one scope: give the types that make it the same scope in the framework');
      }
      grades[judgement] = grade;
      from.set(judgement, e);
    }
  }
  return grades;
}

/**
 * A date a source gives as a month or a year means a period. Where a cut-off falls inside it,
 * whether the event is on the one side or the other cannot be told: the build is refused, naming
 * the row, rather than guessing. `by` asks "on or before the day", `from` "on or after it".
 */
function refuseUndecided(events: Iterable<InspectionEvent>, checks: Array<{ field: 'date' | 'published'; by?: IsoDate; from?: IsoDate }>): void {
  const errors = new ErrorList();
  for (const e of events) {
    for (const { field, by, from } of checks) {
      const start = field === 'date' ? e.date : e.published;
      const until = field === 'date' ? e.dateUntil : e.publishedUntil;
      if (start === null || until === undefined) continue;
      const cut = by !== undefined && start <= by && by < until ? by : from !== undefined && start < from && from <= until ? from : undefined;
      if (cut === undefined) continue;
      const what = field === 'date' ? 'inspection or visit is dated' : 'report is dated';
      const side = cut === by ? `was ${field === 'date' ? 'carried out' : 'published'} by ${formatDate(cut)}` : `was ${field === 'date' ? 'carried out' : 'published'} on or after ${formatDate(cut)}`;
      errors.add(new StatpressError('bad-date', `the ${what} ${formatPeriod(start, until)} only: whether it ${side} cannot be told`, { file: e.origin.file, row: e.origin.row },
        'give the day, or use dates the month or year does not straddle (the end of a month or year) for the as-at date, the publication cut-off and the in-year period'));
    }
  }
  errors.throwIfAny();
}

/** Each authority's graded events in date order, for "the inspection before this one". */
function indexGraded(events: InspectionEvent[], graded: Set<string>): Map<string, InspectionEvent[]> {
  const index = new Map<string, InspectionEvent[]>();
  for (const e of events) {
    if (!graded.has(e.type)) continue;
    const list = index.get(e.authority);
    if (list) list.push(e);
    else index.set(e.authority, [e]);
  }
  return index;
}

/** Latest graded event of an authority strictly before a date (publication not required). */
function previousGraded(index: Map<string, InspectionEvent[]>, authority: string, before: IsoDate): InspectionEvent | undefined {
  let found: InspectionEvent | undefined;
  for (const e of index.get(authority) ?? []) {
    if (e.date < before) found = e;
    else break;
  }
  return found;
}

/**
 * The inspections and visits of the in-year period. Graded inspections count only once their
 * report is published by the cut-off, as in the snapshot.
 */
export function inYearEvents(dataset: Dataset, period: PeriodRules): InspectionEvent[] {
  const graded = new Set(dataset.framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const { from, to } = period.inYear;
  refuseUndecided(dataset.events.filter((e) => e.dateUntil !== undefined), [{ field: 'date', from, by: to }]);
  refuseUndecided(dataset.events.filter((e) => e.publishedUntil !== undefined && graded.has(e.type) && e.date >= from && e.date <= to), [{ field: 'published', by: period.publishedBy }]);
  return dataset.events.filter((e) => e.date >= from && e.date <= to && (!graded.has(e.type) || (e.published !== null && e.published <= period.publishedBy)));
}

export function computeInYear(dataset: Dataset, period: PeriodRules, previousYearCovered = true): InYear {
  const { framework } = dataset;
  const { from, to } = period.inYear;
  const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
  const headline = framework.judgements.find((j) => j.headline)?.id ?? framework.judgements[0]!.id;
  const rank = rankOf(framework);
  const good = new Set(framework.grades.filter((g) => g.goodOrBetter).map((g) => g.id));
  const events = inYearEvents(dataset, period);
  const byType: InYear['byType'] = {};
  for (const t of framework.eventTypes) {
    const list = events.filter((e) => e.type === t.id);
    byType[t.id] = { count: list.length, authorities: new Set(list.map((e) => e.authority)).size };
  }
  const gradedEvents = events.filter((e) => graded.has(e.type));
  const gradedIndex = indexGraded(dataset.events, graded);
  let withPrevious = 0, improved = 0, declined = 0, retainedGood = 0;
  const transitions: InYear['graded']['transitions'] = {};
  const fromPrevious: InYear['graded']['fromPrevious'] = {};
  for (const e of gradedEvents) {
    const before = previousGraded(gradedIndex, e.authority, e.date);
    const now = e.grades[headline];
    const then = before?.grades[headline];
    if (!now || !then) continue;
    withPrevious++;
    const step = rank.get(then)! - rank.get(now)!;
    if (step > 0) improved++;
    else if (step < 0) declined++;
    else if (good.has(now)) retainedGood++;
    const byPrev = (transitions[e.type] ??= {});
    const row = (byPrev[then] ??= {});
    row[now] = (row[now] ?? 0) + 1;
    const all = (fromPrevious[then] ??= {});
    all[now] = (all[now] ?? 0) + 1;
  }
  const visitsByPreviousGrade: InYear['visitsByPreviousGrade'] = {};
  const authoritiesByPreviousGrade: InYear['authoritiesByPreviousGrade'] = {};
  for (const t of framework.eventTypes.filter((x) => !x.graded)) {
    const visits = events.filter((e) => e.type === t.id);
    const counts: Record<string, number> = {};
    const authorities: Record<string, Set<string>> = {};
    for (const v of visits) {
      const grade = previousGraded(gradedIndex, v.authority, v.date)?.grades[headline] ?? 'none';
      counts[grade] = (counts[grade] ?? 0) + 1;
      (authorities[grade] ??= new Set()).add(v.authority);
    }
    visitsByPreviousGrade[t.id] = Object.fromEntries(
      [...framework.grades.map((g) => g.id), 'none'].map((g) => [g, part(counts[g] ?? 0, visits.length)]),
    );
    authoritiesByPreviousGrade[t.id] = Object.fromEntries(
      [...framework.grades.map((g) => g.id), 'none'].map((g) => [g, authorities[g]?.size ?? 0]),
    );
  }
  // Keys in grade order (best first), so templates list outcomes in the scale's order.
  const order = (row: Record<string, number>): Record<string, number> =>
    Object.fromEntries(framework.grades.filter((g) => row[g.id] !== undefined).map((g) => [g.id, row[g.id]!]));
  for (const key of Object.keys(fromPrevious)) fromPrevious[key] = order(fromPrevious[key]!);
  for (const byPrev of Object.values(transitions)) for (const key of Object.keys(byPrev)) byPrev[key] = order(byPrev[key]!);
  const retainedOther = withPrevious - improved - declined - retainedGood;
  // The theme figure compares visits of the first ungraded type that has themes.
  const themedType = framework.eventTypes.find((t) => !t.graded && dataset.events.some((e) => e.type === t.id && e.theme))?.id;
  return {
    from,
    to,
    events: events.length,
    authoritiesVisited: new Set(events.map((e) => e.authority)).size,
    byType,
    graded: {
      count: gradedEvents.length,
      outcomes: computeDistribution(framework, headline, gradedEvents.map((e) => e.grades[headline] ?? null)),
      withPrevious,
      improved: part(improved, withPrevious),
      declined: part(declined, withPrevious),
      retainedGoodOrBetter: part(retainedGood, withPrevious),
      retainedOther: part(retainedOther, withPrevious),
      transitions,
      fromPrevious,
    },
    visitsByPreviousGrade,
    authoritiesByPreviousGrade,
    themes: computeThemes(dataset, from, to, themedType),
    previousThemes: previousYearCovered ? computeThemes(dataset, period.previousYear.from, period.previousYear.to, themedType) : null,
  };
}

function pointFromSnapshot(framework: Framework, snapshot: Snapshot, judgement: string): SeriesPoint {
  const d = snapshot.judgements[judgement]!;
  return {
    asAt: snapshot.asAt,
    source: 'computed',
    base: d.base,
    shares: Object.fromEntries(framework.grades.map((g) => [g.id, d.grades[g.id]!.share])),
    goodOrBetter: d.goodOrBetter.share,
  };
}

/**
 * A published figure of the headline series that the data now give differently: a revision.
 * `measure` is a grade id or `base` or `goodOrBetter`; values are as published (percentages
 * rounded to whole numbers, or the base) against what the data give, rounded the same way.
 */
export interface SeriesRevision {
  asAt: IsoDate;
  measure: string;
  label: string;
  published: number;
  computed: number;
  /** The exact value the data give (a share 0 to 1, or the base). */
  raw: number;
  origin: { file: string; row: number };
}

/**
 * The headline series: computed from the history from `computeFrom` on, else as published.
 * Where both exist, a published figure the data give differently (after rounding) is a
 * revision: every one is listed, and the build decides whether the release declared it.
 */
function computeSeries(dataset: Dataset, snapshots: Snapshot[], computeFrom: IsoDate | undefined): { points: SeriesPoint[]; revisions: SeriesRevision[] } {
  const { framework } = dataset;
  const judgement = dataset.judgement ?? framework.judgements.find((j) => j.headline)?.id;
  if (!judgement) return { points: [], revisions: [] };
  const points: SeriesPoint[] = [];
  const revisions: SeriesRevision[] = [];
  for (const snapshot of snapshots) {
    const published = dataset.published.find((p) => p.asAt === snapshot.asAt);
    const computable = computeFrom === undefined || snapshot.asAt >= computeFrom;
    if (computable && snapshot.inspected > 0) {
      const point = pointFromSnapshot(framework, snapshot, judgement);
      if (published) {
        const origin = { file: published.origin.file, row: published.origin.row };
        if (published.base !== point.base) {
          revisions.push({ asAt: snapshot.asAt, measure: 'base', label: 'base', published: published.base, computed: point.base, raw: point.base, origin });
        }
        for (const g of framework.grades) {
          const stated = published.percent[g.id];
          const ours = percentValue(point.shares[g.id]!);
          if (stated !== null && stated !== undefined && stated !== ours) {
            revisions.push({ asAt: snapshot.asAt, measure: g.id, label: `% ${g.label}`, published: stated, computed: ours, raw: point.shares[g.id]!, origin });
          }
        }
        const gob = published.goodOrBetterPercent;
        if (gob !== null && gob !== percentValue(point.goodOrBetter)) {
          const label = `% ${framework.grades.filter((g) => g.goodOrBetter).map((g) => g.label).join(' or ')}`;
          revisions.push({ asAt: snapshot.asAt, measure: 'goodOrBetter', label, published: gob, computed: percentValue(point.goodOrBetter), raw: point.goodOrBetter, origin });
        }
      }
      points.push(point);
    } else if (published && framework.grades.every((g) => published.percent[g.id] != null)) {
      const shares = Object.fromEntries(framework.grades.map((g) => [g.id, published.percent[g.id]! / 100]));
      const gob = published.goodOrBetterPercent ??
        framework.grades.filter((g) => g.goodOrBetter).reduce((sum, g) => sum + published.percent[g.id]!, 0);
      points.push({ asAt: snapshot.asAt, source: 'published', base: published.base, shares, goodOrBetter: gob / 100 });
    }
  }
  return { points, revisions };
}

/**
 * The comparison dates the release asks for (`period.comparisonYearsBack`) that neither the
 * data nor the published series can give: the text then compares with fewer dates, which the
 * statistician should know before publishing.
 */
export function missingComparisons(model: StatsModel): IsoDate[] {
  return model.period.comparisons.map((c) => c.asAt).filter((date) => !model.series.some((p) => p.asAt === date));
}

/** Builds the whole statistics model for a release. */
export function computeStats(dataset: Dataset, period: PeriodRules, computeFrom?: IsoDate, coverage: CoverageResult = { previousYear: true }): StatsModel {
  const { framework } = dataset;
  const current = computeSnapshot(dataset, period.asAt, period.publishedBy);
  const all = [current, ...period.comparisons.map((c) => computeSnapshot(dataset, c.asAt, c.publishedBy))];
  const { points: series, revisions: seriesRevisions } = computeSeries(dataset, all, computeFrom);
  const comparisons = all.slice(1).filter((s) => series.some((p) => p.asAt === s.asAt && p.source === 'computed'));
  const latest = series[0];
  const changes = latest
    ? series.slice(1).map((p) => ({
        asAt: p.asAt,
        points: Object.fromEntries(framework.grades.map((g) => [g.id, 100 * (latest.shares[g.id]! - p.shares[g.id]!)])),
        goodOrBetter: 100 * (latest.goodOrBetter - p.goodOrBetter),
      }))
    : [];
  const regionChanges: StatsModel['regionChanges'] = {};
  const before = comparisons[0];
  for (const region of current.regions) {
    const then = before?.regions.find((r) => r.name === region.name);
    if (!then) continue;
    regionChanges[region.name] = {
      judgements: Object.fromEntries(
        framework.judgements.map((j) => {
          const a = region.judgements[j.id]!, b = then.judgements[j.id]!;
          return [j.id, {
            grades: Object.fromEntries(framework.grades.map((g) => [g.id, 100 * (a.grades[g.id]!.share - b.grades[g.id]!.share)])),
            goodOrBetter: 100 * (a.goodOrBetter.share - b.goodOrBetter.share),
          }];
        }),
      ),
    };
  }
  return { period, current, comparisons, series, seriesRevisions, changes, regionChanges, inYear: computeInYear(dataset, period, coverage.previousYear) };
}

/** The value at a model path as the document's refs write it: keys, array indexes, or names of array items. */
export function modelValue(model: unknown, path: string[]): unknown {
  let at: unknown = model;
  for (const key of path) {
    if (Array.isArray(at)) at = /^\d+$/.test(key) ? at[Number(key)] : at.find((item: Record<string, unknown>) => item && (item.name === key || item.id === key || item.label === key));
    else if (at && typeof at === 'object') at = (at as Record<string, unknown>)[key];
    else return undefined;
  }
  return at;
}
