/**
 * The schemas of statpress's four kinds of YAML file: release config, framework, layout and
 * template set. Every mapping is strict (a key nothing reads is an error), every message says
 * what was expected, and `npm run schema` writes them out as JSON Schema (schema/*.json) for
 * editors. Defaults that are constants live here; values derived from other settings (a name
 * that defaults to the label, absolute paths, dates from rules) are worked out by the loaders.
 */
import * as z from 'zod';
import { isIsoDate } from '../core/dates.js';

const TEXT = 'expected a non-empty string';
const TEXTS = 'expected a string or a list of strings';
const DATE = 'expected a date written YYYY-MM-DD';

/** A non-empty string; a number is taken as its text (a column called 2024). */
const text = z.union([z.string().min(1, TEXT), z.number().transform(String)], { error: TEXT });
/** One string or a list of them, always read as a list. */
const texts = z.union([z.string().transform((one) => [one]), z.array(z.string({ error: TEXTS }))], { error: TEXTS });
const textList = z.array(text, { error: 'expected a list of non-empty strings' });
/** A real calendar date written YYYY-MM-DD. */
const date = z
  .string({ error: DATE })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: DATE, abort: true })
  .refine(isIsoDate, DATE);
const bool = z.boolean({ error: 'expected true or false' });
const number = z.number({ error: 'expected a number' });
const whole = (min: number) => z.number({ error: `expected a whole number of at least ${min}` }).int().min(min);
/** A mapping of string to string whose keys are data (ids, spellings, names). */
const dictionary = z.record(z.string(), text, { error: 'expected a mapping' });

/** A mapping with exactly these settings. */
function mapping<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, { error: (issue) => (issue.code === 'invalid_type' ? 'expected a mapping' : undefined) });
}
function list<Item extends z.ZodType>(item: Item) {
  return z.array(item, { error: 'expected a list' });
}

// ---------------------------------------------------------------------------------------------
// Framework

const condition = mapping({
  judgements: texts.describe('Judgement ids.'),
  count: whole(1).default(1).describe('How many of the judgements must have one of the grades.'),
  grades: texts.describe('Grade ids.'),
});

export const frameworkSchema = mapping({
  id: text,
  name: text.describe('Name used in sentences.'),
  shortName: text.optional().describe('Short name (defaults to name).'),
  grades: list(
    mapping({
      id: text,
      label: text,
      colour: text.describe('Fill colour in figures.'),
      textColour: text.default('#000000').describe('Colour of text drawn on the fill.'),
      goodOrBetter: bool.default(false).describe('In the combined share of the top grades that templates report as goodOrBetter.'),
      scale: text.optional().describe("The grade scale the grade belongs to, for a framework with more than one (an annual rating beside the inspection grades); defaults to the framework's id."),
    }),
  )
    .min(2, 'a framework needs at least two grades')
    .describe('The grade scales, each best first.'),
  judgements: list(
    mapping({
      id: text,
      label: text.describe('Short label for tables and figures.'),
      name: text.optional().describe('Full name for sentences (defaults to label).'),
      headline: bool.default(false),
      from: date.optional().describe('First inspection date the judgement applies to.'),
      until: date.optional().describe('Last inspection date the judgement applies to.'),
      announced: date.optional().describe('When the `until` date was announced: releases published earlier do not mention it (defaults to the `until` date).'),
      scale: text.optional().describe("The grade scale the judgement is graded on (a grade's `scale`); defaults to the framework's id. A grade of another scale is refused at its row."),
    }),
  ).describe('Judgement areas, the headline first.'),
  eventTypes: list(
    mapping({
      id: text,
      label: text,
      name: text.optional().describe('Name for sentences (defaults to label).'),
      plural: text.optional().describe('Plural for sentences (defaults to name + "s").'),
      graded: bool.default(false).describe('Gives judgements that a snapshot counts.'),
      scope: text
        .optional()
        .describe('Snapshot scope of a graded type: the snapshot keeps the latest graded event of each scope per unit, so types of different scopes (two judgements made on one visit) are kept side by side. Graded types without one share one scope.'),
    }),
  ).describe('Inspection and visit types.'),
  themes: list(mapping({ id: text, label: text })).default([]).describe('Visit themes, in the order figures list them.'),
  classifications: list(
    mapping({
      id: text,
      label: text,
      colour: text.default('#3D3D3D'),
      allOf: list(condition).default([]).describe('Every condition must hold.'),
      anyOf: list(condition).default([]).describe('At least one condition must hold (if any are given).'),
    }),
  )
    .default([])
    .describe('Ordered rules placing an authority by its latest judgements; the first that matches wins.'),
  facts: z
    .record(z.string(), z.number())
    .default({})
    .describe('Numbers the framework itself sets that the text states (for example, how many months pass before a first follow-up): a template prints them with {{count framework.facts.NAME}}, so they are numerals traced to here.'),
}).meta({ title: 'statpress framework', description: 'An inspection framework: grades, judgements, inspection types, themes and classifications.' });

