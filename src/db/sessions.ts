import { and, desc, eq, gt, gte, inArray, isNotNull, isNull, notExists, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DrizzleDb } from './client.ts';
import { auditEvents, refreshTokens, sessions, users, type SessionRow, type UserRow } from './schema.ts';
import { auditValues, value } from './sql-values.ts';
import { stillProvenBy } from './users.ts';
import type {
  LoginWrite,
  NewSession,
  RotateInput,
  RotateResult,
  SessionsRepository,
} from '../ports/database.ts';

/** The two inserts that open a session, each conditional on the row it depends on. */
export function sessionInserts(db: DrizzleDb) {
  /**
   * A session for the user row that `proven` selects (e.g. active and still holding the verified hash), held
   * FOR SHARE: a concurrent password change, reset or deactivation either waits for it or wins.
   */
  const insertSession = (s: NewSession, proven: SQL | undefined) =>
    db
      .insert(sessions)
      .select(
        db
          .select({
            id: value(s.id, sessions.id, 'uuid').as('id'),
            userId: users.id,
            amr: value(s.amr, sessions.amr, 'text[]').as('amr'),
            ipAddress: value(s.ipAddress, sessions.ipAddress, 'text').as('ip_address'),
            userAgent: value(s.userAgent, sessions.userAgent, 'text').as('user_agent'),
            createdAt: value(s.createdAt, sessions.createdAt, 'timestamptz').as('created_at'),
            lastUsedAt: value(s.createdAt, sessions.lastUsedAt, 'timestamptz').as('last_used_at'),
            expiresAt: value(s.expiresAt, sessions.expiresAt, 'timestamptz').as('expires_at'),
            revokedAt: sql<Date | null>`null::timestamptz`.as('revoked_at'),
            revokedReason: sql<string | null>`null::text`.as('revoked_reason'),
            jkt: value(s.jkt, sessions.jkt, 'text').as('jkt'),
          })
          .from(users)
          .where(proven)
          .for('share'),
      )
      .returning({ id: sessions.id });

  /** The session's first refresh token, only if the session was inserted. */
  const insertFirstToken = (s: NewSession) =>
    db.insert(refreshTokens).select(
      db
        .select({
          tokenHash: value(s.tokenHash, refreshTokens.tokenHash, 'text').as('token_hash'),
          sessionId: sessions.id,
          parentHash: sql<string | null>`null::text`.as('parent_hash'),
          createdAt: value(s.createdAt, refreshTokens.createdAt, 'timestamptz').as('created_at'),
          expiresAt: value(s.expiresAt, refreshTokens.expiresAt, 'timestamptz').as('expires_at'),
          rotatedAt: sql<Date | null>`null::timestamptz`.as('rotated_at'),
        })
        .from(sessions)
        .where(eq(sessions.id, s.id)),
    );

  return { insertSession, insertFirstToken };
}

