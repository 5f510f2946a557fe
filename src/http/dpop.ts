// DPoP at the HTTP edge: the proof of a request that opens or refreshes a session (login, 2FA, refresh,
// change-password) binds it to the proof's key: `ctx.dpopKey`, which the domain writes into the session and
// the access token's `cnf.jkt`. The proof's jti is claimed once in the store (replay).
import type { Context } from 'hono';
import { DPOP_JTI_TTL_SECONDS, dpopNonces, invalidDpopProof, verifyDpopProof } from '../auth/dpop.ts';
import { claimOnce } from '../auth/store-recovery.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from './context.ts';
import { requestContext } from './context.ts';

/**
 * With DPOP_NONCE=true, the nonces a proof may carry; the current one also goes out on the answer (DPoP-Nonce),
 * for the client's next proof.
 */
export async function nonceOf(c: Context<AppEnv>, deps: Pick<Deps, 'config' | 'clock'>) {
  if (!deps.config.dpopNonce) return undefined;
  const nonces = await dpopNonces(deps.config.secretsKey, deps.clock);
  c.header('DPoP-Nonce', nonces.current);
  return nonces;
}

/** Reads and checks the request's `DPoP` header, if any, and records its key on the request context. */
export async function bindDpop(c: Context<AppEnv>, deps: Deps): Promise<void> {
  const proof = c.req.header('dpop');
  if (proof === undefined) return;
  const nonces = await nonceOf(c, deps);
  const verified = await verifyDpopProof(
    deps.clock,
    proof,
    { method: c.req.method, url: c.req.url },
    undefined,
    nonces,
  );
  if (!(await claimOnce(deps, `dpop:${verified.jti}`, DPOP_JTI_TTL_SECONDS, verified.iat * 1000))) {
    throw invalidDpopProof('This DPoP proof was used before.');
  }
  requestContext(c).dpopKey = verified.jkt;
}
