// The key rotation procedure of the README: a new key first, the old one kept until its tokens expire.
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { harness, problemOf, signUp, workerEnv } from './harness.ts';

describe('signing-key rotation', () => {
  it('new tokens use the new key; old tokens verify while the old key is kept, and not after it is removed', async () => {
    const [oldKey] = JSON.parse(workerEnv.JWT_PRIVATE_KEYS!) as { kid: string }[];
    const newKey = JSON.parse(workerEnv.TEST_FOREIGN_KEY!) as { kid: string };
    const before = await harness();
    const s = await signUp(before);
    expect(decodeProtectedHeader(s.access_token).kid).toBe(oldKey!.kid);

    // Step 1: deploy with the new key first and the old one kept.
    const during = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([newKey, oldKey]) } });
    const jwks = (await (await during.call('GET', '/.well-known/jwks.json')).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey!.kid]);
    expect((await during.call('GET', '/api/v1/auth/me', { token: s.access_token })).status).toBe(200);
    const refreshed = (await (
      await during.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } })
    ).json()) as { access_token: string };
    expect(decodeProtectedHeader(refreshed.access_token).kid).toBe(newKey.kid);

    // Step 2: after ACCESS_TOKEN_TTL, deploy with the new key alone.
    const after = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([newKey]) } });
    expect((await after.call('GET', '/api/v1/auth/me', { token: refreshed.access_token })).status).toBe(200);
    const old = await after.call('GET', '/api/v1/auth/me', { token: s.access_token });
    expect(old.status).toBe(401);
    expect((await problemOf(old)).code).toBe('invalid_token');
  });
});

describe('ES256 signing (the configuration option)', () => {
  it('signs with P-256, publishes the key, and a resource server verifies both generations with jose', async () => {
    const [edKey] = JSON.parse(workerEnv.JWT_PRIVATE_KEYS!) as { kid: string }[];
    const ecKey = JSON.parse(workerEnv.TEST_ES256_KEY!) as { kid: string };
    const before = await harness();
    const old = await signUp(before);

    const h = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([ecKey, edKey]) } });
    const jwks = (await (await h.call('GET', '/.well-known/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: ecKey.kid });
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');

    const s = await signUp(h);
    expect(decodeProtectedHeader(s.access_token)).toEqual({ alg: 'ES256', kid: ecKey.kid, typ: 'at+jwt' });
    for (const token of [s.access_token, old.access_token]) {
      expect((await h.call('GET', '/api/v1/auth/session', { token })).status).toBe(200);
      // What a resource server does with the published JWKS alone.
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
        algorithms: ['ES256', 'EdDSA'],
        issuer: workerEnv.JWT_ISSUER!,
        audience: workerEnv.JWT_AUDIENCE!,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'jti', 'sub'],
      });
      expect(payload.type).toBe('access');
    }
  });

  it('threat: a token validly signed by one trusted key but naming the other key is refused', async () => {
    const ecJwk = JSON.parse(workerEnv.TEST_ES256_KEY!) as JWK & { kid: string };
    const edJwk = (JSON.parse(workerEnv.JWT_PRIVATE_KEYS!) as (JWK & { kid: string })[])[0]!;
    const h = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([ecJwk, edJwk]) } });
    const s = await signUp(h);
    const claims = decodeJwt(s.access_token);
    const crossed = [
      // Each is validly signed by a trusted key, with that key's algorithm, but names the other key:
      // the kid decides both the key and the algorithm.
      { alg: 'EdDSA', kid: ecJwk.kid, signWith: edJwk },
      { alg: 'ES256', kid: edJwk.kid, signWith: ecJwk },
    ];
    for (const { alg, kid, signWith } of crossed) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .sign(await importJWK(signWith, alg));
      const res = await h.call('GET', '/api/v1/auth/session', { token: forged });
      expect(res.status, `${alg} under ${kid}`).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_token');
    }
  });
});
