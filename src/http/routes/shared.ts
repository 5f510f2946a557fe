// What every route file shares: its router, the rate limit per client address, the OpenAPI security
// requirement of signed-in routes, and the cache header of responses that carry tokens or secrets.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { RateLimitScope } from '../../ports/store.ts';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../context.ts';
import { byClientIp, rateLimit } from '../middleware/rate-limit.ts';
import { validationHook } from '../validation.ts';

/** A router whose invalid requests answer 422 validation_failed the same way everywhere. */
export const router = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** The middleware counting a scope per client address (CF-Connecting-IP, IPv6 per /64). */
export const limitByClientIp = (deps: Pick<Deps, 'store' | 'clock'>) => (scope: RateLimitScope) =>
  rateLimit({ store: deps.store, clock: deps.clock, scope, key: byClientIp });

// Either scheme fills the Authorization header; listing both lets Swagger UI's password "Authorize" apply.
export const BEARER: Record<string, string[]>[] = [{ bearerAuth: [] }, { oauth2Password: [] }];
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