// ---------------------------------------------------------------------------------------------
// Layout

export const layoutSchema = mapping({
  id: text,
  dateFormat: text.default('yyyy-MM-dd').describe('Date pattern of yyyy, yy, MM, dd and separators.'),
  publishedFormat: text.optional().describe('Date pattern of the publication column, where it differs.'),
  columns: mapping({
    authorityCode: texts.optional(),
    authorityName: texts.optional().describe('Matched through the register\'s names.'),
    date: texts,
    published: texts.optional(),
    type: texts,
    theme: texts.optional(),
    link: texts.optional().describe('A web address per row (http or https only).'),
    judgements: z.record(z.string(), texts, { error: 'expected a mapping' }).describe('Judgement id → column.'),
  }).describe('The column holding each field (several spellings allowed).'),
  values: mapping({
    type: dictionary.optional().describe('Raw spelling → event type id, or skip.'),
    theme: dictionary.optional().describe('Raw spelling → theme id.'),
    grade: dictionary.optional().describe('Raw spelling → grade id.'),
  })
    .optional()
    .describe('How raw values map to framework ids (case and spacing ignored).'),
  blanks: texts.default([]).describe('Raw values that mean "no judgement".'),
  authorityAliases: dictionary.default({}).describe('Authority names spelt differently from the register → ONS code.'),
}).meta({ title: 'statpress layout', description: 'How one data file\'s columns and spellings map onto inspection events.' });

// ---------------------------------------------------------------------------------------------
// Release config

const between = mapping({ from: date, to: date });
/** The dates a data file may hold; anything outside is refused as a slip of the keyboard. */
const plausible = mapping({
  from: date.optional().describe('Earliest date a value may be (default 1900-01-01).'),
  to: date.optional().describe('Latest date a value may be (default: the as-at date plus one year).'),
});

/** Figures quoted from other publications, each with its source and edition. */
const contextFigures = z
  .record(z.string(), mapping({
    value: number.optional(),
    share: number.optional(),
    text: text.optional(),
    source: text.describe('Address (URL) of the publication the figure is quoted from: the sentence that quotes it links there.'),
    sourceTitle: text.describe('Name of the publication the figure is quoted from; the methodology lists it.'),
    edition: date.describe('Publication date of the edition quoted: it must come before this release.'),
    asAt: date.optional().describe('The date the figure describes.'),
  }), { error: 'expected a mapping' })
  .default({})
  .describe('Figures from other publications, each with its source.');

