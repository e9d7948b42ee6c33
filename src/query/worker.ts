/**
 * The worker thread that runs DuckDB for `engine.ts`, as JavaScript source: a worker runs a file
 * or a string of plain JavaScript, and this module is TypeScript both under tsc and under the
 * tests, so the worker's code is kept here as text. It answers each request on the port that came
 * with it, then raises the shared flag the caller waits on.
 *
 * Values leave as plain data: whole numbers (BIGINT, HUGEINT) as numbers, DATE as YYYY-MM-DD,
 * TIMESTAMP as ISO text, DECIMAL as a number.
 */
export const WORKER_SOURCE = String.raw`
const { workerData, parentPort } = require('node:worker_threads');
const api = require(workerData.api);
const flag = new Int32Array(workerData.flag);
const databases = new Map();
let next = 1;

function plain(value, type) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error('a whole number too large to read exactly: ' + value);
    return n;
  }
  if (value instanceof Date) return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => plain(v, ''));
  if (typeof value === 'object') return JSON.parse(JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  return value;
}

async function handle(request) {
  switch (request.op) {
    case 'version':
      return api.version();
    case 'open': {
      const instance = await api.DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await instance.connect();
      const id = next++;
      databases.set(id, { instance, connection });
      return id;
    }
    case 'close': {
      const db = databases.get(request.id);
      databases.delete(request.id);
      if (db) { db.connection.closeSync(); db.instance.closeSync(); }
      return null;
    }
  }
  const db = databases.get(request.id);
  if (!db) throw new Error('no such database');
  const { connection } = db;
  switch (request.op) {
    case 'execute':
      for (const sql of request.statements) await connection.run(sql);
      return null;
    case 'append':
      for (const { table, types, rows } of request.tables) {
        const appender = await connection.createAppender(table);
        for (const row of rows) {
          row.forEach((value, i) => {
            const type = types[i];
            if (value === null || value === undefined) appender.appendNull();
            else if (type === 'INTEGER') appender.appendInteger(value);
            else if (type === 'BOOLEAN') appender.appendBoolean(value);
            else if (type === 'DOUBLE') appender.appendDouble(value);
            else appender.appendVarchar(String(value));
          });
          appender.endRow();
        }
        appender.closeSync();
      }
      return null;
    case 'query': {
      const names = Object.keys(request.params);
      const types = Object.fromEntries(names.map((name) => [name, api.DATE]));
      const values = Object.fromEntries(names.map((name) => {
        const [year, month, day] = request.params[name].split('-').map(Number);
        return [name, api.dateValue({ year, month, day })];
      }));
      const reader = names.length > 0
        ? await connection.runAndReadAll(request.sql, values, types)
        : await connection.runAndReadAll(request.sql);
      const columnTypes = reader.columnTypes().map(String);
      const columns = reader.columnNames().map((name, i) => ({ name, type: columnTypes[i] }));
      const rows = reader.getRowsJS().map((row) => row.map((value, i) => plain(value, columnTypes[i])));
      return { columns, rows };
    }
  }
  throw new Error('unknown request ' + request.op);
}

parentPort.on('message', (request) => {
  const answer = (reply) => {
    request.port.postMessage(reply);
    request.port.close();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  handle(request).then(
    (value) => answer({ ok: true, value }),
    (error) => answer({ ok: false, message: String(error && error.message ? error.message : error) }),
  );
});
`;
