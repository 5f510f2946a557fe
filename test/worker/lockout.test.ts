// Threat: online password guessing, and learning which accounts exist from how the service answers.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newUser, problemOf, randomIp, signUp, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

/** Each attempt from its own address: the LOGIN rate limit (per IP) must not be what answers. */
const attempt = (username: string, password: string) =>
  h.call('POST', '/api/v1/auth/login', { json: { username, password }, ip: randomIp() });

describe('account lockout', () => {
  it('answers the first 5 failures with 401, then 403 account_locked even with the right password, until the lock expires', async () => {
    const user = newUser();
    await signUp(h, user);
    for (let i = 1; i <= 5; i++) {
      const res = await attempt(user.username, `Wrong-Guess-${i}`);
      expect(res.status, `failure ${i}`).toBe(401);
      const p = await problemOf(res);
      expect(p.code).toBe('invalid_credentials');
      expect(JSON.stringify(p)).not.toMatch(/remaining|attempt/i);
    }
    const locked = await attempt(user.username, user.password);
    expect(locked.status).toBe(403);
    expect((await problemOf(locked)).code).toBe('account_locked');

    h.clock.advance(29 * 60);
    expect((await attempt(user.username, user.password)).status).toBe(403);
    h.clock.advance(60 + 1);
    const unlocked = await attempt(user.username, user.password);
    expect(unlocked.status).toBe(200);
    // The success reset the count: four more failures do not lock.
    for (let i = 1; i <= 4; i++) expect((await attempt(user.username, `Wrong-Again-${i}`)).status).toBe(401);
    expect((await attempt(user.username, user.password)).status).toBe(200);
  });

  it('counts the email and the username of an account together', async () => {
    const user = newUser();
    await signUp(h, user);
    for (const name of [
      user.email,
      user.username,
      user.email.toUpperCase(),
      user.username.toUpperCase(),
      user.email,
    ]) {
      expect((await attempt(name, 'Not-The-Password-1')).status).toBe(401);
    }
    expect((await problemOf(await attempt(user.username, user.password))).code).toBe('account_locked');
  });

  it('locks a login name that belongs to no account exactly like one that does (no enumeration)', async () => {
    const known = newUser();
    await signUp(h, known);
    const unknownName = `ghost_${known.username}`;
    for (let i = 1; i <= 5; i++) {
      const a = await attempt(known.username, `Wrong-Guess-${i}`);
      const b = await attempt(unknownName, `Wrong-Guess-${i}`);
      expect(a.status).toBe(401);
      expect(await a.text()).toBe(await b.text());
    }
    const a = await attempt(known.username, 'Wrong-Guess-6');
    const b = await attempt(unknownName, 'Wrong-Guess-6');
    expect(a.status).toBe(403);
    expect(b.status).toBe(403);
    expect(await a.text()).toBe(await b.text());
  });

  it('counts concurrent failures: 10 parallel wrong guesses lock the account', async () => {
    const user = newUser();
    await signUp(h, user);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => attempt(user.username, `Parallel-${i}-x`)),
    );
    for (const res of results) expect([401, 403]).toContain(res.status);
    expect((await problemOf(await attempt(user.username, user.password))).code).toBe('account_locked');
  });

  it('audits failures (reason kept server-side) and the lock', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    for (let i = 1; i <= 5; i++) await attempt(user.username, `Wrong-Guess-${i}`);
    const failed = await h.auditEvents(s.user.id, 'login_failed');
    expect(failed).toHaveLength(5);
    expect(failed[0]!.detail).toMatchObject({ reason: 'wrong_password' });
    expect(failed[0]!.ipAddress).toMatch(/^10\./);
    const locks = await h.auditEvents(s.user.id, 'account_locked');
    expect(locks).toHaveLength(1);
    const ok = await h.auditEvents(s.user.id, 'login_succeeded');
    expect(ok).toHaveLength(1);
  });
});

describe('lockout as a weapon (OWASP device cookie)', () => {
  const DEVICE =
    /^__Host-portcullis_device=([^;]+); Max-Age=15552000; Path=\/; HttpOnly; Secure; SameSite=Strict$/;
  const deviceCookieOf = (res: Response) => {
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-portcullis_device='));
    expect(cookie).toMatch(DEVICE);
    return cookie!.split(';')[0]!;
  };
  const withCookie = (cookie: string, username: string, password: string) =>
    h.call('POST', '/api/v1/auth/login', {
      json: { username, password },
      headers: { cookie },
      ip: randomIp(),
    });
  const lockOut = async (username: string) => {
    for (let i = 1; i <= 5; i++) await attempt(username, `Attacker-Guess-${i}`);
    expect((await problemOf(await attempt(username, 'Attacker-Guess-6'))).code).toBe('account_locked');
  };

  it('threat: anyone can lock an account; the browser that signed in before still signs in', async () => {
    const user = newUser();
    await signUp(h, user);
    const owner = deviceCookieOf(await attempt(user.username, user.password));
    await lockOut(user.username);
    // The attacker, even with the right password: locked. The owner's browser: in.
    expect((await problemOf(await attempt(user.username, user.password))).code).toBe('account_locked');
    const res = await withCookie(owner, user.username, user.password);
    expect(res.status).toBe(200);
    expect(deviceCookieOf(res)).toBe(owner);
  });

  it("threat: a forged, altered or another account's device cookie is worth nothing", async () => {
    const [victim, other] = [newUser(), newUser()];
    await signUp(h, victim);
    await signUp(h, other);
    const otherCookie = deviceCookieOf(await attempt(other.username, other.password));
    const victimCookie = deviceCookieOf(await attempt(victim.username, victim.password));
    await lockOut(victim.username);
    const value = victimCookie.split('=')[1]!;
    const flip = (i: number) => value.slice(0, i) + (value[i] === 'a' ? 'b' : 'a') + value.slice(i + 1);
    for (const cookie of [
      otherCookie,
      `__Host-portcullis_device=${flip(value.length - 1)}`,
      `__Host-portcullis_device=${flip(40)}`,
      `portcullis_device=${value}`,
      '__Host-portcullis_device=garbage',
    ]) {
      const res = await withCookie(cookie, victim.username, victim.password);
      expect((await problemOf(res)).code, cookie).toBe('account_locked');
    }
  });

  it("counts a trusted device's failures on the device: after 5 it is trusted no more, the account count untouched", async () => {
    const user = newUser();
    await signUp(h, user);
    const cookie = deviceCookieOf(await attempt(user.username, user.password));
    for (let i = 1; i <= 5; i++) {
      expect((await withCookie(cookie, user.username, `Owner-Typo-${i}`)).status).toBe(401);
    }
    // The account itself was not counted: without the cookie, the right password still works...
    expect((await attempt(user.username, user.password)).status).toBe(200);
    // ...and the device, with its own count spent, now gets the account's rules (a fresh count, so a 401).
    await lockOut(user.username);
    expect((await problemOf(await withCookie(cookie, user.username, user.password))).code).toBe(
      'account_locked',
    );
  });
});
