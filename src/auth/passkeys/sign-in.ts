// Signing in with a passkey: user-verified possession of a key, so two factors at once (`amr: ["pop",
// "user"]`) and no TOTP step. An unknown credential and a bad signature answer alike; the lockout, a
// deactivation and the LOGIN limit apply as they do to a password. Also the second step after a password.
import { base64url } from 'jose';
import type { Deps, RequestContext } from '../../deps.ts';
import type { PasskeyRow, UserRow } from '../../ports/database.ts';
import { audit, auditRow } from '../audit.ts';
import { recordDeviceFailure, rememberDevice, trustedDevice } from '../device-cookie.ts';
import { AuthError, invalidCredentials } from '../errors.ts';
import { assertNotLocked, recordLoginFailure } from '../lockout.ts';
import { accountInactive, isUsableLoginName } from '../login.ts';
import { verifyMfaToken } from '../mfa-token.ts';
import { normalizeLoginName } from '../normalize.ts';
import { prepareSession, tokenResponse } from '../open-session.ts';
import { hmacHex } from '../secret-box.ts';
import type { FactorCheck } from '../second-factor.ts';
import type { LoginResponse } from '../token-response.ts';
import { challengeExpired, issueChallenge, takeChallenge } from './challenge.ts';
import {
  requestOptions,
  verifyAssertion,
  type AuthenticationInput,
  type CredentialDescriptor,
  type RequestOptions,
} from './relying-party.ts';

export const PASSKEY_AMR = ['pop', 'user'];

export type SignInOptions = RequestOptions & { challenge_id: string };

export interface PasskeyAssertion {
  challengeId: string;
  response: AuthenticationInput;
}

const descriptor = (p: PasskeyRow): CredentialDescriptor => ({
  id: p.credentialId,
  transports: p.transports,
});

/**
 * Who the browser may offer: nobody named (discoverable credentials, conditional UI), the passkeys of an
 * mfa_token's user, or those of a named user. A name with no passkeys gets one made-up credential derived
 * from the name, so the answer does not tell which names are accounts.
 */
async function allowedFor(
  deps: Deps,
  input: { username?: string | undefined; mfaToken?: string | undefined },
): Promise<{ allow: CredentialDescriptor[]; userId?: string }> {
  if (input.mfaToken) {
    const { userId } = await verifyMfaToken(deps, input.mfaToken);
    const allow = (await deps.db.passkeys.listForUser(userId)).map(descriptor);
    // The password is proven: saying that this account has no passkey reveals nothing new.
    if (allow.length === 0) throw new AuthError('passkey_not_found', 'This account has no passkey.');
    return { allow, userId };
  }
  if (!input.username) return { allow: [] };
  const name = normalizeLoginName(input.username);
  const { user } = isUsableLoginName(name) ? await deps.db.users.findForLogin(name) : { user: undefined };
  const own = user ? (await deps.db.passkeys.listForUser(user.id)).map(descriptor) : [];
  if (own.length > 0) return { allow: own };
  const decoy = await hmacHex(deps.config.secretsKey, name, 'passkey-decoys');
  return { allow: [{ id: decoy.slice(0, 43), transports: ['internal', 'hybrid'] }] };
}

export async function signInOptions(
  deps: Deps,
  input: { username?: string | undefined; mfaToken?: string | undefined },
): Promise<SignInOptions> {
  const { allow, userId } = await allowedFor(deps, input);
  const issued = await issueChallenge(deps, 'sign_in', userId ? { userId } : {});
  const options = await requestOptions(deps.config.webauthn, { challenge: issued.challenge, allow });
  return { ...options, challenge_id: issued.id };
}

/** The user handle, when the authenticator sent one, must name the credential's owner. */
function handleMatches(response: AuthenticationInput, userId: string): boolean {
  const handle = response.response.userHandle;
  if (!handle) return true;
  try {
    return new TextDecoder().decode(base64url.decode(handle)) === userId;
  } catch {
    return false;
  }
}

type Checked =
  | { ok: true; passkey: PasskeyRow; counter: number; backedUp: boolean }
  | { ok: false; why: 'wrong' | 'regressed' };

