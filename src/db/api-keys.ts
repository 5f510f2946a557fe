import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { apiKeys, users, type ApiKeyRow, type UserRow } from './schema.ts';
import type { ApiKeysRepository, NewApiKey } from '../ports/database.ts';

export function apiKeysRepository(db: DrizzleDb): ApiKeysRepository {
  const own = (id: string, userId: string) =>
    and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt));

  return {
    async insert(key: NewApiKey): Promise<ApiKeyRow> {
      const [row] = await db.insert(apiKeys).values(key).returning();
      return row as ApiKeyRow;
    },

    async listForUser(userId: string): Promise<ApiKeyRow[]> {
      return db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
        .orderBy(desc(apiKeys.createdAt));
    },

    /** The key with this hash and its owner; revoked keys are never found. */
    async findByHash(keyHash: string): Promise<{ key: ApiKeyRow; user: UserRow } | undefined> {
      const [row] = await db
        .select({ key: apiKeys, user: users })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt), eq(apiKeys.isActive, true)))
        .limit(1);
      return row;
    },

    /** Revokes a key of this user; false for an unknown key or another user's (the caller answers 404). */
    async revoke(id: string, userId: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: now, isActive: false })
        .where(own(id, userId))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },

    /**
     * Replaces the key's secret in place: the old text stops matching at once. An expired key is not
     * rotated: its new secret would be refused from the start.
     */
    async rotate(
      id: string,
      userId: string,
      secret: { keyHash: string; keyPrefix: string },
      now: Date,
    ): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .update(apiKeys)
        .set(secret)
        .where(and(own(id, userId), gt(apiKeys.expiresAt, now)))
        .returning();
      return row;
    },

    async recordUse(id: string, at: Date, ip: string | null): Promise<void> {
      await db
        .update(apiKeys)
        .set({ usageCount: sql`${apiKeys.usageCount} + 1`, lastUsedAt: at, lastUsedIp: ip })
        .where(eq(apiKeys.id, id));
    },
  };
}
