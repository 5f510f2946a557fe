// Operations at the root: JWKS, health, readiness, and the development outbox.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { json, problems } from '../schemas/common.ts';
import { router } from './shared.ts';
import { readiness } from '../../auth/readiness.ts';

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('Jwks');
const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Readiness = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: z.enum(['ok', 'unavailable']), store: z.enum(['ok', 'unavailable']) }),
  })
  .openapi('Readiness');
const Outbox = z
  .array(z.object({ to: z.string(), subject: z.string(), text: z.string(), created_at: z.string() }))
  .openapi('Outbox');

export function opsRoutes(deps: Deps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      tags: ['operations'],
      summary: 'Public keys that verify access tokens',
      responses: { 200: json(Jwks, 'The JWKS') },
    }),
    (c) =>
      c.json(deps.keys.jwks as { keys: Record<string, string>[] }, 200, {
        'Cache-Control': 'public, max-age=300',
      }),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['operations'],
      summary: 'Liveness (touches no dependency)',
      responses: { 200: json(Health, 'Alive') },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/health/ready',
      tags: ['operations'],
      summary: 'Readiness: the database and the store answer',
      responses: { 200: json(Readiness, 'Ready'), 503: json(Readiness, 'A dependency is down') },
    }),
    async (c) => {
      const ready = await readiness(deps);
      return c.json(ready, ready.status === 'ok' ? 200 : 503, { 'Cache-Control': 'no-store' });
    },
  );

  if (deps.config.environment === 'development' || deps.config.environment === 'test') {
    app.openapi(
      createRoute({
        method: 'get',
        path: '/dev/outbox',
        tags: ['operations'],
        summary: 'Development only: mails sent to an address, newest first',
        request: { query: z.object({ to: z.string().min(3).max(254) }) },
        responses: { 200: json(Outbox, 'The mails'), ...problems(404, 422) },
      }),
      async (c) =>
        c.json(await deps.store.readOutbox(c.req.valid('query').to), 200, { 'Cache-Control': 'no-store' }),
    );
  }
  return app;
}
