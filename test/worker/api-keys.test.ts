// API keys and the admin API. Threats: leaked or forged keys, privilege beyond scope, IDOR, stale access after
// rotation, revocation or deactivation, mass assignment.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32, isWellFormedApiKey, toBase62 } from '../../src/auth/api-key-format.ts';
import { ipAllowed } from '../../src/auth/ip-allowlist.ts';
import {
  harness,
  logIn,
  newUser,
  problemOf,
  randomIp,
  signUp,
  signUpAdmin,
  type Harness,
  type Session,
} from './harness.ts';

let h: Harness;
let owner: Session;
beforeAll(async () => {
  h = await harness();
  owner = await signUp(h);
});

interface Created {
  id: string;
  key: string;
  key_prefix: string;
  scopes: string[];
  allowed_ips: string[];
  expires_at: string;
  warning: string;
}

async function createKey(s: Session, body: Record<string, unknown>, target = h): Promise<Created> {
  const res = await target.call('POST', '/api/v1/api-keys', { token: s.access_token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Created;
}

const withKey = (key: string, path = '/api/v1/auth/me', ip?: string) =>
  h.call('GET', path, { headers: { 'x-api-key': key }, ...(ip ? { ip } : {}) });

describe('key format', () => {
  it('is pk_test_ + 43 base62 + a 6-char base62 CRC-32, verified before any lookup', async () => {
    const { key, key_prefix, warning } = await createKey(owner, { name: 'ci', scopes: ['read:documents'] });
    expect(key).toMatch(/^pk_test_[0-9A-Za-z]{49}$/);
    expect(key_prefix).toBe(key.slice(0, 12));
    expect(warning).toMatch(/once/);
    const body = key.slice(0, -6);
    expect(key.slice(-6)).toBe(toBase62(BigInt(crc32(body)), 6));
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(isWellFormedApiKey(key, 'pk_test_')).toBe(true);
    expect(isWellFormedApiKey(key, 'pk_live_')).toBe(false);
  });

  it('refuses mistyped, forged and foreign keys with 401 invalid_api_key and an ApiKey challenge', async () => {
    const { key } = await createKey(owner, { name: 'typo', scopes: [] });
    const flip = (k: string, i: number) => k.slice(0, i) + (k[i] === 'a' ? 'b' : 'a') + k.slice(i + 1);
    for (const bad of [
      flip(key, 20),
      flip(key, key.length - 1),
      key.replace('pk_test_', 'pk_live_'),
      key + 'x',
      'pk_test_',
      '',
    ]) {
      const res = await withKey(bad);
      expect(res.status, bad).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^ApiKey/);
      expect((await problemOf(res)).code).toBe('invalid_api_key');
    }
    // A well-formed key that was never issued: checksum right, lookup empty.
    const body = `pk_test_${'Z'.repeat(43)}`;
    const forged = body + toBase62(BigInt(crc32(body)), 6);
    expect((await problemOf(await withKey(forged))).code).toBe('invalid_api_key');
  });
});

describe('lifecycle', () => {
  it('creates, lists (never the key), authenticates /auth/me, rotates and revokes, each at once', async () => {
    const s = await signUp(h);
    const created = await createKey(s, {
      name: 'deploy',
      scopes: ['read:documents', 'write:documents'],
      description: 'CI',
    });
    const list = (await (
      await h.call('GET', '/api/v1/api-keys', { token: s.access_token })
    ).json()) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(list[0]).toMatchObject({
      id: created.id,
      key_prefix: created.key_prefix,
      is_active: true,
      usage_count: 0,
    });

    const me = await withKey(created.key);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      user: { id: s.user.id },
      auth: { method: 'api_key', scopes: ['read:documents', 'write:documents'] },
    });
    await h.settle();
    const used = (await (await h.call('GET', '/api/v1/api-keys', { token: s.access_token })).json()) as {
      usage_count: number;
      last_used_at: string;
    }[];
    expect(used[0]!.usage_count).toBe(1);
    expect(used[0]!.last_used_at).not.toBeNull();

    const rotated = await h.call('PATCH', `/api/v1/api-keys/${created.id}/rotate`, { token: s.access_token });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as Created;
    expect(next.id).toBe(created.id);
    expect(next.key).not.toBe(created.key);
    expect((await withKey(created.key)).status).toBe(401);
    expect((await withKey(next.key)).status).toBe(200);

    expect((await h.call('DELETE', `/api/v1/api-keys/${created.id}`, { token: s.access_token })).status).toBe(
      204,
    );
    expect((await problemOf(await withKey(next.key))).code).toBe('invalid_api_key');
    for (const type of ['api_key_created', 'api_key_rotated', 'api_key_revoked']) {
      expect(await h.auditEvents(s.user.id, type), type).toHaveLength(1);
    }
  });

  it("answers another user's key with 404, never 403 (IDOR)", async () => {
    const victim = await signUp(h);
    const { id, key } = await createKey(victim, { name: 'mine', scopes: [] });
    const attacker = await signUp(h);
    for (const [method, path] of [
      ['DELETE', `/api/v1/api-keys/${id}`],
      ['PATCH', `/api/v1/api-keys/${id}/rotate`],
    ] as const) {
      const res = await h.call(method, path, { token: attacker.access_token });
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('not_found');
    }
    expect((await withKey(key)).status).toBe(200);
  });

  it('an expired key is refused the second after expiry (time travel), and cannot be rotated', async () => {
    const s = await signUp(h);
    const { id, key, expires_at } = await createKey(s, { name: 'short', scopes: [], expires_in_days: 1 });
    expect(new Date(expires_at).getTime() - h.clock.now().getTime()).toBe(86_400_000);
    h.clock.advance(86_399);
    expect((await withKey(key)).status).toBe(200);
    h.clock.advance(1);
    try {
      expect((await problemOf(await withKey(key))).code).toBe('invalid_api_key');
      const owner = await logIn(h, s.user.username, s.password); // a day later: a fresh access token
      const list = await h.call('GET', '/api/v1/api-keys', { token: owner.access_token });
      expect(await list.json()).toEqual([expect.objectContaining({ id, is_active: false })]);
      // A new secret for an expired key would be refused from the start: no 200 with a dead key.
      const rotated = await h.call('PATCH', `/api/v1/api-keys/${id}/rotate`, { token: owner.access_token });
      expect(rotated.status).toBe(404);
      expect((await problemOf(rotated)).code).toBe('not_found');
    } finally {
      h.clock.advance(-86_400);
    }
  });
});

