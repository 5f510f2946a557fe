// TOTP enrolment, two-step login, backup codes. Threats: replayed codes, reused or misused mfa tokens, raced
// backup codes, a database dump revealing second factors.
import jsQR from 'jsqr';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  logIn,
  newUser,
  problemOf,
  randomIp,
  signUp,
  type Harness,
  type TwoFactorEnrolment,
} from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const enrol = enableTwoFactor;

async function challenge(target: Harness, username: string, password: string): Promise<string> {
  const res = await target.call('POST', '/api/v1/auth/login', {
    json: { username, password },
    ip: randomIp(),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ requires_2fa: true, mfa_token: expect.any(String), expires_in: 300 });
  return body.mfa_token as string;
}

const secondStep = (target: Harness, json: Record<string, string>) =>
  target.call('POST', '/api/v1/auth/login/2fa', { json, ip: randomIp() });

/** Rasterises the QR code's SVG (one square path per dark module) and decodes it with a real QR decoder. */
function decodeQr(dataUri: string): string | undefined {
  const svg = atob(dataUri.replace(/^data:image\/svg\+xml;base64,/, ''));
  const size = Number(/<svg[^>]*width="(\d+)"/.exec(svg)?.[1]);
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const m of svg.matchAll(/M([\d.]+),([\d.]+) V([\d.]+) H([\d.]+)/g)) {
    const [x0, y0, y1, x1] = [m[1], m[2], m[3], m[4]].map((v) => Math.round(Number(v)));
    for (let y = y0!; y < y1!; y++) {
      for (let x = x0!; x < x1!; x++) {
        const i = (y * size + x) * 4;
        pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
      }
    }
  }
  return jsQR(pixels, size, size)?.data;
}

describe('enrolment', () => {
  it('returns secret, otpauth URI, a QR code that decodes to that URI, and 10 backup codes; 2FA stays off', async () => {
    const s = await signUp(h);
    const res = await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TwoFactorEnrolment;
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(body.secret);
    expect(uri.searchParams.get('issuer')).toBe('Portcullis');
    expect(decodeURIComponent(uri.pathname)).toContain(s.user.email);
    expect(body.qr_code).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(decodeQr(body.qr_code)).toBe(body.otpauth_uri);
    expect(body.backup_codes).toHaveLength(10);
    for (const code of body.backup_codes) expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const me = (await (await h.call('GET', '/api/v1/auth/me', { token: s.access_token })).json()) as {
      user: { two_factor_enabled: boolean };
    };
    expect(me.user.two_factor_enabled).toBe(false);
    // Logging in still needs no second step.
    expect(
      await (
        await h.call('POST', '/api/v1/auth/login', {
          json: { username: s.user.username, password: s.password },
          ip: randomIp(),
        })
      ).json(),
    ).toHaveProperty('access_token');
  });

  it('stores the secret sealed, never in plaintext', async () => {
    const s = await signUp(h);
    const body = (await (
      await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token })
    ).json()) as TwoFactorEnrolment;
    const stored = (await h.deps.db.users.findById(s.user.id))!.twoFactorSecret!;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(body.secret);
    expect(stored.toUpperCase()).not.toContain(body.secret.slice(0, 8));
  });

  it('refuses a wrong code (403), verify before enable (400), and enabling twice (409)', async () => {
    const s = await signUp(h);
    const early = await h.call('POST', '/api/v1/2fa/verify', {
      token: s.access_token,
      json: { code: '123456' },
    });
    expect(early.status).toBe(400);
    expect((await problemOf(early)).code).toBe('two_factor_not_initiated');
    const body = (await (
      await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token })
    ).json()) as TwoFactorEnrolment;
    const good = codeAt(body.secret, h.clock.now());
    const wrong = await h.call('POST', '/api/v1/2fa/verify', {
      token: s.access_token,
      json: { code: good === '000000' ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(403);
    expect((await problemOf(wrong)).code).toBe('invalid_2fa_code');
    expect(
      (await h.call('POST', '/api/v1/2fa/verify', { token: s.access_token, json: { code: good } })).status,
    ).toBe(200);
    const again = await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token });
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe('two_factor_already_enabled');
    expect(await h.auditEvents(s.user.id, 'two_factor_enabled')).toHaveLength(1);
  });
});

