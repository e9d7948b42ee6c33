/**
 * The data model a release's SQL queries read: its tables (filled from the validated dataset, the
 * framework and the release's period) and its built-in views. This one definition makes the
 * tables, fills them, and writes their reference (`docs/data-model.md`, `npm run schema`), so the
 * documentation and the database cannot drift apart (a test compares the views' columns with
 * what DuckDB reports, and the file with what this writes).
 */
import { scaleOf, type Framework, type PeriodRules } from '../config/config.js';
import type { Dataset } from '../load/dataset.js';

/** What the tables are filled from. */
export interface ModelInput {
  dataset: Pick<Dataset, 'authorities' | 'events'>;
  framework: Framework;
  period: PeriodRules;
}

export type SqlType = 'VARCHAR' | 'INTEGER' | 'BOOLEAN' | 'DATE';

export interface ColumnDefinition {
  name: string;
  type: SqlType;
  doc: string;
}

export interface TableDefinition {
  kind: 'table';
  name: string;
  doc: string;
  columns: ColumnDefinition[];
  /** The table's rows, in column order. */
  rows(input: ModelInput): unknown[][];
}

export interface ViewDefinition {
  kind: 'view';
  name: string;
  doc: string;
  sql: string;
  /**
   * Worked out once, when the data are loaded (a table made from the query), because queries
   * read it again and again and its window functions are most of a query's time; the data of a
   * build never change, so it cannot go stale.
   */
  materialized?: boolean;
  columns: ColumnDefinition[];
}

export type Relation = TableDefinition | ViewDefinition;

const col = (name: string, type: SqlType, doc: string): ColumnDefinition => ({ name, type, doc });

/** The graded scope every graded type shares: which events compete to be a unit's latest. */
const GRADED_SCOPE = 'graded';

/** Each grade's position on its own scale, from 1 (the best). */
function gradeRanks(framework: Framework): Map<string, number> {
  const seen = new Map<string, number>();
  return new Map(framework.grades.map((g) => {
    const scale = scaleOf(framework, g);
    const rank = (seen.get(scale) ?? 0) + 1;
    seen.set(scale, rank);
    return [g.id, rank];
  }));
}

