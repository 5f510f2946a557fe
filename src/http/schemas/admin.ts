// Schemas of /admin.
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../auth/scopes.ts';
import { User } from './common.ts';

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
