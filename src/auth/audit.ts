// Audit rows are written after the response (waitUntil): the data they describe is already stored, and a
// failed audit write is logged, never turned into a failed request.
import type { Deps, RequestContext } from '../deps.ts';
import type { AuditEventRow } from '../ports/database.ts';

export type AuditEventType =
  | 'user_registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'account_locked'
  | 'token_refreshed'
  | 'refresh_token_reused'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'backup_codes_regenerated'
  | 'api_key_created'
  | 'api_key_rotated'
  | 'api_key_revoked'
  | 'user_deactivated'
  | 'user_activated'
  | 'account_unlocked'
  | 'roles_changed'
  | 'passkey_registered'
  | 'passkey_removed'
  | 'passkey_counter_regressed'
  | 'email_sign_in_requested';

export interface AuditInput {
  type: AuditEventType;
  userId?: string | null;
  actorId?: string | null;
  /** Server-side only: never returned to the caller who caused the event. */
  detail?: Record<string, unknown>;
}

/** The row of an event, for the writes that carry their audit row in the same round trip. */
export function auditRow(
  deps: Pick<Deps, 'clock' | 'random'>,
  ctx: RequestContext,
  input: AuditInput,
): AuditEventRow {
  return {
    id: deps.random.uuid(),
    type: input.type,
    userId: input.userId ?? null,
    actorId: input.actorId ?? input.userId ?? null,
    ipAddress: ctx.ip,
    userAgent: ctx.userAgent,
    detail: input.detail ?? {},
    createdAt: deps.clock.now(),
  };
}

export function audit(
  deps: Pick<Deps, 'db' | 'clock' | 'random' | 'logger'>,
  ctx: RequestContext,
  input: AuditInput,
) {
  const write = deps.db.audit.insert(auditRow(deps, ctx, input)).catch((error: unknown) => {
    deps.logger.error('audit_write_failed', {
      type: input.type,
      request_id: ctx.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  });
  ctx.waitUntil(write);
}
