// The password policy wherever a password is set: length, the leaked-password list, the account's own names.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/errors.ts';
import { assertStrongPassword, checkPassword } from '../../src/auth/password-policy.ts';

describe('password policy', () => {
  it('accepts a long, unusual password and scores it', () => {
    const result = checkPassword('Granite-Lantern-42-Orbit');
    expect(result).toMatchObject({ is_valid: true, issues: [] });
    expect(result.score).toBeGreaterThanOrEqual(3);
  });

  it('names every issue it finds', () => {
    expect(checkPassword('short').issues).toEqual(['Password must be at least 8 characters long.']);
    expect(checkPassword('password123').issues[0]).toMatch(/too common/);
    expect(checkPassword('x'.repeat(129)).issues).toContain('Password must be at most 128 characters long.');
    expect(checkPassword('ada-lovelace-1843!', { email: 'ada@example.com' }).issues).toContain(
      'Password must not contain your email address.',
    );
    expect(checkPassword('Xx-babbage-99', { username: 'Babbage' }).issues).toContain(
      'Password must not contain your username.',
    );
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkPassword('🔑🔑🔑🔑🔑🔑🔑').is_valid).toBe(false);
    expect(checkPassword('🔑🔑🔑🔑🔑🔑🔑🔑').issues).not.toContain(
      'Password must be at least 8 characters long.',
    );
  });

  it('refuses with 422 weak_password and the issues, from one place', () => {
    const error = (() => {
      try {
        assertStrongPassword('short');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'weak_password', status: 422 });
    expect((error as AuthError).extensions.issues).toHaveLength(1);
  });
});