export const releaseSchema = mapping({
  id: text,
  templates: text.describe('Template set folder, relative to this file.'),
  framework: text.describe('Framework file, relative to this file.'),
  dataRoot: text.default('.').describe('Folder the data paths are relative to, relative to this file.'),
  allowDataOutsideRoot: bool
    .default(false)
    .describe('Let data and resource paths lead outside dataRoot (refused unless this is true).'),
  dates: plausible.optional().describe('The dates data files may hold (default 1900-01-01 to the as-at date plus one year).'),
  limits: mapping({
    textLength: z
      .number({ error: 'expected a whole number of characters' })
      .int()
      .min(1)
      .max(32_767, "Excel's limit for a cell is 32,767 characters")
      .default(255)
      .describe('Most characters a text value read from data may have (names, regions; at most 32,767, Excel\'s limit).'),
    linkLength: z
      .number({ error: 'expected a whole number of characters' })
      .int()
      .min(1)
      .max(2_079, "Excel's limit for a link is 2,079 characters")
      .default(2_079)
      .describe('Most characters a web link read from data may have (at most 2,079, Excel\'s limit).'),
  })
    .default({ textLength: 255, linkLength: 2_079 })
    .describe('Length limits for values read from data files.'),
  period: mapping({
    asAt: date,
    publishedBy: date.optional().describe('Publication cut-off (defaults to asAt + publicationLagMonths).'),
    publicationLagMonths: whole(0).default(3),
    inYearMonths: whole(1).default(12),
    comparisonYearsBack: z.array(whole(1), { error: 'expected a list of whole numbers' }).default([1]),
    movementBase: z.enum(['previous', 'first'], { error: 'expected previous or first' }).default('previous')
      .describe("What a unit's latest grade is compared with in the data model's `base_grade` columns: its previous graded event in the scope, or its first (for wording such as \"compared with their first inspection\")."),
    windows: list(
      mapping({
        name: z.string({ error: 'expected text' }).regex(/^[a-z][a-z0-9_]*$/, 'expected lower-case letters, digits and _, starting with a letter').describe('The window\'s name in the `windows` table (`window_name`).'),
        from: date.optional().describe('A date range: its first day (with `to`).'),
        to: date.optional().describe('A date range: its last day (with `from`).'),
        monthsBack: whole(1).optional().describe('The months up to the as-at date: 3 is the quarter ending on it.'),
        quarter: z.union([z.literal('latest'), z.string().regex(/^\d{4}-Q[1-4]$/)], { error: 'expected latest or a quarter such as 2010-Q4' }).optional().describe('A calendar quarter: `latest` (the one the as-at date falls in) or yyyy-Qn.'),
        year: z.union([z.literal('latest'), whole(1000)], { error: 'expected latest or a year such as 2010' }).optional().describe('A calendar year: `latest` (the one the as-at date falls in) or the year.'),
      }),
    ).default([]).describe('Further named periods events are counted over (rows of the `windows` table beside `in_year` and `previous_year`), each given by exactly one of: from and to, monthsBack, quarter, year.'),
  }),
  register: mapping({
    authorities: mapping({
      file: text,
      columns: mapping({ code: text, name: text, altNames: texts.optional(), region: text }),
    }),
    changes: mapping({
      file: text,
      columns: mapping({
        code: text,
        name: text,
        from: text,
        until: text,
        region: text.optional().describe('Column giving the region of a unit the main register does not list (a retired one).'),
        successors: text
          .optional()
          .describe('Column naming, by their codes, the units that took over a retired one: it keeps the region they share.'),
      }),
    }).optional(),
  }),
  sources: list(
    mapping({
      file: text,
      layout: text.describe('Layout file, relative to this file.'),
      take: texts.optional().describe('Event type ids to take (defaults to all).'),
      invalidRows: z.enum(['error', 'warn'], { error: 'expected error or warn' }).default('error'),
      between: between.optional(),
      title: text.optional().describe('What the file is, as the methodology names it.'),
      covers: mapping({
        from: date.optional().describe('First event date the file is complete from.'),
        until: date.optional().describe('Last event date the file is complete to.'),
        publishedUntil: date.optional().describe('Reports published up to this date are in the file.'),
      })
        .optional()
        .describe('What the file covers. Where not given: the earliest and latest event dates and the latest publication date in the file.'),
      dates: plausible.optional().describe('The dates this file may hold, where they differ from the release\'s.'),
    }),
  ),
  publishedSeries: mapping({
    file: text,
    judgement: text,
    computeFrom: date,
    columns: mapping({ asAt: text, base: text, grades: dictionary.default({}), goodOrBetter: text.optional() }),
  }).optional(),
  meta: mapping({
    title: text,
    status: text,
    draft: bool.default(false),
    coverage: text,
    published: date,
    nextUpdate: text,
    producer: text,
    contact: mapping({ name: text, email: text, team: text, teamEmail: text }),
    licence: mapping({ name: text, url: text }),
    language: text.default('en-GB'),
    series: mapping({ title: text, url: text.optional() }).optional(),
    includes: texts.default([]),
    acknowledgements: text.optional(),
    glossaryUrl: text.optional(),
    releaseUrl: text.optional(),
    methodologyUrl: text.optional().describe('Where the methodology is published; the workbook cover links to it (else to the release page, which carries the methodology report).'),
    frequency: text.optional().describe('How often the statistics are published ("Annual", "Quarterly"), for the workbook cover.'),
    revision: mapping({
      date,
      reason: text,
      previous: text.optional().describe('The build as first published, to compare with: its output folder or its manifest.json (relative to this file). Every figure that moved is listed in the notice and marked [r].'),
    }).optional(),
    context: contextFigures,
    abbreviations: dictionary.default({}).describe('Abbreviations the documents use → what they stand for (the govspeak export lists those a document uses).'),
    publication: mapping({
      title: text.describe('The release as GOV.UK lists it, for the landing page (Handlebars, like meta.title).'),
      summary: text.describe('One or two sentences under the title on the landing page (Handlebars; no numbers).'),
    }).optional().describe('The landing page (index.html) that lists the documents and data files of the release.'),
  }),
  documents: list(mapping({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected an id of lower-case letters, digits and hyphens (it names the files)'),
    label: text.describe('How "This release includes" names the document ("methodology report").'),
    title: text.optional().describe('The document\'s title (Handlebars); the main document (no `templates`) takes meta.title.'),
    templates: text.optional().describe('The document\'s template set folder, relative to this file; absent for the main document, which uses `templates`.'),
  }))
    .optional()
    .describe('The documents of the release, each built in every format with every gate; the one without `templates` is the main findings. Absent: the main findings only.'),
  preReleaseAccess: mapping({
    hours: whole(1).describe('How many hours before publication the recipients see the statistics.'),
    recipients: list(mapping({ role: text, organisation: text })),
  }).optional().describe('Who has pre-release access, for the pre-release access list.'),
  editions: z
    .record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an as-at date written YYYY-MM-DD'), mapping({
      published: date,
      nextUpdate: text,
      acknowledgements: text.optional(),
      context: contextFigures.optional().describe('The context figures current for that edition (replacing meta.context).'),
    }), { error: 'expected a mapping of as-at dates' })
    .default({})
    .describe('Metadata of other editions built from this config with --as-at, by as-at date.'),
  sameDayEvents: z
    .enum(['warn', 'error'], { error: 'expected warn or error' })
    .default('warn')
    .describe('Two graded events of one snapshot scope for one unit on one date: listed as a warning (the snapshot keeps the later row), or refused.'),
  regionPhrases: dictionary.default({}).describe('How sentences name a region where it differs from its name.'),
  resources: dictionary.default({}).describe('Files chart specs use by name, relative to dataRoot.'),
  notes: list(mapping({ id: text, text, appliesTo: texts.default([]) }))
    .default([])
    .describe('Notes for the underlying-data workbook, numbered in this order.'),
}).meta({ title: 'statpress release config', description: 'One release: its data, dates, framework, layouts, templates and metadata.' });

