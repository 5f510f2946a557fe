// Schemas of /api-keys.
import { z } from '@hono/zod-openapi';
import { parseRange } from '../../auth/ip-allowlist.ts';
import { SCOPES } from '../../auth/scopes.ts';
import { text } from './common.ts';

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
