// The Neon stand-in's backend over embedded PGlite (Postgres compiled to WASM), persisted in a directory.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite, types, type Results } from '@electric-sql/pglite';
import {
  beginStatement,
  commandOf,
  type BatchOptions,
  type SqlBackend,
  type SqlQuery,
  type SqlResult,
} from './backend.ts';

// Neon sends parameters as text and returns text: PGlite must neither parse results nor re-serialise params
// (its default serialisers would JSON-encode a JSON param a second time). PGlite merges `parsers` into its
// defaults with a spread, so every type it knows needs an explicit identity entry; serialisers are looked up
// key by key, so a proxy covers them all.
const identity = (value: unknown) => value;
function rawOptions(db: PGlite) {
  const oids = new Set([...Object.keys(types.parsers), ...Object.keys(db.parsers)]);
  return {
    rowMode: 'array' as const,
    parsers: Object.fromEntries([...oids].map((oid) => [oid, identity])),
    serializers: new Proxy({}, { get: () => identity }),
  };
}

function toResult(sql: string, result: Results<unknown[]>): SqlResult {
  return {
    command: commandOf(sql),
    rowCount: result.affectedRows ?? result.rows.length,
    fields: result.fields.map((f, i) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: 0,
      columnID: i + 1,
      dataTypeSize: -1,
      dataTypeModifier: -1,
      format: 'text' as const,
    })),
    rows: result.rows as (string | null)[][],
  };
}

export async function createPgliteBackend(dataDir: string | undefined): Promise<SqlBackend> {
  if (dataDir) mkdirSync(dirname(dataDir), { recursive: true });
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const options = rawOptions(db);
  const run = async (q: SqlQuery, on: Pick<PGlite, 'query'> = db) =>
    toResult(q.query, await on.query<unknown[]>(q.query, q.params, options));
  return {
    name: 'pglite',
    query: (q) => run(q),
    batch: (queries: SqlQuery[], options: BatchOptions) =>
      db.transaction(async (tx) => {
        // PGlite opened the transaction with a plain BEGIN; the mode must be set before the first query.
        await tx.exec(beginStatement(options).replace(/^BEGIN/, 'SET TRANSACTION'));
        const results: SqlResult[] = [];
        for (const q of queries) results.push(await run(q, tx));
        return results;
      }),
    close: () => db.close(),
  };
}
