// Administration: users (cursor pages, search), lock, status and roles, and the audit trail.
import type { AuditEventRow, UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { base64url } from 'jose';
import { AuthError } from './errors.ts';
import { revokeAllSessions } from './revoke.ts';
import { userView } from './user-view.ts';

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return base64url.encode(`${row.createdAt.toISOString()}|${row.id}`);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const text = new TextDecoder().decode(base64url.decode(cursor));
    const [at = '', id = '', ...rest] = text.split('|');
    // Only what encodeCursor writes: a forged date out of Postgres's range or an id that is not a UUID
    // would otherwise reach the query and fail there.
    const createdAt = new Date(at);
    const valid = ISO_INSTANT.test(at) && createdAt.getTime() >= 0 && createdAt.toISOString() === at;
    if (rest.length > 0 || !valid || !UUID.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new AuthError('validation_failed', 'The cursor is not valid.', {
      extensions: { errors: [{ path: 'cursor', message: 'Not a cursor from this API.' }] },
    });
  }
}

function page<T extends { createdAt: Date; id: string }, V>(rows: T[], limit: number, view: (row: T) => V) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export async function listUsers(
  deps: Deps,
  query: { limit: number; cursor?: string | undefined; q?: string | undefined },
) {
  const rows = await deps.db.adminUsers.list({
    limit: query.limit + 1,
    q: query.q,
    after: decodeCursor(query.cursor),
  });
  return page(rows, query.limit, userView);
}

export async function listAuditEvents(
  deps: Deps,
  query: {
    limit: number;
    cursor?: string | undefined;
    user_id?: string | undefined;
    type?: string | undefined;
  },
) {
  const rows = await deps.db.audit.list({
    limit: query.limit + 1,
    userId: query.user_id,
    type: query.type,
    after: decodeCursor(query.cursor),
  });
  return page(rows, query.limit, (e: AuditEventRow) => ({
    id: e.id,
    type: e.type,
    user_id: e.userId,
    ip_address: e.ipAddress,
    user_agent: e.userAgent,
    detail: e.detail,
    created_at: e.createdAt.toISOString(),
  }));
}

const found = (row: UserRow | undefined) => {
  if (!row) throw new AuthError('not_found', 'No such user.');
  return row;
};

export async function unlockUser(deps: Deps, ctx: RequestContext, actorId: string, id: string) {
  const user = found(await deps.db.adminUsers.unlock(id, deps.clock.now()));
  audit(deps, ctx, { type: 'account_unlocked', userId: id, actorId, detail: {} });
  return userView(user);
}

// An admin who deactivates or demotes themselves may leave nobody able to undo it: another admin must.
const cannotLockOutSelf = (what: string) =>
  new AuthError('forbidden', `Admins cannot ${what}; another admin can.`);

export async function setUserActive(
  deps: Deps,
  ctx: RequestContext,
  actorId: string,
  id: string,
  active: boolean,
) {
  found(await deps.db.users.findById(id));
  if (!active && id === actorId) throw cannotLockOutSelf('deactivate their own account');
  if (!active) await revokeAllSessions(deps, id, 'user_deactivated');
  const user = found(await deps.db.adminUsers.setActive(id, active, deps.clock.now()));
  audit(deps, ctx, { type: active ? 'user_activated' : 'user_deactivated', userId: id, actorId });
  return userView(user);
}

export async function setUserRoles(
  deps: Deps,
  ctx: RequestContext,
  actorId: string,
  id: string,
  roles: string[],
) {
  const unique = [...new Set(roles)];
  if (!unique.includes('user')) unique.unshift('user');
  if (id === actorId && !unique.includes('admin')) throw cannotLockOutSelf('remove their own admin role');
  const before = found(await deps.db.users.findById(id));
  // Access tokens carry `roles`, and resource servers trust them: when a role is taken away, every session
  // of the user ends on the next request (as on deactivation), so no token keeps claiming the old role.
  // A role given needs nothing: the next sign-in carries it, and our own admin routes read the database.
  const removed = before.roles.filter((role) => !unique.includes(role));
  if (removed.length > 0) await revokeAllSessions(deps, id, 'roles_changed');
  const user = found(await deps.db.adminUsers.setRoles(id, unique, deps.clock.now()));
  audit(deps, ctx, { type: 'roles_changed', userId: id, actorId, detail: { roles: unique } });
  return userView(user);
}
