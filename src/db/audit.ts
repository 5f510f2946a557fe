import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { afterKeyset, type Keyset } from './keyset.ts';
import { auditEvents, type AuditEventRow } from './schema.ts';

export type NewAuditEvent = typeof auditEvents.$inferInsert;

export interface AuditQuery {
  userId?: string | undefined;
  type?: string | undefined;
  limit: number;
  /** The (created_at, id) of the last row of the previous page. */
  after?: Keyset | undefined;
}

export function auditRepository(db: DrizzleDb) {
  return {
    async insert(event: NewAuditEvent): Promise<void> {
      await db.insert(auditEvents).values(event);
    },

    /** Newest first, keyset-paginated on (created_at, id). */
    async list(query: AuditQuery): Promise<AuditEventRow[]> {
      const filters: (SQL | undefined)[] = [
        query.userId ? eq(auditEvents.userId, query.userId) : undefined,
        query.type ? eq(auditEvents.type, query.type) : undefined,
        afterKeyset(auditEvents, query.after, 'desc'),
      ];
      return db
        .select()
        .from(auditEvents)
        .where(and(...filters))
        .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
        .limit(query.limit);
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
