// Signing keys, imported once per isolate: the first configured key signs, all of them verify and are published.
import { errors, importJWK, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import type { KeySet, SigningAlgorithm, SigningKey } from '../ports/keys.ts';

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext']);

function algorithmOf(jwk: JWK): SigningAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new Error('unsupported signing key type');
}

export function publicJwk(jwk: JWK): JWK {
  const pub: JWK = Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.has(name)));
  return { ...pub, alg: algorithmOf(jwk), use: 'sig' };
}

export async function loadKeySet(privateJwks: JsonWebKey[]): Promise<KeySet> {
  const verify = new Map<string, { alg: SigningAlgorithm; key: CryptoKey }>();
  const published: JWK[] = [];
  let active: SigningKey | undefined;
  for (const raw of privateJwks as JWK[]) {
    const alg = algorithmOf(raw);
    const kid = raw.kid as string;
    if (verify.has(kid)) throw new Error('duplicate kid in JWT_PRIVATE_KEYS');
    const pub = publicJwk(raw);
    verify.set(kid, { alg, key: (await importJWK(pub, alg)) as CryptoKey });
    published.push(pub);
    if (!active) active = { kid, alg, privateKey: (await importJWK({ ...raw, alg }, alg)) as CryptoKey };
  }
  if (!active) throw new Error('no signing key');
  return {
    active,
    verify,
    algorithms: [...new Set([...verify.values()].map((v) => v.alg))],
    jwks: { keys: published },
  };
}

/**
 * jose's key resolver over this key set, for every token the service verifies: the header's `kid` must name
 * one of our keys, of the algorithm the header claims. Anything else is refused before a signature is checked.
 */
export function verificationKey(keys: KeySet) {
  return (header: JWTHeaderParameters): CryptoKey => {
    const found = header.kid ? keys.verify.get(header.kid) : undefined;
    if (!found || found.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return found.key;
  };
}
