// RFC 6238 TOTP (SHA-1, 6 digits, 30 s, ±1 step) through otpauth. A code accepted once for a user is refused
// again while it could still validate (replay), across isolates: the claim lives in the store.
import { Secret, TOTP } from 'otpauth';
import type { UserRow } from '../ports/database.ts';
import type { Deps } from '../deps.ts';
import { open, seal } from './secret-box.ts';
import { claimOnce } from './store-recovery.ts';

const PERIOD = 30;
const WINDOW = 1;

export function totpFor(deps: Deps, email: string, secret: Secret): TOTP {
  return new TOTP({
    issuer: deps.config.totpIssuer,
    label: email,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret,
  });
}

export function newTotpSecret(deps: Deps): Secret {
  return new Secret({ buffer: deps.random.bytes(20).slice().buffer });
}

export function sealTotpSecret(deps: Deps, userId: string, secret: Secret): Promise<string> {
  return seal(deps.config.secretsKey, secret.base32, userId, deps.random.bytes(12));
}

/** 'ok', 'wrong', or 'spent': right for this moment but already accepted once (a replay, or a lost race). */
export type CodeCheck = 'ok' | 'wrong' | 'spent';

export async function checkTotp(deps: Deps, user: UserRow, code: string): Promise<CodeCheck> {
  if (!user.twoFactorSecret || !/^\d{6}$/.test(code)) return 'wrong';
  const secret = Secret.fromBase32(await open(deps.config.secretsKey, user.twoFactorSecret, user.id));
  const timestamp = deps.clock.now().getTime();
  const delta = totpFor(deps, user.email, secret).validate({ token: code, timestamp, window: WINDOW });
  if (delta === null) return 'wrong';
  const step = Math.floor(timestamp / 1000 / PERIOD) + delta;
  // The claim outlives every moment at which this step could still validate.
  // The code could have been accepted from the start of the earliest step that takes it.
  const usableSince = (step - WINDOW) * PERIOD * 1000;
  const ttl = PERIOD * (2 * WINDOW + 2);
  return (await claimOnce(deps, `totp:${user.id}:${step}`, ttl, usableSince)) ? 'ok' : 'spent';
}

export async function verifyTotp(deps: Deps, user: UserRow, code: string): Promise<boolean> {
  return (await checkTotp(deps, user, code)) === 'ok';
}
