// Schemas of /2fa.
import { z } from '@hono/zod-openapi';

export const TwoFactorEnrolment = z
  .object({
    secret: z.string(),
    otpauth_uri: z.string(),
    qr_code: z.string().openapi({ description: 'data:image/svg+xml;base64,...' }),
    backup_codes: z.array(z.string()),
    message: z.string(),
  })
  .openapi('TwoFactorEnrolment');

export const CodeBody = z.object({ code: z.string().min(1).max(32) }).openapi('CodeRequest');

export const DisableTwoFactorBody = z
  .object({ password: z.string().min(1).max(1024), code: z.string().min(1).max(32) })
  .openapi('DisableTwoFactorRequest');

export const BackupCodes = z
  .object({ backup_codes: z.array(z.string()), message: z.string() })
  .openapi('BackupCodes');
