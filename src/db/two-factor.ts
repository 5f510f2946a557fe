import { and, eq, isNull } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { backupCodes, users, type UserRow } from './schema.ts';
import type { TwoFactorRepository } from '../ports/database.ts';

export function twoFactorRepository(db: DrizzleDb): TwoFactorRepository {
  const replaceCodes = (userId: string, hashes: string[], now: Date) => [
    db.delete(backupCodes).where(eq(backupCodes.userId, userId)),
    db.insert(backupCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: now }))),
  ];

  return {
    /** Enrolment: a new (sealed) secret and new backup codes; 2FA stays off until verified. */
    async begin(userId: string, sealedSecret: string, codeHashes: string[], now: Date): Promise<void> {
      await db.batch([
        db
          .update(users)
          .set({ twoFactorSecret: sealedSecret, twoFactorEnabled: false, updatedAt: now })
          .where(eq(users.id, userId)),
        ...replaceCodes(userId, codeHashes, now),
      ]);
    },

    async enable(userId: string, now: Date): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ twoFactorEnabled: true, twoFactorEnabledAt: now, updatedAt: now })
        .where(and(eq(users.id, userId), eq(users.twoFactorEnabled, false)))
        .returning();
      return row;
    },

    async disable(userId: string, now: Date): Promise<void> {
      await db.batch([
        db
          .update(users)
          .set({ twoFactorSecret: null, twoFactorEnabled: false, twoFactorEnabledAt: null, updatedAt: now })
          .where(eq(users.id, userId)),
        db.delete(backupCodes).where(eq(backupCodes.userId, userId)),
      ]);
    },

    async replaceBackupCodes(userId: string, codeHashes: string[], now: Date): Promise<void> {
      const [remove, insert] = replaceCodes(userId, codeHashes, now);
      await db.batch([remove!, insert!] as const);
    },

    /** Uses a backup code up in ONE conditional UPDATE: among concurrent uses exactly one succeeds. */
    async consumeBackupCode(userId: string, codeHash: string, now: Date) {
      const code = and(eq(backupCodes.userId, userId), eq(backupCodes.codeHash, codeHash));
      const rows = await db
        .update(backupCodes)
        .set({ usedAt: now })
        .where(and(code, isNull(backupCodes.usedAt)))
        .returning({ userId: backupCodes.userId });
      if (rows.length > 0) return 'consumed';
      // Only on the failure path: a spent code is no guess, an unknown one is.
      const [spent] = await db.select({ userId: backupCodes.userId }).from(backupCodes).where(code).limit(1);
      return spent ? 'used' : 'unknown';
    },
  };
}
