import { and, eq, gt, isNull } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { oneTimeTokens } from './schema.ts';
import type { OneTimePurpose, OneTimeTokensRepository } from '../ports/database.ts';

export function oneTimeTokensRepository(db: DrizzleDb): OneTimeTokensRepository {
  const usable = (hash: string, purpose: OneTimePurpose, now: Date) =>
    and(
      eq(oneTimeTokens.tokenHash, hash),
      eq(oneTimeTokens.purpose, purpose),
      isNull(oneTimeTokens.usedAt),
      gt(oneTimeTokens.expiresAt, now),
    );

  return {
    async create(token: {
      hash: string;
      userId: string;
      purpose: OneTimePurpose;
      now: Date;
      expiresAt: Date;
    }) {
      await db.insert(oneTimeTokens).values({
        tokenHash: token.hash,
        userId: token.userId,
        purpose: token.purpose,
        createdAt: token.now,
        expiresAt: token.expiresAt,
      });
    },

    /** The owner of a usable token, without using it up. */
    async peek(hash: string, purpose: OneTimePurpose, now: Date): Promise<string | undefined> {
      const [row] = await db
        .select({ userId: oneTimeTokens.userId })
        .from(oneTimeTokens)
        .where(usable(hash, purpose, now))
        .limit(1);
      return row?.userId;
    },

    /** Uses a token up in ONE conditional statement: among concurrent attempts exactly one gets the owner. */
    async consume(hash: string, purpose: OneTimePurpose, now: Date): Promise<string | undefined> {
      const [row] = await db
        .update(oneTimeTokens)
        .set({ usedAt: now })
        .where(usable(hash, purpose, now))
        .returning({ userId: oneTimeTokens.userId });
      return row?.userId;
    },

    /** Retires every other unused token of that purpose (a reset makes older reset links useless). */
    async retireAll(userId: string, purpose: OneTimePurpose, now: Date): Promise<void> {
      await db
        .update(oneTimeTokens)
        .set({ usedAt: now })
        .where(
          and(
            eq(oneTimeTokens.userId, userId),
            eq(oneTimeTokens.purpose, purpose),
            isNull(oneTimeTokens.usedAt),
          ),
        );
    },
  };
}
