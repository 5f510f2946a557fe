import type { Deps, RequestContext } from '../deps.ts';
import type { AccessClaims } from './access-token.ts';
import { audit } from './audit.ts';
import { AuthError } from './errors.ts';
import { opaqueTokenHash } from './opaque-token.ts';
import { revokeAllSessions, revokeSessions } from './revoke.ts';

/** Revokes the presented access token and its session; a refresh token of another own session goes too. */
export async function logout(deps: Deps, ctx: RequestContext, claims: AccessClaims, refreshToken?: string) {
  const ids = new Set([claims.sid]);
  const hash = refreshToken ? await opaqueTokenHash(refreshToken) : undefined;
  if (hash) {
    const owner = await deps.db.sessions.findByTokenHash(hash);
    if (owner?.userId === claims.sub) ids.add(owner.sessionId);
  }
  await revokeSessions(deps, [...ids], 'logout', claims);
  audit(deps, ctx, { type: 'logout', userId: claims.sub, detail: { session_id: claims.sid } });
}

export async function logoutAll(deps: Deps, ctx: RequestContext, claims: AccessClaims) {
  const ids = await revokeAllSessions(deps, claims.sub, 'logout_all', {
    sessionId: claims.sid,
    accessToken: claims,
  });
  audit(deps, ctx, { type: 'logout_all', userId: claims.sub, detail: { sessions: ids.length } });
}

/** DELETE /sessions/{id}: only the user's own live session; anything else is a 404. */
export async function revokeOwnSession(deps: Deps, ctx: RequestContext, userId: string, sessionId: string) {
  const session = await deps.db.sessions.findLive(sessionId, deps.clock.now());
  if (!session || session.userId !== userId) throw new AuthError('not_found', 404, 'No such session.');
  await revokeSessions(deps, [sessionId], 'revoked_by_user');
  audit(deps, ctx, { type: 'session_revoked', userId, detail: { session_id: sessionId } });
}
