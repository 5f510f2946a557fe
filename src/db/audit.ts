import type { DrizzleDb } from './client.ts';
import { auditEvents } from './schema.ts';

export type NewAuditEvent = typeof auditEvents.$inferInsert;

export function auditRepository(db: DrizzleDb) {
  return {
    async insert(event: NewAuditEvent): Promise<void> {
      await db.insert(auditEvents).values(event);
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
