// The second login step: an mfa_token (or, in the seed guide's form, the password again) plus a TOTP or backup
// code. A wrong code keeps the mfa_token alive but counts towards LOGIN_2FA and the lockout.
import type { UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { invalid2faCode, twoFactorNotEnabled } from './errors.ts';
import { assertNotLocked, recordLoginFailure } from './lockout.ts';
import { checkPassword, completeLogin } from './login.ts';
import { invalidMfaToken, MFA_TOKEN_TTL, verifyMfaToken } from './mfa-token.ts';
import { checkSecondFactor, type SecondFactor } from './second-factor.ts';
import { claimOnce } from './store-recovery.ts';
import { recordDeviceFailure, trustedDevice } from './device-cookie.ts';
import type { LoginResponse } from './token-response.ts';

export type FirstFactor = { mfaToken: string } | { username: string; password: string };

/** Resolves the first factor to its user, counted against LOGIN_2FA before any code is looked at. */
export async function login2fa(
  deps: Deps,
  ctx: RequestContext,
  first: FirstFactor,
  factor: SecondFactor,
): Promise<LoginResponse> {
  let user: (UserRow & { needsRehash?: boolean }) | undefined;
  let jti: string | undefined;
  let issuedAtMs = 0;
  let password: string | undefined;
  let device: string | undefined;
  let firstAmr = 'pwd';
  if ('mfaToken' in first) {
    const verified = await verifyMfaToken(deps, first.mfaToken);
    firstAmr = verified.first;
    jti = verified.jti;
    issuedAtMs = verified.issuedAt * 1000;
    await ctx.limit('LOGIN_2FA', `user:${verified.userId}`);
    user = await deps.db.users.findById(verified.userId);
    // A password change or reset since the first step retires the token, as it does every session.
    const stale = user?.passwordChangedAt.getTime() !== verified.passwordSetAt;
    if (!user || stale || !user.isActive || !user.twoFactorEnabled) throw invalidMfaToken();
    device = await trustedDevice(deps, ctx, user.id);
    if (!device) assertNotLocked(user.lockedUntil, deps.clock.now());
  } else {
    user = await checkPassword(deps, ctx, first);
    password = first.password;
    device = await trustedDevice(deps, ctx, user.id);
    await ctx.limit('LOGIN_2FA', `user:${user.id}`);
    if (!user.twoFactorEnabled) throw twoFactorNotEnabled();
  }
  // Single use, claimed before the code is looked at: of concurrent second steps with one mfa_token only one
  // checks a code, so the others spend no backup code and count no failure. A wrong code gives it back.
  const claim = jti ? `mfa:${jti}` : undefined;
  if (claim && !(await claimOnce(deps, claim, MFA_TOKEN_TTL + 60, issuedAtMs))) throw invalidMfaToken();
  const checked = await checkSecondFactor(deps, ctx, user, factor).catch(async (error: unknown) => {
    // An expired passkey challenge (or an outage) is no guess at a code: the mfa_token stays usable.
    if (claim) await deps.store.release(claim);
    throw error;
  });
  if ('failed' in checked) {
    if (claim) await deps.store.release(claim);
    if (checked.failed === 'wrong') {
      if (device) await recordDeviceFailure(deps, device);
      await recordLoginFailure(deps, ctx, device ? { user, device } : { user }, 'invalid_2fa_code');
    }
    throw invalid2faCode();
  }
  return completeLogin(deps, ctx, user, [firstAmr, checked.amr], password);
}
