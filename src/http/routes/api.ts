// Everything under /api/v1, built as one chain so that its type carries every route: `Api` is what the
// typed SPA client (src/client.ts) is generated from.
import type { Deps } from '../../deps.ts';
import { authorization } from '../middleware/authorize.ts';
import { router } from './shared.ts';
import { accountRoutes } from './account.ts';
import { adminRoutes } from './admin.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { authRoutes } from './auth.ts';
import { emailSignInRoutes } from './email-sign-in.ts';
import { passkeyRoutes, passkeySignInRoutes } from './passkeys.ts';
import { twoFactorRoutes } from './two-factor.ts';

export function apiRoutes(deps: Deps) {
  // One for all routes, so that a token verified on one route is known to the others.
  const auth = authorization(deps);
  return router()
    .route('/auth', authRoutes(deps, auth))
    .route('/auth', accountRoutes(deps, auth))
    .route('/auth', passkeySignInRoutes(deps))
    .route('/auth', emailSignInRoutes(deps))
    .route('/passkeys', passkeyRoutes(deps, auth))
    .route('/2fa', twoFactorRoutes(deps, auth))
    .route('/api-keys', apiKeyRoutes(deps, auth))
    .route('/admin', adminRoutes(deps, auth));
}

export type Api = ReturnType<typeof apiRoutes>;
