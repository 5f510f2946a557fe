// Failed-login counters: on the account when the login name belongs to one, else on the normalised name, so
// that a lock reveals nothing. Each failure is ONE statement, so concurrent failures all count.
import { eq, sql } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { loginNameLockouts, users } from './schema.ts';
import type { FailureResult, LockoutPolicy, LockoutsRepository } from '../ports/database.ts';

export function lockoutsRepository(db: DrizzleDb): LockoutsRepository {
  return {
    async nameLockedUntil(loginName: string): Promise<Date | null> {
      const [row] = await db
        .select({ lockedUntil: loginNameLockouts.lockedUntil })
        .from(loginNameLockouts)
        .where(eq(loginNameLockouts.loginName, loginName))
        .limit(1);
      return row?.lockedUntil ?? null;
    },

    async recordAccountFailure(userId: string, now: Date, policy: LockoutPolicy): Promise<FailureResult> {
      const lockUntil = new Date(now.getTime() + policy.minutes * 60_000);
      // An expired lock starts a fresh count.
      const expired = sql`(${users.lockedUntil} IS NOT NULL AND ${users.lockedUntil} <= ${now}::timestamptz)`;
      const next = sql`(CASE WHEN ${expired} THEN 1 ELSE ${users.failedLoginCount} + 1 END)`;
      const [row] = await db
        .update(users)
        .set({
          failedLoginCount: sql`${next}`,
          lockedUntil: sql`CASE WHEN ${next} >= ${policy.threshold} THEN ${lockUntil}::timestamptz WHEN ${expired} THEN NULL ELSE ${users.lockedUntil} END`,
        })
        .where(eq(users.id, userId))
        .returning({ count: users.failedLoginCount, lockedUntil: users.lockedUntil });
      return row ?? { count: 0, lockedUntil: null };
    },

    async recordNameFailure(loginName: string, now: Date, policy: LockoutPolicy): Promise<FailureResult> {
      const lockUntil = new Date(now.getTime() + policy.minutes * 60_000);
      const t = loginNameLockouts;
      const expired = sql`(${t.lockedUntil} IS NOT NULL AND ${t.lockedUntil} <= ${now}::timestamptz)`;
      const next = sql`(CASE WHEN ${expired} THEN 1 ELSE ${t.failedCount} + 1 END)`;
      const [row] = await db
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
        .returning({ count: t.failedCount, lockedUntil: t.lockedUntil });
      return row ?? { count: 0, lockedUntil: null };
    },
  };
}
