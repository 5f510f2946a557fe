// Change password: the caller proves the current one; every other session and access token dies at once and
// the caller gets a fresh session, so it stays logged in.
import type { Deps, RequestContext } from '../deps.ts';
import type { AccessClaims } from './access-token.ts';
import { audit } from './audit.ts';
import { AuthError, wrongPasswordWhileSignedIn } from './errors.ts';
import { normalizePassword } from './normalize.ts';
import { assertStrongPassword } from './password-policy.ts';
import { revokeAllSessions } from './revoke.ts';
import { openSession } from './open-session.ts';
import type { LoginResponse } from './token-response.ts';

const overtaken = () =>
  wrongPasswordWhileSignedIn('The password was changed by another request; sign in again.');

export async function changePassword(
  deps: Deps,
  ctx: RequestContext,
  claims: AccessClaims,
  input: { current_password: string; new_password: string },
): Promise<LoginResponse> {
  const user = await deps.db.users.findById(claims.sub);
  if (!user || !user.isActive) throw new AuthError('forbidden', 'This account cannot change its password.');
  // A wrong current password from a signed-in caller is 403, limited by the API scope, not counted as a lockout.
  // An account without a password has none to change: it sets one through the reset flow.
  const hash = user.passwordHash;
  const current = hash ? await deps.passwords.verify(input.current_password, hash) : undefined;
  if (!hash || !current?.ok) throw wrongPasswordWhileSignedIn('The current password is not correct.');
  // The current password is proven, so comparing the two texts is comparing with the stored hash.
  if (normalizePassword(input.new_password) === normalizePassword(input.current_password)) {
    throw new AuthError('password_reused', 'The new password must differ from the current one.');
  }
  assertStrongPassword(input.new_password, { email: user.email, username: user.username });
  const updated = await deps.db.users.setPassword(
    user.id,
    await deps.passwords.hash(input.new_password),
    deps.clock.now(),
    false,
    hash,
  );
  // Another change, a reset or a deactivation got in since the current password was checked.
  if (!updated) throw overtaken();
  // A reset link mailed before the change would undo it: whoever requested it (perhaps the reason for the
  // change) could set a password of their own within the hour.
  await deps.db.oneTimeTokens.retireAll(user.id, 'password_reset', deps.clock.now());
  await revokeAllSessions(deps, user.id, 'password_changed', { sessionId: claims.sid, accessToken: claims });
  const response = await openSession(deps, ctx, updated, ['pwd']);
  if (!response) throw overtaken();
  audit(deps, ctx, { type: 'password_changed', userId: user.id });
  return response;
}