const TABLES: TableDefinition[] = [
  {
    kind: 'table',
    name: 'period',
    doc: "The release's dates, one row: the as-at date and the dates derived from it (`period` in the release config, or `--as-at`). Queries may also use them as the parameters `$as_at`, `$published_by`, `$in_year_from`, `$in_year_to`, `$previous_year_from` and `$previous_year_to`.",
    columns: [
      col('as_at', 'DATE', 'The release is about the position on this date.'),
      col('published_by', 'DATE', 'Publication cut-off: graded inspections count only once their report is published by this date.'),
      col('in_year_from', 'DATE', 'First day of the in-year period.'),
      col('in_year_to', 'DATE', 'Last day of the in-year period (the as-at date).'),
      col('previous_year_from', 'DATE', 'First day of the year before the in-year period.'),
      col('previous_year_to', 'DATE', 'Last day of the year before the in-year period.'),
      col('movement_base', 'VARCHAR', "What `base_grade` compares a latest grade with: `previous` (the unit's previous graded event in the scope) or `first` (its first), from `period.movementBase` in the release config."),
    ],
    rows: ({ period: p }) => [[p.asAt, p.publishedBy, p.inYear.from, p.inYear.to, p.previousYear.from, p.previousYear.to, p.movementBase ?? 'previous']],
  },
  {
    kind: 'table',
    name: 'snapshot_dates',
    doc: 'The dates a snapshot is taken at: the release date, then each comparison date (`comparisonYearsBack`), most recent first.',
    columns: [
      col('snapshot', 'VARCHAR', '`current` for the release date, `comparison` for an earlier date.'),
      col('years_back', 'INTEGER', 'How many years before the release date (0 for `current`).'),
      col('as_at', 'DATE', 'The snapshot date.'),
      col('published_by', 'DATE', "The snapshot's publication cut-off."),
    ],
    rows: ({ period: p }) => [
      ['current', 0, p.asAt, p.publishedBy],
      ...p.comparisons.map((c, i) => ['comparison', p.comparisonYearsBack[i] ?? null, c.asAt, c.publishedBy]),
    ],
  },
  {
    kind: 'table',
    name: 'windows',
    doc: 'Named periods that events are counted over.',
    columns: [
      col('window_name', 'VARCHAR', '`in_year` (the in-year period), `previous_year` (the year before it), or a window the release declares (`period.windows`: a date range, the months back from the as-at date, a quarter or a year).'),
      col('date_from', 'DATE', 'First day.'),
      col('date_to', 'DATE', 'Last day.'),
    ],
    rows: ({ period: p }) => [
      ['in_year', p.inYear.from, p.inYear.to],
      ['previous_year', p.previousYear.from, p.previousYear.to],
      ...(p.windows ?? []).map((w) => [w.name, w.from, w.to]),
    ],
  },
  {
    kind: 'table',
    name: 'units',
    doc: 'The register: every unit inspected (a local authority), including those that no longer exist.',
    columns: [
      col('code', 'VARCHAR', 'ONS area code; the key.'),
      col('name', 'VARCHAR', 'Name as the release prints it.'),
      col('region', 'VARCHAR', 'Region, where the register gives one.'),
      col('existed_from', 'DATE', 'First day the unit existed; null if before any date handled.'),
      col('existed_until', 'DATE', 'Last day the unit existed; null if it still exists.'),
    ],
    rows: ({ dataset }) => dataset.authorities.map((a) => [a.code, a.name, a.region, a.from ?? null, a.until ?? null]),
  },
  {
    kind: 'table',
    name: 'event_types',
    doc: "The framework's inspection and visit types.",
    columns: [
      col('type', 'VARCHAR', 'Type id; the key.'),
      col('label', 'VARCHAR', 'Label for tables and figures.'),
      col('name', 'VARCHAR', 'Name for sentences.'),
      col('graded', 'BOOLEAN', 'Whether events of this type give judgements.'),
      col('snapshot_scope', 'VARCHAR', `Which graded events compete to be a unit's latest: the type's \`scope\` in the framework, \`${GRADED_SCOPE}\` for a graded type that declares none; null for types that are not graded.`),
      col('position', 'INTEGER', 'Order in the framework, from 1.'),
    ],
    rows: ({ framework }) => framework.eventTypes.map((t, i) => [t.id, t.label, t.name, t.graded, t.graded ? t.scope ?? GRADED_SCOPE : null, i + 1]),
  },
  {
    kind: 'table',
    name: 'judgement_areas',
    doc: "The framework's judgement areas.",
    columns: [
      col('judgement', 'VARCHAR', 'Judgement id; the key.'),
      col('label', 'VARCHAR', 'Short label for tables and figures.'),
      col('name', 'VARCHAR', 'Full name for sentences.'),
      col('headline', 'BOOLEAN', 'Whether this is the headline judgement.'),
      col('applies_from', 'DATE', 'First inspection date the judgement applies to, if it has one.'),
      col('applies_until', 'DATE', 'Last inspection date the judgement applies to, if it has one.'),
      col('position', 'INTEGER', 'Order in the framework, from 1 (the headline first).'),
      col('scale', 'VARCHAR', "The grade scale the judgement is graded on (`grades.scale`): its `scale` in the framework, else the framework's id."),
    ],
    rows: ({ framework }) => framework.judgements.map((j, i) => [j.id, j.label, j.name, j.headline, j.from ?? null, j.until ?? null, i + 1, scaleOf(framework, j)]),
  },
  {
    kind: 'table',
    name: 'grades',
    doc: "The framework's grades, each scale best first (most frameworks have one scale; one may add another, such as an annual rating, for some judgements).",
    columns: [
      col('grade', 'VARCHAR', 'Grade id; the key.'),
      col('label', 'VARCHAR', 'Label as published.'),
      col('grade_rank', 'INTEGER', 'Position on its scale: 1 is the best grade.'),
      col('good_or_better', 'BOOLEAN', 'Whether the framework counts the grade among its top grades (`goodOrBetter`).'),
      col('scale', 'VARCHAR', "The scale the grade belongs to: its `scale` in the framework, else the framework's id."),
    ],
    rows: ({ framework }) => {
      const ranks = gradeRanks(framework);
      return framework.grades.map((g) => [g.id, g.label, ranks.get(g.id)!, g.goodOrBetter, scaleOf(framework, g)]);
    },
  },
  {
    kind: 'table',
    name: 'themes',
    doc: "The framework's visit themes.",
    columns: [
      col('theme', 'VARCHAR', 'Theme id; the key.'),
      col('label', 'VARCHAR', 'Label as published.'),
      col('position', 'INTEGER', 'Order in the framework, from 1.'),
    ],
    rows: ({ framework }) => framework.themes.map((t, i) => [t.id, t.label, i + 1]),
  },
  {
    kind: 'table',
    name: 'events',
    doc: 'Every inspection and visit the sources give, after every row was checked (rows left out on purpose are not here), in date order.',
    columns: [
      col('event', 'INTEGER', 'Event number, from 1 in date order; the key.'),
      col('unit', 'VARCHAR', 'The unit inspected (`units.code`).'),
      col('type', 'VARCHAR', 'Event type (`event_types.type`).'),
      col('graded', 'BOOLEAN', 'Whether the type gives judgements.'),
      col('date', 'DATE', 'Date of the inspection or visit (its start).'),
      col('published', 'DATE', 'Date its report was published, where the source gives it.'),
      col('theme', 'VARCHAR', 'Visit theme (`themes.theme`), where there is one.'),
      col('link', 'VARCHAR', "Web address of the unit's reports, where the source gives one."),
      col('source_file', 'VARCHAR', 'The data file the event was read from.'),
      col('source_row', 'INTEGER', 'Its row in that file as an editor numbers it (the header is row 1).'),
      col('date_until', 'DATE', 'Where the source gives the date as a month or a year only: the last day it can mean (`date` is the first); null for a full date.'),
      col('published_until', 'DATE', 'The same for the publication date.'),
    ],
    rows: ({ dataset, framework }) => {
      const graded = new Set(framework.eventTypes.filter((t) => t.graded).map((t) => t.id));
      return dataset.events.map((e, i) => [i + 1, e.authority, e.type, graded.has(e.type), e.date, e.published, e.theme, e.link ?? null, e.origin.file, e.origin.row, e.dateUntil ?? null, e.publishedUntil ?? null]);
    },
  },
  {
    kind: 'table',
    name: 'judgements',
    doc: 'The judgements made at each graded event: one row per event and judgement area graded (an area not judged has no row).',
    columns: [
      col('event', 'INTEGER', 'The event (`events.event`).'),
      col('judgement', 'VARCHAR', 'Judgement area (`judgement_areas.judgement`).'),
      col('grade', 'VARCHAR', 'Grade (`grades.grade`).'),
      col('grade_rank', 'INTEGER', 'Position of the grade on its scale: 1 is the best.'),
      col('good_or_better', 'BOOLEAN', 'Whether the framework counts the grade among its top grades (`goodOrBetter`).'),
      col('scale', 'VARCHAR', 'The scale the grade belongs to.'),
    ],
    rows: ({ dataset, framework }) => {
      const ranks = gradeRanks(framework);
      const grades = new Map(framework.grades.map((g) => [g.id, { rank: ranks.get(g.id)!, good: g.goodOrBetter, scale: scaleOf(framework, g) }]));
      return dataset.events.flatMap((e, i) =>
        framework.judgements.flatMap((j) => {
          const grade = e.grades[j.id];
          const g = grade ? grades.get(grade) : undefined;
          return grade && g ? [[i + 1, j.id, grade, g.rank, g.good, g.scale]] : [];
        }),
      );
    },
  },
];

