// Single-use action tokens (password reset, email verification): 256 random bits, SHA-256 at rest.
import type { OneTimePurpose } from '../ports/database.ts';
import type { Deps } from '../deps.ts';
import { newOpaqueToken } from './opaque-token.ts';

/** Stores a new token for the user and returns its text, to be mailed. */
export async function issueOneTimeToken(
  deps: Deps,
  userId: string,
  purpose: OneTimePurpose,
  ttlSeconds: number,
): Promise<string> {
  const now = deps.clock.now();
  const token = await newOpaqueToken(deps.random);
  await deps.db.oneTimeTokens.create({
    hash: token.hash,
    userId,
    purpose,
    now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  });
  return token.token;
}
