import { and, eq, or } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { uniqueViolation } from './errors.ts';
import { users, type UserRow } from './schema.ts';
import type { InsertUserResult, NewUser, UsersRepository } from '../ports/database.ts';

/**
 * The user `id`, only while active and holding `passwordHash`: what a login's proof needs to still hold when
 * it writes (recordLogin here, the session insert in sessions.ts).
 */
export const stillProvenBy = (id: string, passwordHash: string) =>
  and(eq(users.id, id), eq(users.passwordHash, passwordHash), eq(users.isActive, true));

export function usersRepository(db: DrizzleDb): UsersRepository {
  return {
    async insert(user: NewUser): Promise<InsertUserResult> {
      try {
        const [row] = await db.insert(users).values(user).returning();
        return { ok: true, user: row as UserRow };
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint === 'users_email_normalized_key') return { ok: false, taken: 'email' };
        if (constraint === 'users_username_normalized_key') return { ok: false, taken: 'username' };
        throw error;
      }
    },

    /** A login name is an email or a username; both are compared in their normalised form. */
    async findByLoginName(normalized: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(or(eq(users.emailNormalized, normalized), eq(users.usernameNormalized, normalized)))
        .limit(1);
      return row;
    },

    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    /**
     * A completed login: clears the failure count and stores a rehash of an outdated hash. Only while the
     * account is active and still has the hash the login verified: a password change, reset or deactivation
     * that got in between wins, and the login is refused (undefined).
     */
    async recordLogin(
      id: string,
      at: Date,
      verified: { passwordHash: string; rehash?: string | undefined },
    ): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({
          lastLoginAt: at,
          failedLoginCount: 0,
          lockedUntil: null,
          updatedAt: at,
          ...(verified.rehash ? { passwordHash: verified.rehash } : {}),
        })
        .where(stillProvenBy(id, verified.passwordHash))
        .returning();
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
