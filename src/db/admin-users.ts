import { and, asc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { afterKeyset } from './keyset.ts';
import { users, type UserRow } from './schema.ts';
import type { AdminUsersRepository, UserQuery } from '../ports/database.ts';

export function adminUsersRepository(db: DrizzleDb): AdminUsersRepository {
  return {
    /** Oldest first, keyset-paginated on (created_at, id). */
    async list(query: UserQuery): Promise<UserRow[]> {
      const pattern = query.q ? `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
      const filters: (SQL | undefined)[] = [
        pattern
          ? or(ilike(users.emailNormalized, pattern), ilike(users.usernameNormalized, pattern))
          : undefined,
        afterKeyset(users, query.after, 'asc'),
      ];
      return db
        .select()
        .from(users)
        .where(and(...filters))
        .orderBy(asc(users.createdAt), asc(users.id))
        .limit(query.limit);
    },

    async setActive(id: string, active: boolean, now: Date): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ isActive: active, updatedAt: now })
        .where(eq(users.id, id))
        .returning();
      return row;
    },

    async setRoles(id: string, roles: string[], now: Date): Promise<UserRow | undefined> {
      const [row] = await db.update(users).set({ roles, updatedAt: now }).where(eq(users.id, id)).returning();
      return row;
    },

    async unlock(id: string, now: Date): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ failedLoginCount: 0, lockedUntil: null, updatedAt: now })
        .where(eq(users.id, id))
        .returning();
      return row;
    },
  };
}
