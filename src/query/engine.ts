/**
 * DuckDB, in process, behind a synchronous door.
 *
 * The pipeline's stages are synchronous functions (narration, the gates, the preview's rebuilds),
 * but every call of @duckdb/node-api returns a promise. So DuckDB runs in a worker thread, and
 * each call here posts a request to it and waits on a shared flag (`Atomics.wait`) until the
 * worker has answered, then takes the answer off its port (`receiveMessageOnPort`): the same
 * technique as the `synckit` package. The worker starts (and loads DuckDB's library, most of the
 * start-up cost) as soon as `QueryEngine.start` is called, so the pipeline starts it before it
 * loads the data and the two overlap.
 *
 * One worker serves the process; each `QueryEngine` is a database of its own in it (an in-memory
 * DuckDB instance), so two pipelines never see each other's tables.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker.js';

/** A column of a result: its name and DuckDB's name of its type (`BIGINT`, `VARCHAR`, `DATE` …). */
export interface ResultColumn {
  name: string;
  type: string;
}

/**
 * A query's answer. Values are plain: numbers (whole-number types as numbers), strings, booleans,
 * dates as `YYYY-MM-DD`, null.
 */
export interface QueryResult {
  columns: ResultColumn[];
  rows: unknown[][];
}

/** Rows to add to a table, in its column order, with each column's SQL type. */
export interface TableRows {
  table: string;
  types: string[];
  rows: unknown[][];
}

/** DuckDB refused a statement: its own message, and where in the statement, when it says. */
export class SqlError extends Error {
  constructor(
    message: string,
    /** 1-based line and column in the statement's text. */
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

type Reply = { ok: true; value: unknown } | { ok: false; message: string };

let shared: { worker: Worker; flag: Int32Array } | undefined;

function worker(): { worker: Worker; flag: Int32Array } {
  if (shared) return shared;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const api = createRequire(import.meta.url).resolve('@duckdb/node-api');
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { api, flag: flag.buffer } });
  // The worker never keeps the process alive: a command ends when its work is done.
  w.unref();
  w.on('error', () => {
    shared = undefined;
  });
  shared = { worker: w, flag };
  return shared;
}

/** Sends one request to the worker and waits for its answer. */
function call(request: Record<string, unknown>): unknown {
  const { worker: w, flag } = worker();
  const { port1, port2 } = new MessageChannel();
  Atomics.store(flag, 0, 0);
  w.postMessage({ ...request, port: port2 }, [port2]);
  // A minute is far beyond any query a release runs; a worker that died never answers.
  if (Atomics.wait(flag, 0, 0, 60_000) === 'timed-out') throw new Error('DuckDB did not answer within a minute');
  const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
  port1.close();
  if (!reply) throw new Error('DuckDB answered nothing');
  if (!reply.ok) throw new SqlError(reply.message);
  return reply.value;
}

/** One in-memory DuckDB database. */
export class QueryEngine {
  private constructor(private readonly id: number) {}

  /** Opens a database (starting the worker and loading DuckDB the first time). */
  static start(): QueryEngine {
    return new QueryEngine(call({ op: 'open' }) as number);
  }

  /** Starts the worker, if it has not started, without waiting for it. */
  static warm(): void {
    worker();
  }

  /** DuckDB's version. */
  static version(): string {
    return call({ op: 'version' }) as string;
  }

  /** Runs statements that return nothing (CREATE, SET …), in order. */
  execute(statements: string[]): void {
    call({ op: 'execute', id: this.id, statements });
  }

  /** Adds rows to tables through DuckDB's appender. */
  append(tables: TableRows[]): void {
    call({ op: 'append', id: this.id, tables });
  }

  /**
   * Runs one query. `params` are bound to the `$name` parameters the query uses (dates as
   * `YYYY-MM-DD`, bound as DATE); a parameter the query does not use is not passed.
   */
  query(sql: string, params: Record<string, string> = {}): QueryResult {
    const used = Object.fromEntries(Object.entries(params).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql)));
    try {
      return call({ op: 'query', id: this.id, sql, params: used }) as QueryResult;
    } catch (error) {
      if (error instanceof SqlError) throw locateSqlError(error.message, sql);
      throw error;
    }
  }

  close(): void {
    call({ op: 'close', id: this.id });
  }
}

/**
 * Where in the statement DuckDB's message points: it quotes the line (`LINE 2: …`, shortened
 * with `...` around a long one) and puts a caret under the place on the next line.
 */
export function locateSqlError(message: string, sql: string): SqlError {
  const match = /\n\s*LINE (\d+): (.*)\n( *)\^/.exec(message);
  const text = message.replace(/\n+\s*LINE \d+:[\s\S]*$/, '').trim();
  if (!match) return new SqlError(text);
  const line = Number(match[1]);
  const prefix = `LINE ${match[1]}: `.length;
  let quoted = match[2]!;
  let caret = match[3]!.length - prefix;
  if (quoted.startsWith('...')) {
    quoted = quoted.slice(3);
    caret -= 3;
  }
  if (quoted.endsWith('...')) quoted = quoted.slice(0, -3);
  const source = sql.split('\n')[line - 1] ?? '';
  const start = source.indexOf(quoted);
  return new SqlError(text, line, (start >= 0 ? start : 0) + caret + 1);
}