/** The assertion checked against the passkey: signature, challenge, origin, RP ID, UV, user handle, counter. */
async function checkAssertion(
  deps: Deps,
  ctx: RequestContext,
  passkey: PasskeyRow,
  challenge: string,
  response: AuthenticationInput,
): Promise<Checked> {
  const verified = handleMatches(response, passkey.userId)
    ? await verifyAssertion(deps.config.webauthn, response, challenge, passkey)
    : undefined;
  if (!verified) return { ok: false, why: 'wrong' };
  // A counter that does not grow (unless both are 0, as synced passkeys report) means a cloned authenticator.
  if ((verified.counter > 0 || passkey.counter > 0) && verified.counter <= passkey.counter) {
    audit(deps, ctx, {
      type: 'passkey_counter_regressed',
      userId: passkey.userId,
      detail: { passkey_id: passkey.id, stored: passkey.counter, presented: verified.counter },
    });
    return { ok: false, why: 'regressed' };
  }
  return { ok: true, passkey, counter: verified.counter, backedUp: verified.backedUp };
}

export async function signInWithPasskey(
  deps: Deps,
  ctx: RequestContext,
  input: PasskeyAssertion,
): Promise<LoginResponse> {
  // Taken first: whatever follows, this challenge has been answered once.
  const taken = await takeChallenge(deps, 'sign_in', input.challengeId);
  const found = await deps.db.passkeys.findForLogin(input.response.id);
  if (!found || (taken.userId && taken.userId !== found.user.id)) throw invalidCredentials();
  const { passkey, user } = found;
  const device = await trustedDevice(deps, ctx, user.id);
  if (!device) assertNotLocked(user.lockedUntil, deps.clock.now());
  const checked = await checkAssertion(deps, ctx, passkey, taken.challenge, input.response);
  if (!checked.ok) {
    if (device) await recordDeviceFailure(deps, device);
    await recordLoginFailure(deps, ctx, device ? { user, device } : { user }, `passkey_${checked.why}`);
    throw invalidCredentials();
  }
  if (!user.isActive) {
    audit(deps, ctx, { type: 'login_failed', userId: user.id, detail: { reason: 'inactive' } });
    throw accountInactive();
  }
  const prepared = await prepareSession(deps, ctx, user.id, PASSKEY_AMR);
  const updated = await deps.db.passkeys.openForLogin({
    passkeyId: passkey.id,
    counter: checked.counter,
    backedUp: checked.backedUp,
    session: prepared.session,
    audit: auditRow(deps, ctx, {
      type: 'login_succeeded',
      userId: user.id,
      detail: { amr: PASSKEY_AMR, passkey_id: passkey.id },
    }),
  });
  // Deactivated, or the passkey removed, since it was read: as if the login had started a moment later.
  if (!updated) throw (await stillActive(deps, user)) ? invalidCredentials() : accountInactive();
  await rememberDevice(deps, ctx, user.id);
  return tokenResponse(deps, updated, prepared);
}

const stillActive = async (deps: Deps, user: UserRow) =>
  (await deps.db.users.findById(user.id))?.isActive === true;

/** A passkey as the second factor of a password login: the passkey must be the mfa_token user's own. */
export async function checkPasskeyFactor(
  deps: Deps,
  ctx: RequestContext,
  user: UserRow,
  input: PasskeyAssertion,
): Promise<FactorCheck> {
  const taken = await takeChallenge(deps, 'sign_in', input.challengeId);
  if (taken.userId && taken.userId !== user.id) throw challengeExpired();
  const found = await deps.db.passkeys.findForLogin(input.response.id);
  if (!found || found.user.id !== user.id) return { failed: 'wrong' };
  const checked = await checkAssertion(deps, ctx, found.passkey, taken.challenge, input.response);
  if (!checked.ok) return { failed: 'wrong' };
  // The password login's write knows nothing of passkeys: the counter is stored before the session opens.
  await deps.db.passkeys.recordUse(found.passkey.id, checked.counter, checked.backedUp, deps.clock.now());
  return { amr: 'pop' };
}
