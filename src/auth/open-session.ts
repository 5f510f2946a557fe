// Opening a session: a refresh-token family in the database and the first access token.
import type { Deps, RequestContext } from '../deps.ts';
import type { UserRow } from '../ports/database.ts';
import { newOpaqueToken } from './opaque-token.ts';
import { accessTokenFor, type LoginResponse } from './token-response.ts';
import { userView } from './user-view.ts';

/**
 * Opens a session for `user` as read, or returns undefined when the account has changed since (password,
 * deactivation): a password change or deactivation that revokes "every session" must not miss this one.
 */
export async function openSession(
  deps: Deps,
  ctx: RequestContext,
  user: UserRow,
  amr: string[],
): Promise<LoginResponse | undefined> {
  const now = deps.clock.now();
  const refresh = await newOpaqueToken(deps.random);
  const sessionId = deps.random.uuid();
  const expiresAt = new Date(now.getTime() + deps.config.jwt.refreshTokenTtl * 1000);
  const opened = await deps.db.sessions.create(
    {
      id: sessionId,
      userId: user.id,
      amr,
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
      createdAt: now,
      expiresAt,
      tokenHash: refresh.hash,
    },
    { passwordHash: user.passwordHash },
  );
  if (!opened) return undefined;
  const access = await accessTokenFor(deps, user, sessionId, amr);
  return {
    ...access,
    refresh_token: refresh.token,
    token_type: 'bearer',
    refreshExpiresAt: expiresAt,
    user: userView(user),
  };
}
