// Threat: the store is emptied (a Redis restarted without persistence, a FLUSHALL, an eviction) while revoked
// tokens are still within their lifetime, and they come back to life; single-use things (an mfa_token, a
// TOTP code) become usable twice. Postgres is the source of truth: the store knows it was emptied (its epoch
// sentinel is gone), the database decides for the request that finds out, the marks are rebuilt, and what
// was issued before the new epoch is refused. This file has a store of its own (another logical database of
// the same Redis, from the global setup), which it empties with FLUSHDB through the stand-in.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  storeRequests,
  workerEnv,
  type Harness,
} from './harness.ts';

const store = { url: workerEnv.TEST_WIPEABLE_UPSTASH_URL!, token: workerEnv.TEST_WIPEABLE_UPSTASH_TOKEN! };
const standIn = (path: string, init: RequestInit = {}) =>
  fetch(`${store.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${store.token}`, ...init.headers },
  });
const wipe = async () => {
  const res = await standIn('/', { method: 'POST', body: JSON.stringify(['FLUSHDB']) });
  expect(res.status).toBe(200);
};
const requests = () => storeRequests(store);

let h: Harness;
beforeAll(async () => {
  h = await harness({
    env: {
      UPSTASH_REDIS_REST_URL: store.url,
      UPSTASH_REDIS_REST_TOKEN: store.token,
      RATE_LIMIT_LOGIN: '1000/60',
      RATE_LIMIT_LOGIN_2FA: '1000/60',
    },
  });
});
// Each test starts from a store that was emptied: its first request finds it cold.
beforeEach(wipe);

const session = (token: string) => h.call('GET', '/api/v1/auth/session', { token });

describe('a store emptied under live tokens', () => {
  it('threat: revoked tokens stay revoked; live ones stay live; then one store request per request again', async () => {
    const [revoked, everywhere, live] = [await signUp(h), await signUp(h), await signUp(h)];
    expect((await h.call('POST', '/api/v1/auth/logout', { token: revoked.access_token })).status).toBe(200);
    expect((await h.call('POST', '/api/v1/auth/logout-all', { token: everywhere.access_token })).status).toBe(
      200,
    );
    await wipe();

    // The first request after the wipe: the database decides, and the marks are rebuilt.
    expect((await problemOf(await session(revoked.access_token))).code).toBe('token_revoked');
    // From then on the store answers alone, the rebuilt marks included: one request each.
    for (const s of [revoked, everywhere]) {
      const before = await requests();
      expect((await problemOf(await session(s.access_token))).code).toBe('token_revoked');
      expect((await problemOf(await h.call('GET', '/api/v1/auth/me', { token: s.access_token }))).code).toBe(
        'token_revoked',
      );
      expect((await requests()) - before).toBe(2);
    }
    const before = await requests();
    expect((await session(live.access_token)).status).toBe(200);
    expect((await requests()) - before).toBe(1);
  });

  it('threat: a live token presented first after the wipe is checked against the database, and passes', async () => {
    const live = await signUp(h);
    await wipe();
    expect((await session(live.access_token)).status).toBe(200);
    const revokedLater = await signUp(h);
    await h.call('POST', '/api/v1/auth/logout', { token: revokedLater.access_token });
    expect((await problemOf(await session(revokedLater.access_token))).code).toBe('token_revoked');
  });
});

describe('single-use things issued before the wipe', () => {
  it('threat: a used mfa_token and an accepted TOTP code are refused after it; fresh ones work', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    // The store this test starts with was emptied too: its first request rebuilds it, and TOTP codes that were
    // usable before that are refused (they might have been spent), so enrolment waits for the next steps.
    expect((await session(s.access_token)).status).toBe(200);
    h.clock.advance(90);
    const { secret, backup_codes } = await enableTwoFactor(h, s);
    const first = async () => {
      const res = await h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: user.password },
        ip: randomIp(),
      });
      return (await res.json<{ mfa_token: string }>()).mfa_token;
    };
    const used = await first();
    const code = codeAt(secret, h.clock.now());
    const step = { json: { mfa_token: used, code }, ip: randomIp() };
    expect((await h.call('POST', '/api/v1/auth/login/2fa', step)).status).toBe(200);
    await wipe();

    // The mfa_token's claim was lost with the store: it is refused, and the backup code is not spent.
    const again = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: used, backup_code: backup_codes[0] },
      ip: randomIp(),
    });
    expect((await problemOf(again)).code).toBe('invalid_token');
    // The store was rebuilt by that request; what is issued from the next second on is after its epoch.
    h.clock.advance(1);
    // The TOTP code's claim too: refused with a fresh mfa_token.
    const replay = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: await first(), code },
      ip: randomIp(),
    });
    expect((await problemOf(replay)).code).toBe('invalid_2fa_code');
    // What was issued after the wipe works: a fresh mfa_token with the unspent backup code, and, once the
    // steps that were usable before the wipe are past, a fresh TOTP code.
    const backup = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: await first(), backup_code: backup_codes[0] },
      ip: randomIp(),
    });
    expect(backup.status).toBe(200);
    h.clock.advance(90);
    const fresh = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: await first(), code: codeAt(secret, h.clock.now()) },
      ip: randomIp(),
    });
    expect(fresh.status).toBe(200);
  });
});
