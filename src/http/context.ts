// The Hono environment of the app and the bridge from a Hono context to the domain's RequestContext.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AccessClaims } from '../auth/access-token.ts';
import type { KeyAuthentication } from '../auth/api-keys.ts';
import { clientIp } from '../auth/ip.ts';
import type { Deps, RequestContext } from '../deps.ts';
import type { RateLimitResult } from '../ports/store.ts';
import { enforceLimit } from './middleware/rate-limit.ts';

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
    /** The domain's view of this request (requestContextFor). */
    request: RequestContext;
    /** Set by bearerAuth (Bearer only) */
    auth: BearerAuth;
    /** Set by the routes that also take API keys */
    principal: BearerAuth | KeyAuth;
    /** The tightest rate limit that applied to this request, for the X-RateLimit-* headers. */
    rateLimit: RateLimitResult;
  };
};

/** The device cookie (auth/device-cookie.ts), `__Host-` prefixed: Secure, Path=/, no Domain. */
const DEVICE_COOKIE = 'portcullis_device';

/** Builds each request's RequestContext once, before any route: address, user agent, waitUntil, limits. */
export function requestContextFor(deps: Pick<Deps, 'store' | 'clock'>): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    c.set('request', {
      ip: clientIp(c.req.raw.headers),
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      requestId: c.get('requestId'),
      waitUntil(promise) {
        try {
          c.executionCtx.waitUntil(promise);
        } catch {
          // No execution context (app.request in a test): the promise still runs and handles its own errors.
        }
      },
      limit: (scope, key) => enforceLimit(c, deps.store, deps.clock, { scope, key }),
      dpopKey: null,
      device: {
        // Read when a login asks, not on every request (the authenticated hot path never does).
        get presented() {
          return getCookie(c, DEVICE_COOKIE, 'host');
        },
        remember(value, maxAgeSeconds) {
          setCookie(c, DEVICE_COOKIE, value, {
            httpOnly: true,
            secure: true,
            sameSite: 'Strict',
            path: '/',
            maxAge: maxAgeSeconds,
            prefix: 'host',
          });
        },
      },
    });
    await next();
  };
}

export const requestContext = (c: Context<AppEnv>): RequestContext => c.get('request');
