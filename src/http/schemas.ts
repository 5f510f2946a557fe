// Request and response schemas, shared by validation and the OpenAPI document.
import { z } from '@hono/zod-openapi';
import { PASSWORD_MAX_LENGTH } from '../auth/password-policy.ts';
import { parseRange } from '../auth/ip-allowlist.ts';
import { USERNAME_PATTERN } from '../auth/normalize.ts';
import { ROLES, SCOPES } from '../auth/scopes.ts';
import { codesByStatus } from '../auth/errors.ts';

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'about:blank' }),
    title: z.string().openapi({ example: 'Unauthorized' }),
    status: z.number().int().openapi({ example: 401 }),
    detail: z.string().openapi({ example: 'Incorrect username or password.' }),
    code: z.string().openapi({ example: 'invalid_credentials' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    issues: z.array(z.string()).optional(),
  })
  .openapi('Problem');

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    username: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    is_active: z.boolean(),
    is_verified: z.boolean(),
    roles: z.array(z.string()),
    two_factor_enabled: z.boolean(),
    created_at: z.string().openapi({ format: 'date-time' }),
    last_login_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('User');

export const UserEnvelope = z.object({ user: User }).openapi('UserEnvelope');

export const TokenPair = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
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
  })
  .openapi('Login2faRequest', {
    description:
      '`mfa_token` + (`code` or `backup_code`); or `username`, `password` + (`totp_code` or `backup_code`)',
  });

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

export const Message = z.object({ message: z.string() }).openapi('Message');

const password = z.string().min(1).max(1024);
/** Free text that Postgres can store or compare: it refuses NUL in text, whatever the statement. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), { message: 'Must not contain NUL characters.' });

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
export const RefreshBody = z.object({ refresh_token: z.string() }).openapi('RefreshRequest');

export const LogoutBody = z
  .object({ refresh_token: z.string().min(1).max(512).optional() })
  .openapi('LogoutRequest');

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

export const SessionInfo = z
  .object({
    active: z.literal(true),
    user_id: z.uuid(),
    session_id: z.uuid(),
    roles: z.array(z.string()),
    amr: z.array(z.string()),
    expires_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('SessionInfo');

export const MeResponse = z
  .object({
    user: User,
    auth: z.object({ method: z.enum(['password', 'api_key']), scopes: z.array(z.string()).optional() }),
  })
  .openapi('MeResponse');

/** The machine codes each error status can carry, from the one catalogue, so the document lists them per response. */
export const CODES_BY_STATUS = codesByStatus();

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Malformed request, or a one-time token that is not valid',
  401: 'Not authenticated: authenticate again',
  403: 'Authenticated (or identified) but not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body over 64 KiB',
  415: 'Body of another media type than the route accepts',
  422: 'Validation failed',
  429: 'Rate limited; Retry-After says when to come back',
  503: 'A backing service is unavailable; nothing was done',
};

const problemContent = Object.fromEntries(
  Object.entries(CODES_BY_STATUS).map(([status, codes]) => [
    status,
    {
      'application/problem+json': {
        schema: Problem.extend({
          status: z.literal(Number(status)).openapi({ example: Number(status) }),
          code: z.enum(codes as [string, ...string[]]).openapi({ example: codes[0] }),
        }).openapi(`Problem${status}`),
      },
    },
  ]),
) as Record<ErrorStatus, object>;

/** The problem responses of a route, for the OpenAPI document. */
export function problems(...statuses: ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `${DESCRIPTIONS[status]}: ${(CODES_BY_STATUS[status] ?? []).map((c) => `\`${c}\``).join(', ')}`,
        content: problemContent[status],
      },
    ]),
  );
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

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

export const ApiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    key_prefix: z.string(),
    scopes: z.array(z.string()),
    allowed_ips: z.array(z.string()),
    is_active: z.boolean(),
    last_used_at: z.string().nullable(),
    usage_count: z.number().int(),
    expires_at: z.string(),
    created_at: z.string(),
  })
  .openapi('ApiKey');

export const ApiKeyCreated = ApiKeyView.extend({ key: z.string(), warning: z.string() }).openapi(
  'ApiKeyCreated',
);

export const CreateApiKeyBody = z
  .object({
    name: text(100).min(1),
    scopes: z.array(z.enum(SCOPES)).max(SCOPES.length),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
    description: text(500).nullish(),
    allowed_ips: z
      .array(
        z
          .string()
          .max(64)
          .refine((entry) => parseRange(entry) !== undefined, {
            message: 'Not an IP address or CIDR range.',
          }),
      )
      .max(100)
      .optional(),
  })
  .openapi('CreateApiKeyRequest');

export const UserPage = z
  .object({ items: z.array(User), next_cursor: z.string().nullable() })
  .openapi('UserPage');

export const AuditEvent = z
  .object({
    id: z.uuid(),
    type: z.string(),
    user_id: z.uuid().nullable(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('AuditEvent');

export const AuditPage = z
  .object({ items: z.array(AuditEvent), next_cursor: z.string().nullable() })
  .openapi('AuditPage');

export const RolesBody = z
  .object({ roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length) })
  .openapi('RolesRequest');