// ---------------------------------------------------------------------------------------------
// Template set

export const FIGURE_KINDS = ['series', 'regions', 'judgements', 'map', 'themes', 'query'] as const;
export const TABLE_KINDS = ['movement', 'classes', 'query'] as const;
/** The column labels each kind of table needs. */
const TABLE_COLUMNS: Record<(typeof TABLE_KINDS)[number], string[]> = { movement: ['improved', 'retained', 'declined'], classes: ['count'], query: [] };
/** A query's name: what templates, figures and tables call it by. */
const QUERY_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const queryName = z.string({ error: TEXT }).regex(QUERY_NAME, 'expected a query name: lower-case letters and digits, words joined by "-"');
/** A column of a query's result. */
const column = text.describe('A column of the query\'s result.');

/** Requires the settings a figure or table bound to a query needs, and refuses them elsewhere. */
function queryBinding(needs: string[]) {
  return (item: Record<string, unknown> & { kind: string }, context: z.RefinementCtx) => {
    for (const key of needs) {
      const given = item[key] !== undefined;
      if (item.kind === 'query' && !given) context.addIssue({ code: 'invalid_type', expected: 'string', path: [key], message: `a figure or table of kind query needs "${key}"` });
      if (item.kind !== 'query' && given && key !== 'notes') context.addIssue({ code: 'custom', path: [key], message: `"${key}" is for kind query only` });
    }
    if (item.kind === 'query' && Array.isArray(item.notes) && item.notes.length === 0) {
      context.addIssue({ code: 'too_small', minimum: 1, origin: 'array', inclusive: true, path: ['notes'], message: 'a figure or table of kind query needs at least one note saying what its numbers count' });
    }
  };
}

