// Bearer authentication for protected routes: verify the JWT, then ONE store round trip for the revocation
// check and the API rate limit. Fails closed: a store that cannot answer means 503, never a pass.
import type { Context, MiddlewareHandler } from 'hono';
import type { AccessClaims } from '../../auth/access-token.ts';
import {
  DPOP_JTI_TTL_SECONDS,
  invalidDpopProof,
  verifyDpopProof,
  type DpopNonces,
  type DpopProof,
} from '../../auth/dpop.ts';
import type { RequestContext } from '../../deps.ts';
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
  /** DPOP_NONCE=true: the nonces a proof may carry (and sets the answer's DPoP-Nonce). */
  dpopNonces?: (c: Context<AppEnv>) => Promise<DpopNonces | undefined>;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent, null when malformed. */
export function bearerToken(header: string | undefined): string | undefined | null {
  const found = credentialsOf(header);
  return found && (found.scheme === 'bearer' ? found.token : null);
}

/** `Authorization: Bearer <token>` or `DPoP <token>` (RFC 9449); undefined when absent, null when malformed. */
export function credentialsOf(
  header: string | undefined,
): { scheme: 'bearer' | 'dpop'; token: string } | undefined | null {
  if (header === undefined) return undefined;
  const match = /^(Bearer|DPoP) +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  if (!match) return null;
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2]! };
}

export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<AppEnv> {
  if (typeof options.verify !== 'function' || !options.store || !options.clock) {
    throw new Error('bearerAuth needs a token verifier, a store and a clock');
  }
  const { store, clock, limitScope } = options;
  return async function bearerAuth(c, next) {
    let claims: AccessClaims;
    let proof: DpopProof | undefined;
    try {
      ({ claims, proof } = await authenticate(c));
    } catch (error) {
      // A request without good credentials is still counted, per client address (API.md: every response of
      // a limited route carries the X-RateLimit-* headers, and 429 wins).
      if (limitScope && error instanceof AuthError) await anonymousLimit(c, store, clock);
      throw error;
    }
    // Revocation, the rate limit and the proof's replay check: one store request.
    const check = await store.checkToken(
      { jti: claims.jti, sid: claims.sid },
      limitScope ? { scope: limitScope, key: `user:${claims.sub}` } : undefined,
      proof ? { jti: proof.jti, ttlSeconds: DPOP_JTI_TTL_SECONDS } : undefined,
    );
    if (check.limit) applyLimit(c, check.limit, clock);
    const revoked = check.warm ? check.revoked : await (options.revokedWhileCold?.(claims) ?? true);
    if (revoked) throw new AuthError('token_revoked', 'The access token has been revoked.');
    if (check.replayed) throw invalidDpopProof('This DPoP proof was used before.');
    if (proof) {
      const ctx = c.get('request') as RequestContext | undefined;
      if (ctx) ctx.dpopKey = proof.jkt;
    }
    c.set('auth', { method: 'password', claims });
    await next();
  };

  async function authenticate(c: Context<AppEnv>): Promise<{ claims: AccessClaims; proof?: DpopProof }> {
    const found = credentialsOf(c.req.header('authorization'));
    if (found === undefined && c.req.header('x-api-key') !== undefined) {
      throw forbidden('API keys cannot use this route; it needs a signed-in user.');
    }
    if (found === undefined) throw authenticationRequired();
    if (found === null)
      throw invalidToken('The Authorization header must be "Bearer <token>" or "DPoP <token>".');
    const claims = await options.verify(found.token);
    const bound = claims.cnf?.jkt;
    if (found.scheme === 'bearer') {
      // A stolen DPoP-bound token is useless as a plain bearer token.
      if (bound)
        throw invalidToken('This access token is bound to a DPoP key: send it as "DPoP" with a proof.');
      return { claims };
    }
    const header = c.req.header('dpop');
    if (header === undefined) throw invalidDpopProof('A DPoP access token needs a DPoP proof.');
    const nonces = await options.dpopNonces?.(c);
    const proof = await verifyDpopProof(
      clock,
      header,
      { method: c.req.method, url: c.req.url },
      found.token,
      nonces,
    );
    if (!bound || bound !== proof.jkt) {
      throw invalidToken('This access token is not bound to the key of the DPoP proof.');
    }
    return { claims, proof };
  }
}
