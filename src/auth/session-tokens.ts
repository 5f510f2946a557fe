// Opening a session: a refresh-token family in the database and the first access token.
import type { UserRow } from '../db/schema.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { issueAccessToken, type TokenSettings } from './access-token.ts';
import { newOpaqueToken } from './opaque-token.ts';
import { userView, type UserView } from './user-view.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface LoginResponse extends TokenPair {
  user: UserView;
}

export function tokenSettings(deps: Deps): TokenSettings {
  return {
    keys: deps.keys,
    issuer: deps.config.jwt.issuer,
    audience: deps.config.jwt.audience,
    ttlSeconds: deps.config.jwt.accessTokenTtl,
    clock: deps.clock,
    random: deps.random,
  };
}

export async function accessTokenFor(
  deps: Deps,
  user: UserRow,
  sessionId: string,
  amr: string[],
): Promise<{ access_token: string; expires_in: number }> {
  const issued = await issueAccessToken(tokenSettings(deps), {
    userId: user.id,
    sessionId,
    email: user.email,
    username: user.username,
    roles: user.roles,
    amr,
  });
  return { access_token: issued.token, expires_in: issued.expiresIn };
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
  const now = deps.clock.now();
  const refresh = await newOpaqueToken(deps.random);
  const sessionId = deps.random.uuid();
  const opened = await deps.db.sessions.create(
    {
      id: sessionId,
      userId: user.id,
      amr,
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.jwt.refreshTokenTtl * 1000),
      tokenHash: refresh.hash,
    },
    { passwordHash: user.passwordHash },
  );
  if (!opened) return undefined;
  const access = await accessTokenFor(deps, user, sessionId, amr);
  return { ...access, refresh_token: refresh.token, token_type: 'bearer', user: userView(user) };
}
