// GET /demo: a small SPA (demo/, bundled at build time) that walks through register, login, 2FA enrolment,
// sessions, API keys and logout with the typed client. Mounted only when config.demoEnabled (development
// and test by default; production only with DEMO_ENABLED=true). Its policy lets its own script, style and the
// QR code's data: image in, and nothing else: no inline script, no other origin.
import { Hono } from 'hono';
import { DEMO_CSS, DEMO_HTML, DEMO_JS } from '../../generated/demo-assets.js';
import type { AppEnv } from '../context.ts';
import { SIGN_IN_PERMISSIONS_POLICY } from '../middleware/security-headers.ts';

export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const asset = (body: string, type: string) => () =>
  new Response(body, {
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': DEMO_CSP,
      'Permissions-Policy': SIGN_IN_PERMISSIONS_POLICY,
      'Cache-Control': 'no-cache',
    },
  });

export function demoRoutes() {
  const page = asset(DEMO_HTML, 'text/html; charset=utf-8');
  return (
    new Hono<AppEnv>()
      .get('/demo', page)
      // Where `npm run dev` points the links in mails (PUBLIC_URL=<origin>/demo): the page finishes the job.
      .get('/demo/reset-password', page)
      .get('/demo/verify-email', page)
      .get('/demo/sign-in', page)
      .get('/demo/app.js', asset(DEMO_JS, 'text/javascript; charset=utf-8'))
      .get('/demo/app.css', asset(DEMO_CSS, 'text/css; charset=utf-8'))
  );
}
