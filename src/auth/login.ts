// OAuth2 password login. An unknown login name and a wrong password answer alike, in body and in cost, and
// are counted alike towards the lockout.
import type { UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit, auditRow } from './audit.ts';
import { recordDeviceFailure, rememberDevice, trustedDevice } from './device-cookie.ts';
import { AuthError, invalidCredentials } from './errors.ts';
import { assertNotLocked, recordLoginFailure } from './lockout.ts';
import { isWellFormed, normalizeLoginName } from './normalize.ts';
import { issueMfaToken, MFA_TOKEN_TTL } from './mfa-token.ts';
import { prepareSession, tokenResponse } from './open-session.ts';
import type { LoginResponse } from './token-response.ts';

// No account name holds a control character or a lone surrogate (and Postgres refuses NUL in text, and lone
// surrogates in jsonb, where the failure's audit row keeps the name): such a name is unknown.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Whether a normalised login name could name an account at all (and can be looked up). */
export const isUsableLoginName = (name: string) => !CONTROL_CHARACTERS.test(name) && isWellFormed(name);

export const accountInactive = () => new AuthError('account_inactive', 'This account has been deactivated.');

export interface MfaChallenge {
  requires_2fa: true;
  mfa_token: string;
  expires_in: number;
}

export async function login(
  deps: Deps,
  ctx: RequestContext,
  input: { username: string; password: string },
): Promise<LoginResponse | MfaChallenge> {
  const user = await checkPassword(deps, ctx, input);
  if (user.twoFactorEnabled) {
    return { requires_2fa: true, mfa_token: await issueMfaToken(deps, user), expires_in: MFA_TOKEN_TTL };
  }
  return completeLogin(deps, ctx, user, ['pwd'], input.password);
}

/** The password step: lockout, the password itself, the account's status. */
export async function checkPassword(
  deps: Deps,
  ctx: RequestContext,
  input: { username: string; password: string },
): Promise<UserRow & { needsRehash?: boolean }> {
  const loginName = normalizeLoginName(input.username);
  const now = deps.clock.now();
  const usable = isUsableLoginName(loginName);
  // The account and the name's own lock in one round trip, so a known and an unknown name cost the same.
  const { user, nameLockedUntil } = usable
    ? await deps.db.users.findForLogin(loginName)
    : { user: undefined, nameLockedUntil: null };
  // A browser that signed in to this account before is counted apart: the account's lock is not its (OWASP's
  // device cookie). Looked at only for an existing account, so it reveals nothing about unknown names.
  const device = user ? await trustedDevice(deps, ctx, user.id) : undefined;
  if (!device) assertNotLocked(user ? user.lockedUntil : nameLockedUntil, now);

  if (!user) {
    await deps.passwords.burn(input.password);
    if (usable) await recordLoginFailure(deps, ctx, { loginName }, 'unknown_user');
    throw invalidCredentials();
  }
  // An account without a password is no exception: a guess at it costs and counts as a wrong one.
  const verified = user.passwordHash
    ? await deps.passwords.verify(input.password, user.passwordHash)
    : (await deps.passwords.burn(input.password), { ok: false, needsRehash: false });
  if (!verified.ok || !user.passwordHash) {
    if (device) await recordDeviceFailure(deps, device);
    await recordLoginFailure(deps, ctx, device ? { user, device } : { user }, 'wrong_password');
    throw invalidCredentials();
  }
  if (!user.isActive) {
    audit(deps, ctx, { type: 'login_failed', userId: user.id, detail: { reason: 'inactive' } });
    throw accountInactive();
  }
  return { ...user, needsRehash: verified.needsRehash };
}

/**
 * The account as it is now, if this login's proof still holds for it: active, and holding the hash that was
 * verified or (after another login's rehash of an outdated hash) one that verifies the same password.
 * Otherwise the error the login would have got had it started a moment later.
 */
async function stillProven(deps: Deps, user: UserRow, password: string | undefined): Promise<UserRow> {
  const current = await deps.db.users.findById(user.id);
  if (current && !current.isActive) throw accountInactive();
  if (!current?.passwordHash || !password || current.passwordHash === user.passwordHash)
    throw invalidCredentials();
  if (!(await deps.passwords.verify(password, current.passwordHash)).ok) throw invalidCredentials();
  return current;
}

/** Every factor checked: reset the failure count, rehash an outdated hash, open the session. */
export async function completeLogin(
  deps: Deps,
  ctx: RequestContext,
  user: UserRow & { needsRehash?: boolean },
  amr: string[],
  password?: string,
): Promise<LoginResponse> {
  const rehash = user.needsRehash && password ? await deps.passwords.hash(password) : undefined;
  // One round trip, guarded by the hash this login verified: a password change, reset or deactivation that got
  // in since wins, and the login is refused as it would be if it had started a moment later.
  const attempt = async (proven: UserRow, newHash?: string) => {
    const prepared = await prepareSession(deps, ctx, proven.id, amr);
    const updated = await deps.db.sessions.openForLogin({
      session: prepared.session,
      verifiedHash: proven.passwordHash,
      rehash: newHash,
      audit: auditRow(deps, ctx, {
        type: 'login_succeeded',
        userId: proven.id,
        detail: { amr, ...(newHash ? { rehashed: true } : {}) },
      }),
    });
    return updated && tokenResponse(deps, updated, prepared);
  };
  // One retry, for the only change that keeps the password: a concurrent login's rehash.
  const response = (await attempt(user, rehash)) ?? (await attempt(await stillProven(deps, user, password)));
  if (!response) throw invalidCredentials();
  await rememberDevice(deps, ctx, user.id);
  return response;
}
