/** The signing keys of the isolate, imported once: the active one signs, all of them verify and are published. */
import type { CryptoKey, JWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
}

export interface KeySet {
  active: SigningKey;
  /** Verification keys by kid. */
  verify: Map<string, { alg: SigningAlgorithm; key: CryptoKey }>;
  algorithms: SigningAlgorithm[];
  /** The public JWKS document. */
  jwks: { keys: JWK[] };
}
