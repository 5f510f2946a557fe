// The route-level authorisation vocabulary, one line per route:
//   auth.bearer('API')              a signed-in user (an API key gets 403 forbidden)
//   auth.userOrKey()                a signed-in user or any valid API key (GET /auth/me)
//   auth.admin('read' | 'write')    role admin, or a key with scope admin (reads also read:users)
import type { Context, MiddlewareHandler } from 'hono';
import { authenticateApiKey } from '../../auth/api-keys.ts';
import { AuthError } from '../../auth/errors.ts';
import type { Scope } from '../../auth/scopes.ts';
import { tokenSettings } from '../../auth/session-tokens.ts';
import { createAccessTokenVerifier } from '../../auth/access-token-verifier.ts';
import type { RateLimitScope } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { requestContext, type AppEnv } from '../context.ts';
import { bearerAuth } from './bearer-auth.ts';
import { enforceLimit } from './rate-limit.ts';

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
      });
      bearers.set(limitScope, handler);
    }
    return handler;
  };

  /** Authenticates an X-API-Key (when there is no Authorization header) and counts it against the API limit. */
  async function viaKey(c: Context<AppEnv>, anyOf: readonly Scope[] | 'any'): Promise<void> {
    const found = await authenticateApiKey(deps, requestContext(c), c.req.header('x-api-key') ?? '');
    await enforceLimit(c, deps.store, deps.clock, { scope: 'API', key: `key:${found.key.id}` });
    if (anyOf !== 'any' && !anyOf.some((scope) => found.scopes.includes(scope))) {
      throw new AuthError(
        'insufficient_scope',
        403,
        `This API key needs one of these scopes: ${anyOf.join(', ')}.`,
        {
          headers: { 'WWW-Authenticate': `ApiKey error="insufficient_scope", scope="${anyOf.join(' ')}"` },
        },
      );
    }
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
        if (roles) {
          // Roles are read from the database, not the token: a demotion applies at once on these routes.
          const user = await deps.db.users.findById(claims.sub);
          if (!user || !roles.some((role) => user.roles.includes(role))) {
            throw new AuthError('forbidden', 403, `This route needs the role ${roles.join(' or ')}.`);
          }
        }
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
