// The once-per-isolate signature check must never admit what a full check would refuse: time limits are
// checked on every use, the cache is keyed by the exact bytes, and it cannot be grown without bound.
import { base64url, importJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, workerEnv, type Harness } from '../../test/worker/harness.ts';
import { FrozenClock } from '../ports/clock.ts';
import { issueAccessToken, type TokenSettings } from './access-token.ts';
import { createAccessTokenVerifier } from './access-token-verifier.ts';
import { AuthError } from './errors.ts';
import type { KeySet } from '../ports/keys.ts';
import { tokenSettings } from './token-settings.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

/** Settings over a fresh clock whose key lookups are counted: one lookup per full (signature) check. */
function counted() {
  const clock = new FrozenClock(h.clock.now());
  let lookups = 0;
  const verify = new Map(h.deps.keys.verify);
  const get = verify.get.bind(verify);
  verify.get = (kid) => {
    lookups += 1;
    return get(kid);
  };
  const keys: KeySet = { ...h.deps.keys, verify };
  const settings: TokenSettings = { ...tokenSettings(h.deps), keys, clock };
  return { settings, clock, lookups: () => lookups };
}

const subject = () => ({
  userId: crypto.randomUUID(),
  sessionId: crypto.randomUUID(),
  email: 'cache@example.com',
  username: 'cache_user',
  roles: ['user'],
  amr: ['pwd'],
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

describe('access-token verification once per isolate', () => {
  it('checks its options when it is created', () => {
    expect(() => createAccessTokenVerifier(undefined as never)).toThrow(/needs/);
    expect(() => createAccessTokenVerifier(tokenSettings(h.deps), 0)).toThrow(/needs/);
  });

  it('checks the signature once and hands out the same claims after that', async () => {
    const { settings, lookups } = counted();
    const verify = createAccessTokenVerifier(settings);
    const { token, jti } = await issueAccessToken(settings, subject());
    const first = await verify(token);
    for (let i = 0; i < 5; i++) expect(await verify(token)).toBe(first);
    expect(first.jti).toBe(jti);
    expect(lookups()).toBe(1);
  });

  it('threat: a token verified while live is used after it expired -> token_expired, every time', async () => {
    const { settings, clock } = counted();
    const verify = createAccessTokenVerifier(settings);
    const { token, expiresIn } = await issueAccessToken(settings, subject());
    await verify(token);
    clock.advance(expiresIn - 1);
    expect((await verify(token)).exp).toBeGreaterThan(0);
    clock.advance(1);
    for (let i = 0; i < 3; i++) expect(await refusal(verify(token))).toBe('token_expired');
  });

  it('threat: a token used before its nbf, also when a verified token meets a clock set back', async () => {
    const { settings, clock } = counted();
    const verify = createAccessTokenVerifier(settings);
    const { token } = await issueAccessToken(settings, subject());
    await verify(token);
    clock.advance(-60);
    expect(await refusal(verify(token))).toBe('invalid_token');
    clock.advance(60);
    await expect(verify(token)).resolves.toBeDefined();
  });

  it('threat: altered copies of a verified token -> each checked on its own bytes and refused', async () => {
    const { settings } = counted();
    const verify = createAccessTokenVerifier(settings);
    const { token } = await issueAccessToken(settings, subject());
    const claims = await verify(token);
    const [head, body, sig] = token.split('.') as [string, string, string];
    const elevated = base64url.encode(JSON.stringify({ ...claims, roles: ['admin'] }));
    const hostile = [
      `${head}.${elevated}.${sig}`,
      // One character of the signature changed, in the middle: its last characters carry the top bits of a
      // scalar that is mostly zero, so changing those may give the same bytes back.
      `${head}.${body}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`,
      `${head}.${body}.`,
      token.toUpperCase(),
    ];
    for (const forged of hostile) expect(await refusal(verify(forged))).toBe('invalid_token');
    expect((await verify(token)).roles).toEqual(['user']);
  });

  it('threat: a token signed by a foreign key with a trusted kid is refused, cached or not', async () => {
    const { settings } = counted();
    const verify = createAccessTokenVerifier(settings);
    const foreign = await importJWK(JSON.parse(workerEnv.TEST_FOREIGN_KEY!) as JWK, 'EdDSA');
    const now = Math.floor(settings.clock.now().getTime() / 1000);
    const forged = await new SignJWT({
      type: 'access',
      sid: 's',
      email: 'e',
      username: 'u',
      roles: [],
      amr: [],
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: settings.keys.active.kid, typ: 'at+jwt' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject('someone')
      .setJti(crypto.randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(foreign);
    for (let i = 0; i < 3; i++) expect(await refusal(verify(forged))).toBe('invalid_token');
  });

  it('threat: a flood of distinct valid tokens -> the cache keeps a bounded number, oldest out first', async () => {
    const { settings, lookups } = counted();
    const verify = createAccessTokenVerifier(settings, 2);
    const tokens = await Promise.all(
      [1, 2, 3].map(async () => (await issueAccessToken(settings, subject())).token),
    );
    for (const token of tokens) await verify(token);
    expect(lookups()).toBe(3);
    await verify(tokens[2]!);
    await verify(tokens[1]!);
    expect(lookups()).toBe(3);
    await verify(tokens[0]!);
    expect(lookups()).toBe(4);
  });

  it('hands out claims nobody can change for the next request', async () => {
    const { settings } = counted();
    const verify = createAccessTokenVerifier(settings);
    const { token } = await issueAccessToken(settings, subject());
    const claims = await verify(token);
    expect(() => claims.roles.push('admin')).toThrow(TypeError);
    expect(() => Object.assign(claims, { sub: 'someone-else' })).toThrow(TypeError);
    expect((await verify(token)).roles).toEqual(['user']);
  });
});
