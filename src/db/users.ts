import { and, eq, isNull, or } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { uniqueViolation } from './errors.ts';
import { auditEvents, loginNameLockouts, oneTimeTokens, users, type UserRow } from './schema.ts';
import type { InsertUserResult, NewUser, UsersRepository } from '../ports/database.ts';

/**
 * The user `id`, only while active and holding `passwordHash`: what a login's proof needs to still hold when
 * it writes (the login's batch and the session insert, in sessions.ts).
 */
export const stillProvenBy = (id: string, passwordHash: string | null) =>
  and(
    eq(users.id, id),
    passwordHash === null ? isNull(users.passwordHash) : eq(users.passwordHash, passwordHash),
    eq(users.isActive, true),
  );

export function usersRepository(db: DrizzleDb): UsersRepository {
  return {
    async insert(user: NewUser, also = {}): Promise<InsertUserResult> {
      const { audit, token } = also;
      // One batch, one transaction: the account with its audit row and first token, or (taken) none of them.
      const extras = [
        ...(audit ? [db.insert(auditEvents).values(audit)] : []),
        ...(token
          ? [
              db.insert(oneTimeTokens).values({
                tokenHash: token.hash,
                userId: token.userId,
                purpose: token.purpose,
                createdAt: token.now,
                expiresAt: token.expiresAt,
              }),
            ]
          : []),
      ];
      try {
        const [rows] = await db.batch([db.insert(users).values(user).returning(), ...extras]);
        return { ok: true, user: rows[0] as UserRow };
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint === 'users_email_normalized_key') return { ok: false, taken: 'email' };
        if (constraint === 'users_username_normalized_key') return { ok: false, taken: 'username' };
        throw error;
      }
    },

    async findForLogin(normalized: string) {
      const [found, lock] = await db.batch([
        db
          .select()
          .from(users)
          .where(or(eq(users.emailNormalized, normalized), eq(users.usernameNormalized, normalized)))
          .limit(1),
        db
          .select({ lockedUntil: loginNameLockouts.lockedUntil })
          .from(loginNameLockouts)
          .where(eq(loginNameLockouts.loginName, normalized))
          .limit(1),
      ]);
      return { user: found[0], nameLockedUntil: lock[0]?.lockedUntil ?? null };
    },

    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    /**
     * Sets a new password; a reset also clears the lockout. With `replacing`, only while the account still has
     * that hash: of two changes proven with the same current password, one wins and the other finds nothing.
     */
    async setPassword(
      id: string,
      hash: string,
      now: Date,
      clearLockout: boolean,
      replacing?: string,
    ): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({
          passwordHash: hash,
          passwordChangedAt: now,
          updatedAt: now,
          ...(clearLockout ? { failedLoginCount: 0, lockedUntil: null } : {}),
        })
        .where(and(eq(users.id, id), replacing === undefined ? undefined : eq(users.passwordHash, replacing)))
        .returning();
      return row;
    },

    async setVerified(id: string, now: Date): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ isVerified: true, updatedAt: now })
        .where(eq(users.id, id))
        .returning();
      return row;
    },

    async findByEmail(normalized: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.emailNormalized, normalized)).limit(1);
      return row;
    },
  };
}
