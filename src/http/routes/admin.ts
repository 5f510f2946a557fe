// /api/v1/admin: role admin, or an API key with scope admin (reads also with read:users).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listAuditEvents, listUsers, setUserActive, setUserRoles, unlockUser } from '../../auth/admin.ts';
import type { UserView } from '../../auth/user-view.ts';
import type { Deps, RequestContext } from '../../deps.ts';
import { requestContext, type AppEnv } from '../context.ts';
import type { Authorization } from '../middleware/authorize.ts';
import { AuditPage, RolesBody, UserPage } from '../schemas/admin.ts';
import { UserEnvelope, json, jsonBody, problems, text } from '../schemas/common.ts';
import { BEARER, router } from './shared.ts';

const security: Record<string, string[]>[] = [...BEARER, { apiKeyAuth: [] }];
const IdParam = z.object({ id: z.uuid() });
const limit = z.coerce.number().int().min(1).max(100).default(50);

export function adminRoutes(deps: Deps, auth: Authorization) {
  const app = router();
  const read = auth.admin('read');
  const write = auth.admin('write');
  const actor = (c: { get(key: 'principal'): AppEnv['Variables']['principal'] }) => {
    const p = c.get('principal');
    return p.method === 'api_key' ? p.user.id : p.claims.sub;
  };

  // The three user actions share a shape; each is its own route so that the typed client knows its path.
  const userActionRoute = <P extends string>(path: P, summary: string) =>
    createRoute({
      method: 'post',
      path,
      tags: ['admin'],
      summary,
      security,
      middleware: [write] as const,
      request: { params: IdParam },
      responses: { 200: json(UserEnvelope, 'The user'), ...problems(401, 403, 404, 422, 429, 503) },
    });
  const userAction =
    (run: (ctx: RequestContext, id: string, who: string) => Promise<UserView>) =>
    async (c: Context<AppEnv, string, { out: { param: { id: string } } }>) =>
      c.json({ user: await run(requestContext(c), c.req.valid('param').id, actor(c)) }, 200);

  return app
    .openapi(
      createRoute({
        method: 'get',
        path: '/users',
        tags: ['admin'],
        summary: 'Users, oldest first, with cursor pagination and search on email or username',
        security,
        middleware: [read] as const,
        request: {
          query: z.object({
            limit,
            cursor: z.string().max(200).optional(),
            q: text(100).optional(),
          }),
        },
        responses: { 200: json(UserPage, 'A page of users'), ...problems(401, 403, 422, 429, 503) },
      }),
      async (c) => c.json(await listUsers(deps, c.req.valid('query')), 200),
    )
    .openapi(
      userActionRoute('/users/{id}/unlock', 'Clear the lockout of a user'),
      userAction((ctx, id, who) => unlockUser(deps, ctx, who, id)),
    )
    .openapi(
      userActionRoute(
        '/users/{id}/deactivate',
        'Deactivate a user: every session and token is revoked at once',
      ),
      userAction((ctx, id, who) => setUserActive(deps, ctx, who, id, false)),
    )
    .openapi(
      userActionRoute('/users/{id}/activate', 'Reactivate a user'),
      userAction((ctx, id, who) => setUserActive(deps, ctx, who, id, true)),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/users/{id}/roles',
        tags: ['admin'],
        summary: "Set a user's roles (`user` is always kept)",
        security,
        middleware: [write] as const,
        request: { params: IdParam, body: jsonBody(RolesBody) },
        responses: { 200: json(UserEnvelope, 'The user'), ...problems(401, 403, 404, 415, 422, 429, 503) },
      }),
      async (c) => {
        const user = await setUserRoles(
          deps,
          requestContext(c),
          actor(c),
          c.req.valid('param').id,
          c.req.valid('json').roles,
        );
        return c.json({ user }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/audit-events',
        tags: ['admin'],
        summary: 'The audit trail, newest first, filtered by user and type, with cursor pagination',
        security,
        middleware: [read] as const,
        request: {
          query: z.object({
            user_id: z.uuid().optional(),
            type: text(64).optional(),
            limit,
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: { 200: json(AuditPage, 'A page of events'), ...problems(401, 403, 422, 429, 503) },
      }),
      async (c) => c.json(await listAuditEvents(deps, c.req.valid('query')), 200),
    );
}
