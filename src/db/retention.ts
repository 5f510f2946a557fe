// Deleting what no request can use any more, a bounded batch at a time: each call is one statement that
// removes at most `limit` rows, so a backlog never becomes one long transaction over Neon's HTTP API.
import { inArray, lt, or } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { auditEvents, oneTimeTokens, sessions } from './schema.ts';

export function retentionRepository(db: DrizzleDb) {
  return {
    /** Sessions that expired or were revoked before `cutoff`; their refresh tokens go with them (cascade). */
    async deleteEndedSessions(cutoff: Date, limit: number): Promise<number> {
      const ended = db
        .select({ id: sessions.id })
        .from(sessions)
        .where(or(lt(sessions.expiresAt, cutoff), lt(sessions.revokedAt, cutoff)))
        .limit(limit);
      const rows = await db
        .delete(sessions)
        .where(inArray(sessions.id, ended))
        .returning({ id: sessions.id });
      return rows.length;
    },

    /** Reset and verification tokens, used or not, that expired before `cutoff`. */
    async deleteExpiredOneTimeTokens(cutoff: Date, limit: number): Promise<number> {
      const expired = db
        .select({ tokenHash: oneTimeTokens.tokenHash })
        .from(oneTimeTokens)
        .where(lt(oneTimeTokens.expiresAt, cutoff))
        .limit(limit);
      const rows = await db
        .delete(oneTimeTokens)
        .where(inArray(oneTimeTokens.tokenHash, expired))
        .returning({ tokenHash: oneTimeTokens.tokenHash });
      return rows.length;
    },

    /** Audit events recorded before `cutoff`. */
    async deleteAuditEventsBefore(cutoff: Date, limit: number): Promise<number> {
      const old = db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(lt(auditEvents.createdAt, cutoff))
        .limit(limit);
      const rows = await db
        .delete(auditEvents)
        .where(inArray(auditEvents.id, old))
        .returning({ id: auditEvents.id });
      return rows.length;
    },
  };
}

export type RetentionRepository = ReturnType<typeof retentionRepository>;