describe('two-step login', () => {
  it('returns a challenge and no tokens, then tokens with amr pwd+otp for a TOTP code', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const mfa = await challenge(h, s.user.username, s.password);
    const res = await secondStep(h, { mfa_token: mfa, code: codeAt(e.secret, h.clock.now()) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      access_token: string;
      refresh_token: string;
      user: { two_factor_enabled: boolean };
    };
    expect(decodeJwt(body.access_token).amr).toEqual(['pwd', 'otp']);
    expect(body.user.two_factor_enabled).toBe(true);
    // A refreshed token keeps the session's amr.
    const refreshed = (await (
      await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: body.refresh_token } })
    ).json()) as { access_token: string };
    expect(decodeJwt(refreshed.access_token).amr).toEqual(['pwd', 'otp']);
  });

  it('accepts a backup code once (amr pwd+mfa), and the seed form with totp_code', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const backup = e.backup_codes[0]!;
    const res = await secondStep(h, {
      mfa_token: await challenge(h, s.user.username, s.password),
      backup_code: backup.toLowerCase(),
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(((await res.json()) as { access_token: string }).access_token).amr).toEqual([
      'pwd',
      'mfa',
    ]);
    const reused = await secondStep(h, {
      mfa_token: await challenge(h, s.user.username, s.password),
      backup_code: backup,
    });
    expect(reused.status).toBe(401);
    expect((await problemOf(reused)).code).toBe('invalid_2fa_code');
    const seed = await secondStep(h, {
      username: s.user.email,
      password: s.password,
      totp_code: codeAt(e.secret, h.clock.now()),
    });
    expect(seed.status).toBe(200);
  });

  it('accepts codes one step off and refuses two steps off', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    // Past the steps the enrolment could have spent, so each offset meets a fresh step.
    h.clock.advance(90);
    for (const [offset, expected] of [
      [-2, 401],
      [2, 401],
      [-1, 200],
      [1, 200],
    ] as const) {
      const res = await secondStep(h, {
        mfa_token: await challenge(h, s.user.username, s.password),
        code: codeAt(e.secret, h.clock.now(), offset),
      });
      expect(res.status, `offset ${offset}`).toBe(expected);
    }
  });

  it('refuses a code that was already accepted (replay), even with a fresh mfa_token', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const code = codeAt(e.secret, h.clock.now());
    expect(
      (await secondStep(h, { mfa_token: await challenge(h, s.user.username, s.password), code })).status,
    ).toBe(200);
    const replay = await secondStep(h, { mfa_token: await challenge(h, s.user.username, s.password), code });
    expect(replay.status).toBe(401);
    expect((await problemOf(replay)).code).toBe('invalid_2fa_code');
  });
});

describe('the mfa_token', () => {
  it('is refused as an access token and as a refresh token', async () => {
    const s = await signUp(h);
    await enrol(h, s);
    const mfa = await challenge(h, s.user.username, s.password);
    const asAccess = await h.call('GET', '/api/v1/auth/me', { token: mfa });
    expect(asAccess.status).toBe(401);
    expect((await problemOf(asAccess)).code).toBe('invalid_token');
    const asRefresh = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: mfa } });
    expect(asRefresh.status).toBe(401);
    expect((await problemOf(asRefresh)).code).toBe('invalid_token');
  });

  it('survives a wrong code, is single use, and dies after 5 minutes', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const mfa = await challenge(h, s.user.username, s.password);
    const wrong = await secondStep(h, { mfa_token: mfa, code: codeAt(e.secret, h.clock.now(), 5) });
    expect((await problemOf(wrong)).code).toBe('invalid_2fa_code');
    expect((await secondStep(h, { mfa_token: mfa, code: codeAt(e.secret, h.clock.now()) })).status).toBe(200);
    h.clock.advance(30);
    const reused = await secondStep(h, { mfa_token: mfa, code: codeAt(e.secret, h.clock.now()) });
    expect(reused.status).toBe(401);
    expect((await problemOf(reused)).code).toBe('invalid_token');

    const late = await challenge(h, s.user.username, s.password);
    h.clock.advance(301);
    const expired = await secondStep(h, { mfa_token: late, code: codeAt(e.secret, h.clock.now()) });
    expect((await problemOf(expired)).code).toBe('invalid_token');
  });

  it('counts wrong codes towards the lockout', async () => {
    // A loose LOGIN_2FA limit, so that the lockout, not the limiter, is what answers.
    const loose = await harness({ env: { RATE_LIMIT_LOGIN_2FA: '1000/60' } });
    const s = await signUp(loose);
    const e = await enrol(loose, s);
    const mfa = await challenge(loose, s.user.username, s.password);
    for (let i = 0; i < 5; i++) {
      const res = await secondStep(loose, { mfa_token: mfa, code: String(100000 + i) });
      expect(res.status).toBe(401);
    }
    const locked = await secondStep(loose, { mfa_token: mfa, code: codeAt(e.secret, loose.clock.now()) });
    expect(locked.status).toBe(403);
    expect((await problemOf(locked)).code).toBe('account_locked');
  });
});