export const templateSetSchema = mapping({
  sections: textList.describe('Section templates (Markdown + Handlebars), in reading order.'),
  figures: list(
    mapping({
      id: text,
      kind: z.enum(FIGURE_KINDS, { error: `expected ${FIGURE_KINDS.slice(0, -1).join(', ')} or ${FIGURE_KINDS[FIGURE_KINDS.length - 1]}` }),
      judgement: text.default('headline'),
      title: text,
      subtitle: text.optional(),
      spec: text.describe('Vega-Lite spec, relative to this file.'),
      rowHeader: text,
      label: text.optional().describe('Words each row of the data table.'),
      notes: textList.default([]),
      alt: text,
      annex: bool.default(true),
      dataInWorkbook: bool.default(false).describe('On paper (PDF, Word) the data table is not printed: the figure points to its sheet of the underlying-data workbook. The web page keeps the table. Such a figure is left out of the annex.'),
      source: text.optional(),
      colours: textList.optional().describe('Series colours where the series are not grades.'),
      query: queryName.optional().describe('kind query: the named query (under `queries`) the figure shows.'),
      category: column.optional().describe('kind query: the column naming each row of the data table (each bar).'),
      series: column.optional().describe('kind query: the column naming each series (each colour); a series whose names are grades takes their colours.'),
      value: column.optional().describe('kind query: the column of numbers.'),
      show: z.enum(['percent', 'count', 'share'], { error: 'expected percent, count or share' }).default('percent').describe('kind query: percent (each value as a percentage of its row\'s total), count (the values as they are) or share (values that are already shares from 0 to 1, shown as percentages).'),
    }).superRefine(queryBinding(['query', 'category', 'series', 'value', 'notes'])),
  )
    .default([])
    .describe('Figures, numbered in this order.'),
  tables: list(
    mapping({
      id: text,
      kind: z.enum(TABLE_KINDS, { error: `expected ${TABLE_KINDS.join(' or ')}` }).default('movement'),
      judgement: text.default('headline'),
      caption: text,
      rowHeader: text,
      columns: mapping({ improved: text.optional(), retained: text.optional(), declined: text.optional(), count: text.optional() })
        .optional()
        .describe('Column labels: improved, retained and declined for movement; count for classes.'),
      notes: textList.default([]),
      query: queryName.optional().describe('kind query: the named query (under `queries`) the table shows.'),
      rows: column.optional().describe('kind query: the column whose values head the rows.'),
      values: z.record(z.string(), text, { error: 'expected a mapping' }).optional().describe('kind query: the columns shown, in order, each with its header.'),
      percent: textList.default([]).describe('kind query: the columns (of values) that hold shares from 0 to 1, shown as whole percentages.'),
    }).superRefine(queryBinding(['query', 'rows', 'values', 'notes'])).superRefine((table, context) => {
      for (const key of TABLE_COLUMNS[table.kind]) {
        if (table.columns?.[key as keyof typeof table.columns] === undefined) {
          context.addIssue({ code: 'invalid_type', expected: 'string', path: ['columns', ...(table.columns ? [key] : [])], message: table.columns ? TEXT : 'expected a mapping' });
        }
      }
    }),
  )
    .default([])
    .describe('Tables, numbered in this order.'),
  queries: z
    .record(
      queryName,
      z.union([
        text.describe('The query, in SQL.'),
        mapping({ file: text.describe('A .sql file holding the query, relative to this file.'), description: text.optional() }),
        mapping({ sql: text.describe('The query, in SQL.'), description: text.optional() }),
      ], { error: 'expected the SQL of the query, or a mapping with sql or file' }),
      { error: 'expected a mapping of query names' },
    )
    .default({})
    .describe('Named SQL queries over the data model (docs/data-model.md). Templates read their results with (query "name" row=1 column="c"), and figures and tables of kind query show them. A query of more than one row must end with ORDER BY.'),
  roundingNote: text.default('Due to rounding, percentages might not add up to 100.'),
  allowDigits: textList.default([]).describe('Phrases whose digits are words, not data.'),
  allowClaims: textList.default([]).describe('Phrases with claim words (most, all, still …) that define something rather than claim it about the data.'),
  appliesFrom: date.optional().describe('The first as-at date the wording is true for (e.g. a framework change it describes).'),
  appliesUntil: date.optional().describe('The last as-at date the wording is true for.'),
}).meta({ title: 'statpress template set', description: 'Section templates in reading order, and the figures and tables they place.' });

/** Every kind of YAML file, with the name of its JSON Schema file under schema/. */
export const SCHEMAS = {
  release: { schema: releaseSchema, file: 'release.schema.json' },
  framework: { schema: frameworkSchema, file: 'framework.schema.json' },
  layout: { schema: layoutSchema, file: 'layout.schema.json' },
  'template-set': { schema: templateSetSchema, file: 'template-set.schema.json' },
} as const;
export type YamlKind = keyof typeof SCHEMAS;

/**
 * The JSON Schema of one kind of file, as written to schema/: it describes what may be written
 * (draft 7, which every editor's YAML support reads), with each default shown, including those zod
 * leaves out because the setting's value is converted (a number read as text).
 */
export function jsonSchemaOf(kind: YamlKind): string {
  const schema = z.toJSONSchema(SCHEMAS[kind].schema, {
    io: 'input',
    target: 'draft-7',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'default' && !('default' in jsonSchema)) jsonSchema.default = structuredClone(def.defaultValue);
    },
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
