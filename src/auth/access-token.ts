// Access tokens: RFC 9068 JWTs. Verification pins algorithms, issuer, audience and `typ`, and requires the
// claims revocation and sessions depend on; jose would otherwise accept a token without `exp`.
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import { AuthError, invalidToken } from './errors.ts';
import type { KeySet } from '../ports/keys.ts';
import { verificationKey } from './keys.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** How far our clocks may disagree: an `iat` further in the future than this is refused. */
export const CLOCK_SKEW_SECONDS = 60;

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  nbf?: number;
  exp: number;
  email: string;
  username: string;
  roles: string[];
  amr: string[];
  /** The DPoP key the token is bound to (RFC 9449): it is accepted only with a proof of that key. */
  cnf?: { jkt: string };
}

export interface TokenSettings {
  keys: KeySet;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
  random: Random;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAt: Date;
}

export async function issueAccessToken(
  s: TokenSettings,
  subject: {
    userId: string;
    sessionId: string;
    email: string;
    username: string;
    roles: string[];
    amr: string[];
    jkt?: string | null;
  },
): Promise<IssuedAccessToken> {
  const now = Math.floor(s.clock.now().getTime() / 1000);
  const jti = s.random.uuid();
  const token = await new SignJWT({
    type: 'access',
    sid: subject.sessionId,
    email: subject.email,
    username: subject.username,
    roles: subject.roles,
    amr: subject.amr,
    ...(subject.jkt ? { cnf: { jkt: subject.jkt } } : {}),
  })
    .setProtectedHeader({ alg: s.keys.active.alg, kid: s.keys.active.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setSubject(subject.userId)
    .setJti(jti)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + s.ttlSeconds)
    .sign(s.keys.active.privateKey);
  return { token, jti, expiresIn: s.ttlSeconds, expiresAt: new Date((now + s.ttlSeconds) * 1000) };
}

export async function verifyAccessToken(s: TokenSettings, token: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, verificationKey(s.keys), {
      algorithms: s.keys.algorithms,
      issuer: s.issuer,
      audience: s.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'sid'],
      currentDate: s.clock.now(),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AuthError('token_expired', 'The access token has expired.', { cause: error });
    }
    throw error instanceof AuthError ? error : invalidToken(undefined, error);
  }
  const p = payload;
  // jose does not look at an `iat` in the future; one beyond the clock skew was not issued by us.
  const now = Math.floor(s.clock.now().getTime() / 1000);
  if (typeof p.iat !== 'number' || p.iat > now + CLOCK_SKEW_SECONDS) throw invalidToken();
  const strings = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (
    p.type !== 'access' ||
    typeof p.sid !== 'string' ||
    typeof p.jti !== 'string' ||
    typeof p.sub !== 'string' ||
    typeof p.email !== 'string' ||
    typeof p.username !== 'string' ||
    !strings(p.roles) ||
    !strings(p.amr) ||
    (p.cnf !== undefined &&
      (typeof p.cnf !== 'object' || typeof (p.cnf as { jkt?: unknown }).jkt !== 'string'))
  ) {
    throw invalidToken();
  }
  return p as unknown as AccessClaims;
}
