// /api/v1/auth/email/*: sign in with a link or a 6-digit code sent by mail.
import { createRoute, z } from '@hono/zod-openapi';
import { requireCaptcha } from '../middleware/captcha.ts';
import { startEmailSignIn } from '../../auth/email-sign-in/start.ts';
import { verifyEmailSignIn } from '../../auth/email-sign-in/verify.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import { bindDpop } from '../dpop.ts';
import { allowedOrigin } from '../middleware/cors.ts';
import { LoginResponse, MfaChallenge } from '../schemas/auth.ts';
import { Message, json, jsonBody, problems } from '../schemas/common.ts';
import { EmailStartBody, EmailVerifyBody } from '../schemas/email-sign-in.ts';
import { tokenBody } from '../session-cookie.ts';
import { validationFailed } from '../validation.ts';
import { limitByClientIp, NO_STORE, router } from './shared.ts';

const SENT =
  'If this address may sign in, a link and a code are on their way. Both work once, for 10 minutes.';

export function emailSignInRoutes(deps: Deps) {
  const limit = limitByClientIp(deps);
  const captcha = requireCaptcha(deps.captcha);
  const ownOrigin = new URL(deps.config.publicUrl).origin;
  const corsAllowed = allowedOrigin({
    origins: deps.config.cors.origins,
    patterns: deps.config.cors.originPatterns,
  });
  const allowed = (url: string) => {
    const origin = new URL(url).origin;
    return origin === ownOrigin || corsAllowed(origin);
  };

  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/email/start',
        tags: ['auth'],
        summary: 'Mail a sign-in link and code (the same answer whether or not the address has an account)',
        middleware: [limit('PASSWORD_RESET'), captcha] as const,
        request: { body: jsonBody(EmailStartBody) },
        responses: { 202: json(Message, 'Accepted'), ...problems(403, 413, 415, 422, 429, 503) },
      }),
      async (c) => {
        const { email, redirect_to: redirectTo } = c.req.valid('json');
        if (redirectTo !== undefined && !allowed(redirectTo)) {
          throw validationFailed([
            {
              code: 'custom',
              path: ['redirect_to'],
              message: 'Its origin is not allowed.',
              input: redirectTo,
            },
          ]);
        }
        await startEmailSignIn(deps, requestContext(c), { email, redirectTo });
        return c.json({ message: SENT }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/email/verify',
        tags: ['auth'],
        summary: 'Sign in with the code or the link token from the mail (amr email)',
        description: 'Takes `X-Session-Mode: cookie` and a `DPoP` proof like `/auth/login`.',
        middleware: [limit('LOGIN')] as const,
        request: { body: jsonBody(EmailVerifyBody) },
        responses: {
          200: json(z.union([LoginResponse, MfaChallenge]), 'Tokens and the user, or the 2FA challenge'),
          ...problems(400, 403, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        await bindDpop(c, deps);
        const result = await verifyEmailSignIn(deps, requestContext(c), body);
        return c.json('requires_2fa' in result ? result : tokenBody(c, result, deps.clock), 200, NO_STORE);
      },
    );
}
