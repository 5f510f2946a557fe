// Refresh-token rotation with reuse detection: presenting an already-exchanged token revokes its whole session.
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { AuthError } from './errors.ts';
import { newOpaqueToken, opaqueTokenHash } from './opaque-token.ts';
import { revokeSessions } from './revoke.ts';
import { accessTokenFor, type TokenPair } from './token-response.ts';

const invalidRefreshToken = () => new AuthError('invalid_token', 'The refresh token is not valid.');

export async function refresh(deps: Deps, ctx: RequestContext, refreshToken: string): Promise<TokenPair> {
  const hash = await opaqueTokenHash(refreshToken);
  if (!hash) throw invalidRefreshToken();
  const next = await newOpaqueToken(deps.random);
  const result = await deps.db.sessions.rotate({
    tokenHash: hash,
    newTokenHash: next.hash,
    jkt: ctx.dpopKey,
    now: deps.clock.now(),
    ipAddress: ctx.ip,
    userAgent: ctx.userAgent,
  });
  if (result.kind === 'reused') {
    await revokeSessions(deps, [result.sessionId], 'refresh_token_reused');
    audit(deps, ctx, {
      type: 'refresh_token_reused',
      userId: result.userId,
      detail: { session_id: result.sessionId },
    });
    throw new AuthError(
      'refresh_token_reused',
      'This refresh token was already used; the session has been revoked. Sign in again.',
    );
  }
  if (result.kind === 'invalid' || !result.user.isActive) throw invalidRefreshToken();
  const { id, amr, jkt } = result.session;
  const access = await accessTokenFor(deps, result.user, id, amr, jkt);
  audit(deps, ctx, {
    type: 'token_refreshed',
    userId: result.user.id,
    detail: { session_id: result.session.id },
  });
  return {
    ...access,
    refresh_token: next.token,
    token_type: jkt ? 'DPoP' : 'bearer',
    refreshExpiresAt: result.session.expiresAt,
  };
}
