// What every route group's schemas share: the problem document, the user object, and the helpers that turn
// schemas into OpenAPI request bodies and responses.
import { z } from '@hono/zod-openapi';
import { codesByStatus } from '../../auth/errors.ts';
import { isWellFormed } from '../../auth/normalize.ts';

/** A password as a body carries it: never trimmed; the policy checks length. */
export const password = z.string().min(1).max(1024);

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

export const Message = z.object({ message: z.string() }).openapi('Message');

/** Free text that Postgres can store or compare: it refuses NUL in text, whatever the statement. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), { message: 'Must not contain NUL characters.' })
    .refine(isWellFormed, { message: 'Must be well-formed Unicode (no lone surrogates).' });

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
