// Failed-login counters: on the account when the login name belongs to one, else on the normalised name, so
// that a lock reveals nothing. Each failure is ONE statement, so concurrent failures all count.
import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DrizzleDb } from './client.ts';
import { auditEvents, loginNameLockouts, users } from './schema.ts';
import { auditValues } from './sql-values.ts';
import type { FailureAudit, FailureResult, LockoutsRepository } from '../ports/database.ts';

/** An instant as `Date.prototype.toISOString` writes it, in SQL. */
const iso = (column: SQL | AnyPgColumn) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function lockoutsRepository(db: DrizzleDb): LockoutsRepository {
  /**
   * The failure's audit rows, selected from the counter row just updated (same transaction): `failed` with the
   * count, and `locked` only when this failure is the one that reached the threshold and set the lock.
   */
  const auditFailure = (
    audit: FailureAudit,
    table: typeof users | typeof loginNameLockouts,
    where: SQL,
    count: AnyPgColumn,
    lockedUntil: AnyPgColumn,
    threshold: number,
  ) =>
    [
      db.insert(auditEvents).select(
        db
          .select(auditValues(audit.failed, sql`jsonb_build_object('failures', ${count})`))
          .from(table)
          .where(where),
      ),
      db.insert(auditEvents).select(
        db
          .select(auditValues(audit.locked, sql`jsonb_build_object('locked_until', ${iso(lockedUntil)})`))
          .from(table)
          .where(and(where, eq(count, threshold), isNotNull(lockedUntil))),
      ),
    ] as const;

  return {
    async recordAccountFailure(userId, now, policy, audit): Promise<FailureResult> {
      const lockUntil = new Date(now.getTime() + policy.minutes * 60_000);
      // An expired lock starts a fresh count.
      const expired = sql`(${users.lockedUntil} IS NOT NULL AND ${users.lockedUntil} <= ${now}::timestamptz)`;
      const next = sql`(CASE WHEN ${expired} THEN 1 ELSE ${users.failedLoginCount} + 1 END)`;
      const [rows] = await db.batch([
        db
          .update(users)
          .set({
            failedLoginCount: sql`${next}`,
            lockedUntil: sql`CASE WHEN ${next} >= ${policy.threshold} THEN ${lockUntil}::timestamptz WHEN ${expired} THEN NULL ELSE ${users.lockedUntil} END`,
          })
          .where(eq(users.id, userId))
          .returning({ count: users.failedLoginCount, lockedUntil: users.lockedUntil }),
        ...auditFailure(
          audit,
          users,
          eq(users.id, userId),
          users.failedLoginCount,
          users.lockedUntil,
          policy.threshold,
        ),
      ]);
      return rows[0] ?? { count: 0, lockedUntil: null };
    },

    async recordNameFailure(loginName, now, policy, audit): Promise<FailureResult> {
      const lockUntil = new Date(now.getTime() + policy.minutes * 60_000);
      const t = loginNameLockouts;
      const expired = sql`(${t.lockedUntil} IS NOT NULL AND ${t.lockedUntil} <= ${now}::timestamptz)`;
      const next = sql`(CASE WHEN ${expired} THEN 1 ELSE ${t.failedCount} + 1 END)`;
      const [rows] = await db.batch([
        db
          .insert(t)
          .values({
            loginName,
            failedCount: 1,
            lockedUntil: policy.threshold <= 1 ? lockUntil : null,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: t.loginName,
            set: {
              failedCount: sql`${next}`,
              lockedUntil: sql`CASE WHEN ${next} >= ${policy.threshold} THEN ${lockUntil}::timestamptz WHEN ${expired} THEN NULL ELSE ${t.lockedUntil} END`,
              updatedAt: now,
            },
          })
          .returning({ count: t.failedCount, lockedUntil: t.lockedUntil }),
        ...auditFailure(audit, t, eq(t.loginName, loginName), t.failedCount, t.lockedUntil, policy.threshold),
      ]);
      return rows[0] ?? { count: 0, lockedUntil: null };
    },
  };
}
