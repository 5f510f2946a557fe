import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { afterKeyset } from './keyset.ts';
import { auditEvents, type AuditEventRow } from './schema.ts';
import type { AuditEventRow as NewAuditEvent, AuditQuery, AuditRepository } from '../ports/database.ts';

export function auditRepository(db: DrizzleDb): AuditRepository {
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
