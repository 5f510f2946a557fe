// Checking a second factor (a TOTP code, a backup code or a passkey) for a user whose 2FA is on.
import type { Deps, RequestContext } from '../deps.ts';
import { checkPasskeyFactor, type PasskeyAssertion } from './passkeys/sign-in.ts';
import type { UserRow } from '../ports/database.ts';
import { backupCodeHash, normalizeBackupCode } from './backup-codes.ts';
import { checkTotp } from './totp.ts';

export type SecondFactor = { code: string } | { backupCode: string } | { passkey: PasskeyAssertion };

/**
 * The `amr` value the factor proves; or why it does not: `wrong` (a guess, which counts towards the lockout)
 * or `spent` (a real code already accepted once: a replay, or the loser of a race on one code, which is no
 * guess and is not counted).
 */
export type FactorCheck = { amr: 'otp' | 'mfa' | 'pop' } | { failed: 'wrong' | 'spent' };

export async function checkSecondFactor(
  deps: Deps,
  ctx: RequestContext,
  user: UserRow,
  factor: SecondFactor,
): Promise<FactorCheck> {
  if ('passkey' in factor) return checkPasskeyFactor(deps, ctx, user, factor.passkey);
  if ('code' in factor) {
    const result = await checkTotp(deps, user, factor.code.trim());
    return result === 'ok' ? { amr: 'otp' } : { failed: result };
  }
  const code = normalizeBackupCode(factor.backupCode);
  if (!code) return { failed: 'wrong' };
  const hash = await backupCodeHash(deps.config.secretsKey, user.id, code);
  const result = await deps.db.twoFactor.consumeBackupCode(user.id, hash, deps.clock.now());
  return result === 'consumed' ? { amr: 'mfa' } : { failed: result === 'used' ? 'spent' : 'wrong' };
}
