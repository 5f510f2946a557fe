// DPoP (RFC 9449): proofs of possession of a client's key, checked with jose. A proof is a JWT of type
// `dpop+jwt`, signed with an asymmetric key (ES256 or EdDSA) whose PUBLIC jwk is in its header, naming this
// request (`htm`, `htu` without query or fragment), fresh (`iat` within 60 s), unique (`jti`, refused when
// seen again in 5 minutes: the caller records it in the store), and, on a resource request, bound to the
// access token (`ath`). The key's RFC 7638 thumbprint (`jkt`) is what tokens are bound to (`cnf.jkt`).
import {
  base64url,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';
import type { Clock } from '../ports/clock.ts';
import { AuthError } from './errors.ts';
import { hmacHex } from './secret-box.ts';

export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'] as const;
/** How old a proof may be, and how far in the future its `iat` may lie (clock skew). */
export const DPOP_MAX_AGE_SECONDS = 60;
/** How long a proof's `jti` is remembered (longer than any proof is accepted). */
export const DPOP_JTI_TTL_SECONDS = 300;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface DpopProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key. */
  jkt: string;
  jti: string;
  /** `iat`, in seconds. */
  iat: number;
}

export const invalidDpopProof = (detail: string, cause?: unknown) =>
  new AuthError('invalid_dpop_proof', detail, { cause });

/** Server nonces (DPOP_NONCE=true): the current one, and the ones a proof may carry (current and previous). */
export interface DpopNonces {
  current: string;
  accepted: string[];
}

const NONCE_WINDOW_SECONDS = 300;

/**
 * Nonces need no store: each is an HMAC (under a key derived from SECRETS_KEY) of a five-minute window, so
 * every isolate issues the same one, and a proof carrying the current or the previous window's is fresh.
 */
export async function dpopNonces(secretsKey: string, clock: Clock): Promise<DpopNonces> {
  const window = Math.floor(clock.now().getTime() / 1000 / NONCE_WINDOW_SECONDS);
  const of = async (w: number) => (await hmacHex(secretsKey, `dpop-nonce:${w}`, 'dpop-nonces')).slice(0, 32);
  const [current, previous] = await Promise.all([of(window), of(window - 1)]);
  return { current, accepted: [current, previous] };
}

/** `scheme://host[:port]/path` of a URL: what `htu` is compared by (no query, no fragment). */
function htuOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

/** SHA-256 of the access token, base64url: the `ath` a resource request's proof must carry. */
export async function accessTokenHash(token: string): Promise<string> {
  return base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
  );
}

export async function verifyDpopProof(
  clock: Clock,
  proof: string,
  request: { method: string; url: string },
  accessToken?: string,
  nonces?: DpopNonces,
): Promise<DpopProof> {
  let header: JWTHeaderParameters;
  try {
    header = decodeProtectedHeader(proof) as JWTHeaderParameters;
  } catch (error) {
    throw invalidDpopProof('The DPoP proof is not a JWT.', error);
  }
  const jwk = header.jwk as JWK | undefined;
  const alg = header.alg as (typeof DPOP_ALGORITHMS)[number];
  if (header.typ !== 'dpop+jwt') throw invalidDpopProof('A DPoP proof has typ dpop+jwt.');
  if (!DPOP_ALGORITHMS.includes(alg)) throw invalidDpopProof('A DPoP proof is signed with ES256 or EdDSA.');
  if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((name) => name in jwk)) {
    throw invalidDpopProof('A DPoP proof carries the public key it is signed with, and only that.');
  }
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK(jwk, alg);
    ({ payload } = await jwtVerify(proof, key, {
      typ: 'dpop+jwt',
      algorithms: [alg],
      requiredClaims: ['jti', 'iat', 'htm', 'htu'],
      currentDate: clock.now(),
    }));
  } catch (error) {
    throw invalidDpopProof('The DPoP proof does not verify.', error);
  }
  // The window is checked here, both ways: jose's maxTokenAge refuses an iat even a second ahead, and a
  // client's clock is often a little ahead of ours.
  const now = Math.floor(clock.now().getTime() / 1000);
  const iat = payload.iat;
  if (typeof iat !== 'number') throw invalidDpopProof('The DPoP proof needs an iat.');
  if (now - iat > DPOP_MAX_AGE_SECONDS) throw invalidDpopProof('The DPoP proof is too old.');
  if (iat - now > DPOP_MAX_AGE_SECONDS) throw invalidDpopProof('The DPoP proof is issued in the future.');
  if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 256) {
    throw invalidDpopProof('The DPoP proof needs a unique jti.');
  }
  if (nonces && !nonces.accepted.includes(payload.nonce as string)) {
    throw new AuthError('use_dpop_nonce', 'Sign the DPoP proof with the nonce of the DPoP-Nonce header.', {
      headers: { 'DPoP-Nonce': nonces.current },
    });
  }
  if (payload.htm !== request.method) throw invalidDpopProof('The DPoP proof is for another method.');
  const htu = typeof payload.htu === 'string' ? htuOf(payload.htu) : undefined;
  if (!htu || htu !== htuOf(request.url)) throw invalidDpopProof('The DPoP proof is for another URL.');
  if (accessToken !== undefined && payload.ath !== (await accessTokenHash(accessToken))) {
    throw invalidDpopProof('The DPoP proof is not bound to this access token (ath).');
  }
  if (accessToken === undefined && payload.ath !== undefined && typeof payload.ath !== 'string') {
    throw invalidDpopProof('The DPoP proof has a malformed ath.');
  }
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti: payload.jti, iat };
}
