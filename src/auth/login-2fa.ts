// The second login step: an mfa_token (or, in the seed guide's form, the password again) plus a TOTP or backup
// code. A wrong code keeps the mfa_token alive but counts towards LOGIN_2FA and the lockout.
import type { UserRow } from '../db/schema.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { AuthError } from './errors.ts';
import { assertNotLocked, recordLoginFailure } from './lockout.ts';
import { checkPassword, completeLogin } from './login.ts';
import { invalidMfaToken, MFA_TOKEN_TTL, verifyMfaToken } from './mfa-token.ts';
import { checkSecondFactor, type SecondFactor } from './second-factor.ts';
import type { LoginResponse } from './session-tokens.ts';

export type FirstFactor = { mfaToken: string } | { username: string; password: string };

const invalidCode = () =>
  new AuthError('invalid_2fa_code', 401, 'The two-factor code is not valid.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="portcullis"' },
  });

/** Resolves the first factor to its user; `limit` runs the per-user LOGIN_2FA limit before any code is looked at. */
export async function login2fa(
  deps: Deps,
  ctx: RequestContext,
  first: FirstFactor,
  factor: SecondFactor,
  limit: (userId: string) => Promise<void>,
): Promise<LoginResponse> {
  let user: (UserRow & { needsRehash?: boolean }) | undefined;
  let jti: string | undefined;
  let password: string | undefined;
  if ('mfaToken' in first) {
    const verified = await verifyMfaToken(deps, first.mfaToken);
    jti = verified.jti;
    await limit(verified.userId);
    user = await deps.db.users.findById(verified.userId);
    // A password change or reset since the first step retires the token, as it does every session.
    const stale = user?.passwordChangedAt.getTime() !== verified.passwordSetAt;
    if (!user || stale || !user.isActive || !user.twoFactorEnabled) throw invalidMfaToken();
    assertNotLocked(user.lockedUntil, deps.clock.now());
  } else {
    user = await checkPassword(deps, ctx, first);
    password = first.password;
    await limit(user.id);
    if (!user.twoFactorEnabled)
      throw new AuthError('two_factor_not_enabled', 400, 'Two-factor authentication is off.');
  }
  const method = await checkSecondFactor(deps, user, factor);
  if (!method) {
    await recordLoginFailure(deps, ctx, { user }, 'invalid_2fa_code');
    throw invalidCode();
  }
  // Single use: only the first successful second step gets through with this mfa_token.
  if (jti && !(await deps.store.claimOnce(`mfa:${jti}`, MFA_TOKEN_TTL + 60))) throw invalidMfaToken();
  return completeLogin(deps, ctx, user, ['pwd', method], password);
}
