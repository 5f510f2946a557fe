// Password change, reset by mail, email verification, the password policy, legacy hashes.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { argon2id } from '../../src/generated/hash-wasm.js';
import {
  harness,
  logIn,
  newUser,
  problemOf,
  setLegacyBcryptHash,
  randomIp,
  signUp,
  tokenFromMail,
  type Harness,
} from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const NEW_PASSWORD = 'Basalt-Compass-77';

async function resetToken(email: string): Promise<string> {
  const res = await h.call('POST', '/api/v1/auth/reset-password/request', {
    json: { email },
    ip: randomIp(),
  });
  expect(res.status).toBe(202);
  const [mail] = await h.outbox(email);
  expect(mail?.subject).toBe('Reset your password');
  return tokenFromMail(mail);
}

const confirm = (token: string, new_password = NEW_PASSWORD) =>
  h.call('POST', '/api/v1/auth/reset-password/confirm', { json: { token, new_password }, ip: randomIp() });

describe('change password', () => {
  it('needs the current password (403, not counted as a lockout), a different and strong new one', async () => {
    const s = await signUp(h);
    const wrong = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: 'Not-Mine-123', new_password: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(403);
    expect((await problemOf(wrong)).code).toBe('invalid_credentials');
    const same = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: s.password, new_password: s.password },
    });
    expect(same.status).toBe(422);
    expect((await problemOf(same)).code).toBe('password_reused');
    const weak = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: s.password, new_password: 'password123' },
    });
    expect(weak.status).toBe(422);
    expect((await problemOf(weak)).code).toBe('weak_password');
  });

  it('revokes every session and an access token issued a second before; the caller gets a fresh session', async () => {
    const user = newUser();
    const other = await signUp(h, user);
    h.clock.advance(-1);
    const s = await logIn(h, user.username, user.password);
    h.clock.advance(1);
    const res = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: user.password, new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const fresh = (await res.json()) as { access_token: string; refresh_token: string };
    expect(decodeJwt(fresh.access_token).sid).not.toBe(decodeJwt(s.access_token).sid);
    for (const old of [s, other]) {
      expect(
        (await problemOf(await h.call('GET', '/api/v1/auth/me', { token: old.access_token }))).code,
      ).toBe('token_revoked');
      const r = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: old.refresh_token } });
      expect((await problemOf(r)).code).toBe('invalid_token');
    }
    expect((await h.call('GET', '/api/v1/auth/me', { token: fresh.access_token })).status).toBe(200);
    await logIn(h, user.username, NEW_PASSWORD);
    expect(await h.auditEvents(other.user.id, 'password_changed')).toHaveLength(1);
  });
});

describe('password reset', () => {
  it('a reset link mailed before the account was deactivated does not work', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    const token = await resetToken(user.email);
    await h.deps.db.adminUsers.setActive(s.user.id, false, h.clock.now());
    const res = await confirm(token);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('invalid_token');
  });

  it('a reset link mailed before a password change no longer works after it', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    const token = await resetToken(user.email);
    const changed = await h.call('POST', '/api/v1/auth/change-password', {
      token: s.access_token,
      json: { current_password: user.password, new_password: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    const res = await confirm(token, 'Attacker-Chosen-Basalt-9');
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('invalid_token');
    await logIn(h, user.username, NEW_PASSWORD);
  });

  it('answers the same for an unknown address, and mails nothing', async () => {
    const user = newUser();
    await signUp(h, user);
    const known = await h.call('POST', '/api/v1/auth/reset-password/request', {
      json: { email: user.email },
      ip: randomIp(),
    });
    const ghost = `ghost-${user.email}`;
    const unknown = await h.call('POST', '/api/v1/auth/reset-password/request', {
      json: { email: ghost },
      ip: randomIp(),
    });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await known.text()).toBe(await unknown.text());
    expect(await h.outbox(ghost)).toEqual([]);
    expect((await h.outbox(user.email))[0]?.subject).toBe('Reset your password');
  });

  it('sets the password, revokes every session, clears the lockout, and is single use', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: `x-${i}-wrong` },
        ip: randomIp(),
      });
    }
    const token = await resetToken(user.email);
    const res = await confirm(token);
    expect(res.status).toBe(200);
    expect((await problemOf(await h.call('GET', '/api/v1/auth/me', { token: s.access_token }))).code).toBe(
      'token_revoked',
    );
    await logIn(h, user.username, NEW_PASSWORD);
    const again = await confirm(token, 'Another-Granite-99');
    expect(again.status).toBe(400);
    expect((await problemOf(again)).code).toBe('invalid_token');
    for (const type of ['password_reset_requested', 'password_reset']) {
      expect(await h.auditEvents(s.user.id, type), type).toHaveLength(1);
    }
  });

  it('refuses an expired token (the clock moves an hour), an unknown one, and keeps a weak choice from burning it', async () => {
    const user = newUser();
    await signUp(h, user);
    const token = await resetToken(user.email);
    const weak = await confirm(token, 'password');
    expect((await problemOf(weak)).code).toBe('weak_password');
    h.clock.advance(3601);
    try {
      expect((await problemOf(await confirm(token))).code).toBe('invalid_token');
    } finally {
      h.clock.advance(-3601);
    }
    for (const bad of ['A'.repeat(43), 'short', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')]) {
      const res = await confirm(bad);
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe('invalid_token');
    }
  });

  it("a token resets only its own user's password", async () => {
    const a = newUser();
    const b = newUser();
    await signUp(h, a);
    await signUp(h, b);
    expect((await confirm(await resetToken(a.email))).status).toBe(200);
    await logIn(h, a.username, NEW_PASSWORD);
    await logIn(h, b.username, b.password);
  });

  it('20 concurrent confirmations of one token: exactly one succeeds', async () => {
    const user = newUser();
    await signUp(h, user);
    const token = await resetToken(user.email);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => confirm(token, `Concurrent-Basalt-${i}`)),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(400);
      expect((await problemOf(r)).code).toBe('invalid_token');
    }
  });
});

