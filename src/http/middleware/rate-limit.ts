// Sliding-window limits per scope (the counting is @upstash/ratelimit's, in the store). A request over its
// limit is refused with 429 before anything else is looked at; a store that cannot count refuses with 503.
import type { Context, MiddlewareHandler } from 'hono';
import { AuthError } from '../../auth/errors.ts';
import type { RateLimitScope } from '../../ports/store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RateLimitResult, Store } from '../../ports/store.ts';
import type { AppEnv } from '../context.ts';
import { clientIp, rateLimitKeyForIp } from '../../auth/ip.ts';

export function rateLimitedError(result: RateLimitResult, clock: Clock): AuthError {
  const retryAfter = Math.max(1, Math.ceil((result.resetMs - clock.now().getTime()) / 1000));
  return new AuthError('rate_limited', `Too many requests; retry in ${retryAfter} seconds.`, {
    headers: { 'Retry-After': String(retryAfter) },
  });
}

/** Keeps the tightest of the limits that applied to this request, for the response headers. */
export function recordLimit(c: Context<AppEnv>, result: RateLimitResult): void {
  const previous = c.get('rateLimit');
  if (!previous || result.remaining < previous.remaining) c.set('rateLimit', result);
}

/** Records a limit result for the headers and refuses the request when it is over the limit. */
export function applyLimit(c: Context<AppEnv>, result: RateLimitResult, clock: Clock): void {
  recordLimit(c, result);
  if (!result.allowed) throw rateLimitedError(result, clock);
}

/** One limit check, for the places that learn the identity to count only inside a handler or middleware. */
export async function enforceLimit(
  c: Context<AppEnv>,
  store: Store,
  clock: Clock,
  request: { scope: RateLimitScope; key: string },
): Promise<void> {
  applyLimit(c, await store.limit(request), clock);
}

export const byClientIp = (c: Context<AppEnv>) => `ip:${rateLimitKeyForIp(clientIp(c.req.raw.headers))}`;

/** The API limit of a request whose credentials were missing or refused: counted per client address. */
export const anonymousLimit = (c: Context<AppEnv>, store: Store, clock: Clock) =>
  enforceLimit(c, store, clock, { scope: 'API', key: byClientIp(c) });

export interface RateLimitOptions {
  store: Store;
  clock: Clock;
  scope: RateLimitScope;
  /** The identity the limit counts; resolving to undefined skips the limit for this request. */
  key: (c: Context<AppEnv>) => string | undefined | Promise<string | undefined>;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  if (!options.store || !options.clock || typeof options.key !== 'function') {
    throw new Error('rateLimit needs a store, a clock and a key function');
  }
  const { store, clock, scope } = options;
  return async function rateLimitScope(c, next) {
    const key = await options.key(c);
    if (key !== undefined) {
      await enforceLimit(c, store, clock, { scope, key });
    }
    await next();
  };
}

/** X-RateLimit-* on every response of a limited route, admitted or refused. */
export function rateLimitHeaders(): MiddlewareHandler<AppEnv> {
  return async function rateLimitHeaders(c, next) {
    await next();
    const result = c.get('rateLimit');
    if (!result) return;
    c.res.headers.set('X-RateLimit-Limit', String(result.limit));
    c.res.headers.set('X-RateLimit-Remaining', String(Math.max(0, result.remaining)));
    c.res.headers.set('X-RateLimit-Reset', String(Math.ceil(result.resetMs / 1000)));
  };
}
