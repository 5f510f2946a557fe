// Schemas of the account-protection routes: password change and reset, email verification, policy check.
import { z } from '@hono/zod-openapi';
import { password } from './common.ts';

export const ChangePasswordBody = z
  .object({ current_password: password, new_password: password })
  .openapi('ChangePasswordRequest');

export const EmailBody = z
  .object({ email: z.string().trim().max(254).pipe(z.email()).openapi({ format: 'email' }) })
  .openapi('EmailRequest');

const oneTimeToken = z.string().min(1).max(512);

export const ResetConfirmBody = z
  .object({ token: oneTimeToken, new_password: password })
  .openapi('ResetPasswordConfirmRequest');

export const TokenBody = z.object({ token: oneTimeToken }).openapi('TokenRequest');

export const PasswordCheckBody = z
  .object({ password, email: z.string().max(254).optional(), username: z.string().max(128).optional() })
  .openapi('PasswordCheckRequest');

export const PasswordCheckResult = z
  .object({
    is_valid: z.boolean(),
    issues: z.array(z.string()),
    score: z.number().int().min(0).max(4),
    strength: z.enum(['very_weak', 'weak', 'fair', 'strong', 'very_strong']),
  })
  .openapi('PasswordCheckResult');
