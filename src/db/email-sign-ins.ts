import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { emailSignIns } from './schema.ts';
import type { EmailSignInRow, EmailSignInsRepository } from '../ports/database.ts';

export function emailSignInsRepository(db: DrizzleDb): EmailSignInsRepository {
  return {
    async replace(row): Promise<void> {
      await db
        .insert(emailSignIns)
        .values({ ...row, tries: 0 })
        .onConflictDoUpdate({
          target: emailSignIns.emailNormalized,
          set: {
            email: row.email,
            tokenHash: row.tokenHash,
            codeHash: row.codeHash,
            tries: 0,
            createdAt: row.createdAt,
            expiresAt: row.expiresAt,
          },
        });
    },

    async spendTry(
      emailNormalized: string,
      maxTries: number,
      now: Date,
    ): Promise<EmailSignInRow | undefined> {
      // The row lock serialises concurrent guesses: each gets its own try, and none gets a sixth.
      const [row] = await db
        .update(emailSignIns)
        .set({ tries: sql`${emailSignIns.tries} + 1` })
        .where(
          and(
            eq(emailSignIns.emailNormalized, emailNormalized),
            gt(emailSignIns.expiresAt, now),
            lt(emailSignIns.tries, maxTries),
          ),
        )
        .returning();
      return row;
    },

    async consume(
      emailNormalized: string,
      tokenHash: string,
      now: Date,
    ): Promise<EmailSignInRow | undefined> {
      const [row] = await db
        .delete(emailSignIns)
        .where(
          and(
            eq(emailSignIns.emailNormalized, emailNormalized),
            eq(emailSignIns.tokenHash, tokenHash),
            gt(emailSignIns.expiresAt, now),
          ),
        )
        .returning();
      return row;
    },

    async consumeByToken(tokenHash: string, now: Date): Promise<EmailSignInRow | undefined> {
      const [row] = await db
        .delete(emailSignIns)
        .where(and(eq(emailSignIns.tokenHash, tokenHash), gt(emailSignIns.expiresAt, now)))
        .returning();
      return row;
    },
  };
}
