// Deleting what no request can use any more, a bounded batch at a time: each call is one statement that
// removes at most `limit` rows, so a backlog never becomes one long transaction over Neon's HTTP API.
import { inArray, lt, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DrizzleDb } from './client.ts';
import { auditEvents, emailSignIns, oneTimeTokens, sessions } from './schema.ts';
import type { RetentionRepository } from '../ports/database.ts';

export function retentionRepository(db: DrizzleDb): RetentionRepository {
  /** Deletes at most `limit` rows of `table` matching `where`, picked by their primary key `key`. */
  const deleteSome = async (table: PgTable, key: AnyPgColumn, where: SQL | undefined, limit: number) => {
    const picked = db.select({ key }).from(table).where(where).limit(limit);
    const rows = await db.delete(table).where(inArray(key, picked)).returning({ key });
    return rows.length;
  };

  return {
    /** Sessions that expired or were revoked before `cutoff`; their refresh tokens go with them (cascade). */
    deleteEndedSessions: (cutoff: Date, limit: number): Promise<number> =>
      deleteSome(
        sessions,
        sessions.id,
        or(lt(sessions.expiresAt, cutoff), lt(sessions.revokedAt, cutoff)),
        limit,
      ),

    /** Reset and verification tokens, used or not, and email sign-ins, that expired before `cutoff`. */
    deleteExpiredOneTimeTokens: async (cutoff: Date, limit: number): Promise<number> => {
      const tokens = await deleteSome(
        oneTimeTokens,
        oneTimeTokens.tokenHash,
        lt(oneTimeTokens.expiresAt, cutoff),
        limit,
      );
      const signIns = await deleteSome(
        emailSignIns,
        emailSignIns.emailNormalized,
        lt(emailSignIns.expiresAt, cutoff),
        Math.max(0, limit - tokens),
      );
      return tokens + signIns;
    },

    /** Audit events recorded before `cutoff`. */
    deleteAuditEventsBefore: (cutoff: Date, limit: number): Promise<number> =>
      deleteSome(auditEvents, auditEvents.id, lt(auditEvents.createdAt, cutoff), limit),
  };
}
