import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, logIn, newUser, problemOf, randomIp, signUp, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

describe('register', () => {
  it('creates a user with role user, unverified, and never returns the password', async () => {
    const user = newUser();
    const res = await h.call('POST', '/api/v1/auth/register', {
      json: { ...user, first_name: 'Ada', last_name: 'Lovelace' },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(Object.keys(body.user).sort()).toEqual(
      [
        'created_at',
        'email',
        'first_name',
        'id',
        'is_active',
        'is_verified',
        'last_login_at',
        'last_name',
        'roles',
        'two_factor_enabled',
        'username',
      ].sort(),
    );
    expect(body.user).toMatchObject({
      email: user.email,
      username: user.username,
      first_name: 'Ada',
      roles: ['user'],
      is_active: true,
      is_verified: false,
      two_factor_enabled: false,
      last_login_at: null,
    });
    expect(JSON.stringify(body)).not.toContain(user.password);
  });

  it('ignores roles and flags in the body (mass assignment)', async () => {
    const user = newUser();
    const res = await h.call('POST', '/api/v1/auth/register', {
      json: { ...user, roles: ['admin'], is_superuser: true, is_verified: true, is_active: false },
      ip: randomIp(),
    });
    expect(res.status).toBe(201);
    const { user: created } = (await res.json()) as { user: Record<string, unknown> };
    expect(created).toMatchObject({ roles: ['user'], is_verified: false, is_active: true });
  });

  it('refuses an email or username taken in another case or Unicode form with 409 already_exists', async () => {
    const user = newUser();
    expect((await h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() })).status).toBe(201);
    const variants = [
      { ...newUser(), email: `  ${user.email.toUpperCase()} ` },
      { ...newUser(), username: user.username.toUpperCase() },
      // Fullwidth letters normalise (NFKC) to the same ASCII name.
      { ...newUser(), username: user.username.replace('u', '\uFF55') },
    ];
    for (const variant of variants) {
      const res = await h.call('POST', '/api/v1/auth/register', { json: variant, ip: randomIp() });
      const p = await problemOf(res);
      expect(res.status).toBe(409);
      expect(p.code).toBe('already_exists');
    }
  });

  it('answers 422 validation_failed with the failing paths', async () => {
    const res = await h.call('POST', '/api/v1/auth/register', {
      json: { email: 'not-an-email', username: 'a b', password: 'Granite-Lantern-42' },
    });
    expect(res.status).toBe(422);
    const p = (await problemOf(res)) as unknown as { code: string; errors: { path: string }[] };
    expect(p.code).toBe('validation_failed');
    expect(p.errors.map((e) => e.path).sort()).toEqual(['email', 'username']);
  });

  it('answers 422 weak_password with every issue', async () => {
    const user = newUser();
    const res = await h.call('POST', '/api/v1/auth/register', {
      json: { ...user, password: `${user.username}!` },
      ip: randomIp(),
    });
    expect(res.status).toBe(422);
    const p = (await problemOf(res)) as unknown as { code: string; issues: string[] };
    expect(p.code).toBe('weak_password');
    expect(p.issues.length).toBeGreaterThan(0);
  });
});

describe('login', () => {
  it('accepts JSON and the OAuth2 password form, by username or email in any case', async () => {
    const user = newUser();
    await signUp(h, user);
    const json = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.email.toUpperCase(), password: user.password },
      ip: randomIp(),
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('cache-control')).toBe('no-store');
    const form = await h.call('POST', '/api/v1/auth/login', {
      form: { grant_type: 'password', username: user.username, password: user.password, scope: '' },
      ip: randomIp(),
    });
    expect(form.status).toBe(200);
    const body = (await form.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((body.user as { last_login_at: string | null }).last_login_at).not.toBeNull();
  });

  it('issues an RFC 9068 EdDSA access token with the contract claims', async () => {
    const s = await signUp(h);
    const header = decodeProtectedHeader(s.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(header.kid).toBe(h.deps.keys.active.kid);
    const claims = decodeJwt(s.access_token);
    expect(claims).toMatchObject({
      iss: 'https://auth.test',
      aud: 'https://api.test',
      sub: s.user.id,
      type: 'access',
      email: s.user.email,
      username: s.user.username,
      roles: ['user'],
      amr: ['pwd'],
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.sid).toBe('string');
  });

  it('answers an unknown user and a wrong password with the same bytes (no enumeration)', async () => {
    const user = newUser();
    await signUp(h, user);
    const wrong = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: 'Wrong-Password-1' },
      ip: randomIp(),
    });
    const unknown = await h.call('POST', '/api/v1/auth/login', {
      json: { username: `nobody-${user.username}`, password: 'Wrong-Password-1' },
      ip: randomIp(),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'));
    expect(await wrong.text()).toBe(await unknown.text());
  });
});

