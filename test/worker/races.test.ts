// Threat: a single-use or unique thing used twice by racing requests (the check and the write are not one
// step). Each test fires the same request many times at once and expects exactly one winner and clean
// refusals for the rest: never two winners, never a 500.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  tokenFromMail,
  type Harness,
} from './harness.ts';

const N = 20;
let h: Harness;
beforeAll(async () => {
  // Limits and the lockout out of the way: what answers must be the single-use rule itself.
  h = await harness({
    env: {
      RATE_LIMIT_LOGIN: '1000/60',
      RATE_LIMIT_LOGIN_2FA: '1000/60',
      RATE_LIMIT_REGISTER: '1000/60',
      LOCKOUT_THRESHOLD: '1000',
    },
  });
});

const at = <T>(n: number, f: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => f(i)));

async function codesOf(results: Response[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.status < 400 ? String(r.status) : `${r.status} ${(await problemOf(r)).code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('racing requests', () => {
  it(`${N} registrations of one username and email: one account, the rest 409 already_exists`, async () => {
    const user = newUser();
    const results = await at(N, () =>
      h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() }),
    );
    expect(await codesOf(results)).toEqual({ '201': 1, '409 already_exists': N - 1 });
  });

  it(`${N} registrations of one email in different cases: one account`, async () => {
    const user = newUser();
    const results = await at(N, (i) =>
      h.call('POST', '/api/v1/auth/register', {
        json: {
          ...user,
          username: `${user.username}_${i}`,
          email: i % 2 ? user.email.toUpperCase() : user.email,
        },
        ip: randomIp(),
      }),
    );
    expect(await codesOf(results)).toEqual({ '201': 1, '409 already_exists': N - 1 });
  });

  it(`one TOTP code sent ${N} times at once, each with its own mfa_token: one login`, async () => {
    const user = newUser();
    const { secret } = await enableTwoFactor(h, await signUp(h, user));
    const challenges = await at(N, async () => {
      const res = await h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: user.password },
        ip: randomIp(),
      });
      return ((await res.json()) as { mfa_token: string }).mfa_token;
    });
    const code = codeAt(secret, h.clock.now());
    const results = await Promise.all(
      challenges.map((mfa_token) =>
        h.call('POST', '/api/v1/auth/login/2fa', { json: { mfa_token, code }, ip: randomIp() }),
      ),
    );
    const counts = await codesOf(results);
    expect(counts['200']).toBe(1);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(N);
    expect(Object.keys(counts).sort()).toEqual(['200', expect.stringMatching(/^40[13] invalid_2fa_code$/)]);
  });

  it(`${N} confirmations of 2FA enrolment at once: enabled once, with one set of backup codes`, async () => {
    const s = await signUp(h);
    const enabled = await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token });
    const { secret, backup_codes } = (await enabled.json()) as { secret: string; backup_codes: string[] };
    const code = codeAt(secret, h.clock.now());
    const results = await at(N, () =>
      h.call('POST', '/api/v1/2fa/verify', { token: s.access_token, json: { code } }),
    );
    const counts = await codesOf(results);
    expect(counts['200']).toBe(1);
    for (const key of Object.keys(counts))
      expect(key).toMatch(/^(200|409 two_factor_already_enabled|40[13] invalid_2fa_code)$/);
    // The backup codes handed out at enrolment are the ones that work.
    const login = await h.call('POST', '/api/v1/auth/login', {
      json: { username: s.user.username, password: s.password },
      ip: randomIp(),
    });
    const { mfa_token } = (await login.json()) as { mfa_token: string };
    const second = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token, backup_code: backup_codes[0] },
      ip: randomIp(),
    });
    expect(second.status).toBe(200);
  });

  it(`one email-verification token confirmed ${N} times at once: once`, async () => {
    const user = newUser();
    await h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() });
    const token = tokenFromMail((await h.outbox(user.email))[0]);
    const results = await at(N, () =>
      h.call('POST', '/api/v1/auth/verify-email/confirm', { json: { token }, ip: randomIp() }),
    );
    expect(await codesOf(results)).toEqual({ '200': 1, '400 invalid_token': N - 1 });
  });
});

describe('racing second steps count no failures and spend no extra codes (the lockout at its default)', () => {
  let strict: Harness;
  beforeAll(async () => {
    strict = await harness({
      env: { RATE_LIMIT_LOGIN: '1000/60', RATE_LIMIT_LOGIN_2FA: '1000/60', RATE_LIMIT_REGISTER: '1000/60' },
    });
  });

  const mfaTokenOf = async (user: { username: string; password: string }) => {
    const res = await strict.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    return ((await res.json()) as { mfa_token: string }).mfa_token;
  };

  it('threat: one mfa_token with 10 backup codes at once: one login, one code spent, nothing counted', async () => {
    const user = newUser();
    const { backup_codes } = await enableTwoFactor(strict, await signUp(strict, user));
    const mfa_token = await mfaTokenOf(user);
    const results = await Promise.all(
      backup_codes.map((backup_code) =>
        strict.call('POST', '/api/v1/auth/login/2fa', { json: { mfa_token, backup_code }, ip: randomIp() }),
      ),
    );
    const counts = await codesOf(results);
    expect(counts['200']).toBe(1);
    expect(counts['401 invalid_token']).toBe(backup_codes.length - 1);
    // Nine codes are still good: each finishes a login of its own.
    let working = 0;
    for (const backup_code of backup_codes) {
      const res = await strict.call('POST', '/api/v1/auth/login/2fa', {
        json: { mfa_token: await mfaTokenOf(user), backup_code },
        ip: randomIp(),
      });
      if (res.status === 200) working++;
    }
    expect(working).toBe(backup_codes.length - 1);
  });

  it(`threat: one backup code raced ${N} ways with ${N} mfa_tokens: one login, and the account is not locked`, async () => {
    const user = newUser();
    const s = await signUp(strict, user);
    const { backup_codes } = await enableTwoFactor(strict, s);
    const tokens = await at(N, () => mfaTokenOf(user));
    const results = await Promise.all(
      tokens.map((mfa_token) =>
        strict.call('POST', '/api/v1/auth/login/2fa', {
          json: { mfa_token, backup_code: backup_codes[0] },
          ip: randomIp(),
        }),
      ),
    );
    const counts = await codesOf(results);
    expect(counts['200']).toBe(1);
    expect(counts['401 invalid_2fa_code']).toBe(N - 1);
    // The losers held a real code: no guess, nothing counted, so the owner is not locked out.
    expect(await strict.auditEvents(s.user.id, 'login_failed')).toEqual([]);
    const next = await strict.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: await mfaTokenOf(user), backup_code: backup_codes[1] },
      ip: randomIp(),
    });
    expect(next.status).toBe(200);
  });

  it(`threat: one TOTP code raced ${N} ways with ${N} mfa_tokens: one login, nothing counted`, async () => {
    const user = newUser();
    const s = await signUp(strict, user);
    const { secret } = await enableTwoFactor(strict, s);
    const tokens = await at(N, () => mfaTokenOf(user));
    const code = codeAt(secret, strict.clock.now());
    const results = await Promise.all(
      tokens.map((mfa_token) =>
        strict.call('POST', '/api/v1/auth/login/2fa', { json: { mfa_token, code }, ip: randomIp() }),
      ),
    );
    expect((await codesOf(results))['200']).toBe(1);
    expect(await strict.auditEvents(s.user.id, 'login_failed')).toEqual([]);
  });
});
