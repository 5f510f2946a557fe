// GET /docs: Swagger UI over /openapi.json. Its assets come from a pinned swagger-ui-dist on jsDelivr (the
// URLs built by @hono/swagger-ui); the start-up script is served from /docs/init.js, so the page's policy
// allows those assets and this origin's script and nothing else: no inline script, no eval.
import { SwaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

const SWAGGER_UI_VERSION = '5.35.0';
// Only this package at this version, not the whole of jsDelivr (which serves any npm package).
const ASSETS = `https://cdn.jsdelivr.net/npm/swagger-ui-dist@${SWAGGER_UI_VERSION}/`;

export const DOCS_CSP = [
  "default-src 'none'",
  `script-src 'self' ${ASSETS}`,
  `style-src ${ASSETS}`,
  `img-src 'self' data: ${ASSETS}`,
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
  });
});
`;

function page(): string {
  return SwaggerUI({
    version: SWAGGER_UI_VERSION,
    url: '/openapi.json',
    manuallySwaggerUIHtml: (asset) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Portcullis API</title>
    ${asset.css.map((url) => `<link rel="stylesheet" href="${url}" crossorigin="anonymous" />`).join('\n    ')}
  </head>
  <body>
    <div id="swagger-ui"></div>
    ${asset.js.map((url) => `<script src="${url}" crossorigin="anonymous"></script>`).join('\n    ')}
    <script src="/docs/init.js"></script>
  </body>
</html>
`,
  });
}

export function docsRoutes() {
  const app = new Hono<AppEnv>();
  const html = page();
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html(html);
  });
  app.get('/docs/init.js', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.body(INIT_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  return app;
}
