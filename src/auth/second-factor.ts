// Checking a second factor (a TOTP code or a backup code) for a user whose 2FA is on.
import type { UserRow } from '../ports/database.ts';
import type { Deps } from '../deps.ts';
import { backupCodeHash, normalizeBackupCode } from './backup-codes.ts';
import { verifyTotp } from './totp.ts';

export type SecondFactor = { code: string } | { backupCode: string };

/** The `amr` value the factor proves, or undefined when it does not check out. */
export async function checkSecondFactor(
  deps: Deps,
  user: UserRow,
  factor: SecondFactor,
): Promise<'otp' | 'mfa' | undefined> {
  if ('code' in factor) return (await verifyTotp(deps, user, factor.code.trim())) ? 'otp' : undefined;
  const code = normalizeBackupCode(factor.backupCode);
  if (!code) return undefined;
  const hash = await backupCodeHash(deps.config.secretsKey, user.id, code);
  return (await deps.db.twoFactor.consumeBackupCode(user.id, hash, deps.clock.now())) ? 'mfa' : undefined;
}
