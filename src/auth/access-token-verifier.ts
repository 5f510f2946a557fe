// The access-token check of every authenticated request. The signature check (Ed25519 or P-256) is most of
// the CPU such a request costs the Worker, and it gives the same answer for the same bytes under the same
// keys, so each token is verified once per isolate (the cache lives as long as the keys it was checked
// against). What can change with time is checked again on every use: `exp` and `nbf` against the clock.
// Revocation is not the cache's business: the store is asked on every request.
import { verifyAccessToken, type AccessClaims, type TokenSettings } from './access-token.ts';

export type AccessTokenVerifier = (token: string) => Promise<AccessClaims>;

/** Enough for the live tokens an isolate sees in a token lifetime; the oldest entry goes first. */
export const VERIFIED_TOKENS_KEPT = 1000;

export function createAccessTokenVerifier(
  settings: TokenSettings,
  maxEntries = VERIFIED_TOKENS_KEPT,
): AccessTokenVerifier {
  if (!settings?.keys || !settings.clock || !(maxEntries >= 1)) {
    throw new Error('createAccessTokenVerifier needs token settings and a positive size');
  }
  const verified = new Map<string, AccessClaims>();
  return async function verifyAccessTokenOnce(token) {
    // Whole seconds, as jose compares them.
    const now = Math.floor(settings.clock.now().getTime() / 1000);
    const known = verified.get(token);
    if (known && now < known.exp && (known.nbf === undefined || now >= known.nbf)) return known;
    if (known) verified.delete(token);
    // A miss, or a token outside its time limits: jose decides, with the same pinned options as always.
    const claims = await verifyAccessToken(settings, token);
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
    // Shared by every request that presents the same token: nobody may change it.
    Object.freeze(claims.roles);
    Object.freeze(claims.amr);
    verified.set(token, Object.freeze(claims));
    return claims;
  };
}
