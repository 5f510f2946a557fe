// Logging out: this token and its session, or every session of the user.
import type { Deps, RequestContext } from '../deps.ts';
import type { AccessClaims } from './access-token.ts';
import { audit } from './audit.ts';
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
