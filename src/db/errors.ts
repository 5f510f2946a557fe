// Classifies driver failures without ever reading their messages: drizzle's carry the SQL and its parameters.
import { DrizzleQueryError } from 'drizzle-orm/errors';

interface PgFields {
  code?: unknown;
  constraint?: unknown;
}

function pgFields(error: unknown): PgFields | undefined {
  const cause = error instanceof DrizzleQueryError ? error.cause : error;
  return typeof cause === 'object' && cause !== null ? (cause as PgFields) : undefined;
}

/** The unique constraint a failed INSERT/UPDATE violated, if that is why it failed. */
export function uniqueViolation(error: unknown): string | undefined {
  const fields = pgFields(error);
  return fields?.code === '23505' && typeof fields.constraint === 'string' ? fields.constraint : undefined;
}

/** The SQLSTATE of a database error, for logs; undefined when the database was not reached. */
export function sqlState(error: unknown): string | undefined {
  const code = pgFields(error)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDatabaseError(error: unknown): boolean {
  return error instanceof DrizzleQueryError;
}

/** True when the database could not be reached or is shutting down: the caller should answer 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof DrizzleQueryError)) return false;
  const code = sqlState(error);
  return code === undefined || /^(08|53|57)/.test(code);
}
