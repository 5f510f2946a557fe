// createApp(deps): the Hono app. Middleware order matters and is read top to bottom; no I/O at import time.
import type { Deps } from './deps.ts';
import { requestContextFor } from './http/context.ts';
import { limitBody, strictJsonText } from './http/middleware/body.ts';
import { corsForAllowedOrigins } from './http/middleware/cors.ts';
import { createErrorHandler, notFound } from './http/middleware/errors.ts';
import { rateLimitHeaders } from './http/middleware/rate-limit.ts';
import { requestId } from './http/middleware/request-id.ts';
import { securityHeaders } from './http/middleware/security-headers.ts';
import { apiRoutes } from './http/routes/api.ts';
import { demoRoutes } from './http/routes/demo.ts';
import { docsRoutes } from './http/routes/docs.ts';
import { opsRoutes } from './http/routes/ops.ts';
import { router } from './http/routes/shared.ts';

export function createApp(deps: Deps) {
  const app = router();
  app.use(requestId());
  app.use(requestContextFor(deps));
  app.use(securityHeaders());
  app.use(
    corsForAllowedOrigins({ origins: deps.config.cors.origins, patterns: deps.config.cors.originPatterns }),
  );
  app.use('/api/*', limitBody());
  app.use('/api/*', strictJsonText());
  app.use('/api/*', rateLimitHeaders());

  app.route('/', opsRoutes(deps));
  app.route('/', docsRoutes());
  if (deps.config.demoEnabled) app.route('/', demoRoutes());
  app.route('/api/v1', apiRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  // What Swagger UI's "Authorize" uses: the OAuth2 password grant against the login route.
  app.openAPIRegistry.registerComponent('securitySchemes', 'oauth2Password', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyAuth', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Portcullis', version: '1.0.0', description: 'Authentication and API security for SPAs.' },
  });

  app.notFound(notFound);
  app.onError(createErrorHandler(deps.logger));
  return app;
}

export type App = ReturnType<typeof createApp>;
