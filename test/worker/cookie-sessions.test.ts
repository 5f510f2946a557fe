// Browser sessions (API.md "Browser sessions"): with `X-Session-Mode: cookie` the refresh token lives only in
// an HttpOnly `__Host-` cookie. Threats: XSS reading the refresh token (it is never in a body), CSRF spending
// it (a refresh by cookie needs the custom header and an allowed Origin), and a stolen cookie replayed after
// rotation (reuse detection, as with body tokens).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  type Harness,
} from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ env: { RATE_LIMIT_REFRESH: '1000/60', RATE_LIMIT_LOGIN: '1000/60' } });
});

const COOKIE_MODE = { 'x-session-mode': 'cookie' };
const APP = 'https://app.example.com'; // in the test env's CORS_ORIGINS
const RT =
  /^__Host-portcullis_rt=([A-Za-z0-9_-]{43}); Max-Age=(\d+); Path=\/; HttpOnly; Secure; SameSite=Strict$/;

function refreshCookieOf(res: Response): { cookie: string; maxAge: number } {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('__Host-portcullis_rt='));
  const match = RT.exec(set ?? '');
  expect(match, set).not.toBeNull();
  return { cookie: `__Host-portcullis_rt=${match![1]}`, maxAge: Number(match![2]) };
}

function expectCleared(res: Response) {
  expect(res.headers.getSetCookie()).toContainEqual(
    expect.stringMatching(/^__Host-portcullis_rt=; Max-Age=0; Path=\//),
  );
}

async function cookieLogin(user = newUser()) {
  await signUp(h, user);
  const res = await h.call('POST', '/api/v1/auth/login', {
    json: { username: user.username, password: user.password },
    headers: COOKIE_MODE,
    ip: randomIp(),
  });
  expect(res.status).toBe(200);
  return { res, user, body: await res.json<Record<string, unknown>>(), ...refreshCookieOf(res) };
}

const refreshBy = (cookie: string, headers: Record<string, string> = { ...COOKIE_MODE, origin: APP }) =>
  h.call('POST', '/api/v1/auth/refresh', { headers: { cookie, ...headers }, ip: randomIp() });

describe('cookie sessions', () => {
  it('threat: XSS reads the refresh token -> it is only in an HttpOnly __Host- cookie, never in the body', async () => {
    const { res, body, maxAge } = await cookieLogin();
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).toMatchObject({ refresh_token_in: 'cookie', token_type: 'bearer', expires_in: 900 });
    expect(body.access_token).toEqual(expect.any(String));
    expect(maxAge).toBe(604_800);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
  });

  it('refreshes by cookie: a new cookie replaces the old, Max-Age is what is left of the session', async () => {
    const { cookie } = await cookieLogin();
    h.clock.advance(3600);
    const res = await refreshBy(cookie);
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.refresh_token_in).toBe('cookie');
    const next = refreshCookieOf(res);
    expect(next.cookie).not.toBe(cookie);
    expect(next.maxAge).toBe(604_800 - 3600);
    // The Worker's own origin and an origin matching CORS_ORIGIN_PATTERNS are allowed too.
    const own = await refreshBy(next.cookie, { ...COOKIE_MODE, origin: 'http://portcullis.test' });
    expect(own.status).toBe(200);
    const preview = await refreshBy(refreshCookieOf(own).cookie, {
      ...COOKIE_MODE,
      origin: 'https://pr-7.preview.example.com',
    });
    expect(preview.status).toBe(200);
  });

  it('threat: CSRF spends the cookie -> without the header or from a foreign, null or absent Origin: 403, nothing rotated', async () => {
    const { cookie } = await cookieLogin();
    const hostile: [string, Record<string, string>][] = [
      ['no X-Session-Mode', { origin: APP }],
      ['a foreign origin', { ...COOKIE_MODE, origin: 'https://evil.example.net' }],
      ['a lookalike origin', { ...COOKIE_MODE, origin: 'https://app.example.com.evil.net' }],
      ['a null origin', { ...COOKIE_MODE, origin: 'null' }],
      ['no origin', COOKIE_MODE],
    ];
    for (const [name, headers] of hostile) {
      const res = await refreshBy(cookie, headers);
      expect(res.status, name).toBe(403);
      expect((await problemOf(res)).code, name).toBe('csrf_failed');
      expect(res.headers.getSetCookie(), name).toEqual([]);
    }
    // Nothing was rotated: the same cookie still refreshes, once.
    expect((await refreshBy(cookie)).status).toBe(200);
  });

  it('threat: a stolen cookie replayed after rotation -> refresh_token_reused, the session dies, the cookie is cleared', async () => {
    const { cookie, body } = await cookieLogin();
    const rotated = await refreshBy(cookie);
    const { cookie: current } = refreshCookieOf(rotated);
    const replay = await refreshBy(cookie);
    expect((await problemOf(replay)).code).toBe('refresh_token_reused');
    expectCleared(replay);
    expect((await refreshBy(current)).status).toBe(401);
    const session = await h.call('GET', '/api/v1/auth/session', { token: body.access_token as string });
    expect((await problemOf(session)).code).toBe('token_revoked');
  });

  it('a refresh with the header but no cookie is 401 invalid_token and clears nothing it did not set', async () => {
    const res = await h.call('POST', '/api/v1/auth/refresh', { headers: { ...COOKIE_MODE, origin: APP } });
    expect((await problemOf(res)).code).toBe('invalid_token');
    expectCleared(res);
  });

  it('logout and logout-all clear the cookie and end its session', async () => {
    for (const path of ['/api/v1/auth/logout', '/api/v1/auth/logout-all']) {
      const { cookie, body } = await cookieLogin();
      const res = await h.call('POST', path, {
        token: body.access_token as string,
        headers: { cookie, ...COOKIE_MODE },
      });
      expect(res.status, path).toBe(200);
      expectCleared(res);
      expect((await refreshBy(cookie)).status, path).toBe(401);
    }
  });

  it('applies to the 2FA step and to a password change; without the header, body tokens as before', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    const { secret } = await enableTwoFactor(h, s);
    const first = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    const { mfa_token } = await first.json<{ mfa_token: string }>();
    const second = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token, code: codeAt(secret, h.clock.now()) },
      headers: COOKIE_MODE,
      ip: randomIp(),
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ refresh_token_in: 'cookie' });
    refreshCookieOf(second);

    const changed = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: user.password, new_password: 'Another-Granite-Lantern-43' },
      headers: COOKIE_MODE,
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).not.toHaveProperty('refresh_token');
    refreshCookieOf(changed);

    const plain = await h.call('POST', '/api/v1/auth/login', {
      json: { username: 'nobody', password: 'x' },
      ip: randomIp(),
    });
    expect(plain.headers.getSetCookie().filter((c) => c.startsWith('__Host-portcullis_rt'))).toEqual([]);
    const body = await signUp(h);
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('CORS lets an allowed origin send X-Session-Mode with credentials, and no other origin', async () => {
    const preflight = (origin: string) =>
      h.call('OPTIONS', '/api/v1/auth/refresh', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-session-mode, content-type',
        },
      });
    const allowed = await preflight(APP);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-session-mode');
    const foreign = await preflight('https://evil.example.net');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
