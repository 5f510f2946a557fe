// DPoP (RFC 9449, API.md "DPoP"): tokens bound to a key the client holds. Threats: a stolen access or refresh
// token used without the key; a proof replayed, or made for another request, another time or another token;
// a proof that is not a proof (alg none, HS256, a private key in the header).
import {
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash } from '../../src/auth/dpop.ts';
import { harness, newUser, problemOf, randomIp, signUp, storeRequests, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ env: { RATE_LIMIT_REFRESH: '1000/60', RATE_LIMIT_LOGIN: '1000/60' } });
});

const ORIGIN = 'http://portcullis.test';

async function dpopKey(alg: 'ES256' | 'EdDSA' = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(jwk);
  const now = () => Math.floor(h.clock.now().getTime() / 1000);
  /** A proof for `method path` (claims and header overridable), bound to `accessToken` when given. */
  const proof = async (
    method: string,
    path: string,
    options: {
      accessToken?: string;
      claims?: Record<string, unknown>;
      header?: Record<string, unknown>;
      key?: CryptoKey;
    } = {},
  ) =>
    new SignJWT({
      htm: method,
      htu: `${ORIGIN}${path}`,
      jti: crypto.randomUUID(),
      iat: now(),
      ...(options.accessToken ? { ath: await accessTokenHash(options.accessToken) } : {}),
      ...options.claims,
    })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...options.header })
      .sign(options.key ?? privateKey);
  return { jwk, jkt, proof, privateKey };
}

async function boundLogin(key: Awaited<ReturnType<typeof dpopKey>>) {
  const user = newUser();
  await signUp(h, user);
  const res = await h.call('POST', '/api/v1/auth/login', {
    json: { username: user.username, password: user.password },
    headers: { dpop: await key.proof('POST', '/api/v1/auth/login') },
    ip: randomIp(),
  });
  expect(res.status).toBe(200);
  return res.json<{ access_token: string; refresh_token: string; token_type: string }>();
}

const session = async (token: string, proof?: string, scheme = 'DPoP') =>
  h.call('GET', '/api/v1/auth/session', {
    headers: { authorization: `${scheme} ${token}`, ...(proof ? { dpop: proof } : {}) },
  });

async function expectRefused(res: Response, code: 'invalid_dpop_proof' | 'invalid_token', name: string) {
  expect(res.status, name).toBe(401);
  expect((await problemOf(res)).code, name).toBe(code);
  const challenge = res.headers.get('www-authenticate');
  if (code === 'invalid_dpop_proof') expect(challenge, name).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  else expect(challenge, name).toMatch(/error="invalid_token"/);
}