describe('email verification', () => {
  it('mails a token at registration; confirming sets is_verified, once', async () => {
    const user = newUser();
    await h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() });
    const [mail] = await h.outbox(user.email);
    expect(mail?.subject).toBe('Confirm your email address');
    const token = tokenFromMail(mail);
    const res = await h.call('POST', '/api/v1/auth/verify-email/confirm', {
      json: { token },
      ip: randomIp(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { email: user.email, is_verified: true } });
    const again = await h.call('POST', '/api/v1/auth/verify-email/confirm', {
      json: { token },
      ip: randomIp(),
    });
    expect(again.status).toBe(400);
    expect((await problemOf(again)).code).toBe('invalid_token');
  });

  it('sends a new link on request (Bearer)', async () => {
    const s = await signUp(h);
    expect(await h.outbox(s.user.email)).toHaveLength(1);
    const res = await h.call('POST', '/api/v1/auth/verify-email/request', { token: s.access_token });
    expect(res.status).toBe(202);
    const mails = await h.outbox(s.user.email);
    expect(mails).toHaveLength(2);
    const confirmed = await h.call('POST', '/api/v1/auth/verify-email/confirm', {
      json: { token: tokenFromMail(mails[0]) },
      ip: randomIp(),
    });
    expect(confirmed.status).toBe(200);
    expect(await h.auditEvents(s.user.id, 'email_verified')).toHaveLength(1);
  });
});

describe('password policy', () => {
  const check = (json: Record<string, string>) => h.call('POST', '/api/v1/auth/password/check', { json });

  it('refuses common, short, long and personal passwords, listing every issue', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ password: 'password1' }, 1],
      [{ password: 'iloveyou' }, 1],
      [{ password: 'short' }, 1],
      [{ password: 'x'.repeat(129) }, 1],
      [{ password: 'ada.lovelace-1843', email: 'ada.lovelace@example.com' }, 1],
      [{ password: 'ada_rocks_1843', username: 'ada_rocks' }, 1],
    ];
    for (const [body, issues] of cases) {
      const res = await check(body);
      expect(res.status).toBe(200);
      const verdict = (await res.json()) as { is_valid: boolean; issues: string[]; score: number };
      expect(verdict.is_valid, body.password).toBe(false);
      expect(verdict.issues.length, body.password).toBeGreaterThanOrEqual(issues);
      expect(verdict.score).toBe(0);
    }
  });

  it('accepts a long uncommon password with a good score', async () => {
    const verdict = (await (await check({ password: 'Obsidian-Harbor-Lantern-93' })).json()) as Record<
      string,
      unknown
    >;
    expect(verdict).toMatchObject({ is_valid: true, issues: [], strength: expect.stringMatching(/strong/) });
  });

  it('applies the common list when registering', async () => {
    const res = await h.call('POST', '/api/v1/auth/register', {
      json: { ...newUser(), password: 'qwertyuiop' },
      ip: randomIp(),
    });
    expect((await problemOf(res)).code).toBe('weak_password');
  });
});

describe('legacy and outdated hashes', () => {
  it('a bcrypt user logs in and is rehashed to Argon2id with the current parameters', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    await setLegacyBcryptHash(h, s.user.id, user.password);
    await logIn(h, user.username, user.password);
    const stored = (await h.deps.db.users.findById(s.user.id))!.passwordHash;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await logIn(h, user.username, user.password);
  });

  it('an Argon2id hash with weaker parameters is rehashed too', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    const weak = await argon2id({
      password: user.password,
      salt: crypto.getRandomValues(new Uint8Array(16)),
      iterations: 1,
      parallelism: 1,
      memorySize: 8192,
      hashLength: 32,
      outputType: 'encoded',
    });
    await h.deps.db.users.setPassword(s.user.id, weak, h.clock.now(), false);
    await logIn(h, user.username, user.password);
    expect((await h.deps.db.users.findById(s.user.id))!.passwordHash).toMatch(/m=19456,t=2,p=1/);
  });
});