const SNAPSHOT_EVENT_COLUMNS: ColumnDefinition[] = [
  col('snapshot', 'VARCHAR', '`current` or `comparison` (`snapshot_dates.snapshot`).'),
  col('years_back', 'INTEGER', 'Years before the release date.'),
  col('as_at', 'DATE', 'The snapshot date.'),
  col('unit', 'VARCHAR', 'The unit (`units.code`).'),
  col('name', 'VARCHAR', "The unit's name."),
  col('region', 'VARCHAR', "The unit's region."),
  col('scope', 'VARCHAR', 'The snapshot scope (`event_types.snapshot_scope`).'),
  col('event', 'INTEGER', "The unit's latest graded event in the scope carried out by the date and published by its cut-off."),
  col('type', 'VARCHAR', "That event's type."),
  col('date', 'DATE', "That event's date."),
  col('published', 'DATE', "That event's publication date."),
  col('previous_event', 'INTEGER', 'The graded event before it under the same rules, if any.'),
  col('first_event', 'INTEGER', "The unit's first graded event in the scope under the same rules."),
  col('inspections', 'INTEGER', 'How many graded events in the scope count by the date.'),
];

const SNAPSHOT_JUDGEMENT_COLUMNS: ColumnDefinition[] = [
  ...SNAPSHOT_EVENT_COLUMNS.filter((c) => !['published', 'first_event', 'previous_event', 'inspections'].includes(c.name)),
  col('judgement', 'VARCHAR', 'Judgement area.'),
  col('grade', 'VARCHAR', 'Grade at the latest event.'),
  col('grade_rank', 'INTEGER', 'Its rank (1 is the best).'),
  col('good_or_better', 'BOOLEAN', 'Whether the framework counts it among its top grades.'),
  col('scale', 'VARCHAR', 'The scale of the grade.'),
  col('previous_grade', 'VARCHAR', 'Grade for the same judgement at the previous event; null if none.'),
  col('previous_grade_rank', 'INTEGER', 'Its rank.'),
  col('first_grade', 'VARCHAR', 'Grade for the same judgement at the first event.'),
  col('first_grade_rank', 'INTEGER', 'Its rank.'),
  col('base_grade', 'VARCHAR', 'The grade movement is measured from: `previous_grade`, or `first_grade` where `period.movement_base` is `first` (null where the latest event is the first).'),
  col('base_grade_rank', 'INTEGER', 'Its rank.'),
];

