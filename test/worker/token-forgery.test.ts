// Threat: a forged or misused token is accepted as an access token. Every one of these must be a 401.
import { base64url, decodeJwt, importJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, problemOf, signUp, workerEnv, type Harness, type Session } from './harness.ts';

let h: Harness;
let s: Session;
let ownKey: CryptoKey;
let foreignKey: CryptoKey;
let kid: string;

beforeAll(async () => {
  h = await harness();
  s = await signUp(h);
  const own = (JSON.parse(workerEnv.JWT_PRIVATE_KEYS!) as JWK[])[0]!;
  kid = own.kid!;
  ownKey = (await importJWK(own, 'EdDSA')) as CryptoKey;
  foreignKey = (await importJWK(JSON.parse(workerEnv.TEST_FOREIGN_KEY!) as JWK, 'EdDSA')) as CryptoKey;
});

function validClaims(): Record<string, unknown> {
  const claims = decodeJwt(s.access_token);
  return { ...claims, jti: crypto.randomUUID() };
}

async function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: CryptoKey = ownKey,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header } as { alg: string })
    .sign(key);
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('forged and misused access tokens', () => {
  const hostile: [string, () => Promise<string>][] = [
    ['alg none', async () => `${encode({ alg: 'none', typ: 'at+jwt', kid })}.${encode(validClaims())}.`],
    ['signed with a key the server does not trust', () => sign(validClaims(), {}, foreignKey)],
    ['trusted kid, foreign signature', () => sign(validClaims(), { kid }, foreignKey)],
    ['unknown kid', () => sign(validClaims(), { kid: 'not-a-key' })],
    [
      'no exp',
      async () => {
        const { exp: _exp, ...claims } = validClaims();
        return sign(claims);
      },
    ],
    [
      'no jti',
      async () => {
        const { jti: _jti, ...claims } = validClaims();
        return sign(claims);
      },
    ],
    [
      'no sid',
      async () => {
        const { sid: _sid, ...claims } = validClaims();
        return sign(claims);
      },
    ],
    ['another issuer', () => sign({ ...validClaims(), iss: 'https://evil.test' })],
    ['another audience', () => sign({ ...validClaims(), aud: 'https://other-api.test' })],
    ['typ JWT instead of at+jwt', () => sign(validClaims(), { typ: 'JWT' })],
    ['no typ', () => sign(validClaims(), { typ: undefined })],
    ['type claim other than access', () => sign({ ...validClaims(), type: 'refresh' })],
    ['not yet valid', () => sign({ ...validClaims(), nbf: Math.floor(Date.now() / 1000) + 3600 })],
    [
      'issued in the future, beyond the clock skew',
      () => sign({ ...validClaims(), iat: Math.floor(h.clock.now().getTime() / 1000) + 120 }),
    ],
    [
      'HS256 with the public key as the secret (algorithm confusion)',
      async () => {
        const pub = new TextEncoder().encode(JSON.stringify(h.deps.keys.jwks.keys[0]));
        return new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' }).sign(pub);
      },
    ],
    ['a refresh token', async () => s.refresh_token],
    ['a signature-stripped token', async () => s.access_token.split('.').slice(0, 2).join('.') + '.'],
    [
      'a tampered payload',
      async () => {
        const [head, , sig] = s.access_token.split('.');
        return `${head}.${encode({ ...validClaims(), roles: ['admin'] })}.${sig}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ];

  for (const [name, make] of hostile) {
    it(`refuses ${name} with 401 invalid_token`, async () => {
      const res = await h.call('GET', '/api/v1/auth/me', { token: await make() });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="portcullis", error="invalid_token"/,
      );
      expect((await problemOf(res)).code).toBe('invalid_token');
    });
  }

  it('accepts a correctly signed token built the same way (the forgeries fail for their flaw alone)', async () => {
    const res = await h.call('GET', '/api/v1/auth/me', { token: await sign(validClaims()) });
    expect(res.status).toBe(200);
  });
});
