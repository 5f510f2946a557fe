// The mfa_token between the two login steps: a JWT of its own type (`typ: mfa+jwt`, `type: mfa`), valid five
// minutes, tied to its user, and single use (the successful second step claims its jti in the store). It is
// no access token: access-token verification pins `typ: at+jwt`. It carries the time of the password it was
// earned with (`pwd_at`), so a password change or reset within its five minutes retires it.
import { errors, jwtVerify, SignJWT } from 'jose';
import { CLOCK_SKEW_SECONDS } from './access-token.ts';
import { verificationKey } from './keys.ts';
import type { UserRow } from '../ports/database.ts';
import type { Deps } from '../deps.ts';
import { AuthError, invalidToken } from './errors.ts';

export const MFA_TOKEN_TTL = 300;
const MFA_TOKEN_TYPE = 'mfa+jwt';

export interface MfaClaims {
  userId: string;
  jti: string;
  /** When the password this token was earned with was set, in milliseconds. */
  passwordSetAt: number;
  /** `iat`, in seconds. */
  issuedAt: number;
  /** The `amr` of the first factor: `pwd`, or `email` after an email sign-in. */
  first: FirstFactorAmr;
}

export type FirstFactorAmr = 'pwd' | 'email';

export async function issueMfaToken(
  deps: Deps,
  user: Pick<UserRow, 'id' | 'passwordChangedAt'>,
  first: FirstFactorAmr = 'pwd',
): Promise<string> {
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  return new SignJWT({ type: 'mfa', pwd_at: user.passwordChangedAt.getTime(), fst: first })
    .setProtectedHeader({ alg: deps.keys.active.alg, kid: deps.keys.active.kid, typ: MFA_TOKEN_TYPE })
    .setIssuer(deps.config.jwt.issuer)
    .setAudience(`${deps.config.jwt.issuer}/mfa`)
    .setSubject(user.id)
    .setJti(deps.random.uuid())
    .setIssuedAt(now)
    .setExpirationTime(now + MFA_TOKEN_TTL)
    .sign(deps.keys.active.privateKey);
}

export const invalidMfaToken = (cause?: unknown) =>
  invalidToken('The mfa_token is not valid; log in again.', cause);

export async function verifyMfaToken(deps: Deps, token: string): Promise<MfaClaims> {
  try {
    const { payload } = await jwtVerify(token, verificationKey(deps.keys), {
      algorithms: deps.keys.algorithms,
      issuer: deps.config.jwt.issuer,
      audience: `${deps.config.jwt.issuer}/mfa`,
      typ: MFA_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      currentDate: deps.clock.now(),
    });
    const passwordSetAt = payload.pwd_at;
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const future = typeof payload.iat !== 'number' || payload.iat > now + CLOCK_SKEW_SECONDS;
    if (payload.type !== 'mfa' || !payload.sub || !payload.jti || typeof passwordSetAt !== 'number' || future)
      throw invalidMfaToken();
    const first: FirstFactorAmr = payload.fst === 'email' ? 'email' : 'pwd';
    return { userId: payload.sub, jti: payload.jti, passwordSetAt, issuedAt: payload.iat as number, first };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw invalidMfaToken(error instanceof errors.JOSEError ? error : undefined);
  }
}
