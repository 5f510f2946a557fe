// OAuth2 password login. An unknown login name and a wrong password answer alike, in body and in cost.
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { AuthError } from './errors.ts';
import { normalizeLoginName } from './normalize.ts';
import { openSession, type LoginResponse } from './session-tokens.ts';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const invalidCredentials = () =>
  new AuthError('invalid_credentials', 401, 'Incorrect username or password.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

export async function login(
  deps: Deps,
  ctx: RequestContext,
  input: { username: string; password: string },
): Promise<LoginResponse> {
  const loginName = normalizeLoginName(input.username);
  // No account name holds a control character (and Postgres refuses NUL in text): such a name is unknown.
  const user = CONTROL_CHARACTERS.test(loginName)
    ? undefined
    : await deps.db.users.findByLoginName(loginName);
  if (!user) {
    await deps.passwords.burn(input.password);
    audit(deps, ctx, { type: 'login_failed', detail: { reason: 'unknown_user', login_name: loginName } });
    throw invalidCredentials();
  }
  const verified = await deps.passwords.verify(input.password, user.passwordHash);
  if (!verified.ok) {
    audit(deps, ctx, { type: 'login_failed', userId: user.id, detail: { reason: 'wrong_password' } });
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