describe('backup codes under concurrency', () => {
  it('20 concurrent uses of one backup code: exactly one succeeds', async () => {
    const loose = await harness({ env: { RATE_LIMIT_LOGIN_2FA: '1000/60', LOCKOUT_THRESHOLD: '1000' } });
    const user = newUser();
    const s = await signUp(loose, user);
    const e = await enrol(loose, s);
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => challenge(loose, user.username, user.password)),
    );
    const results = await Promise.all(
      tokens.map((mfa_token) => secondStep(loose, { mfa_token, backup_code: e.backup_codes[3]! })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expect((await problemOf(r)).code).toBe('invalid_2fa_code');
  });
});

describe('managing 2FA', () => {
  it('regenerates backup codes with a TOTP code: the old ones die', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const res = await h.call('POST', '/api/v1/2fa/backup-codes', {
      token: s.access_token,
      json: { code: codeAt(e.secret, h.clock.now()) },
    });
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as { backup_codes: string[] };
    expect(fresh.backup_codes).toHaveLength(10);
    const old = await secondStep(h, {
      mfa_token: await challenge(h, s.user.username, s.password),
      backup_code: e.backup_codes[0]!,
    });
    expect(old.status).toBe(401);
    const neu = await secondStep(h, {
      mfa_token: await challenge(h, s.user.username, s.password),
      backup_code: fresh.backup_codes[0]!,
    });
    expect(neu.status).toBe(200);
  });

  it('disables with the password and a code, deleting the secret and the codes', async () => {
    const s = await signUp(h);
    const e = await enrol(h, s);
    const badPassword = await h.call('POST', '/api/v1/2fa/disable', {
      token: s.access_token,
      json: { password: 'Not-My-Password-1', code: codeAt(e.secret, h.clock.now()) },
    });
    expect(badPassword.status).toBe(403);
    expect((await problemOf(badPassword)).code).toBe('invalid_credentials');
    const badCode = await h.call('POST', '/api/v1/2fa/disable', {
      token: s.access_token,
      json: { password: s.password, code: codeAt(e.secret, h.clock.now(), 4) },
    });
    expect(badCode.status).toBe(403);
    expect((await problemOf(badCode)).code).toBe('invalid_2fa_code');
    const ok = await h.call('POST', '/api/v1/2fa/disable', {
      token: s.access_token,
      json: { password: s.password, code: e.backup_codes[9]! },
    });
    expect(ok.status).toBe(200);
    expect((await h.deps.db.users.findById(s.user.id))!.twoFactorSecret).toBeNull();
    await logIn(h, s.user.username, s.password);
    const off = await h.call('POST', '/api/v1/2fa/disable', {
      token: s.access_token,
      json: { password: s.password, code: '123456' },
    });
    expect((await problemOf(off)).code).toBe('two_factor_not_enabled');
    for (const type of ['two_factor_enabled', 'two_factor_disabled']) {
      expect(await h.auditEvents(s.user.id, type), type).toHaveLength(1);
    }
  });
});
