/**
 * query: Dataset + framework + period → a DuckDB database of the data model (`model.ts`), and the
 * template set's named queries run over it. The rows come from the loaded dataset, never from the
 * files again, so every row in the database passed the loader's located checks.
 */
import { StatpressError } from '../core/errors.js';
import { QueryEngine, SqlError, type QueryResult } from './engine.js';
import { DATA_MODEL, dataModelStatements, queryParameters, type ModelInput } from './model.js';

/** A named query of a template set, with where it is written (for messages). */
export interface NamedQuery {
  /** Empty for a query typed on the command line. */
  name: string;
  sql: string;
  /** The file it is written in (`template-set.yaml` or its `.sql` file); empty on the command line. */
  file: string;
  /** Line of the file the query's first line is on, where known. */
  line?: number;
}

/** The results of a template set's named queries, by name. */
export type QueryResults = Map<string, QueryResult>;

/** A database holding the release's data model. `engine` opens the database when given none. */
export function openDataModel(input: ModelInput, engine: QueryEngine = QueryEngine.start()): QueryEngine {
  engine.execute(dataModelStatements('tables'));
  engine.append(
    DATA_MODEL.flatMap((r) => (r.kind === 'table' ? [{ table: r.name, types: r.columns.map((c) => c.type), rows: r.rows(input) }] : [])),
  );
  // Views last: some are worked out from the filled tables once, here.
  engine.execute(dataModelStatements('views'));
  return engine;
}

/**
 * Runs one query of the user's (a named query, or `statpress query`): a SQL error becomes a
 * located error naming the query, the line and column in it, and DuckDB's message.
 */
export function runQuery(engine: QueryEngine, query: NamedQuery, params: Record<string, string>): QueryResult {
  try {
    return engine.query(query.sql, params);
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    const at = error.line !== undefined ? `line ${error.line}, column ${error.col}` : '';
    const fileLine = error.line !== undefined && query.line !== undefined ? { line: query.line + error.line - 1, col: error.col! } : {};
    const what = query.name ? [`query "${query.name}"`, at] : [at && `the query's ${at}`];
    const where = what.filter(Boolean).join(', ');
    throw new StatpressError('query', `${where ? `${where}: ` : ''}${error.message}`, { ...(query.file ? { file: query.file } : {}), ...fileLine });
  }
}

/** Runs every named query, checking that each answers in a defined order. */
export function runNamedQueries(engine: QueryEngine, queries: NamedQuery[], input: Pick<ModelInput, 'period'>): QueryResults {
  const params = queryParameters(input.period);
  const results: QueryResults = new Map();
  for (const query of queries) {
    const result = runQuery(engine, query, params);
    if (result.rows.length > 1 && !hasTopLevelOrderBy(query.sql)) {
      throw new StatpressError(
        'query',
        `query "${query.name}" gives ${result.rows.length} rows but has no ORDER BY at its top level, so their order could change from one run to the next`,
        { file: query.file, ...(query.line !== undefined ? { line: query.line } : {}) },
        'end the query with ORDER BY on columns that tell every row apart',
      );
    }
    results.set(query.name, result);
  }
  return results;
}

/**
 * Whether a statement ends with its own ORDER BY: one outside every bracket (a window's
 * ORDER BY, or a subquery's, sits inside one), strings and comments.
 */
export function hasTopLevelOrderBy(sql: string): boolean {
  let depth = 0;
  let outer = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
      outer += ' ';
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      outer += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      outer += ' ';
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0) outer += c;
  }
  return /\border\s+by\b/i.test(outer);
}
