// The audit trail as an admin reads it: one account's whole life through the HTTP API, every event type the
// contract lists recorded by the request that caused it, with that request's address and user agent, and
// not one secret in it.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  harness,
  newUser,
  signUpAdmin,
  tokenFromMail,
  type CallOptions,
  type Harness,
  type Session,
} from './harness.ts';

const CONTRACT_TYPES = [
  'login_succeeded',
  'login_failed',
  'account_locked',
  'token_refreshed',
  'refresh_token_reused',
  'logout',
  'logout_all',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'email_verified',
  'two_factor_enabled',
  'two_factor_disabled',
  'backup_codes_regenerated',
  'api_key_created',
  'api_key_rotated',
  'api_key_revoked',
  'user_deactivated',
];

const IP = '192.0.2.44';
const UA = 'AuditTrail/1.0 (test)';

let h: Harness;
beforeAll(async () => {
  // One address for the whole life, so every event can be held to it: limits no step reaches.
  h = await harness({
    env: { RATE_LIMIT_LOGIN: '100/60', RATE_LIMIT_REGISTER: '100/60', RATE_LIMIT_PASSWORD_RESET: '100/60' },
  });
});

interface AuditEventView {
  id: string;
  type: string;
  user_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  detail: Record<string, unknown>;
  created_at: string;
}

describe('the audit trail', () => {
  it('records every contract event type of an account, from the request that caused it, without secrets', async () => {
    const secrets: string[] = [];
    const call = async (method: string, path: string, options: CallOptions, expected: number) => {
      const res = await h.call(method, path, { ...options, ip: IP, headers: { 'user-agent': UA } });
      expect(res.status, `${method} ${path}`).toBe(expected);
      return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
    };
    const logIn = async (password: string) => {
      const tokens = (await call(
        'POST',
        '/api/v1/auth/login',
        { json: { username, password } },
        200,
      )) as Omit<Session, 'password'>;
      secrets.push(tokens.access_token, tokens.refresh_token);
      return tokens;
    };
    const admin = await signUpAdmin(h);
    const user = newUser();
    const { username, email } = user;
    let password = user.password;
    secrets.push(password);

    const { user: created } = (await call('POST', '/api/v1/auth/register', { json: user }, 201)) as {
      user: { id: string };
    };
    const verification = tokenFromMail((await h.outbox(email))[0]);
    secrets.push(verification);
    await call('POST', '/api/v1/auth/verify-email/confirm', { json: { token: verification } }, 200);

    for (let i = 0; i < h.deps.config.lockout.threshold; i++) {
      await call('POST', '/api/v1/auth/login', { json: { username, password: `Wrong-Guess-${i}` } }, 401);
    }
    await call('POST', `/api/v1/admin/users/${created.id}/unlock`, { token: admin.access_token }, 200);

    const first = await logIn(password);
    const rotated = (await call(
      'POST',
      '/api/v1/auth/refresh',
      { json: { refresh_token: first.refresh_token } },
      200,
    )) as {
      refresh_token: string;
      access_token: string;
    };
    secrets.push(rotated.refresh_token, rotated.access_token);
    await call('POST', '/api/v1/auth/refresh', { json: { refresh_token: first.refresh_token } }, 401);

    const s = await logIn(password);
    const token = s.access_token;
    const enrolment = (await call('POST', '/api/v1/2fa/enable', { token }, 200)) as {
      secret: string;
      backup_codes: string[];
    };
    secrets.push(enrolment.secret, ...enrolment.backup_codes);
    await call(
      'POST',
      '/api/v1/2fa/verify',
      { token, json: { code: codeAt(enrolment.secret, h.clock.now()) } },
      200,
    );
    h.clock.advance(30);
    const regenerated = (await call(
      'POST',
      '/api/v1/2fa/backup-codes',
      { token, json: { code: codeAt(enrolment.secret, h.clock.now()) } },
      200,
    )) as { backup_codes: string[] };
    secrets.push(...regenerated.backup_codes);
    await call(
      'POST',
      '/api/v1/2fa/disable',
      { token, json: { password, code: regenerated.backup_codes[0] } },
      200,
    );

    const key = (await call(
      'POST',
      '/api/v1/api-keys',
      { token, json: { name: 'audit', scopes: ['read:documents'] } },
      201,
    )) as { id: string; key: string };
    const rotatedKey = (await call('PATCH', `/api/v1/api-keys/${key.id}/rotate`, { token }, 200)) as {
      key: string;
    };
    secrets.push(key.key, rotatedKey.key);
    await call('DELETE', `/api/v1/api-keys/${key.id}`, { token }, 204);

    const newPassword = 'Basalt-Harbour-77';
    secrets.push(newPassword);
    const changed = (await call(
      'POST',
      '/api/v1/auth/change-password',
      { token, json: { current_password: password, new_password: newPassword } },
      200,
    )) as { access_token: string; refresh_token: string };
    password = newPassword;
    secrets.push(changed.access_token, changed.refresh_token);
    await call('POST', '/api/v1/auth/logout', { token: changed.access_token }, 200);
    await call('POST', '/api/v1/auth/logout-all', { token: (await logIn(password)).access_token }, 200);

    await call('POST', '/api/v1/auth/reset-password/request', { json: { email } }, 202);
    const reset = tokenFromMail((await h.outbox(email))[0]);
    secrets.push(reset);
    const finalPassword = 'Granite-Meadow-58';
    secrets.push(finalPassword);
    await call(
      'POST',
      '/api/v1/auth/reset-password/confirm',
      { json: { token: reset, new_password: finalPassword } },
      200,
    );

    await call('POST', `/api/v1/admin/users/${created.id}/deactivate`, { token: admin.access_token }, 200);
    await h.settle();

    const trail = (await call(
      'GET',
      `/api/v1/admin/audit-events?user_id=${created.id}&limit=100`,
      { token: admin.access_token },
      200,
    )) as { items: AuditEventView[]; next_cursor: string | null };
    expect(trail.next_cursor).toBeNull();
    const types = new Set(trail.items.map((e) => e.type));
    for (const type of CONTRACT_TYPES) expect(types.has(type), type).toBe(true);
    expect(trail.items.filter((e) => e.type === 'login_failed')).toHaveLength(
      h.deps.config.lockout.threshold,
    );

    for (const event of trail.items) {
      expect(event.user_id, event.type).toBe(created.id);
      expect(event.ip_address, event.type).toBe(IP);
      expect(event.user_agent, event.type).toBe(UA);
      expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    }
    const times = trail.items.map((e) => Date.parse(e.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const written = JSON.stringify(trail);
    for (const secret of secrets) expect(written.includes(secret), 'a secret in the audit trail').toBe(false);
    // The hint a reader needs is there, the credential is not: the key's public prefix may be, the key never.
    expect(written).not.toMatch(/pk_test_[0-9A-Za-z]{49}/);
  });
});
