// Email sign-in: the start (an address and where the link should open) and the verification (code or link).
import { z } from '@hono/zod-openapi';

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .openapi({ format: 'email', example: 'ada@example.com' });

export const EmailStartBody = z
  .object({
    email,
    redirect_to: z
      .url()
      .max(2048)
      .optional()
      .openapi({ description: 'The page the link opens (it POSTs the token); its origin must be allowed' }),
  })
  .openapi('EmailSignInStartRequest');

export const EmailVerifyBody = z
  .union([z.object({ email, code: z.string().trim().max(16) }), z.object({ token: z.string().max(128) })])
  .openapi('EmailSignInVerifyRequest', {
    description: '`{email, code}` from the mail, or `{token}` from its link',
  });
