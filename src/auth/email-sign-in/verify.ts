// Finishing an email sign-in with the link's token or the code: single use (one DELETE among concurrent
// uses), 5 tries for the code (each spent by one conditional UPDATE before the code is compared), 10 minutes.
// A wrong or used code, an unknown address and (without EMAIL_SIGNUP) an address with no account all answer
// the same `400 invalid_code`. The sign-in proves the mailbox: the address is marked verified.
import type { Deps, RequestContext } from '../../deps.ts';
import type { EmailSignInRow, UserRow } from '../../ports/database.ts';
import { audit, auditRow } from '../audit.ts';
import { AuthError } from '../errors.ts';
import { accountInactive, type MfaChallenge } from '../login.ts';
import { issueMfaToken, MFA_TOKEN_TTL } from '../mfa-token.ts';
import { normalizeEmail, normalizeUsername } from '../normalize.ts';
import { openSession } from '../open-session.ts';
import { opaqueTokenHash } from '../opaque-token.ts';
import type { LoginResponse } from '../token-response.ts';
import { codeHash, MAX_CODE_TRIES } from './start.ts';

export const EMAIL_AMR = ['email'];

export const invalidCode = () =>
  new AuthError('invalid_code', 'The sign-in code or link is wrong, used or expired.');

const sameText = (a: string, b: string) => {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
};

async function byCode(deps: Deps, email: string, code: string): Promise<EmailSignInRow> {
  const emailNormalized = normalizeEmail(email);
  if (!/^\d{6}$/.test(code)) throw invalidCode();
  const pending = await deps.db.emailSignIns.spendTry(emailNormalized, MAX_CODE_TRIES, deps.clock.now());
  if (!pending || !sameText(pending.codeHash, await codeHash(deps, emailNormalized, code)))
    throw invalidCode();
  const used = await deps.db.emailSignIns.consume(emailNormalized, pending.tokenHash, deps.clock.now());
  if (!used) throw invalidCode();
  return used;
}

async function byToken(deps: Deps, token: string): Promise<EmailSignInRow> {
  const hash = await opaqueTokenHash(token);
  const used = hash ? await deps.db.emailSignIns.consumeByToken(hash, deps.clock.now()) : undefined;
  if (!used) throw invalidCode();
  return used;
}

/** A username for an account made by email: the mailbox name's safe characters and a random tail. */
function usernameFor(deps: Deps, email: string): string {
  const local = (email.split('@')[0] ?? '').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 20);
  const tail = [...deps.random.bytes(6)].map((b) => (b % 36).toString(36)).join('');
  return `${local.length >= 3 ? local : 'user'}_${tail}`;
}

/** EMAIL_SIGNUP=true: the account of an address that has none, verified, without a password. */
async function signUp(deps: Deps, ctx: RequestContext, signIn: EmailSignInRow): Promise<UserRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.clock.now();
    const id = deps.random.uuid();
    const username = usernameFor(deps, signIn.email);
    const result = await deps.db.users.insert(
      {
        id,
        email: signIn.email,
        emailNormalized: signIn.emailNormalized,
        username,
        usernameNormalized: normalizeUsername(username),
        firstName: null,
        lastName: null,
        passwordHash: null,
        passwordChangedAt: now,
        roles: ['user'],
        createdAt: now,
        updatedAt: now,
      },
      { audit: auditRow(deps, ctx, { type: 'user_registered', userId: id, detail: { method: 'email' } }) },
    );
    if (result.ok) return result.user;
    // Registered a moment ago by someone else (the address) or a clash of made-up names (try another).
    if (result.taken === 'email') {
      const existing = await deps.db.users.findByEmail(signIn.emailNormalized);
      if (existing) return existing;
    }
  }
  throw invalidCode();
}

export async function verifyEmailSignIn(
  deps: Deps,
  ctx: RequestContext,
  input: { email: string; code: string } | { token: string },
): Promise<LoginResponse | MfaChallenge> {
  const signIn =
    'token' in input ? await byToken(deps, input.token) : await byCode(deps, input.email, input.code);
  let user = await deps.db.users.findByEmail(signIn.emailNormalized);
  if (!user) {
    if (!deps.config.emailSignup) throw invalidCode();
    user = await signUp(deps, ctx, signIn);
  }
  if (!user.isActive) {
    audit(deps, ctx, {
      type: 'login_failed',
      userId: user.id,
      detail: { reason: 'inactive', method: 'email' },
    });
    throw accountInactive();
  }
  if (!user.isVerified) {
    user = (await deps.db.users.setVerified(user.id, deps.clock.now())) ?? user;
    audit(deps, ctx, { type: 'email_verified', userId: user.id, detail: { method: 'email_sign_in' } });
  }
  // A mailbox is one factor: an account with 2FA on still gives its second one.
  if (user.twoFactorEnabled) {
    return {
      requires_2fa: true,
      mfa_token: await issueMfaToken(deps, user, 'email'),
      expires_in: MFA_TOKEN_TTL,
    };
  }
  const response = await openSession(deps, ctx, user, EMAIL_AMR);
  if (!response) throw accountInactive();
  audit(deps, ctx, { type: 'login_succeeded', userId: user.id, detail: { amr: EMAIL_AMR } });
  return response;
}