describe('authenticated routes', () => {
  it('GET /me returns the user and the auth method', async () => {
    const s = await signUp(h);
    const res = await h.call('GET', '/api/v1/auth/me', { token: s.access_token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { id: s.user.id }, auth: { method: 'password' } });
    expect(res.headers.get('x-ratelimit-limit')).toBe('60');
  });

  it('GET /session answers from the token and the store', async () => {
    const s = await signUp(h);
    const res = await h.call('GET', '/api/v1/auth/session', { token: s.access_token });
    expect(res.status).toBe(200);
    const claims = decodeJwt(s.access_token);
    expect(await res.json()).toEqual({
      active: true,
      user_id: s.user.id,
      session_id: claims.sid,
      roles: ['user'],
      amr: ['pwd'],
      expires_at: new Date(claims.exp! * 1000).toISOString(),
    });
  });

  it('without credentials answers 401 authentication_required with a Bearer challenge', async () => {
    const res = await h.call('GET', '/api/v1/auth/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await problemOf(res)).code).toBe('authentication_required');
  });

  it('ignores tokens in the URL', async () => {
    const s = await signUp(h);
    const res = await h.call('GET', `/api/v1/auth/me?access_token=${s.access_token}`);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('authentication_required');
  });

  it('answers a malformed Authorization header with 401 invalid_token', async () => {
    for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Token abc', 'Bearer a b']) {
      const res = await h.call('GET', '/api/v1/auth/me', { headers: { authorization: value } });
      expect(res.status, value).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await problemOf(res)).code).toBe('invalid_token');
    }
  });

  it('answers an expired access token with token_expired (the clock moves, nobody sleeps)', async () => {
    const s = await signUp(h);
    // Used while live first, so that the isolate has verified and remembered it: expiry must still bite.
    expect((await h.call('GET', '/api/v1/auth/session', { token: s.access_token })).status).toBe(200);
    h.clock.advance(901);
    try {
      const res = await h.call('GET', '/api/v1/auth/me', { token: s.access_token });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('token_expired');
    } finally {
      h.clock.advance(-901);
    }
  });
});

describe('refresh', () => {
  it('rotates: the new pair works, the old refresh token is dead', async () => {
    const s = await signUp(h);
    const res = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const pair = (await res.json()) as { access_token: string; refresh_token: string };
    expect(Object.keys(pair).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(pair.refresh_token).not.toBe(s.refresh_token);
    expect(decodeJwt(pair.access_token).sid).toBe(decodeJwt(s.access_token).sid);
    expect((await h.call('GET', '/api/v1/auth/me', { token: pair.access_token })).status).toBe(200);
  });

  it('reuse of a rotated token revokes the whole session (refresh and access tokens)', async () => {
    const s = await signUp(h);
    const first = (await (
      await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } })
    ).json()) as { access_token: string; refresh_token: string };
    const reuse = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } });
    expect(reuse.status).toBe(401);
    expect((await problemOf(reuse)).code).toBe('refresh_token_reused');
    const next = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: first.refresh_token },
    });
    expect(next.status).toBe(401);
    expect((await problemOf(next)).code).toBe('invalid_token');
    const me = await h.call('GET', '/api/v1/auth/me', { token: first.access_token });
    expect((await problemOf(me)).code).toBe('token_revoked');
  });

  it('refuses unknown and malformed refresh tokens with 401 invalid_token', async () => {
    for (const token of ['x', 'A'.repeat(43), 'A'.repeat(42) + '!', ' '.repeat(43)]) {
      const res = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: token } });
      expect(res.status, token).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_token');
    }
  });

  it('50 concurrent refreshes of one token: exactly one wins, and the losers revoke the session', async () => {
    const s = await signUp(h);
    const results = await Promise.all(
      // From 50 addresses, so that the REFRESH limit (30 a minute per IP) is not what answers.
      Array.from({ length: 50 }, () =>
        h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token }, ip: randomIp() }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st === 401)).toHaveLength(49);
    const losers = await Promise.all(results.filter((r) => r.status === 401).map((r) => r.json()));
    expect(new Set(losers.map((l) => (l as { code: string }).code))).toEqual(
      new Set(['refresh_token_reused']),
    );
    const winner = (await results.find((r) => r.status === 200)!.json()) as {
      access_token: string;
      refresh_token: string;
    };
    // The reuse revoked the family: the winner's new tokens die with it.
    const again = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: winner.refresh_token },
    });
    expect((await problemOf(again)).code).toBe('invalid_token');
    const me = await h.call('GET', '/api/v1/auth/me', { token: winner.access_token });
    expect((await problemOf(me)).code).toBe('token_revoked');
  });
});

describe('logout', () => {
  it('revokes this access token on the very next request, and its refresh token', async () => {
    const s = await signUp(h);
    // Used first, so that its signature check is remembered: revocation is asked of the store every time.
    expect((await h.call('GET', '/api/v1/auth/me', { token: s.access_token })).status).toBe(200);
    const res = await h.call('POST', '/api/v1/auth/logout', { token: s.access_token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: expect.any(String) });
    const me = await h.call('GET', '/api/v1/auth/me', { token: s.access_token });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await problemOf(me)).code).toBe('token_revoked');
    const refreshed = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: s.refresh_token },
    });
    expect((await problemOf(refreshed)).code).toBe('invalid_token');
  });

  it('leaves the other sessions of the user alone', async () => {
    const user = newUser();
    const a = await signUp(h, user);
    const b = await logIn(h, user.username, user.password);
    await h.call('POST', '/api/v1/auth/logout', { token: a.access_token });
    expect((await h.call('GET', '/api/v1/auth/me', { token: b.access_token })).status).toBe(200);
  });

  it('logout-all revokes every session, and a login in the same instant works', async () => {
    const user = newUser();
    const a = await signUp(h, user);
    const b = await logIn(h, user.username, user.password);
    const res = await h.call('POST', '/api/v1/auth/logout-all', { token: a.access_token });
    expect(res.status).toBe(200);
    for (const s of [a, b]) {
      expect((await problemOf(await h.call('GET', '/api/v1/auth/me', { token: s.access_token }))).code).toBe(
        'token_revoked',
      );
      const r = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } });
      expect((await problemOf(r)).code).toBe('invalid_token');
    }
    // The clock has not moved since: a "revoked before <time>" mark would kill this one too.
    const c = await logIn(h, user.username, user.password);
    expect((await h.call('GET', '/api/v1/auth/me', { token: c.access_token })).status).toBe(200);
  });
});
