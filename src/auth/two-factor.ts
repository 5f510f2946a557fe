// 2FA management for a signed-in user: enrol, confirm, disable, regenerate backup codes. Wrong passwords or
// codes here answer 403 (the caller is authenticated) and are limited by LOGIN_2FA, not counted as lockouts.
import QRCode from 'qrcode-svg';
import type { UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { backupCodeHash, newBackupCodes, normalizeBackupCode } from './backup-codes.ts';
import {
  AuthError,
  twoFactorAlreadyEnabled,
  twoFactorNotEnabled,
  wrong2faCodeWhileSignedIn,
  wrongPasswordWhileSignedIn,
} from './errors.ts';
import { checkSecondFactor, type SecondFactor } from './second-factor.ts';
import { newTotpSecret, sealTotpSecret, totpFor, verifyTotp } from './totp.ts';

async function activeUser(deps: Deps, userId: string): Promise<UserRow> {
  const user = await deps.db.users.findById(userId);
  if (!user || !user.isActive)
    throw new AuthError('forbidden', 'This account cannot change its 2FA settings.');
  return user;
}

async function hashedCodes(deps: Deps, userId: string, codes: string[]): Promise<string[]> {
  return Promise.all(
    codes.map((code) => backupCodeHash(deps.config.secretsKey, userId, normalizeBackupCode(code) as string)),
  );
}

export async function beginEnrolment(deps: Deps, userId: string) {
  const user = await activeUser(deps, userId);
  if (user.twoFactorEnabled) {
    throw twoFactorAlreadyEnabled();
  }
  const secret = newTotpSecret(deps);
  const uri = totpFor(deps, user.email, secret).toString();
  const codes = newBackupCodes(deps.random);
  await deps.db.twoFactor.begin(
    user.id,
    await sealTotpSecret(deps, user.id, secret),
    await hashedCodes(deps, user.id, codes),
    deps.clock.now(),
  );
  const svg = new QRCode({ content: uri, padding: 4, width: 256, height: 256, ecl: 'M', join: true }).svg();
  return {
    secret: secret.base32,
    otpauth_uri: uri,
    qr_code: `data:image/svg+xml;base64,${btoa(svg)}`,
    backup_codes: codes,
    message: 'Scan the QR code with an authenticator app, then confirm with POST /api/v1/2fa/verify.',
  };
}

export async function confirmEnrolment(deps: Deps, ctx: RequestContext, userId: string, code: string) {
  const user = await activeUser(deps, userId);
  if (user.twoFactorEnabled) {
    throw twoFactorAlreadyEnabled();
  }
  if (!user.twoFactorSecret) {
    throw new AuthError('two_factor_not_initiated', 'Start with POST /api/v1/2fa/enable.');
  }
  if (!(await verifyTotp(deps, user, code.trim()))) throw wrong2faCodeWhileSignedIn();
  await deps.db.twoFactor.enable(user.id, deps.clock.now());
  audit(deps, ctx, { type: 'two_factor_enabled', userId: user.id });
  return { enabled: true as const };
}

export async function disableTwoFactor(
  deps: Deps,
  ctx: RequestContext,
  userId: string,
  input: { password: string; factor: SecondFactor },
) {
  const user = await activeUser(deps, userId);
  if (!user.twoFactorEnabled) throw twoFactorNotEnabled();
  if (!user.passwordHash || !(await deps.passwords.verify(input.password, user.passwordHash)).ok) {
    throw wrongPasswordWhileSignedIn();
  }
  if (!('amr' in (await checkSecondFactor(deps, ctx, user, input.factor)))) {
    audit(deps, ctx, {
      type: 'login_failed',
      userId: user.id,
      detail: { reason: 'invalid_2fa_code', route: 'disable' },
    });
    throw wrong2faCodeWhileSignedIn();
  }
  await deps.db.twoFactor.disable(user.id, deps.clock.now());
  audit(deps, ctx, { type: 'two_factor_disabled', userId: user.id });
  return {
    enabled: false as const,
    message: 'Two-factor authentication is off; its secret and backup codes are gone.',
  };
}

export async function regenerateBackupCodes(deps: Deps, ctx: RequestContext, userId: string, code: string) {
  const user = await activeUser(deps, userId);
  if (!user.twoFactorEnabled) throw twoFactorNotEnabled();
  if (!(await verifyTotp(deps, user, code.trim()))) throw wrong2faCodeWhileSignedIn();
  const codes = newBackupCodes(deps.random);
  await deps.db.twoFactor.replaceBackupCodes(
    user.id,
    await hashedCodes(deps, user.id, codes),
    deps.clock.now(),
  );
  audit(deps, ctx, { type: 'backup_codes_regenerated', userId: user.id });
  return { backup_codes: codes, message: 'New backup codes; the old ones no longer work.' };
}
