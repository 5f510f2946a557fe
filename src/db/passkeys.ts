import { and, asc, eq, exists, isNotNull, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DrizzleDb } from './client.ts';
import { uniqueViolation } from './errors.ts';
import { auditEvents, passkeys, sessions, users, type PasskeyRow, type UserRow } from './schema.ts';
import { sessionInserts } from './sessions.ts';
import { auditValues } from './sql-values.ts';
import type {
  AuditEventRow,
  NewPasskey,
  PasskeyLoginWrite,
  PasskeysRepository,
  RemovePasskeyResult,
} from '../ports/database.ts';

export function passkeysRepository(db: DrizzleDb): PasskeysRepository {
  const own = (id: string, userId: string) => and(eq(passkeys.id, id), eq(passkeys.userId, userId));
  const { insertSession, insertFirstToken } = sessionInserts(db);

  return {
    async insert(passkey: NewPasskey, audit: AuditEventRow): Promise<PasskeyRow | 'exists'> {
      try {
        const [inserted] = await db.batch([
          db.insert(passkeys).values(passkey).returning(),
          db.insert(auditEvents).values(audit),
        ]);
        return inserted[0] as PasskeyRow;
      } catch (error) {
        if (uniqueViolation(error) === 'passkeys_credential_id_key') return 'exists';
        throw error;
      }
    },

    async listForUser(userId: string): Promise<PasskeyRow[]> {
      return db
        .select()
        .from(passkeys)
        .where(eq(passkeys.userId, userId))
        .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
    },

    async findForLogin(credentialId: string): Promise<{ passkey: PasskeyRow; user: UserRow } | undefined> {
      const [row] = await db
        .select({ passkey: passkeys, user: users })
        .from(passkeys)
        .innerJoin(users, eq(users.id, passkeys.userId))
        .where(eq(passkeys.credentialId, credentialId))
        .limit(1);
      return row;
    },

    async rename(id: string, userId: string, name: string): Promise<PasskeyRow | undefined> {
      const [row] = await db.update(passkeys).set({ name }).where(own(id, userId)).returning();
      return row;
    },

    async recordUse(id: string, counter: number, backedUp: boolean, at: Date): Promise<void> {
      await db
        .update(passkeys)
        .set({ counter: sql`greatest(${passkeys.counter}, ${counter})`, backedUp, lastUsedAt: at })
        .where(eq(passkeys.id, id));
    },

    async remove(id: string, userId: string, audit: AuditEventRow): Promise<RemovePasskeyResult> {
      const other = alias(passkeys, 'other');
      // Another way in: a password, or another passkey.
      const anotherWayIn = or(
        exists(
          db
            .select({ one: sql`1` })
            .from(users)
            .where(and(eq(users.id, userId), isNotNull(users.passwordHash))),
        ),
        exists(
          db
            .select({ one: sql`1` })
            .from(other)
            .where(and(eq(other.userId, userId), ne(other.id, id))),
        ),
      );
      const [, removed, left] = await db.batch([
        // Held to the end of the batch's transaction: a concurrent removal waits, then sees this one's result.
        db.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update'),
        db
          .delete(passkeys)
          .where(and(own(id, userId), anotherWayIn))
          .returning({ id: passkeys.id }),
        db.select({ id: passkeys.id }).from(passkeys).where(own(id, userId)),
      ]);
      if (removed.length === 1) {
        await db.insert(auditEvents).values(audit);
        return 'removed';
      }
      return left.length === 1 ? 'last_sign_in_method' : 'not_found';
    },

    async openForLogin(write: PasskeyLoginWrite): Promise<UserRow | undefined> {
      const { session: s, audit } = write;
      const at = s.createdAt;
      const proven = and(
        eq(users.id, s.userId),
        eq(users.isActive, true),
        exists(
          db
            .select({ one: sql`1` })
            .from(passkeys)
            .where(and(eq(passkeys.id, write.passkeyId), eq(passkeys.userId, s.userId))),
        ),
      );
      const [updated, opened] = await db.batch([
        // The row lock this takes is held to the end: a deactivation waits for the session (and then
        // revokes it with the others) or has already won (and nothing is written).
        db
          .update(users)
          .set({ lastLoginAt: at, failedLoginCount: 0, lockedUntil: null, updatedAt: at })
          .where(proven)
          .returning(),
        insertSession(s, proven),
        insertFirstToken(s),
        db
          .update(passkeys)
          .set({
            // Never lowered: of two logins racing with counters 7 and 8, the 8 stays.
            counter: sql`greatest(${passkeys.counter}, ${write.counter})`,
            backedUp: write.backedUp,
            lastUsedAt: at,
          })
          .where(
            and(
              eq(passkeys.id, write.passkeyId),
              exists(db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, s.id))),
            ),
          ),
        db
          .insert(auditEvents)
          .select(db.select(auditValues(audit)).from(sessions).where(eq(sessions.id, s.id))),
      ]);
      return opened.length === 1 ? updated[0] : undefined;
    },
  };
}