const WINDOW_EVENT_COLUMNS: ColumnDefinition[] = [
  col('window_name', 'VARCHAR', 'The window (`windows.window_name`).'),
  col('event', 'INTEGER', 'The event.'),
  col('unit', 'VARCHAR', 'The unit.'),
  col('type', 'VARCHAR', 'Event type.'),
  col('graded', 'BOOLEAN', 'Whether it is graded.'),
  col('date', 'DATE', 'Its date.'),
  col('published', 'DATE', 'Its publication date.'),
  col('theme', 'VARCHAR', 'Its theme, if any.'),
  col('previous_graded_event', 'INTEGER', "The unit's latest graded event before this event's date (published or not), if any."),
];

const VIEWS: ViewDefinition[] = [
  {
    kind: 'view',
    name: 'graded_events',
    materialized: true,
    doc: "Every graded event, numbered in each unit's history within its snapshot scope.",
    sql: `SELECT e.event, e.unit, e.type, t.snapshot_scope AS scope, e.date, e.published,
  CAST(row_number() OVER w AS INTEGER) AS inspection_number,
  lag(e.event) OVER w AS previous_event,
  first_value(e.event) OVER w AS first_event
FROM events e JOIN event_types t ON t.type = e.type
WHERE e.graded
WINDOW w AS (PARTITION BY e.unit, t.snapshot_scope ORDER BY e.date, e.event)`,
    columns: [
      col('event', 'INTEGER', 'The event.'),
      col('unit', 'VARCHAR', 'The unit.'),
      col('type', 'VARCHAR', 'Event type.'),
      col('scope', 'VARCHAR', 'Snapshot scope.'),
      col('date', 'DATE', 'Date.'),
      col('published', 'DATE', 'Publication date.'),
      col('inspection_number', 'INTEGER', "1 for the unit's first graded event in the scope, 2 for the second …"),
      col('previous_event', 'INTEGER', 'The graded event before it in the scope (published or not), if any.'),
      col('first_event', 'INTEGER', "The unit's first graded event in the scope."),
    ],
  },
  {
    kind: 'view',
    name: 'snapshot_events',
    materialized: true,
    doc: "Every snapshot date's position: for each unit that existed on the date and each snapshot scope, its latest graded event carried out by the date whose report was published by the date's cut-off.",
    sql: `WITH eligible AS (
  SELECT s.snapshot, s.years_back, s.as_at, g.*,
    CAST(count(*) OVER w AS INTEGER) AS inspections,
    row_number() OVER (w ORDER BY g.date DESC, g.event DESC) AS recency,
    lead(g.event) OVER (w ORDER BY g.date DESC, g.event DESC) AS earlier_event,
    last_value(g.event) OVER (w ORDER BY g.date DESC, g.event DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS earliest_event
  FROM snapshot_dates s JOIN graded_events g ON g.date <= s.as_at AND g.published <= s.published_by
  WINDOW w AS (PARTITION BY s.as_at, g.unit, g.scope)
)
SELECT e.snapshot, e.years_back, e.as_at, u.code AS unit, u.name, u.region, e.scope, e.event, e.type, e.date, e.published,
  e.earlier_event AS previous_event, e.earliest_event AS first_event, e.inspections
FROM eligible e JOIN units u ON u.code = e.unit
WHERE e.recency = 1
  AND (u.existed_from IS NULL OR u.existed_from <= e.as_at)
  AND (u.existed_until IS NULL OR u.existed_until >= e.as_at)`,
    columns: SNAPSHOT_EVENT_COLUMNS,
  },
  {
    kind: 'view',
    name: 'snapshot_judgements',
    materialized: true,
    doc: "The judgements of each snapshot's latest events, with the same judgement at each unit's previous and first event.",
    sql: `SELECT s.snapshot, s.years_back, s.as_at, s.unit, s.name, s.region, s.scope, s.event, s.type, s.date,
  j.judgement, j.grade, j.grade_rank, j.good_or_better, j.scale,
  p.grade AS previous_grade, p.grade_rank AS previous_grade_rank,
  f.grade AS first_grade, f.grade_rank AS first_grade_rank,
  CASE WHEN m.movement_base = 'first' THEN (CASE WHEN s.first_event <> s.event THEN f.grade END) ELSE p.grade END AS base_grade,
  CASE WHEN m.movement_base = 'first' THEN (CASE WHEN s.first_event <> s.event THEN f.grade_rank END) ELSE p.grade_rank END AS base_grade_rank
FROM snapshot_events s
CROSS JOIN period m
JOIN judgements j ON j.event = s.event
LEFT JOIN judgements p ON p.event = s.previous_event AND p.judgement = j.judgement
LEFT JOIN judgements f ON f.event = s.first_event AND f.judgement = j.judgement`,
    columns: SNAPSHOT_JUDGEMENT_COLUMNS,
  },
  {
    kind: 'view',
    name: 'latest_events',
    doc: '`snapshot_events` as at the release date (`snapshot = \'current\'`).',
    sql: `SELECT * FROM snapshot_events WHERE snapshot = 'current'`,
    columns: SNAPSHOT_EVENT_COLUMNS,
  },
  {
    kind: 'view',
    name: 'latest_judgements',
    doc: '`snapshot_judgements` as at the release date: the latest judgements the main findings report.',
    sql: `SELECT * FROM snapshot_judgements WHERE snapshot = 'current'`,
    columns: SNAPSHOT_JUDGEMENT_COLUMNS,
  },
  {
    kind: 'view',
    name: 'window_events',
    materialized: true,
    doc: 'The events of each window: every visit in it, and every graded inspection in it whose report was published by the release\'s cut-off. An event dated by its year or month only is in a window that holds the whole year or month, and in no other.',
    sql: `SELECT w.window_name, e.event, e.unit, e.type, e.graded, e.date, e.published, e.theme, g.event AS previous_graded_event
FROM windows w
JOIN events e ON e.date BETWEEN w.date_from AND w.date_to AND coalesce(e.date_until, e.date) <= w.date_to
CROSS JOIN period p
ASOF LEFT JOIN graded_events g ON g.unit = e.unit AND e.date > g.date
WHERE NOT e.graded OR e.published <= p.published_by`,
    columns: WINDOW_EVENT_COLUMNS,
  },
  {
    kind: 'view',
    name: 'in_year_events',
    doc: "`window_events` of the in-year period.",
    sql: `SELECT * FROM window_events WHERE window_name = 'in_year'`,
    columns: WINDOW_EVENT_COLUMNS,
  },
];

