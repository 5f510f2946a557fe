// Revocation in two places: the store marks (which access tokens are checked against, on every request) are
// written first, then the database (which refresh tokens are checked against). A store failure therefore
// leaves nothing half-revoked: the caller gets a 503 and can retry.
import type { Deps } from '../deps.ts';

/** Marks must outlive every access token already issued for a session: the token TTL plus clock skew. */
export const REVOCATION_SKEW_SECONDS = 60;

export async function revokeSessions(
  deps: Pick<Deps, 'db' | 'store' | 'clock' | 'config'>,
  sessionIds: string[],
  reason: string,
  accessToken?: { jti: string; exp: number },
): Promise<void> {
  const now = deps.clock.now();
  const jtis = accessToken
    ? [
        {
          jti: accessToken.jti,
          ttlSeconds: accessToken.exp - Math.floor(now.getTime() / 1000) + REVOCATION_SKEW_SECONDS,
        },
      ]
    : [];
  await deps.store.revoke({
    jtis,
    sessionIds,
    sessionTtlSeconds: deps.config.jwt.accessTokenTtl + REVOCATION_SKEW_SECONDS,
  });
  await deps.db.sessions.revokeMany(sessionIds, reason, now);
}

/** Every live session of a user, with all their refresh and access tokens. */
export async function revokeAllSessions(
  deps: Pick<Deps, 'db' | 'store' | 'clock' | 'config'>,
  userId: string,
  reason: string,
  also: { sessionId?: string; accessToken?: { jti: string; exp: number } } = {},
): Promise<string[]> {
  const ids = new Set(await deps.db.sessions.liveIds(userId, deps.clock.now()));
  if (also.sessionId) ids.add(also.sessionId);
  await revokeSessions(deps, [...ids], reason, also.accessToken);
  return [...ids];
}
