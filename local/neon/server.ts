// A loopback endpoint that speaks Neon's HTTP SQL API (what @neondatabase/serverless posts to
// `neonConfig.fetchEndpoint`) over a real Postgres or embedded PGlite.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readBody, sendJson, type Listening } from '../http.ts';
import type { BatchOptions, IsolationLevel, SqlBackend, SqlQuery } from './backend.ts';
import { createPgliteBackend } from './pglite.ts';
import { createPostgresBackend } from './postgres.ts';

// The fields of a Postgres error that the driver copies onto its NeonDbError (code 23505, constraint, ...).
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;
const ISOLATION_LEVELS: IsolationLevel[] = [
  'ReadUncommitted',
  'ReadCommitted',
  'RepeatableRead',
  'Serializable',
];

export interface NeonStandIn extends Listening {
  backend: SqlBackend['name'];
  /** Statements served since start; the benchmarks count round trips with it. */
  requests(): number;
}

export interface NeonStandInOptions {
  /** A real Postgres; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; in memory when absent. */
  dataDir?: string | undefined;
  port?: number;
}

function parseQuery(value: unknown): SqlQuery {
  const q = value as { query?: unknown; params?: unknown };
  if (typeof q?.query !== 'string') throw new BadRequest('query must be a string');
  const params = q.params ?? [];
  if (!Array.isArray(params) || !params.every((p) => p === null || typeof p === 'string')) {
    throw new BadRequest('params must be an array of strings or nulls');
  }
  return { query: q.query, params };
}

function batchOptions(req: IncomingMessage): BatchOptions {
  const level = req.headers['neon-batch-isolation-level'];
  if (level !== undefined && !ISOLATION_LEVELS.includes(level as IsolationLevel)) {
    throw new BadRequest(`unknown isolation level ${String(level)}`);
  }
  return {
    isolationLevel: level as IsolationLevel | undefined,
    readOnly: req.headers['neon-batch-read-only'] === 'true',
    deferrable: req.headers['neon-batch-deferrable'] === 'true',
  };
}

class BadRequest extends Error {}

/** A Postgres error, which Neon answers with HTTP 400 and its fields; only such errors carry a SQLSTATE. */
function databaseError(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const fields: Record<string, unknown> = { message: error.message };
  for (const key of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

export async function startNeonStandIn(options: NeonStandInOptions = {}): Promise<NeonStandIn> {
  const backend = options.databaseUrl
    ? createPostgresBackend(options.databaseUrl)
    : await createPgliteBackend(options.dataDir);
  let served = 0;
  // HTTP requests (round trips) per connection-string user: tests count a flow's trips under a user of its own.
  const trips = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // Not part of Neon's API: lets tests inside workerd count the round trips of one flow.
    if (req.method === 'GET' && req.url?.startsWith('/__stand-in/requests')) {
      const user = new URL(req.url, 'http://stand-in').searchParams.get('user') ?? '';
      return sendJson(res, 200, { requests: trips.get(user) ?? 0 });
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/sql'))
      return sendJson(res, 404, { message: 'not found' });
    const connection = req.headers['neon-connection-string'];
    if (typeof connection !== 'string') {
      return sendJson(res, 400, { message: 'missing Neon-Connection-String header' });
    }
    const user = URL.canParse(connection) ? decodeURIComponent(new URL(connection).username) : '';
    trips.set(user, (trips.get(user) ?? 0) + 1);
    try {
      const body = JSON.parse(await readBody(req)) as { queries?: unknown };
      if (Array.isArray(body.queries)) {
        const queries = body.queries.map(parseQuery);
        served += queries.length;
        return sendJson(res, 200, { results: await backend.batch(queries, batchOptions(req)) });
      }
      served += 1;
      return sendJson(res, 200, await backend.query(parseQuery(body)));
    } catch (error) {
      const fields = databaseError(error);
      if (fields) return sendJson(res, 400, fields);
      if (error instanceof BadRequest || error instanceof SyntaxError) {
        return sendJson(res, 400, { message: error.message });
      }
      // The database could not be reached (refused, reset, PGlite closed): Neon's proxy answers a failure to
      // connect to the compute with HTTP 500 and a message, no SQLSTATE (proxy/src/serverless/sql_over_http.rs,
      // ConnectCompute -> INTERNAL_SERVER_ERROR), which the driver reports as "Server error (HTTP status 500)".
      return sendJson(res, 500, { message: "Couldn't connect to compute node" });
    }
  }

  const listening = await listen(handle, options.port);
  return {
    ...listening,
    backend: backend.name,
    requests: () => served,
    async close() {
      await listening.close();
      await backend.close();
    },
  };
}
