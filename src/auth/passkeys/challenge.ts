// WebAuthn challenges: 32 random bytes, single use, five minutes, kept in the store (one request to keep,
// one atomic GETDEL to take). The expiry is also written into the record and judged by deps.clock, so a
// challenge is dead after five minutes whatever the store's own TTL does.
import { base64url } from 'jose';
import type { Deps } from '../../deps.ts';
import { AuthError } from '../errors.ts';
import { CEREMONY_SECONDS } from './relying-party.ts';

export type ChallengePurpose = 'register' | 'sign_in';

export interface IssuedChallenge {
  /** The key the client names it by: for a sign-in the `challenge_id`, for a registration the challenge. */
  id: string;
  challenge: string;
}

export interface TakenChallenge {
  challenge: string;
  /** The user the ceremony is for: the registering user, or the user of an mfa_token's second step. */
  userId: string | undefined;
  /** A registration's name for the new passkey. */
  name: string | undefined;
}

export const challengeExpired = () =>
  new AuthError('challenge_expired', 'The passkey challenge is unknown, used or expired; start again.');

const keyOf = (purpose: ChallengePurpose, id: string) => `webauthn:${purpose}:${id}`;

export async function issueChallenge(
  deps: Pick<Deps, 'store' | 'clock' | 'random'>,
  purpose: ChallengePurpose,
  bound: { userId?: string; name?: string } = {},
): Promise<IssuedChallenge> {
  const challenge = base64url.encode(deps.random.bytes(32));
  const id = purpose === 'register' ? challenge : deps.random.uuid();
  const expiresAt = deps.clock.now().getTime() + CEREMONY_SECONDS * 1000;
  await deps.store.putOnce(
    keyOf(purpose, id),
    {
      challenge,
      expires_at: expiresAt,
      ...(bound.userId ? { user_id: bound.userId } : {}),
      ...(bound.name ? { name: bound.name } : {}),
    },
    // The store's TTL only tidies up; the record's own expiry is what counts.
    CEREMONY_SECONDS + 60,
  );
  return { id, challenge };
}

/** Takes a challenge for good: a second take, or one after five minutes, is `challenge_expired`. */
export async function takeChallenge(
  deps: Pick<Deps, 'store' | 'clock'>,
  purpose: ChallengePurpose,
  id: string,
): Promise<TakenChallenge> {
  const record = await deps.store.takeOnce(keyOf(purpose, id));
  const expiresAt = Number(record?.expires_at);
  if (!record || typeof record.challenge !== 'string' || !(expiresAt > deps.clock.now().getTime())) {
    throw challengeExpired();
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { challenge: record.challenge, userId: text(record.user_id), name: text(record.name) };
}
