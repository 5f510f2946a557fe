// The store is a fast copy: Postgres is the source of truth for revocations. A store that was emptied (a
// restart without persistence, a FLUSHALL, an eviction) has lost its revocation marks and its single-use
// claims, and says so: its epoch sentinel is gone (ports/store.ts). Then, for the request that finds out,
// the database decides whether its token is revoked; the marks still live are rebuilt from the database;
// the epoch is set again; and every single-use thing issued before the new epoch is refused, because its
// claim may have been lost. While the store is warm, none of this costs a round trip.
import type { Deps } from '../deps.ts';
import type { AccessClaims } from './access-token.ts';
import { REVOCATION_SKEW_SECONDS } from './revoke.ts';

/** Rewrites the revocation marks of every session whose access tokens may still be live, then warms the store. */
export async function rebuildStore(deps: Pick<Deps, 'db' | 'store' | 'clock' | 'config' | 'logger'>) {
  const now = deps.clock.now();
  const markTtl = deps.config.jwt.accessTokenTtl + REVOCATION_SKEW_SECONDS;
  const revoked = await deps.db.sessions.revokedSince(new Date(now.getTime() - markTtl * 1000));
  if (revoked.length > 0) await deps.store.revoke({ sessionIds: revoked, sessionTtlSeconds: markTtl });
  await deps.store.markWarm(now.getTime());
  deps.logger.warn('store_rebuilt', { revoked_sessions: revoked.length });
}

/** Whether a token is revoked when the store could not vouch for it: the database says, and the store is rebuilt. */
export async function revokedWhileCold(
  deps: Pick<Deps, 'db' | 'store' | 'clock' | 'config' | 'logger'>,
  claims: Pick<AccessClaims, 'sid' | 'sub'>,
): Promise<boolean> {
  const session = await deps.db.sessions.findLive(claims.sid, deps.clock.now());
  await rebuildStore(deps);
  return !session || session.userId !== claims.sub;
}

/**
 * Claims a single-use thing (an mfa_token, a TOTP step) that came to exist at `issuedAtMs`: true for the one
 * caller that gets it. A cold store is rebuilt first; a thing issued before the store's epoch is refused.
 */
export async function claimOnce(
  deps: Pick<Deps, 'db' | 'store' | 'clock' | 'config' | 'logger'>,
  key: string,
  ttlSeconds: number,
  issuedAtMs: number,
): Promise<boolean> {
  let claim = await deps.store.claimOnce(key, ttlSeconds, issuedAtMs);
  if (claim === 'cold') {
    await rebuildStore(deps);
    claim = await deps.store.claimOnce(key, ttlSeconds, issuedAtMs);
  }
  return claim === 'claimed';
}
