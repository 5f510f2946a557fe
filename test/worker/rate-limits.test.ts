// Threat: brute force and scraping at volume. Every scope holds at its boundary, per the right identity.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearOfWindowEnd,
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  storeRequests,
  wrongCodeAt,
  type Harness,
} from './harness.ts';

let h: Harness;
// A fresh login name per attempt: the name lockout must not be what answers.
const uniqueName = () => `n-${crypto.randomUUID()}`;
beforeAll(async () => {
  h = await harness();
});
// Each test counts requests up to a limit: it must not straddle the end of a window (see clearOfWindowEnd).
beforeEach(() => clearOfWindowEnd());

async function expectLimited(res: Response, limit: number) {
  expect(res.status).toBe(429);
  expect((await problemOf(res)).code).toBe('rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
}

function expectHeaders(res: Response, limit: number, remaining: number, windowSeconds: number) {
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const now = Date.now() / 1000;
  expect(reset).toBeGreaterThan(now);
  expect(reset).toBeLessThanOrEqual(Math.ceil(now + windowSeconds) + 1);
}

describe('each scope at its boundary (defaults)', () => {
  it('LOGIN: 5 attempts per 5 minutes per IP, then 429 with Retry-After', async () => {
    const ip = randomIp();
    for (let i = 1; i <= 5; i++) {
      const res = await h.call('POST', '/api/v1/auth/login', {
        json: { username: uniqueName(), password: 'x' },
        ip,
      });
      expect(res.status).toBe(401);
      expectHeaders(res, 5, 5 - i, 300);
    }
    const res = await h.call('POST', '/api/v1/auth/login', {
      json: { username: uniqueName(), password: 'x' },
      ip,
    });
    await expectLimited(res, 5);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(300);
  });

  it('LOGIN_2FA: 5 code attempts per 5 minutes per user, whatever the address', async () => {
    const s = await signUp(h);
    const enable = await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token });
    expect(enable.status).toBe(200);
    const { secret } = (await enable.json()) as { secret: string };
    const wrong = wrongCodeAt(secret, h.clock.now());
    const attempt = () =>
      h.call('POST', '/api/v1/2fa/verify', { token: s.access_token, json: { code: wrong }, ip: randomIp() });
    for (let i = 1; i <= 5; i++) {
      const res = await attempt();
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('invalid_2fa_code');
      expectHeaders(res, 5, 5 - i, 300);
    }
    await expectLimited(await attempt(), 5);
    // Another user is not affected.
    const other = await signUp(h);
    const theirs = await h.call('POST', '/api/v1/2fa/enable', { token: other.access_token });
    expect(theirs.status).toBe(200);
    const res = await h.call('POST', '/api/v1/2fa/verify', {
      token: other.access_token,
      json: { code: wrong },
    });
    expect(res.status).not.toBe(429);
  });

  it('LOGIN_2FA on /auth/login/2fa: per user across addresses, one budget with /2fa/verify', async () => {
    const s = await signUp(h);
    // The enrolment's /2fa/verify spends the first of the user's 5 attempts.
    const { secret } = await enableTwoFactor(h, s);
    const wrong = wrongCodeAt(secret, h.clock.now());
    const login = await h.call('POST', '/api/v1/auth/login', {
      json: { username: s.user.username, password: s.password },
    });
    const { mfa_token } = (await login.json()) as { mfa_token: string };
    // A wrong code does not consume the mfa_token; each try comes from another address.
    const attempt = () =>
      h.call('POST', '/api/v1/auth/login/2fa', { json: { mfa_token, code: wrong }, ip: randomIp() });
    for (let i = 2; i <= 5; i++) {
      const res = await attempt();
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_2fa_code');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(5 - i));
    }
    await expectLimited(await attempt(), 5);
  });

  it('REGISTER: 3 per hour per IP', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      expect((await h.call('POST', '/api/v1/auth/register', { json: newUser(), ip })).status).toBe(201);
    }
    await expectLimited(await h.call('POST', '/api/v1/auth/register', { json: newUser(), ip }), 3);
  });

  it('PASSWORD_RESET: 3 per 30 minutes per IP, across reset and verification routes', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      const res = await h.call('POST', '/api/v1/auth/reset-password/request', {
        json: { email: `a${i}@b.co` },
        ip,
      });
      expect(res.status).toBe(202);
    }
    const res = await h.call('POST', '/api/v1/auth/verify-email/confirm', { json: { token: 'x' }, ip });
    await expectLimited(res, 3);
  });

  it('REFRESH: 30 per minute per IP', async () => {
    const ip = randomIp();
    const results = await Promise.all(
      Array.from({ length: 31 }, () =>
        h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: 'x' }, ip }),
      ),
    );
    expect(results.filter((r) => r.status === 401)).toHaveLength(30);
    await expectLimited(
      results.find((r) => r.status === 429)!,
      30,
    );
  });

  it('API: 60 per minute per user, whatever the address', async () => {
    const s = await signUp(h);
    const results = await Promise.all(
      Array.from({ length: 61 }, () =>
        h.call('GET', '/api/v1/auth/session', { token: s.access_token, ip: randomIp() }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(60);
    await expectLimited(
      results.find((r) => r.status === 429)!,
      60,
    );
    // Another user is not affected.
    const other = await signUp(h);
    expect((await h.call('GET', '/api/v1/auth/session', { token: other.access_token })).status).toBe(200);
  });
});

describe('requests without good credentials', () => {
  it('API: counted per client address, with the headers, for no credentials, a bad token or a bad key', async () => {
    const limited = await harness({ env: { RATE_LIMIT_API: '3/60' } });
    const attempts: [string, Record<string, string>][] = [
      ['no credentials', {}],
      ['another scheme', { authorization: 'Basic abc' }],
      ['a forged token', { authorization: 'Bearer a.b.c' }],
      ['a bad API key', { 'x-api-key': 'pk_test_nope' }],
    ];
    for (const [name, headers] of attempts) {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) {
        const res = await limited.call('GET', '/api/v1/auth/me', { headers, ip });
        expect(res.status, name).toBe(401);
        expectHeaders(res, 3, 2 - i, 60);
      }
      await expectLimited(await limited.call('GET', '/api/v1/auth/me', { headers, ip }), 3);
      // Another address still gets its 401.
      expect((await limited.call('GET', '/api/v1/auth/me', { headers, ip: randomIp() })).status).toBe(401);
    }
  });
});

