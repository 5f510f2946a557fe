// CORS through hono/cors, for allowed origins only: exact origins plus fully anchored patterns.
// A request from any other origin (including `null`) gets no CORS header at all.
import type { MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';

export interface CorsOptions {
  origins: string[];
  patterns: RegExp[];
}

const EXPOSED = [
  'X-Request-ID',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
  'WWW-Authenticate',
  'DPoP-Nonce',
];

/** The test of an allowed origin: exact origins plus fully anchored patterns; never `null`. */
export function allowedOrigin(options: CorsOptions): (origin: string) => boolean {
  for (const pattern of options.patterns) {
    if (!pattern.source.startsWith('^') || !pattern.source.endsWith('$')) {
      throw new Error('CORS origin patterns must be anchored at both ends');
    }
  }
  const exact = new Set(options.origins);
  return (origin) =>
    origin !== 'null' && (exact.has(origin) || options.patterns.some((pattern) => pattern.test(origin)));
}

export function corsForAllowedOrigins(options: CorsOptions): MiddlewareHandler {
  const allowed = allowedOrigin(options);
  const inner = honoCors({
    origin: (origin) => (allowed(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-ID', 'X-Session-Mode', 'DPoP'],
    exposeHeaders: EXPOSED,
    maxAge: 600,
  });
  return async function cors(c, next) {
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed(origin)) return inner(c, next);
    c.header('Vary', 'Origin', { append: true });
    await next();
  };
}
