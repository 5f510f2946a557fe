// Key material for development, tests and `npm run keys`: an Ed25519 signing JWK (kid = its RFC 7638
// thumbprint) and a secrets key, made with Node's CSPRNG.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

export interface KeyMaterial {
  jwtPrivateKeys: JsonWebKey[];
  secretsKey: string;
}

export function newSigningJwk(alg: 'EdDSA' | 'ES256' = 'EdDSA'): JsonWebKey & { kid: string } {
  const { privateKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const required =
    jwk.kty === 'OKP'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  const kid = createHash('sha256').update(JSON.stringify(required)).digest('base64url');
  return { ...jwk, kid, alg, use: 'sig' } as JsonWebKey & { kid: string };
}

export function newSecretsKey(): string {
  return randomBytes(32).toString('base64url');
}

export function newKeyMaterial(): KeyMaterial {
  return { jwtPrivateKeys: [newSigningJwk()], secretsKey: newSecretsKey() };
}