describe('configuration and identity', () => {
  it('RATE_LIMIT_<SCOPE> overrides a default', async () => {
    const custom = await harness({ env: { RATE_LIMIT_LOGIN: '2/60' } });
    const ip = randomIp();
    for (let i = 0; i < 2; i++) {
      const res = await custom.call('POST', '/api/v1/auth/login', {
        json: { username: uniqueName(), password: 'b' },
        ip,
      });
      expectHeaders(res, 2, 1 - i, 60);
    }
    await expectLimited(
      await custom.call('POST', '/api/v1/auth/login', {
        json: { username: uniqueName(), password: 'b' },
        ip,
      }),
      2,
    );
  });

  it('counts CF-Connecting-IP only: X-Forwarded-For and X-Real-IP cannot dodge the limit', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await h.call('POST', '/api/v1/auth/login', {
        json: { username: 'spoof', password: 'x' },
        ip,
        headers: { 'x-forwarded-for': randomIp(), 'x-real-ip': randomIp() },
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('keeps two IPv4 addresses apart', async () => {
    const [a, b] = [randomIp(), randomIp()];
    for (let i = 0; i < 5; i++)
      await h.call('POST', '/api/v1/auth/login', { json: { username: uniqueName(), password: 'b' }, ip: a });
    expect(
      (await h.call('POST', '/api/v1/auth/login', { json: { username: uniqueName(), password: 'b' }, ip: a }))
        .status,
    ).toBe(429);
    expect(
      (await h.call('POST', '/api/v1/auth/login', { json: { username: uniqueName(), password: 'b' }, ip: b }))
        .status,
    ).toBe(401);
  });

  it('counts IPv6 clients per /64: two hosts of one /64 share, two /64s are apart', async () => {
    const hex = () => Math.floor(Math.random() * 0xffff).toString(16);
    const prefix = `2001:db8:${hex()}:${hex()}`;
    const other = `2001:db8:${hex()}:${hex()}`;
    for (let i = 0; i < 5; i++) {
      const ip = `${prefix}::${hex()}:${hex()}`;
      expect(
        (await h.call('POST', '/api/v1/auth/login', { json: { username: uniqueName(), password: 'b' }, ip }))
          .status,
      ).toBe(401);
    }
    const sameSlash64 = `${prefix}:ffff:ffff:ffff:${hex()}`;
    expect(
      (
        await h.call('POST', '/api/v1/auth/login', {
          json: { username: uniqueName(), password: 'b' },
          ip: sameSlash64,
        })
      ).status,
    ).toBe(429);
    expect(
      (
        await h.call('POST', '/api/v1/auth/login', {
          json: { username: uniqueName(), password: 'b' },
          ip: `${other}::1`,
        })
      ).status,
    ).toBe(401);
  });

  it('429 wins over a lockout: a locked account behind a spent limit answers 429', async () => {
    const user = newUser();
    await signUp(h, user);
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: `w${i}xxxxxxx` },
        ip: randomIp(),
      });
    }
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await h.call('POST', '/api/v1/auth/login', {
            json: { username: user.username, password: user.password },
            ip,
          })
        ).status,
      ).toBe(403);
    }
    const res = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip,
    });
    expect(res.status).toBe(429);
  });
});

describe('one store round trip', () => {
  const requestsAtStandIn = () => storeRequests();

  it('an authenticated, rate-limited request costs ONE request to Upstash', async () => {
    const s = await signUp(h);
    // The first call of an isolate loads the rate-limit script (EVALSHA -> NOSCRIPT -> EVAL).
    await h.call('GET', '/api/v1/auth/session', { token: s.access_token });
    const before = await requestsAtStandIn();
    for (let i = 0; i < 5; i++) {
      expect((await h.call('GET', '/api/v1/auth/session', { token: s.access_token })).status).toBe(200);
    }
    expect((await requestsAtStandIn()) - before).toBe(5);
  });

  it('a request without credentials costs ONE request to Upstash, as an authenticated one does', async () => {
    const ip = randomIp();
    await h.call('GET', '/api/v1/auth/me', { ip });
    const before = await requestsAtStandIn();
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/api/v1/auth/me', { ip })).status).toBe(401);
    expect((await requestsAtStandIn()) - before).toBe(3);
  });

  it('an identifier known to be blocked is refused from the isolate cache, without a request', async () => {
    const limited = await harness({ env: { RATE_LIMIT_API: '2/60' } });
    const s = await signUp(limited);
    for (let i = 0; i < 3; i++) await limited.call('GET', '/api/v1/auth/session', { token: s.access_token });
    const before = await requestsAtStandIn();
    const res = await limited.call('GET', '/api/v1/auth/session', { token: s.access_token });
    expect(res.status).toBe(429);
    expect(await requestsAtStandIn()).toBe(before);
  });
});
