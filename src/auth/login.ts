// OAuth2 password login. An unknown login name and a wrong password answer alike, in body and in cost, and
// are counted alike towards the lockout.
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { AuthError } from './errors.ts';
import { assertNotLocked, recordLoginFailure } from './lockout.ts';
import { normalizeLoginName } from './normalize.ts';
import { openSession, type LoginResponse } from './session-tokens.ts';

// No account name holds a control character (and Postgres refuses NUL in text): such a name is unknown.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const invalidCredentials = () =>
  new AuthError('invalid_credentials', 401, 'Incorrect username or password.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="portcullis"' },
  });

export async function login(
  deps: Deps,
  ctx: RequestContext,
  input: { username: string; password: string },
): Promise<LoginResponse> {
  const loginName = normalizeLoginName(input.username);
  const now = deps.clock.now();
  const usable = !CONTROL_CHARACTERS.test(loginName);
  // Both lookups always run, so a known and an unknown name cost the same queries.
  const [user, nameLockedUntil] = usable
    ? await Promise.all([
        deps.db.users.findByLoginName(loginName),
        deps.db.lockouts.nameLockedUntil(loginName),
      ])
    : [undefined, null];
  assertNotLocked(user ? user.lockedUntil : nameLockedUntil, now);

  if (!user) {
    await deps.passwords.burn(input.password);
    if (usable) await recordLoginFailure(deps, ctx, { loginName }, 'unknown_user');
    throw invalidCredentials();
  }
  const verified = await deps.passwords.verify(input.password, user.passwordHash);
  if (!verified.ok) {
    await recordLoginFailure(deps, ctx, { user }, 'wrong_password');
    throw invalidCredentials();
  }
  if (!user.isActive) {
    audit(deps, ctx, { type: 'login_failed', userId: user.id, detail: { reason: 'inactive' } });
    throw new AuthError('account_inactive', 403, 'This account has been deactivated.');
  }
  const rehash = verified.needsRehash ? await deps.passwords.hash(input.password) : undefined;
  const updated = (await deps.db.users.recordLogin(user.id, deps.clock.now(), rehash)) ?? user;
  const response = await openSession(deps, ctx, updated, ['pwd']);
  audit(deps, ctx, { type: 'login_succeeded', userId: user.id, detail: rehash ? { rehashed: true } : {} });
  return response;
}
