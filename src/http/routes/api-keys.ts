// /api/v1/api-keys: create (shown once), list, revoke, rotate. Signed-in users only; a key gets 403.
import { createRoute, z } from '@hono/zod-openapi';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../auth/api-keys.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import type { Authorization } from '../middleware/authorize.ts';
import { ApiKeyCreated, ApiKeyView, CreateApiKeyBody } from '../schemas/api-keys.ts';
import { json, jsonBody, problems } from '../schemas/common.ts';
import { BEARER, NO_STORE, router } from './shared.ts';

const IdParam = z.object({ id: z.uuid() });

export function apiKeyRoutes(deps: Deps, auth: Authorization) {
  const app = router();
  const signedIn = auth.bearer('API');

  return app
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        tags: ['api-keys'],
        summary: 'Create an API key; the key is in this response only',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { body: jsonBody(CreateApiKeyBody) },
        responses: {
          201: json(ApiKeyCreated, 'The key, shown once'),
          ...problems(401, 403, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const created = await createApiKey(
          deps,
          requestContext(c),
          c.get('auth').claims.sub,
          c.req.valid('json'),
        );
        return c.json(created, 201, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['api-keys'],
        summary: "The user's keys (never the keys themselves)",
        security: BEARER,
        middleware: [signedIn] as const,
        responses: { 200: json(z.array(ApiKeyView), 'Keys'), ...problems(401, 403, 429, 503) },
      }),
      async (c) => {
        return c.json(await listApiKeys(deps, c.get('auth').claims.sub), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags: ['api-keys'],
        summary: 'Revoke a key; it stops working at once',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { params: IdParam },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404, 422, 429, 503) },
      }),
      async (c) => {
        await revokeApiKey(deps, requestContext(c), c.get('auth').claims.sub, c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}/rotate',
        tags: ['api-keys'],
        summary: 'Replace the key; the old one stops working at once',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { params: IdParam },
        responses: {
          200: json(ApiKeyCreated, 'The new key, shown once'),
          ...problems(401, 403, 404, 422, 429, 503),
        },
      }),
      async (c) => {
        const rotated = await rotateApiKey(
          deps,
          requestContext(c),
          c.get('auth').claims.sub,
          c.req.valid('param').id,
        );
        return c.json(rotated, 200, NO_STORE);
      },
    );
}
