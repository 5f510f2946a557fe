// /api/v1/2fa: TOTP enrolment with a QR code, confirmation, disabling, backup codes.
import { createRoute, z } from '@hono/zod-openapi';
import {
  beginEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  regenerateBackupCodes,
} from '../../auth/two-factor.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import type { Authorization } from '../middleware/authorize.ts';
import { json, jsonBody, problems } from '../schemas/common.ts';
import { BackupCodes, CodeBody, DisableTwoFactorBody, TwoFactorEnrolment } from '../schemas/two-factor.ts';
import { BEARER, NO_STORE, router } from './shared.ts';

const Enabled = z.object({ enabled: z.boolean(), message: z.string().optional() }).openapi('TwoFactorState');

/** A backup code has a dash or letters; a TOTP code is six digits. */
const asFactor = (code: string) => (/^\s*\d{6}\s*$/.test(code) ? { code } : { backupCode: code });

export function twoFactorRoutes(deps: Deps, auth: Authorization) {
  const app = router();
  const authenticated = auth.bearer;

  return app
    .openapi(
      createRoute({
        method: 'post',
        path: '/enable',
        tags: ['two-factor'],
        summary:
          'Start enrolment: secret, otpauth URI, QR code and backup codes (2FA stays off until /verify)',
        security: BEARER,
        middleware: [authenticated('API')] as const,
        responses: {
          200: json(TwoFactorEnrolment, 'Enrolment material, shown once'),
          ...problems(401, 409, 429, 503),
        },
      }),
      async (c) => c.json(await beginEnrolment(deps, c.get('auth').claims.sub), 200, NO_STORE),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/verify',
        tags: ['two-factor'],
        summary: 'Confirm enrolment with a current code; 2FA is on from then',
        security: BEARER,
        middleware: [authenticated('LOGIN_2FA')] as const,
        request: { body: jsonBody(CodeBody) },
        responses: { 200: json(Enabled, 'On'), ...problems(400, 401, 403, 409, 422, 429, 503) },
      }),
      async (c) =>
        c.json(
          await confirmEnrolment(deps, requestContext(c), c.get('auth').claims.sub, c.req.valid('json').code),
          200,
        ),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/disable',
        tags: ['two-factor'],
        summary: 'Turn 2FA off (password and a TOTP or backup code); the secret and backup codes are deleted',
        security: BEARER,
        middleware: [authenticated('LOGIN_2FA')] as const,
        request: { body: jsonBody(DisableTwoFactorBody) },
        responses: { 200: json(Enabled, 'Off'), ...problems(400, 401, 403, 422, 429, 503) },
      }),
      async (c) => {
        const { password, code } = c.req.valid('json');
        const result = await disableTwoFactor(deps, requestContext(c), c.get('auth').claims.sub, {
          password,
          factor: asFactor(code),
        });
        return c.json(result, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/backup-codes',
        tags: ['two-factor'],
        summary: 'Replace every backup code (a current TOTP code is required)',
        security: BEARER,
        middleware: [authenticated('LOGIN_2FA')] as const,
        request: { body: jsonBody(CodeBody) },
        responses: {
          200: json(BackupCodes, 'New codes, shown once'),
          ...problems(400, 401, 403, 422, 429, 503),
        },
      }),
      async (c) => {
        const body = await regenerateBackupCodes(
          deps,
          requestContext(c),
          c.get('auth').claims.sub,
          c.req.valid('json').code,
        );
        return c.json(body, 200, NO_STORE);
      },
    );
}