/** Every table and view, in the order they are made and documented. */
export const DATA_MODEL: Relation[] = [...TABLES, ...VIEWS];

/** The parameters a query may use, by name (without the `$`), from the release's period. */
export function queryParameters(period: PeriodRules): Record<string, string> {
  return {
    as_at: period.asAt,
    published_by: period.publishedBy,
    in_year_from: period.inYear.from,
    in_year_to: period.inYear.to,
    previous_year_from: period.previousYear.from,
    previous_year_to: period.previousYear.to,
  };
}

/** The statements that make the tables (`tables`, run first, empty) or the views (run once the tables are filled). */
export function dataModelStatements(which: 'tables' | 'views'): string[] {
  return DATA_MODEL.filter((r) => (r.kind === 'table') === (which === 'tables')).map((r) =>
    r.kind === 'table'
      ? `CREATE TABLE ${quote(r.name)} (${r.columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ')})`
      : `CREATE ${r.materialized ? 'TABLE' : 'VIEW'} ${quote(r.name)} AS ${r.sql}`,
  );
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The reference of every table and view, as Markdown (`docs/data-model.md`). */
export function dataModelReference(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out = [
    '# The data model',
    '',
    '<!-- Written by `npm run schema` from src/query/model.ts; a test fails when it is stale. Do not edit. -->',
    '',
    "Named queries (`queries` in a template set) and `statpress query` read these tables and views, made in an in-process DuckDB from the release's data after every row was checked. Dates are DATE values; the release's own dates are in `period` and are the query parameters `$as_at`, `$published_by`, `$in_year_from`, `$in_year_to`, `$previous_year_from` and `$previous_year_to`.",
    '',
    '| name | kind | what it holds |',
    '|---|---|---|',
    ...DATA_MODEL.map((r) => `| [\`${r.name}\`](#${r.name.replace(/_/g, '_')}) | ${r.kind} | ${cell(r.doc)} |`),
    '',
  ];
  for (const r of DATA_MODEL) {
    const kind = r.kind === 'table' ? 'Table' : r.materialized ? 'View, worked out once when the data are loaded' : 'View';
    out.push(`## ${r.name}`, '', `${kind}. ${r.doc}`, '', '| column | type | meaning |', '|---|---|---|');
    for (const c of r.columns) out.push(`| \`${c.name}\` | ${c.type} | ${cell(c.doc)} |`);
    out.push('');
    if (r.kind === 'view') out.push('```sql', r.sql, '```', '');
  }
  return out.join('\n');
}