describe('DPoP-bound sessions', () => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    it(`a login with a proof (${alg}) binds the tokens: token_type DPoP, cnf.jkt, and /auth/session shows it`, async () => {
      const key = await dpopKey(alg);
      const tokens = await boundLogin(key);
      expect(tokens.token_type).toBe('DPoP');
      expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
      const res = await session(
        tokens.access_token,
        await key.proof('GET', '/api/v1/auth/session', { accessToken: tokens.access_token }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ active: true, cnf: { jkt: key.jkt } });
    });
  }

  it('threat: a stolen bound access token, sent as Bearer or with a proof of another key -> 401 invalid_token', async () => {
    const key = await dpopKey();
    const thief = await dpopKey();
    const { access_token } = await boundLogin(key);
    await expectRefused(await session(access_token, undefined, 'Bearer'), 'invalid_token', 'as Bearer');
    const foreign = await thief.proof('GET', '/api/v1/auth/session', { accessToken: access_token });
    await expectRefused(await session(access_token, foreign), 'invalid_token', "another key's proof");
  });

  it('threat: hostile proofs on a resource request -> 401 invalid_dpop_proof', async () => {
    const key = await dpopKey();
    const { access_token } = await boundLogin(key);
    const path = '/api/v1/auth/session';
    const { privateKey: otherPrivate } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk: JWK = await exportJWK(key.privateKey);
    const seconds = Math.floor(h.clock.now().getTime() / 1000);
    const enc = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const hostile: [string, () => Promise<string | undefined>][] = [
      ['no proof', async () => undefined],
      ['not a JWT', async () => 'not-a-jwt'],
      ['another method', () => key.proof('POST', path, { accessToken: access_token })],
      ['another URL', () => key.proof('GET', '/api/v1/auth/me', { accessToken: access_token })],
      [
        'another host',
        () =>
          key.proof('GET', path, { accessToken: access_token, claims: { htu: `https://evil.test${path}` } }),
      ],
      [
        'an old iat',
        () => key.proof('GET', path, { accessToken: access_token, claims: { iat: seconds - 120 } }),
      ],
      [
        'an iat in the future',
        () => key.proof('GET', path, { accessToken: access_token, claims: { iat: seconds + 120 } }),
      ],
      [
        'an iat 61 s old',
        () => key.proof('GET', path, { accessToken: access_token, claims: { iat: seconds - 61 } }),
      ],
      ['no ath', () => key.proof('GET', path)],
      ['the ath of another token', () => key.proof('GET', path, { accessToken: `${access_token}x` })],
      ['typ JWT', () => key.proof('GET', path, { accessToken: access_token, header: { typ: 'JWT' } })],
      [
        'a private key in the header',
        () => key.proof('GET', path, { accessToken: access_token, header: { jwk: privateJwk } }),
      ],
      [
        'a signature by another key than its jwk',
        () => key.proof('GET', path, { accessToken: access_token, key: otherPrivate }),
      ],
      [
        'alg none',
        async () =>
          `${enc({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk })}.${enc({ htm: 'GET', htu: `${ORIGIN}${path}`, jti: crypto.randomUUID(), iat: seconds, ath: await accessTokenHash(access_token) })}.`,
      ],
      [
        'HS256',
        async () =>
          new SignJWT({
            htm: 'GET',
            htu: `${ORIGIN}${path}`,
            jti: crypto.randomUUID(),
            iat: seconds,
            ath: await accessTokenHash(access_token),
          })
            .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
            .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!')),
      ],
    ];
    for (const [name, make] of hostile) {
      await expectRefused(await session(access_token, await make()), 'invalid_dpop_proof', name);
    }
    // The token itself is fine: a good proof still works.
    expect(
      (await session(access_token, await key.proof('GET', path, { accessToken: access_token }))).status,
    ).toBe(200);
  });

  it('threat: a replayed proof -> 401 invalid_dpop_proof, checked in the same single store request', async () => {
    const key = await dpopKey();
    const { access_token } = await boundLogin(key);
    const proof = await key.proof('GET', '/api/v1/auth/session', { accessToken: access_token });
    const count = () => storeRequests();
    const before = await count();
    expect((await session(access_token, proof)).status).toBe(200);
    expect((await count()) - before).toBe(1);
    await expectRefused(await session(access_token, proof), 'invalid_dpop_proof', 'replayed');
  });

  it('threat: a stolen bound refresh token without its key -> 401, nothing rotated; with the key -> rotated, still bound', async () => {
    const key = await dpopKey();
    const thief = await dpopKey();
    const tokens = await boundLogin(key);
    const refresh = (dpop?: string) =>
      h.call('POST', '/api/v1/auth/refresh', {
        json: { refresh_token: tokens.refresh_token },
        headers: dpop ? { dpop } : {},
        ip: randomIp(),
      });
    await expectRefused(await refresh(), 'invalid_token', 'no proof');
    await expectRefused(
      await refresh(await thief.proof('POST', '/api/v1/auth/refresh')),
      'invalid_token',
      'another key',
    );
    const ok = await refresh(await key.proof('POST', '/api/v1/auth/refresh'));
    expect(ok.status).toBe(200);
    const next = await ok.json<{ access_token: string; token_type: string }>();
    expect(next.token_type).toBe('DPoP');
    expect(decodeJwt(next.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it("accepts a client's clock a little ahead or behind (up to 60 s), as clocks are", async () => {
    const key = await dpopKey();
    const { access_token } = await boundLogin(key);
    const seconds = Math.floor(h.clock.now().getTime() / 1000);
    for (const skew of [-59, -1, 1, 30, 59]) {
      const proof = await key.proof('GET', '/api/v1/auth/session', {
        accessToken: access_token,
        claims: { iat: seconds + skew },
      });
      expect((await session(access_token, proof)).status, `skew ${skew}`).toBe(200);
    }
  });

  it('an unbound session stays unbound: refreshing it with a proof is refused', async () => {
    const s = await signUp(h);
    const key = await dpopKey();
    const res = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: s.refresh_token },
      headers: { dpop: await key.proof('POST', '/api/v1/auth/refresh') },
      ip: randomIp(),
    });
    await expectRefused(res, 'invalid_token', 'proof for an unbound session');
  });

  it('50 concurrent refreshes of a bound session, each with its own proof: one winner', async () => {
    const key = await dpopKey();
    const tokens = await boundLogin(key);
    const results = await Promise.all(
      Array.from({ length: 50 }, async () =>
        h.call('POST', '/api/v1/auth/refresh', {
          json: { refresh_token: tokens.refresh_token },
          headers: { dpop: await key.proof('POST', '/api/v1/auth/refresh') },
          ip: randomIp(),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 401)).toBe(true);
  });
});

describe('DPoP server nonces (DPOP_NONCE=true)', () => {
  let n: Harness;
  beforeAll(async () => {
    n = await harness({ env: { DPOP_NONCE: 'true', RATE_LIMIT_LOGIN: '1000/60' } });
  });

  it('asks for its nonce (401 use_dpop_nonce + DPoP-Nonce), takes proofs that carry it, and refuses a stale one', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const proof = (method: string, path: string, claims: Record<string, unknown> = {}) =>
      new SignJWT({
        htm: method,
        htu: `${ORIGIN}${path}`,
        jti: crypto.randomUUID(),
        iat: Math.floor(n.clock.now().getTime() / 1000),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(privateKey);
    const user = newUser();
    await signUp(n, user);
    const login = async (dpop: string) =>
      n.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: user.password },
        headers: { dpop },
        ip: randomIp(),
      });
    const asked = await login(await proof('POST', '/api/v1/auth/login'));
    expect(asked.status).toBe(401);
    expect((await problemOf(asked)).code).toBe('use_dpop_nonce');
    expect(asked.headers.get('www-authenticate')).toMatch(/^DPoP .*error="use_dpop_nonce"/);
    const nonce = asked.headers.get('dpop-nonce')!;
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    const ok = await login(await proof('POST', '/api/v1/auth/login', { nonce }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('dpop-nonce')).toBe(nonce);
    const { access_token } = await ok.json<{ access_token: string }>();
    const ath = await accessTokenHash(access_token);
    const get = async (dpop: string) =>
      n.call('GET', '/api/v1/auth/session', { headers: { authorization: `DPoP ${access_token}`, dpop } });
    expect((await problemOf(await get(await proof('GET', '/api/v1/auth/session', { ath })))).code).toBe(
      'use_dpop_nonce',
    );
    expect((await get(await proof('GET', '/api/v1/auth/session', { ath, nonce }))).status).toBe(200);
    // Ten minutes on, the nonce is two windows old.
    n.clock.advance(600);
    const stale = await get(await proof('GET', '/api/v1/auth/session', { ath, nonce }));
    expect((await problemOf(stale)).code).toBe('use_dpop_nonce');
    expect(stale.headers.get('dpop-nonce')).not.toBe(nonce);
  });
});
