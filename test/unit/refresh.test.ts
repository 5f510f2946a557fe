// Refresh rotation, on the domain alone: each token works once, reuse revokes the whole session (database and
// store), and nothing outlives the session's absolute lifetime.
import { beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/errors.ts';
import { login } from '../../src/auth/login.ts';
import { refresh } from '../../src/auth/refresh.ts';
import { register } from '../../src/auth/register.ts';
import type { LoginResponse } from '../../src/auth/token-response.ts';
import { unitHarness, type UnitHarness } from './fakes.ts';

let u: UnitHarness;
let first: LoginResponse;
beforeEach(async () => {
  u = await unitHarness({ REFRESH_TOKEN_TTL: '3600' });
  await register(u.deps, u.ctx, {
    email: 'ada@example.com',
    username: 'ada',
    password: 'Granite-Lantern-42',
  });
  first = (await login(u.deps, u.ctx, { username: 'ada', password: 'Granite-Lantern-42' })) as LoginResponse;
});

const refused = (token: string) =>
  refresh(u.deps, u.ctx, token).then(
    () => 'ok',
    (e: unknown) => (e instanceof AuthError ? `${e.status} ${e.code}` : 'unexpected'),
  );

describe('refresh rotation', () => {
  it('hands out a new pair and kills the old refresh token', async () => {
    const next = await refresh(u.deps, u.ctx, first.refresh_token);
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(next.token_type).toBe('bearer');
    expect(await refused(next.refresh_token)).toBe('ok');
  });

  it('threat: a stolen token used after its owner refreshed -> 401 refresh_token_reused, the session is dead', async () => {
    const owners = await refresh(u.deps, u.ctx, first.refresh_token);
    expect(await refused(first.refresh_token)).toBe('401 refresh_token_reused');
    const [session] = u.tables.sessions;
    expect(session?.revokedReason).toBe('refresh_token_reused');
    expect(u.store.isRevoked('sid', session!.id)).toBe(true);
    // The owner's newer token died with the session: revoked sessions answer invalid_token.
    expect(await refused(owners.refresh_token)).toBe('401 invalid_token');
    expect(u.tables.audit.map((e) => e.type)).toContain('refresh_token_reused');
  });

  it('refuses what is not a token of ours before any lookup', async () => {
    for (const token of ['', 'x', first.access_token, `${first.refresh_token}A`]) {
      expect(await refused(token), token.slice(0, 10)).toBe('401 invalid_token');
    }
  });

  it('never extends the session: a rotated token expires with the session it belongs to', async () => {
    u.clock.advance(3000);
    const next = await refresh(u.deps, u.ctx, first.refresh_token);
    u.clock.advance(600);
    expect(await refused(next.refresh_token)).toBe('401 invalid_token');
  });

  it('a deactivated account cannot refresh', async () => {
    u.tables.users[0]!.isActive = false;
    expect(await refused(first.refresh_token)).toBe('401 invalid_token');
  });
});
