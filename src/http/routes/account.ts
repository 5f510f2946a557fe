// /api/v1/auth: the account-protection routes (password change, reset, email verification, policy check).
import { createRoute } from '@hono/zod-openapi';
import { requireCaptcha } from '../middleware/captcha.ts';
import { changePassword } from '../../auth/change-password.ts';
import { confirmVerification, requestVerification } from '../../auth/email-verification.ts';
import { confirmPasswordReset, requestPasswordReset } from '../../auth/password-reset.ts';
import { checkPassword } from '../../auth/password-policy.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import type { Authorization } from '../middleware/authorize.ts';
import {
  ChangePasswordBody,
  EmailBody,
  PasswordCheckBody,
  PasswordCheckResult,
  ResetConfirmBody,
  TokenBody,
} from '../schemas/account.ts';
import { LoginResponse } from '../schemas/auth.ts';
import { Message, UserEnvelope, json, jsonBody, problems } from '../schemas/common.ts';
import { BEARER, limitByClientIp, NO_STORE, router } from './shared.ts';
import { tokenBody } from '../session-cookie.ts';

export function accountRoutes(deps: Deps, auth: Authorization) {
  const app = router();
  const limit = limitByClientIp(deps);
  const captcha = requireCaptcha(deps.captcha);
  const authenticated = auth.bearer('API');

  return app
    .openapi(
      createRoute({
        method: 'post',
        path: '/change-password',
        tags: ['account'],
        summary: 'Change the password; every other session is revoked, the caller gets a fresh one',
        security: BEARER,
        middleware: [authenticated] as const,
        request: { body: jsonBody(ChangePasswordBody) },
        responses: { 200: json(LoginResponse, 'A fresh session'), ...problems(401, 403, 415, 422, 429, 503) },
      }),
      async (c) => {
        const tokens = await changePassword(
          deps,
          requestContext(c),
          c.get('auth').claims,
          c.req.valid('json'),
        );
        return c.json(tokenBody(c, tokens, deps.clock), 200, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/reset-password/request',
        tags: ['account'],
        summary: 'Mail a single-use reset link (the same answer whether or not the address has an account)',
        middleware: [limit('PASSWORD_RESET'), captcha] as const,
        request: { body: jsonBody(EmailBody) },
        responses: { 202: json(Message, 'Accepted'), ...problems(403, 415, 422, 429, 503) },
      }),
      (c) => {
        requestPasswordReset(deps, requestContext(c), c.req.valid('json').email);
        return c.json({ message: 'If an account uses this address, a reset link is on its way.' }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/reset-password/confirm',
        tags: ['account'],
        summary: 'Set a new password with a reset token; every session is revoked and the lockout cleared',
        middleware: [limit('PASSWORD_RESET')] as const,
        request: { body: jsonBody(ResetConfirmBody) },
        responses: { 200: json(Message, 'Password reset'), ...problems(400, 415, 422, 429, 503) },
      }),
      async (c) => {
        await confirmPasswordReset(deps, requestContext(c), c.req.valid('json'));
        return c.json({ message: 'Your password has been reset. Sign in with the new one.' }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/verify-email/request',
        tags: ['account'],
        summary: 'Mail a new email-verification link',
        security: BEARER,
        middleware: [limit('PASSWORD_RESET'), authenticated] as const,
        responses: { 202: json(Message, 'Accepted'), ...problems(401, 429, 503) },
      }),
      (c) => {
        requestVerification(deps, requestContext(c), c.get('auth').claims.sub);
        return c.json(
          { message: 'If the address is not verified yet, a verification link is on its way.' },
          202,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/verify-email/confirm',
        tags: ['account'],
        summary: 'Confirm the email address with the mailed token',
        middleware: [limit('PASSWORD_RESET')] as const,
        request: { body: jsonBody(TokenBody) },
        responses: { 200: json(UserEnvelope, 'Verified'), ...problems(400, 415, 422, 429, 503) },
      }),
      async (c) => {
        const user = await confirmVerification(deps, requestContext(c), c.req.valid('json').token);
        return c.json({ user }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/password/check',
        tags: ['account'],
        summary: 'Check a password against the policy without setting it',
        middleware: [limit('API')] as const,
        request: { body: jsonBody(PasswordCheckBody) },
        responses: { 200: json(PasswordCheckResult, 'The verdict'), ...problems(415, 422, 429, 503) },
      }),
      (c) => {
        const { password, email, username } = c.req.valid('json');
        return c.json(checkPassword(password, { email, username }), 200, NO_STORE);
      },
    );
}