export function sessionsRepository(db: DrizzleDb): SessionsRepository {
  const { insertSession, insertFirstToken } = sessionInserts(db);

  return {
    /**
     * Opens a session, only while the user is active and still has the password hash the login verified.
     * Both inserts select from the row they depend on, in one transaction, and the user row is held
     * FOR SHARE: a password change, reset or deactivation either waits for this session to exist (and then
     * revokes it with the others) or has already happened (and then nothing is inserted). Returns whether
     * the session was opened.
     */
    async create(s: NewSession, guard: { passwordHash: string | null }): Promise<boolean> {
      const [opened] = await db.batch([
        insertSession(s, stillProvenBy(s.userId, guard.passwordHash)),
        insertFirstToken(s),
      ]);
      return opened.length === 1;
    },

    async openForLogin(write: LoginWrite): Promise<UserRow | undefined> {
      const { session: s, verifiedHash, rehash, audit } = write;
      const at = s.createdAt;
      const [updated, opened] = await db.batch([
        // The row lock this takes is held to the end: a password change, reset or deactivation waits for
        // the session (and then revokes it with the others) or has already won (and nothing is written).
        db
          .update(users)
          .set({
            lastLoginAt: at,
            failedLoginCount: 0,
            lockedUntil: null,
            updatedAt: at,
            ...(rehash ? { passwordHash: rehash } : {}),
          })
          .where(stillProvenBy(s.userId, verifiedHash))
          .returning(),
        insertSession(s, stillProvenBy(s.userId, rehash ?? verifiedHash)),
        insertFirstToken(s),
        db
          .insert(auditEvents)
          .select(db.select(auditValues(audit)).from(sessions).where(eq(sessions.id, s.id))),
      ]);
      return opened.length === 1 ? updated[0] : undefined;
    },

    /**
     * Exchanges a refresh token for a new one in ONE batch, one transaction, one round trip: mark the old token
     * rotated (a conditional UPDATE that also requires a live session, so among concurrent exchanges exactly
     * one wins), insert its successor, touch the session and read the user. Either all of it happens or none:
     * a failure leaves the old token usable, never rotated without a successor. Only a lost exchange costs a
     * second trip, to tell reuse from an unknown token.
     */
    async rotate(input: RotateInput): Promise<RotateResult> {
      const { tokenHash, newTokenHash, now } = input;
      // A session bound to a DPoP key rotates only for a proof of that key, an unbound one only without one.
      const sameKey = input.jkt === null ? isNull(sessions.jkt) : eq(sessions.jkt, input.jkt);
      const liveWithKey = db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now), sameKey));
      const successor = db
        .select({ sessionId: refreshTokens.sessionId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, newTokenHash));
      const child = alias(refreshTokens, 'child');
      const [won, , updated, found] = await db.batch([
        db
          .update(refreshTokens)
          .set({ rotatedAt: now })
          .where(
            and(
              eq(refreshTokens.tokenHash, tokenHash),
              isNull(refreshTokens.rotatedAt),
              gt(refreshTokens.expiresAt, now),
              inArray(refreshTokens.sessionId, liveWithKey),
            ),
          )
          .returning({ sessionId: refreshTokens.sessionId }),
        // The successor of the token this batch rotated: rotated at this instant, and with no child yet (a
        // concurrent loser rotating in the same millisecond finds the winner's child and inserts nothing).
        db.insert(refreshTokens).select(
          db
            .select({
              tokenHash: value(newTokenHash, refreshTokens.tokenHash, 'text').as('token_hash'),
              sessionId: refreshTokens.sessionId,
              parentHash: refreshTokens.tokenHash,
              createdAt: value(now, refreshTokens.createdAt, 'timestamptz').as('created_at'),
              // A refresh token never outlives its session, whose lifetime was set at login.
              expiresAt: refreshTokens.expiresAt,
              rotatedAt: sql<Date | null>`null::timestamptz`.as('rotated_at'),
            })
            .from(refreshTokens)
            .where(
              and(
                eq(refreshTokens.tokenHash, tokenHash),
                eq(refreshTokens.rotatedAt, now),
                notExists(
                  db
                    .select({ one: sql`1` })
                    .from(child)
                    .where(eq(child.parentHash, tokenHash)),
                ),
              ),
            ),
        ),
        db
          .update(sessions)
          .set({ lastUsedAt: now, ipAddress: input.ipAddress, userAgent: input.userAgent })
          .where(eq(sessions.id, successor))
          .returning(),
        db
          .select()
          .from(users)
          .where(
            eq(
              users.id,
              db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, successor)),
            ),
          )
          .limit(1),
      ]);
      const session = updated[0];
      const user = found[0];
      if (won.length > 0) return session && user ? { kind: 'rotated', session, user } : { kind: 'invalid' };

      const [seen] = await db
        .select({ sessionId: refreshTokens.sessionId, userId: sessions.userId })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(and(eq(refreshTokens.tokenHash, tokenHash), isNotNull(refreshTokens.rotatedAt)))
        .limit(1);
      return seen ? { kind: 'reused', ...seen } : { kind: 'invalid' };
    },

    async revokedSince(since: Date): Promise<string[]> {
      const rows = await db.select({ id: sessions.id }).from(sessions).where(gte(sessions.revokedAt, since));
      return rows.map((r) => r.id);
    },

    async liveIds(userId: string, now: Date): Promise<string[]> {
      const rows = await db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
      return rows.map((r) => r.id);
    },

    async revokeMany(ids: string[], reason: string, now: Date): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(inArray(sessions.id, ids), isNull(sessions.revokedAt)));
    },

    async listLive(userId: string, now: Date): Promise<SessionRow[]> {
      return db
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .orderBy(desc(sessions.lastUsedAt));
    },

    async findLive(id: string, now: Date): Promise<SessionRow | undefined> {
      const [row] = await db
        .select()
        .from(sessions)
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .limit(1);
      return row;
    },

    async findByTokenHash(tokenHash: string): Promise<{ sessionId: string; userId: string } | undefined> {
      const [row] = await db
        .select({ sessionId: refreshTokens.sessionId, userId: sessions.userId })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .limit(1);
      return row;
    },
  };
}
