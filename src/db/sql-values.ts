// Values for INSERT ... SELECT: each encoded as its column encodes it and cast to its SQL type, so that a row
// can be inserted only when the row it depends on exists (in the same transaction, in one round trip).
import { sql, type Column, type SQL } from 'drizzle-orm';
import type { AuditEventRow } from '../ports/database.ts';
import { auditEvents } from './schema.ts';

export const value = (v: unknown, column: Column, type: string) =>
  sql`cast(${sql.param(v, column)} as ${sql.raw(type)})`;

/** The columns of an audit row as values; `detail` may be extended in SQL (e.g. with a count just updated). */
export function auditValues(event: AuditEventRow, extraDetail?: SQL) {
  const detail = value(event.detail, auditEvents.detail, 'jsonb');
  return {
    id: value(event.id, auditEvents.id, 'uuid').as('id'),
    type: value(event.type, auditEvents.type, 'text').as('type'),
    userId: value(event.userId, auditEvents.userId, 'uuid').as('user_id'),
    actorId: value(event.actorId, auditEvents.actorId, 'uuid').as('actor_id'),
    ipAddress: value(event.ipAddress, auditEvents.ipAddress, 'text').as('ip_address'),
    userAgent: value(event.userAgent, auditEvents.userAgent, 'text').as('user_agent'),
    detail: (extraDetail ? sql<Record<string, unknown>>`(${detail} || ${extraDetail})` : detail).as('detail'),
    createdAt: value(event.createdAt, auditEvents.createdAt, 'timestamptz').as('created_at'),
  };
}
