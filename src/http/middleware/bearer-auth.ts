// Bearer authentication for protected routes: verify the JWT, then ONE store round trip for the revocation
// check and the API rate limit. Fails closed: a store that cannot answer means 503, never a pass.
import type { MiddlewareHandler } from 'hono';
import type { AccessTokenVerifier } from '../../auth/access-token-verifier.ts';
import { AuthError } from '../../auth/errors.ts';
import type { RateLimitScope } from '../../config.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../store/store.ts';
import type { AppEnv } from '../context.ts';
import { applyLimit } from './rate-limit.ts';

export interface BearerAuthOptions {
  /** Checks the token's signature and claims (src/auth/access-token-verifier.ts). */
  verify: AccessTokenVerifier;
  store: Store;
  clock: Clock;
  /** The rate-limit scope counted per user on these routes. */
  limitScope?: RateLimitScope;
}

const REALM = 'Bearer realm="portcullis"';

export function unauthorized(
  code: 'authentication_required' | 'invalid_token' | 'token_expired' | 'token_revoked',
  detail: string,
) {
  const challenge = code === 'authentication_required' ? REALM : `${REALM}, error="invalid_token"`;
  return new AuthError(code, 401, detail, { headers: { 'WWW-Authenticate': challenge } });
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
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined && c.req.header('x-api-key') !== undefined) {
      throw new AuthError('forbidden', 403, 'API keys cannot use this route; it needs a signed-in user.');
    }
    if (token === undefined) {
      throw unauthorized('authentication_required', 'This route needs an access token.');
    }
    if (token === null)
      throw unauthorized('invalid_token', 'The Authorization header must be "Bearer <token>".');
    let claims;
    try {
      claims = await options.verify(token);
    } catch (error) {
      if (error instanceof AuthError && (error.code === 'token_expired' || error.code === 'invalid_token')) {
        throw unauthorized(error.code, error.detail);
      }
      throw error;
    }
    const check = await store.checkToken(
      { jti: claims.jti, sid: claims.sid },
      limitScope ? { scope: limitScope, key: `user:${claims.sub}` } : undefined,
    );
    if (check.limit) applyLimit(c, check.limit, clock);
    if (check.revoked) throw unauthorized('token_revoked', 'The access token has been revoked.');
    c.set('auth', { method: 'password', claims });
    await next();
  };
}
