// Schemas of /auth: registration, login, tokens, the session and user views.
import { z } from '@hono/zod-openapi';
import { AuthenticationResponse, challengeId } from './passkeys.ts';
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy.ts';
import { USERNAME_PATTERN } from '../../auth/normalize.ts';
import { User, password, text } from './common.ts';

export const TokenPair = z
  .object({
    access_token: z.string(),
    refresh_token: z.string().optional().openapi({
      description: 'Absent in cookie mode (`X-Session-Mode: cookie`): the token is in the cookie',
    }),
    refresh_token_in: z
      .literal('cookie')
      .optional()
      .openapi({ description: 'Cookie mode: the refresh token is in the `__Host-portcullis_rt` cookie' }),
    token_type: z
      .enum(['bearer', 'DPoP'])
      .openapi({ description: "`DPoP` when bound to the DPoP key that signed the request's proof" }),
    expires_in: z.number().int().openapi({ example: 900 }),
  })
  .openapi('TokenPair');

export const LoginResponse = TokenPair.extend({ user: User }).openapi('LoginResponse');

export const MfaChallenge = z
  .object({
    requires_2fa: z.literal(true),
    mfa_token: z.string(),
    expires_in: z.number().int().openapi({ example: 300 }),
  })
  .openapi('MfaChallenge');

export const Login2faBody = z
  .object({
    mfa_token: z.string().min(1).max(2048).optional(),
    code: z.string().max(16).optional(),
    backup_code: z.string().max(32).optional(),
    username: z.string().min(1).max(254).optional(),
    password: z.string().min(1).max(1024).optional(),
    totp_code: z.string().max(16).optional(),
    challenge_id: challengeId.optional(),
    passkey: AuthenticationResponse.optional(),
  })
  .openapi('Login2faRequest', {
    description:
      '`mfa_token` + (`code`, `backup_code`, or `challenge_id` + `passkey`: an assertion for the options `POST /auth/passkey/options {mfa_token}` gave); or `username`, `password` + (`totp_code` or `backup_code`)',
  });

export const RegisterBody = z
  .object({
    // Trimmed before it is checked: a pasted " ada@example.com " is the address ada@example.com.
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email())
      .openapi({ format: 'email', example: 'ada@example.com' }),
    // Checked after NFKC, the form it is stored and compared in: a fullwidth "ａｄａ" is the name "ada".
    username: z
      .string()
      .max(128)
      .refine((name) => USERNAME_PATTERN.test(name.trim().normalize('NFKC')), {
        message: 'Usernames are 3-32 characters: letters, digits, "_", "." and "-".',
      })
      .openapi({ example: 'ada', pattern: USERNAME_PATTERN.source }),
    password: z
      .string()
      .max(PASSWORD_MAX_LENGTH * 4)
      .openapi({ example: 'correct horse battery staple' }),
    first_name: text(100).nullish(),
    last_name: text(100).nullish(),
  })
  .openapi('RegisterRequest');

export const LoginBody = z
  .object({
    username: z.string().min(1).max(254).openapi({ description: 'Email or username', example: 'ada' }),
    password,
    grant_type: z.literal('password').optional(),
    scope: z.string().max(1000).optional(),
  })
  .openapi('LoginRequest');

// Any string: one that is not a refresh token of ours (an access token, an empty string) is 401 invalid_token,
// as tokens that authenticate fail (API.md), not 422. The 64 KiB body limit bounds it.
export const RefreshBody = z
  .object({
    refresh_token: z.string().optional().openapi({
      description: 'Required, except in cookie mode, where the `__Host-portcullis_rt` cookie carries it',
    }),
  })
  .openapi('RefreshRequest');

export const LogoutBody = z
  .object({ refresh_token: z.string().min(1).max(512).optional() })
  .openapi('LogoutRequest');

export const SessionInfo = z
  .object({
    active: z.literal(true),
    user_id: z.uuid(),
    session_id: z.uuid(),
    roles: z.array(z.string()),
    amr: z.array(z.string()),
    expires_at: z.string().openapi({ format: 'date-time' }),
    cnf: z
      .object({ jkt: z.string() })
      .optional()
      .openapi({ description: 'The DPoP key the token is bound to (RFC 7638 thumbprint), when it is bound' }),
  })
  .openapi('SessionInfo');

export const MeResponse = z
  .object({
    user: User,
    auth: z.object({ method: z.enum(['password', 'api_key']), scopes: z.array(z.string()).optional() }),
  })
  .openapi('MeResponse');

export const SessionView = z
  .object({
    id: z.uuid(),
    created_at: z.string(),
    last_used_at: z.string(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session');
