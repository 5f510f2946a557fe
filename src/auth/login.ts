// OAuth2 password login. An unknown login name and a wrong password answer alike, in body and in cost, and
// are counted alike towards the lockout.
import type { UserRow } from '../db/schema.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { AuthError } from './errors.ts';
import { assertNotLocked, recordLoginFailure } from './lockout.ts';
import { normalizeLoginName } from './normalize.ts';
import { issueMfaToken, MFA_TOKEN_TTL } from './mfa-token.ts';
import { openSession, type LoginResponse } from './session-tokens.ts';

// No account name holds a control character (and Postgres refuses NUL in text): such a name is unknown.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const invalidCredentials = () =>
  new AuthError('invalid_credentials', 401, 'Incorrect username or password.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="portcullis"' },
  });

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
    throw accountInactive();
  }
  return { ...user, needsRehash: verified.needsRehash };
}

/** The error a login gets when the account changed while it was checking the factors. */
async function overtaken(deps: Deps, userId: string): Promise<AuthError> {
  const now = await deps.db.users.findById(userId);
  return now && !now.isActive ? accountInactive() : invalidCredentials();
}

const accountInactive = () => new AuthError('account_inactive', 403, 'This account has been deactivated.');

/** Every factor checked: reset the failure count, rehash an outdated hash, open the session. */
export async function completeLogin(
  deps: Deps,
  ctx: RequestContext,
  user: UserRow & { needsRehash?: boolean },
  amr: string[],
  password?: string,
): Promise<LoginResponse> {
  const rehash = user.needsRehash && password ? await deps.passwords.hash(password) : undefined;
  // Both steps are guarded by the hash this login verified: a password change, reset or deactivation that got
  // in since wins, and the login is refused as it would be if it had started a moment later.
  const updated = await deps.db.users.recordLogin(user.id, deps.clock.now(), {
    passwordHash: user.passwordHash,
    rehash,
  });
  const response = updated && (await openSession(deps, ctx, updated, amr));
  if (!response) throw await overtaken(deps, user.id);
  audit(deps, ctx, {
    type: 'login_succeeded',
    userId: user.id,
    detail: { amr, ...(rehash ? { rehashed: true } : {}) },
  });
  return response;
}
