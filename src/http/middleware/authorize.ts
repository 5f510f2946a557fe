// The route-level authorisation vocabulary, one line per route:
//   auth.bearer('API')              a signed-in user (an API key gets 403 forbidden)
//   auth.userOrKey()                a signed-in user or any valid API key (GET /auth/me)
//   auth.admin('read' | 'write')    role admin, or a key with scope admin (reads also read:users)
// The decisions themselves (roles, scopes) are the domain's: auth/access-policy.ts.
import type { Context, MiddlewareHandler } from 'hono';
import { assertHasRole, assertKeyScope } from '../../auth/access-policy.ts';
import { createAccessTokenVerifier } from '../../auth/access-token-verifier.ts';
import { authenticateApiKey } from '../../auth/api-keys.ts';
import { AuthError } from '../../auth/errors.ts';
import type { Scope } from '../../auth/scopes.ts';
import { revokedWhileCold } from '../../auth/store-recovery.ts';
import { tokenSettings } from '../../auth/token-settings.ts';
import type { Deps } from '../../deps.ts';
import type { RateLimitScope } from '../../ports/store.ts';
import { requestContext, type AppEnv } from '../context.ts';
import { nonceOf } from '../dpop.ts';
import { bearerAuth } from './bearer-auth.ts';
import { anonymousLimit } from './rate-limit.ts';

export function authorization(deps: Deps) {
  const verify = createAccessTokenVerifier(tokenSettings(deps));
  const bearers = new Map<RateLimitScope, MiddlewareHandler<AppEnv>>();
  const bearer = (limitScope: RateLimitScope) => {
    let handler = bearers.get(limitScope);
    if (!handler) {
      handler = bearerAuth({
        verify,
        store: deps.store,
        clock: deps.clock,
        limitScope,
        revokedWhileCold: (claims) => revokedWhileCold(deps, claims),
        dpopNonces: (c) => nonceOf(c, deps),
      });
      bearers.set(limitScope, handler);
    }
    return handler;
  };

  /** Authenticates an X-API-Key (when there is no Authorization header) and counts it against the API limit. */
  async function viaKey(c: Context<AppEnv>, anyOf: readonly Scope[] | 'any'): Promise<void> {
    const ctx = requestContext(c);
    const found = await authenticateApiKey(deps, ctx, c.req.header('x-api-key') ?? '').catch(
      async (error: unknown) => {
        // A refused key is counted per client address, as a request with no credentials is.
        if (error instanceof AuthError) await anonymousLimit(c, deps.store, deps.clock);
        throw error;
      },
    );
    await ctx.limit('API', `key:${found.key.id}`);
    assertKeyScope(found.scopes, anyOf);
    c.set('principal', { method: 'api_key', key: found.key, user: found.user, scopes: found.scopes });
  }

  function userOrKey(
    keyScopes: readonly Scope[] | 'any',
    roles?: readonly string[],
  ): MiddlewareHandler<AppEnv> {
    const viaBearer = bearer('API');
    return async function userOrApiKey(c, next) {
      if (c.req.header('authorization') === undefined && c.req.header('x-api-key') !== undefined) {
        await viaKey(c, keyScopes);
        return next();
      }
      return viaBearer(c, async () => {
        const claims = c.get('auth').claims;
        if (roles) await assertHasRole(deps, claims.sub, roles);
        c.set('principal', { method: 'password', claims });
        await next();
      });
    };
  }

  return {
    bearer,
    userOrKey: () => userOrKey('any'),
    admin: (access: 'read' | 'write') =>
      userOrKey(access === 'read' ? ['admin', 'read:users'] : ['admin'], ['admin']),
  };
}

export type Authorization = ReturnType<typeof authorization>;
