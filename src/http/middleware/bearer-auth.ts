// Bearer authentication for protected routes: verify the JWT, then ONE store round trip for the revocation
// check and the API rate limit. Fails closed: a store that cannot answer means 503, never a pass.
import type { MiddlewareHandler } from 'hono';
import type { AccessClaims } from '../../auth/access-token.ts';
import type { AccessTokenVerifier } from '../../auth/access-token-verifier.ts';
import { AuthError, authenticationRequired, forbidden, invalidToken } from '../../auth/errors.ts';
import type { RateLimitScope } from '../../ports/store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { AppEnv } from '../context.ts';
import { anonymousLimit, applyLimit } from './rate-limit.ts';

export interface BearerAuthOptions {
  /** Checks the token's signature and claims (src/auth/access-token-verifier.ts). */
  verify: AccessTokenVerifier;
  store: Store;
  clock: Clock;
  /** The rate-limit scope counted per user on these routes. */
  limitScope?: RateLimitScope;
  /**
   * Decides, from the database, whether a token is revoked when the store says it was emptied and cannot
   * vouch for it (auth/store-recovery.ts). Without it a cold store refuses every token.
   */
  revokedWhileCold?: (claims: AccessClaims) => Promise<boolean>;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent, null when malformed. */
export function bearerToken(header: string | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match?.[1] ?? null;
}

export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<AppEnv> {
  if (typeof options.verify !== 'function' || !options.store || !options.clock) {
    throw new Error('bearerAuth needs a token verifier, a store and a clock');
  }
  const { store, clock, limitScope } = options;
  return async function bearerAuth(c, next) {
    let claims;
    try {
      claims = await authenticate(c.req.header('authorization'), c.req.header('x-api-key'));
    } catch (error) {
      // A request without good credentials is still counted, per client address (API.md: every response of
      // a limited route carries the X-RateLimit-* headers, and 429 wins).
      if (limitScope && error instanceof AuthError) await anonymousLimit(c, store, clock);
      throw error;
    }
    const check = await store.checkToken(
      { jti: claims.jti, sid: claims.sid },
      limitScope ? { scope: limitScope, key: `user:${claims.sub}` } : undefined,
    );
    if (check.limit) applyLimit(c, check.limit, clock);
    const revoked = check.warm ? check.revoked : await (options.revokedWhileCold?.(claims) ?? true);
    if (revoked) throw new AuthError('token_revoked', 'The access token has been revoked.');
    c.set('auth', { method: 'password', claims });
    await next();
  };

  async function authenticate(authorization: string | undefined, apiKey: string | undefined) {
    const token = bearerToken(authorization);
    if (token === undefined && apiKey !== undefined) {
      throw forbidden('API keys cannot use this route; it needs a signed-in user.');
    }
    if (token === undefined) throw authenticationRequired();
    if (token === null) throw invalidToken('The Authorization header must be "Bearer <token>".');
    return options.verify(token);
  }
}
