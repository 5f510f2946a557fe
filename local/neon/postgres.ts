// The Neon stand-in's backend over a real Postgres (DATABASE_URL), through `pg` with raw text values.
import pg from 'pg';
import {
  beginStatement,
  type BatchOptions,
  type SqlBackend,
  type SqlQuery,
  type SqlResult,
} from './backend.ts';

const rawText = { getTypeParser: () => (value: string) => value };

function toResult(result: pg.QueryResult<unknown[]>): SqlResult {
  return {
    command: result.command,
    rowCount: result.rowCount ?? result.rows.length,
    fields: result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: 'text' as const,
    })),
    rows: result.rows as (string | null)[][],
  };
}

function run(client: pg.Pool | pg.PoolClient, q: SqlQuery): Promise<SqlResult> {
  // Extended protocol even without parameters, as Neon does: one statement per query, no multi-statement strings.
  // @types/pg does not know `queryMode` yet; pg itself has honoured it since 8.12.
  const config: pg.QueryArrayConfig & { queryMode: 'extended' } = {
    text: q.query,
    values: q.params,
    rowMode: 'array',
    types: rawText,
    queryMode: 'extended',
  };
  return client.query<unknown[]>(config).then(toResult);
}

export function createPostgresBackend(connectionString: string): SqlBackend {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client that loses its connection emits 'error'; without a listener Node would crash the stand-in.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    query: (q) => run(pool, q),
    async batch(queries: SqlQuery[], options: BatchOptions) {
      const client = await pool.connect();
      // A backend terminated while this client is checked out (pg_terminate_backend, Postgres stopping)
      // emits 'error' on the client; without a listener Node would crash the whole stand-in. The pending
      // query rejects with the same error, which is what the caller sees.
      const ignore = () => {};
      client.on('error', ignore);
      let brokenConnection = false;
      try {
        await client.query(beginStatement(options));
        const results: SqlResult[] = [];
        for (const q of queries) results.push(await run(client, q));
        await client.query('COMMIT');
        return results;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          brokenConnection = true;
        });
        throw error;
      } finally {
        client.off('error', ignore);
        // A client whose connection broke is dropped, not handed to the next batch.
        client.release(brokenConnection ? true : undefined);
      }
    },
    close: () => pool.end(),
  };
}