describe('scopes and roles', () => {
  it('refuses unknown scopes and bad CIDRs with 422, scopes above the roles with 403', async () => {
    for (const body of [
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: [], allowed_ips: ['10.0.0.0/33'] },
      { name: 'x', scopes: [], allowed_ips: ['not-an-ip'] },
      { name: 'x', scopes: [], expires_in_days: 3651 },
      { name: 'x', scopes: [], expires_in_days: 0 },
    ]) {
      const res = await h.call('POST', '/api/v1/api-keys', { token: owner.access_token, json: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await problemOf(res)).code).toBe('validation_failed');
    }
    const res = await h.call('POST', '/api/v1/api-keys', {
      token: owner.access_token,
      json: { name: 'x', scopes: ['admin'] },
    });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('forbidden');
  });

  it('a key with no scopes reaches /auth/me only; account routes answer any key with 403 forbidden', async () => {
    const { key } = await createKey(owner, { name: 'bare', scopes: [] });
    expect((await withKey(key)).status).toBe(200);
    const routes: [string, string][] = [
      ['GET', '/api/v1/api-keys'],
      ['POST', '/api/v1/2fa/enable'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/auth/sessions'],
      ['POST', '/api/v1/auth/change-password'],
    ];
    for (const [method, path] of routes) {
      const res = await h.call(method, path, { headers: { 'x-api-key': key } });
      expect(res.status, path).toBe(403);
      expect((await problemOf(res)).code).toBe('forbidden');
    }
    const admin = await withKey(key, '/api/v1/admin/users');
    expect(admin.status).toBe(403);
    expect((await problemOf(admin)).code).toBe('insufficient_scope');
  });

  it('checks IP allowlists against CF-Connecting-IP: single addresses, ranges, IPv6 /64', async () => {
    const { key } = await createKey(owner, {
      name: 'office',
      scopes: [],
      allowed_ips: ['203.0.113.7', '198.51.100.0/24', '2001:db8:1234:5678::/64'],
    });
    const cases: [string, number][] = [
      ['203.0.113.7', 200],
      ['203.0.113.8', 403],
      ['198.51.100.0', 200],
      ['198.51.100.255', 200],
      ['198.51.101.0', 403],
      ['2001:db8:1234:5678:ffff:ffff:ffff:ffff', 200],
      ['2001:db8:1234:5679::', 403],
    ];
    for (const [ip, status] of cases) {
      const res = await withKey(key, '/api/v1/auth/me', ip);
      expect(res.status, ip).toBe(status);
      if (status === 403) expect((await problemOf(res)).code).toBe('ip_not_allowed');
    }
    const spoofed = await h.call('GET', '/api/v1/auth/me', {
      headers: { 'x-api-key': key, 'x-forwarded-for': '203.0.113.7' },
      ip: '192.0.2.1',
    });
    expect(spoofed.status).toBe(403);
    expect(ipAllowed('10.0.0.1', ['0.0.0.0/0'])).toBe(true);
    expect(ipAllowed('::1', ['0.0.0.0/0'])).toBe(false);
  });
});

