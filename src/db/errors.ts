// Classifies driver failures without ever reading their messages: drizzle's and Neon's quote the SQL and its
// parameters. Every failure leaves db/ as one of the port's two errors (ports/database.ts).
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { DatabaseError, DatabaseUnavailableError } from '../ports/database.ts';

interface PgFields {
  code?: unknown;
  constraint?: unknown;
}

/** The driver's error under drizzle's wrapper (queries are wrapped; `db.batch` throws Neon's error raw). */
function pgFields(error: unknown): PgFields | undefined {
  const cause = error instanceof DrizzleQueryError ? error.cause : error;
  return typeof cause === 'object' && cause !== null ? cause : undefined;
}

/** The unique constraint a failed INSERT/UPDATE violated, if that is why it failed. */
export function uniqueViolation(error: unknown): string | undefined {
  const fields = pgFields(error);
  return fields?.code === '23505' && typeof fields.constraint === 'string' ? fields.constraint : undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Connection (08), resources (53), operator intervention (57), serialization or deadlock (40001, 40P01), lock timeout (55P03). */
const TRANSIENT = /^(08|53|57|40001|40P01|55P03)/;

/**
 * What a failure means for the caller. Postgres reached and refusing a statement carries a SQLSTATE; the
 * transient ones (TRANSIENT) mean "try again later": nothing was written, the request can be repeated. Neon's driver reports a network failure, an HTTP answer other than 200/400
 * (Neon's proxy answers 5xx while a compute is unreachable or starting) and a malformed answer without one.
 */
export function toPortError(error: unknown): Error {
  if (error instanceof DatabaseUnavailableError || error instanceof DatabaseError) return error;
  // Not the driver's (a bug in db/ itself): left as it is, an internal error.
  const fromDriver =
    error instanceof DrizzleQueryError || (error instanceof Error && error.name === 'NeonDbError');
  if (!fromDriver) return error instanceof Error ? error : new Error('non-error thrown in db/');
  const code = pgFields(error)?.code;
  const sqlstate = typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
  if (sqlstate === undefined || TRANSIENT.test(sqlstate)) return new DatabaseUnavailableError(error);
  return new DatabaseError(sqlstate, error);
}

type Repository = Record<string, (...args: never[]) => Promise<unknown>>;

/** The same repository, every method of which fails only with a port error. */
export function guarded<T extends object>(repository: T): T {
  const source = repository as unknown as Repository;
  const wrapped: Repository = {};
  for (const [name, method] of Object.entries(source)) {
    wrapped[name] = async (...args) => {
      try {
        return await method(...args);
      } catch (error) {
        throw toPortError(error);
      }
    };
  }
  return wrapped as unknown as T;
}
