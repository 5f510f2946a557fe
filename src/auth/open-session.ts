// Opening a session: a refresh-token family in the database and the first access token.
import type { Deps, RequestContext } from '../deps.ts';
import type { NewSession, UserRow } from '../ports/database.ts';
import { newOpaqueToken } from './opaque-token.ts';
import { accessTokenFor, type LoginResponse } from './token-response.ts';
import { userView } from './user-view.ts';

export interface PreparedSession {
  session: NewSession;
  /** The refresh token's text: only its hash is in `session`. */
  refreshToken: string;
}

/** A new session's row and refresh token, not yet written. */
export async function prepareSession(
  deps: Pick<Deps, 'clock' | 'random' | 'config'>,
  ctx: RequestContext,
  userId: string,
  amr: string[],
): Promise<PreparedSession> {
  const now = deps.clock.now();
  const refresh = await newOpaqueToken(deps.random);
  return {
    refreshToken: refresh.token,
    session: {
      id: deps.random.uuid(),
      userId,
      amr,
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.jwt.refreshTokenTtl * 1000),
      tokenHash: refresh.hash,
      jkt: ctx.dpopKey,
    },
  };
}

/** The token response of a session just written. */
export async function tokenResponse(
  deps: Deps,
  user: UserRow,
  prepared: PreparedSession,
): Promise<LoginResponse> {
  const { id, amr, jkt } = prepared.session;
  const access = await accessTokenFor(deps, user, id, amr, jkt);
  return {
    ...access,
    refresh_token: prepared.refreshToken,
    token_type: jkt ? 'DPoP' : 'bearer',
    refreshExpiresAt: prepared.session.expiresAt,
    user: userView(user),
  };
}

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
  const prepared = await prepareSession(deps, ctx, user.id, amr);
  const opened = await deps.db.sessions.create(prepared.session, { passwordHash: user.passwordHash });
  return opened ? tokenResponse(deps, user, prepared) : undefined;
}
