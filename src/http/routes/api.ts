// Everything under /api/v1, built as one chain so that its type carries every route: `Api` is what the
// typed SPA client (src/client.ts) is generated from.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../context.ts';
import { validationHook } from '../validation.ts';
import { accountRoutes } from './account.ts';
import { adminRoutes } from './admin.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { authRoutes } from './auth.ts';
import { twoFactorRoutes } from './two-factor.ts';

export function apiRoutes(deps: Deps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .route('/auth', authRoutes(deps))
    .route('/auth', accountRoutes(deps))
    .route('/2fa', twoFactorRoutes(deps))
    .route('/api-keys', apiKeyRoutes(deps))
    .route('/admin', adminRoutes(deps));
}

export type Api = ReturnType<typeof apiRoutes>;
