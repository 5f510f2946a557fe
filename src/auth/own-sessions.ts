// The signed-in devices of a user: the live sessions, and revoking one of them.
import type { Deps, RequestContext } from '../deps.ts';
import type { AccessClaims } from './access-token.ts';
import { audit } from './audit.ts';
import { notFound } from './errors.ts';
import { revokeSessions } from './revoke.ts';

export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  ip_address: string | null;
  user_agent: string | null;
  /** The session of the token that asks. */
  current: boolean;
}

/** Live sessions, most recently used first. */
export async function listOwnSessions(
  deps: Pick<Deps, 'db' | 'clock'>,
  claims: Pick<AccessClaims, 'sub' | 'sid'>,
): Promise<SessionView[]> {
  const rows = await deps.db.sessions.listLive(claims.sub, deps.clock.now());
  return rows.map((s) => ({
    id: s.id,
    created_at: s.createdAt.toISOString(),
    last_used_at: s.lastUsedAt.toISOString(),
    ip_address: s.ipAddress,
    user_agent: s.userAgent,
    current: s.id === claims.sid,
  }));
}

/** DELETE /sessions/{id}: only the user's own live session; anything else is a 404. */
export async function revokeOwnSession(deps: Deps, ctx: RequestContext, userId: string, sessionId: string) {
  const session = await deps.db.sessions.findLive(sessionId, deps.clock.now());
  if (!session || session.userId !== userId) throw notFound('No such session.');
  await revokeSessions(deps, [sessionId], 'revoked_by_user');
  audit(deps, ctx, { type: 'session_revoked', userId, detail: { session_id: sessionId } });
}
