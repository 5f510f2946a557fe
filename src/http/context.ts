// The Hono environment of the app and the bridge from a Hono context to the domain's RequestContext.
import type { Context } from 'hono';
import type { AccessClaims } from '../auth/access-token.ts';
import type { KeyAuthentication } from '../auth/api-keys.ts';
import type { RequestContext } from '../deps.ts';
import type { RateLimitResult } from '../store/store.ts';
import { clientIp } from '../auth/ip.ts';

export interface BearerAuth {
  method: 'password';
  claims: AccessClaims;
}

export interface KeyAuth {
  method: 'api_key';
  key: KeyAuthentication['key'];
  user: KeyAuthentication['user'];
  scopes: KeyAuthentication['scopes'];
}

export type AppEnv = {
  Variables: {
    requestId: string;
    /** Set by bearerAuth (Bearer only) */
    auth: BearerAuth;
    /** Set by the routes that also take API keys */
    principal: BearerAuth | KeyAuth;
    /** The tightest rate limit that applied to this request, for the X-RateLimit-* headers. */
    rateLimit: RateLimitResult;
  };
};

export function requestContext(c: Context<AppEnv>): RequestContext {
  return {
    ip: clientIp(c.req.raw.headers),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
    requestId: c.get('requestId'),
    waitUntil(promise) {
      try {
        c.executionCtx.waitUntil(promise);
      } catch {
        // No execution context (app.request in a unit test): the promise still runs and handles its own errors.
      }
    },
  };
}
