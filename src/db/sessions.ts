import { and, desc, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DrizzleDb } from './client.ts';
import { refreshTokens, sessions, users, type SessionRow, type UserRow } from './schema.ts';

export interface NewSession {
  id: string;
  userId: string;
  amr: string[];
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  tokenHash: string;
}

export type RotateResult =
  | { kind: 'rotated'; session: SessionRow; user: UserRow }
  /** The token had been exchanged before: someone holds a copy. */
  | { kind: 'reused'; sessionId: string; userId: string }
  | { kind: 'invalid' };

export interface RotateInput {
  tokenHash: string;
  newTokenHash: string;
  now: Date;
  ipAddress: string | null;
  userAgent: string | null;
}

export function sessionsRepository(db: DrizzleDb) {
  const liveSessionIds = (now: Date) =>
    db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));

  return {
    async create(s: NewSession): Promise<void> {
      await db.batch([
        db.insert(sessions).values({
          id: s.id,
          userId: s.userId,
          amr: s.amr,
          ipAddress: s.ipAddress,
          userAgent: s.userAgent,
          createdAt: s.createdAt,
          lastUsedAt: s.createdAt,
          expiresAt: s.expiresAt,
        }),
        db.insert(refreshTokens).values({
          tokenHash: s.tokenHash,
          sessionId: s.id,
          createdAt: s.createdAt,
          expiresAt: s.expiresAt,
        }),
      ]);
    },

    /**
     * Exchanges a refresh token for a new one. Marking the old token rotated is ONE conditional UPDATE that
     * also requires a live session, so among concurrent exchanges exactly one wins; the others find it rotated.
     */
    async rotate(input: RotateInput): Promise<RotateResult> {
      const { tokenHash, now } = input;
      const [won] = await db
        .update(refreshTokens)
        .set({ rotatedAt: now })
        .where(
          and(
            eq(refreshTokens.tokenHash, tokenHash),
            isNull(refreshTokens.rotatedAt),
            gt(refreshTokens.expiresAt, now),
            inArray(refreshTokens.sessionId, liveSessionIds(now)),
          ),
        )
        .returning({ sessionId: refreshTokens.sessionId, expiresAt: refreshTokens.expiresAt });

      if (!won) {
        const [seen] = await db
          .select({ sessionId: refreshTokens.sessionId, userId: sessions.userId })
          .from(refreshTokens)
          .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
          .where(and(eq(refreshTokens.tokenHash, tokenHash), isNotNull(refreshTokens.rotatedAt)))
          .limit(1);
        return seen ? { kind: 'reused', ...seen } : { kind: 'invalid' };
      }

      // The exchange is won; a concurrent reuse may revoke the session meanwhile, which kills the new token too.
      const [, updated, found] = await db.batch([
        db.insert(refreshTokens).values({
          tokenHash: input.newTokenHash,
          sessionId: won.sessionId,
          parentHash: tokenHash,
          createdAt: now,
          // A refresh token never outlives its session, whose lifetime was set at login.
          expiresAt: won.expiresAt,
        }),
        db
          .update(sessions)
          .set({ lastUsedAt: now, ipAddress: input.ipAddress, userAgent: input.userAgent })
          .where(eq(sessions.id, won.sessionId))
          .returning(),
        db
          .select()
          .from(users)
          .where(
            eq(
              users.id,
              db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, won.sessionId)),
            ),
          )
          .limit(1),
      ]);
      const session = updated[0];
      const user = found[0];
      return session && user ? { kind: 'rotated', session, user } : { kind: 'invalid' };
    },

    /** Revokes one session; returns false when it was not live (unknown, already revoked, or another user's). */
    async revoke(id: string, userId: string, reason: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(eq(sessions.id, id), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length > 0;
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

export type SessionsRepository = ReturnType<typeof sessionsRepository>;
