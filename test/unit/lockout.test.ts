// The lockout rules of API.md, on the domain alone: counted per account or per unknown name, alike; the lock
// answers even the right password; it lapses; a success resets the count.
import { beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/errors.ts';
import { login } from '../../src/auth/login.ts';
import { register } from '../../src/auth/register.ts';
import { unitHarness, type UnitHarness } from './fakes.ts';

let u: UnitHarness;
beforeEach(async () => {
  u = await unitHarness({ LOCKOUT_THRESHOLD: '3', LOCKOUT_MINUTES: '30' });
  await register(u.deps, u.ctx, {
    email: 'ada@example.com',
    username: 'ada',
    password: 'Granite-Lantern-42',
  });
});

const attempt = (username: string, password: string) =>
  login(u.deps, u.ctx, { username, password }).then(
    () => 'ok',
    (e: unknown) => (e instanceof AuthError ? `${e.status} ${e.code}` : 'unexpected'),
  );

describe('lockout', () => {
  it('answers the first failures 401, then 403 account_locked even with the right password', async () => {
    for (let i = 0; i < 3; i++) expect(await attempt('ada', 'wrong')).toBe('401 invalid_credentials');
    expect(await attempt('ada', 'Granite-Lantern-42')).toBe('403 account_locked');
    expect(u.tables.audit.map((e) => e.type)).toContain('account_locked');
  });

  it('counts the email and the username of one account together', async () => {
    await attempt('ada', 'wrong');
    await attempt('ADA@example.com', 'wrong');
    await attempt(' Ada ', 'wrong');
    expect(await attempt('ada@example.com', 'Granite-Lantern-42')).toBe('403 account_locked');
  });

  it('threat: enumeration: an unknown name is counted and locked exactly like a known one', async () => {
    for (let i = 0; i < 3; i++) expect(await attempt('nobody', 'wrong')).toBe('401 invalid_credentials');
    expect(await attempt('nobody', 'wrong')).toBe('403 account_locked');
    expect(await attempt('NOBODY', 'wrong')).toBe('403 account_locked');
  });

  it('lets the lock lapse after LOCKOUT_MINUTES (frozen clock), then starts a fresh count', async () => {
    for (let i = 0; i < 3; i++) await attempt('ada', 'wrong');
    u.clock.advance(30 * 60 - 1);
    expect(await attempt('ada', 'Granite-Lantern-42')).toBe('403 account_locked');
    u.clock.advance(1);
    expect(await attempt('ada', 'wrong')).toBe('401 invalid_credentials');
    expect(await attempt('ada', 'Granite-Lantern-42')).toBe('ok');
  });

  it('a success resets the count', async () => {
    await attempt('ada', 'wrong');
    await attempt('ada', 'wrong');
    expect(await attempt('ada', 'Granite-Lantern-42')).toBe('ok');
    await attempt('ada', 'wrong');
    await attempt('ada', 'wrong');
    expect(await attempt('ada', 'Granite-Lantern-42')).toBe('ok');
  });
});