describe('admin', () => {
  const makeAdmin = () => signUpAdmin(h);

  it('refuses a plain user with 403 forbidden', async () => {
    const res = await h.call('GET', '/api/v1/admin/users', { token: owner.access_token });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('forbidden');
  });

  it('pages through more users than one page, without repeats, and searches', async () => {
    const admin = await makeAdmin();
    const tag = `pg${Date.now().toString(36)}`;
    for (let i = 0; i < 5; i++) await signUp(h, { ...newUser(), username: `${tag}_${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/admin/users?limit=2&q=${tag}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await h.call('GET', path, { token: admin.access_token })).json()) as {
        items: { username: string }[];
        next_cursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.username));
      cursor = page.next_cursor;
    } while (cursor);
    // The frozen clock gives them one created_at: the id breaks the tie, so compare as sets, without repeats.
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}_${i}`));
    const bad = await h.call('GET', '/api/v1/admin/users?cursor=garbage', { token: admin.access_token });
    expect(bad.status).toBe(422);
  });

  it('an admin cannot deactivate or demote themselves (nobody might be left to undo it)', async () => {
    const admin = await makeAdmin();
    const self = `/api/v1/admin/users/${admin.user.id}`;
    for (const [method, path, json] of [
      ['POST', `${self}/deactivate`, undefined],
      ['PUT', `${self}/roles`, { roles: ['user'] }],
    ] as const) {
      const res = await h.call(method, path, { token: admin.access_token, ...(json ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await problemOf(res)).code).toBe('forbidden');
    }
    const me = await h.call('GET', '/api/v1/auth/me', { token: admin.access_token });
    expect(await me.json()).toMatchObject({ user: { is_active: true, roles: ['user', 'admin'] } });
    // Keeping the role while changing others is allowed.
    const keep = await h.call('PUT', `${self}/roles`, {
      token: admin.access_token,
      json: { roles: ['admin'] },
    });
    expect(keep.status).toBe(200);
  });

  it('deactivation cuts off a live access token and a live refresh token at once; activation restores login', async () => {
    const admin = await makeAdmin();
    const user = newUser();
    const victim = await signUp(h, user);
    const res = await h.call('POST', `/api/v1/admin/users/${victim.user.id}/deactivate`, {
      token: admin.access_token,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { is_active: false } });
    expect(
      (await problemOf(await h.call('GET', '/api/v1/auth/me', { token: victim.access_token }))).code,
    ).toBe('token_revoked');
    const r = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: victim.refresh_token } });
    expect((await problemOf(r)).code).toBe('invalid_token');
    const login = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    expect((await problemOf(login)).code).toBe('account_inactive');
    await h.call('POST', `/api/v1/admin/users/${victim.user.id}/activate`, { token: admin.access_token });
    const again = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    expect(again.status).toBe(200);
    const events = await h.auditEvents(victim.user.id, 'user_deactivated');
    expect(events[0]?.actorId).toBe(admin.user.id);
  });

  it('unlocks, sets roles (user kept), and reads audit events; read:users keys may read but not write', async () => {
    const admin = await makeAdmin();
    const user = newUser();
    const target = await signUp(h, user);
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: `nope-${i}-xx` },
        ip: randomIp(),
      });
    }
    expect(
      (await h.call('POST', `/api/v1/admin/users/${target.user.id}/unlock`, { token: admin.access_token }))
        .status,
    ).toBe(200);
    expect(
      (
        await h.call('POST', '/api/v1/auth/login', {
          json: { username: user.username, password: user.password },
          ip: randomIp(),
        })
      ).status,
    ).toBe(200);

    const roles = await h.call('PUT', `/api/v1/admin/users/${target.user.id}/roles`, {
      token: admin.access_token,
      json: { roles: ['admin'] },
    });
    expect(await roles.json()).toMatchObject({ user: { roles: ['user', 'admin'] } });
    const badRole = await h.call('PUT', `/api/v1/admin/users/${target.user.id}/roles`, {
      token: admin.access_token,
      json: { roles: ['god'] },
    });
    expect(badRole.status).toBe(422);

    const { key } = await createKey(admin, { name: 'reader', scopes: ['read:users'] });
    await h.settle();
    const events = await h.call(
      'GET',
      `/api/v1/admin/audit-events?user_id=${target.user.id}&type=login_failed&limit=2`,
      {
        headers: { 'x-api-key': key },
      },
    );
    expect(events.status).toBe(200);
    const page = (await events.json()) as { items: { type: string }[]; next_cursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.items.every((e) => e.type === 'login_failed')).toBe(true);
    expect(page.next_cursor).not.toBeNull();
    const write = await h.call('POST', `/api/v1/admin/users/${target.user.id}/unlock`, {
      headers: { 'x-api-key': key },
    });
    expect(write.status).toBe(403);
    expect((await problemOf(write)).code).toBe('insufficient_scope');
  });

  it('threat: a demoted admin keeps a token that says admin -> every session of theirs ends on the next request', async () => {
    const admin = await makeAdmin();
    const target = await signUp(h);
    const promote = { token: admin.access_token, json: { roles: ['user', 'admin'] } };
    expect((await h.call('PUT', `/api/v1/admin/users/${target.user.id}/roles`, promote)).status).toBe(200);
    // A role given ends nothing: the target's token and refresh token still work.
    expect((await h.call('GET', '/api/v1/auth/session', { token: target.access_token })).status).toBe(200);
    const promoted = await logIn(h, target.user.username, target.password);
    expect(decodeJwt(promoted.access_token).roles).toEqual(['user', 'admin']);
    const demote = { token: admin.access_token, json: { roles: ['user'] } };
    expect((await h.call('PUT', `/api/v1/admin/users/${target.user.id}/roles`, demote)).status).toBe(200);
    for (const s of [target, promoted]) {
      const res = await h.call('GET', '/api/v1/auth/session', { token: s.access_token });
      expect((await problemOf(res)).code).toBe('token_revoked');
      const refreshed = await h.call('POST', '/api/v1/auth/refresh', {
        json: { refresh_token: s.refresh_token },
        ip: randomIp(),
      });
      expect(refreshed.status).toBe(401);
    }
    const fresh = await logIn(h, target.user.username, target.password);
    expect(decodeJwt(fresh.access_token).roles).toEqual(['user']);
  });

  it('404 for an unknown user', async () => {
    const admin = await makeAdmin();
    const res = await h.call('POST', `/api/v1/admin/users/${crypto.randomUUID()}/unlock`, {
      token: admin.access_token,
    });
    expect(res.status).toBe(404);
  });
});
