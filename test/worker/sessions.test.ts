// GET /auth/sessions and DELETE /auth/sessions/{id}: what a "signed-in devices" page of an SPA is built on.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newUser, problemOf, randomIp, signUp, type Harness, type Session } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  ip_address: string | null;
  user_agent: string | null;
  current: boolean;
}

async function logInFrom(user: { username: string; password: string }, ip: string, userAgent: string) {
  const res = await h.call('POST', '/api/v1/auth/login', {
    json: { username: user.username, password: user.password },
    headers: { 'user-agent': userAgent },
    ip,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Omit<Session, 'password'>;
}

async function sessionsOf(token: string): Promise<SessionView[]> {
  const res = await h.call('GET', '/api/v1/auth/sessions', { token });
  expect(res.status).toBe(200);
  return (await res.json()) as SessionView[];
}

const sessionIdOf = (token: string) =>
  (JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sid: string }).sid;

describe('the session list', () => {
  it("shows the user's live sessions, most recently used first, with where they were last used from", async () => {
    const user = newUser();
    await signUp(h, user); // a first session, from the harness's helper
    h.clock.advance(60);
    const laptopAt = h.clock.now();
    const laptop = await logInFrom(user, '203.0.113.7', 'Laptop/1.0');
    h.clock.advance(60);
    const phoneAt = h.clock.now();
    const phone = await logInFrom(user, '2001:db8::1', 'Phone/2.0');
    h.clock.advance(60);
    // A refresh is a use: it moves the laptop's session to the top, from its new address.
    const refreshedAt = h.clock.now();
    const refreshed = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: laptop.refresh_token },
      headers: { 'user-agent': 'Laptop/1.1' },
      ip: '198.51.100.9',
    });
    expect(refreshed.status).toBe(200);

    const seen = await sessionsOf(phone.access_token);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({
      id: sessionIdOf(laptop.access_token),
      created_at: laptopAt.toISOString(),
      last_used_at: refreshedAt.toISOString(),
      ip_address: '198.51.100.9',
      user_agent: 'Laptop/1.1',
      current: false,
    });
    expect(seen[1]).toEqual({
      id: sessionIdOf(phone.access_token),
      created_at: phoneAt.toISOString(),
      last_used_at: phoneAt.toISOString(),
      ip_address: '2001:db8::1',
      user_agent: 'Phone/2.0',
      current: true,
    });
    expect(seen[2]!.current).toBe(false);
    expect(seen.filter((s) => s.current)).toHaveLength(1);
  });

  it("never shows another user's sessions, nor revoked or expired ones", async () => {
    const alice = await signUp(h);
    const bob = await signUp(h);
    const aliceIds = (await sessionsOf(alice.access_token)).map((s) => s.id);
    expect(aliceIds).toEqual([sessionIdOf(alice.access_token)]);
    expect(aliceIds).not.toContain(sessionIdOf(bob.access_token));

    const user = newUser();
    const first = await signUp(h, user);
    const second = await logInFrom(user, randomIp(), 'Second/1.0');
    await h.call('POST', '/api/v1/auth/logout', { token: first.access_token });
    expect((await sessionsOf(second.access_token)).map((s) => s.id)).toEqual([
      sessionIdOf(second.access_token),
    ]);

    // Past the refresh-token lifetime (7 days) a session is over, though nobody logged out.
    h.clock.advance(h.deps.config.jwt.refreshTokenTtl + 1);
    const later = await logInFrom(user, randomIp(), 'Later/1.0');
    expect((await sessionsOf(later.access_token)).map((s) => s.id)).toEqual([
      sessionIdOf(later.access_token),
    ]);
  });
});

describe('revoking one session', () => {
  it("kills that session's access and refresh tokens on the very next request, and leaves the others alone", async () => {
    const user = newUser();
    const laptop = await signUp(h, user);
    const phone = await logInFrom(user, randomIp(), 'Phone/2.0');
    // Used first, so that the token's signature check is remembered: revocation must still be asked each time.
    expect((await h.call('GET', '/api/v1/auth/session', { token: laptop.access_token })).status).toBe(200);

    const res = await h.call('DELETE', `/api/v1/auth/sessions/${sessionIdOf(laptop.access_token)}`, {
      token: phone.access_token,
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    for (const path of ['/api/v1/auth/session', '/api/v1/auth/me']) {
      const refused = await h.call('GET', path, { token: laptop.access_token });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await problemOf(refused)).code).toBe('token_revoked');
    }
    const refresh = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: laptop.refresh_token },
    });
    expect(refresh.status).toBe(401);
    expect((await problemOf(refresh)).code).toBe('invalid_token');

    expect((await h.call('GET', '/api/v1/auth/me', { token: phone.access_token })).status).toBe(200);
    expect((await sessionsOf(phone.access_token)).map((s) => s.id)).toEqual([
      sessionIdOf(phone.access_token),
    ]);
    const events = await h.auditEvents(laptop.user.id, 'session_revoked');
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toEqual({ session_id: sessionIdOf(laptop.access_token) });
  });

  it('of the current session works like logging out of it', async () => {
    const s = await signUp(h);
    const res = await h.call('DELETE', `/api/v1/auth/sessions/${sessionIdOf(s.access_token)}`, {
      token: s.access_token,
    });
    expect(res.status).toBe(204);
    const me = await h.call('GET', '/api/v1/auth/me', { token: s.access_token });
    expect((await problemOf(me)).code).toBe('token_revoked');
  });

  it("answers 404 for another user's session (IDOR), an unknown or already revoked one, and leaves them alone", async () => {
    const alice = await signUp(h);
    const mallory = await signUp(h);
    const aliceSession = sessionIdOf(alice.access_token);

    const idor = await h.call('DELETE', `/api/v1/auth/sessions/${aliceSession}`, {
      token: mallory.access_token,
    });
    expect(idor.status).toBe(404);
    expect((await problemOf(idor)).code).toBe('not_found');
    expect((await h.call('GET', '/api/v1/auth/me', { token: alice.access_token })).status).toBe(200);
    const aliceRefresh = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: alice.refresh_token },
    });
    expect(aliceRefresh.status).toBe(200);

    const unknown = await h.call('DELETE', `/api/v1/auth/sessions/${crypto.randomUUID()}`, {
      token: mallory.access_token,
    });
    expect((await problemOf(unknown)).code).toBe('not_found');

    const user = newUser();
    const first = await signUp(h, user);
    const second = await logInFrom(user, randomIp(), 'Second/1.0');
    const firstId = sessionIdOf(first.access_token);
    expect(
      (await h.call('DELETE', `/api/v1/auth/sessions/${firstId}`, { token: second.access_token })).status,
    ).toBe(204);
    const again = await h.call('DELETE', `/api/v1/auth/sessions/${firstId}`, { token: second.access_token });
    expect(again.status).toBe(404);
    expect((await problemOf(again)).code).toBe('not_found');

    for (const id of ['not-a-uuid', '1', `${firstId}x`]) {
      const bad = await h.call('DELETE', `/api/v1/auth/sessions/${id}`, { token: second.access_token });
      expect(bad.status).toBe(422);
      expect((await problemOf(bad)).code).toBe('validation_failed');
    }
  });
});
