// Opaque bearer secrets (refresh tokens, reset and verification tokens): 256 random bits, base64url, stored
// only as SHA-256. A string of another shape is refused before any lookup.
import type { Random } from '../ports/random.ts';
import { base64url } from 'jose';
import { sha256Hex } from './encoding.ts';

const SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface OpaqueToken {
  token: string;
  hash: string;
}

export async function newOpaqueToken(random: Random): Promise<OpaqueToken> {
  const token = base64url.encode(random.bytes(32));
  return { token, hash: await sha256Hex(token) };
}

/** The stored hash of a presented token, or undefined when it cannot be one of ours. */
export async function opaqueTokenHash(token: string): Promise<string | undefined> {
  return SHAPE.test(token) ? sha256Hex(token) : undefined;
}
