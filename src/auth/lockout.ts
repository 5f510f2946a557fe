// Brute-force protection without enumeration: the same counting, the same lock and the same answers whether
// or not the login name belongs to an account. Never "N attempts remaining".
import type { UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit, auditRow } from './audit.ts';
import { AuthError } from './errors.ts';

export const accountLocked = () =>
  new AuthError(
    'account_locked',
    'Too many failed attempts: this account is locked for now. Try again later.',
  );

/** Refuses while a lock is in force, for an account or for a login name that is none. */
export function assertNotLocked(lockedUntil: Date | null | undefined, now: Date): void {
  if (lockedUntil && lockedUntil.getTime() > now.getTime()) throw accountLocked();
}

/** Counts one failure (a password or a second factor) and audits the lock when this failure sets it. */
export async function recordLoginFailure(
  deps: Deps,
  ctx: RequestContext,
  subject: { user: UserRow; device?: string } | { loginName: string },
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  const policy = deps.config.lockout;
  if ('device' in subject && subject.device) {
    // A trusted device's failure is counted on the device (auth/device-cookie.ts), not the account.
    audit(deps, ctx, { type: 'login_failed', userId: subject.user.id, detail: { reason, device: true } });
    return;
  }
  const userId = 'user' in subject ? subject.user.id : null;
  const detail = 'user' in subject ? { reason } : { reason, login_name: subject.loginName };
  // The count and its audit rows in one round trip; the database adds `failures` and `locked_until`.
  const rows = {
    failed: auditRow(deps, ctx, { type: 'login_failed', userId, detail }),
    locked: auditRow(deps, ctx, { type: 'account_locked', userId, detail }),
  };
  if ('user' in subject) await deps.db.lockouts.recordAccountFailure(subject.user.id, now, policy, rows);
  else await deps.db.lockouts.recordNameFailure(subject.loginName, now, policy, rows);
}
