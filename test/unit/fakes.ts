// In-memory fakes of the ports, for the unit tier: the domain's rules in milliseconds, with a frozen clock.
// They keep the port's documented semantics (single use, conditional updates, first claim wins) but prove
// nothing about the adapters: the workerd contract suite (test/worker) runs the same rules against the real
// Neon and Upstash protocols.
import { loadConfig, type Config } from '../../src/config.ts';
import type { Deps, RequestContext } from '../../src/deps.ts';
import { FrozenClock } from '../../src/ports/clock.ts';
import type {
  ApiKeyRow,
  AuditEventRow,
  Database,
  EmailSignInRow,
  FailureAudit,
  FailureResult,
  LockoutPolicy,
  NewSession,
  PasskeyRow,
  SessionRow,
  UserRow,
} from '../../src/ports/database.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import type { Mail } from '../../src/ports/mailer.ts';
import type { PasswordHasher } from '../../src/ports/password-hasher.ts';
import { cryptoRandom } from '../../src/ports/random.ts';
import type { LimitRequest, OnceRecord, OutboxMail, RateLimitResult, Store } from '../../src/ports/store.ts';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { AuthError } from '../../src/auth/errors.ts';
import { loadKeySet } from '../../src/auth/keys.ts';

export const later = (a: Date, b: Date) => a.getTime() > b.getTime();

interface RefreshTokenRow {
  tokenHash: string;
  sessionId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
}

/** A Database whose tables are arrays; every "one statement" of the port is one synchronous step here. */
export function fakeDatabase() {
  const users: UserRow[] = [];
  const sessions: SessionRow[] = [];
  const refreshTokens: RefreshTokenRow[] = [];
  const audit: AuditEventRow[] = [];
  const nameLocks = new Map<string, FailureResult>();
  const apiKeys: ApiKeyRow[] = [];
  const passkeys: PasskeyRow[] = [];
  const emailSignIns = new Map<string, EmailSignInRow>();
  const byId = (id: string) => users.find((u) => u.id === id);
  const live = (s: SessionRow, now: Date) => !s.revokedAt && later(s.expiresAt, now);
  const fail = (current: FailureResult, now: Date, policy: LockoutPolicy): FailureResult => {
    const expired = current.lockedUntil !== null && !later(current.lockedUntil, now);
    const count = expired ? 1 : current.count + 1;
    const lockedUntil =
      count >= policy.threshold
        ? new Date(now.getTime() + policy.minutes * 60_000)
        : expired
          ? null
          : current.lockedUntil;
    return { count, lockedUntil };
  };

  const auditFailure = (rows: FailureAudit, result: FailureResult, policy: LockoutPolicy) => {
    audit.push({ ...rows.failed, detail: { ...rows.failed.detail, failures: result.count } });
    if (result.count === policy.threshold && result.lockedUntil) {
      audit.push({
        ...rows.locked,
        detail: { ...rows.locked.detail, locked_until: result.lockedUntil.toISOString() },
      });
    }
  };

  const db: Database = {
    users: {
      async insert(user, also = {}) {
        if (users.some((u) => u.emailNormalized === user.emailNormalized))
          return { ok: false, taken: 'email' };
        if (users.some((u) => u.usernameNormalized === user.usernameNormalized))
          return { ok: false, taken: 'username' };
        const row: UserRow = {
          ...user,
          isActive: true,
          isVerified: false,
          failedLoginCount: 0,
          lockedUntil: null,
          lastLoginAt: null,
          twoFactorSecret: null,
          twoFactorEnabled: false,
          twoFactorEnabledAt: null,
        };
        users.push(row);
        if (also.audit) audit.push(also.audit);
        return { ok: true, user: { ...row } };
      },
      findForLogin: async (name) => ({
        user: users.find((u) => u.emailNormalized === name || u.usernameNormalized === name),
        nameLockedUntil: nameLocks.get(name)?.lockedUntil ?? null,
      }),
      findById: async (id) => byId(id),
      findByEmail: async (email) => users.find((u) => u.emailNormalized === email),
      async setPassword(id, hash, now, clearLockout, replacing) {
        const u = byId(id);
        if (!u || (replacing !== undefined && u.passwordHash !== replacing)) return undefined;
        Object.assign(u, { passwordHash: hash, passwordChangedAt: now, updatedAt: now });
        if (clearLockout) Object.assign(u, { failedLoginCount: 0, lockedUntil: null });
        return { ...u };
      },
      async setVerified(id, now) {
        const u = byId(id);
        if (u) Object.assign(u, { isVerified: true, updatedAt: now });
        return u && { ...u };
      },
    },
    sessions: {
      async openForLogin({ session: s, verifiedHash, rehash, audit: row }) {
        const u = byId(s.userId);
        if (!u || !u.isActive || u.passwordHash !== verifiedHash) return undefined;
        const at = s.createdAt;
        Object.assign(u, { lastLoginAt: at, failedLoginCount: 0, lockedUntil: null, updatedAt: at });
        if (rehash) u.passwordHash = rehash;
        await db.sessions.create(s, { passwordHash: u.passwordHash });
        audit.push(row);
        return { ...u };
      },
      async create(s: NewSession, guard) {
        const u = byId(s.userId);
        if (!u || !u.isActive || u.passwordHash !== guard.passwordHash) return false;
        sessions.push({
          id: s.id,
          userId: s.userId,
          amr: s.amr,
          ipAddress: s.ipAddress,
          userAgent: s.userAgent,
          createdAt: s.createdAt,
          lastUsedAt: s.createdAt,
          expiresAt: s.expiresAt,
          revokedAt: null,
          revokedReason: null,
          jkt: s.jkt,
        });
        refreshTokens.push({
          tokenHash: s.tokenHash,
          sessionId: s.id,
          expiresAt: s.expiresAt,
          rotatedAt: null,
        });
        return true;
      },
      async rotate(input) {
        const { tokenHash, newTokenHash, now, ipAddress, userAgent } = input;
        const token = refreshTokens.find((t) => t.tokenHash === tokenHash);
        const session = token && sessions.find((s) => s.id === token.sessionId);
        const sameKey = session?.jkt === (input.jkt ?? null);
        if (
          token &&
          session &&
          !token.rotatedAt &&
          later(token.expiresAt, now) &&
          live(session, now) &&
          sameKey
        ) {
          token.rotatedAt = now;
          refreshTokens.push({
            tokenHash: newTokenHash,
            sessionId: session.id,
            expiresAt: token.expiresAt,
            rotatedAt: null,
          });
          Object.assign(session, { lastUsedAt: now, ipAddress, userAgent });
          const user = byId(session.userId);
          return user ? { kind: 'rotated', session: { ...session }, user: { ...user } } : { kind: 'invalid' };
        }
        if (token?.rotatedAt && session)
          return { kind: 'reused', sessionId: session.id, userId: session.userId };
        return { kind: 'invalid' };
      },
      revokedSince: async (since) =>
        sessions.filter((s) => s.revokedAt && !later(since, s.revokedAt)).map((s) => s.id),
      liveIds: async (userId, now) =>
        sessions.filter((s) => s.userId === userId && live(s, now)).map((s) => s.id),
      async revokeMany(ids, reason, now) {
        for (const s of sessions) {
          if (ids.includes(s.id) && !s.revokedAt) Object.assign(s, { revokedAt: now, revokedReason: reason });
        }
      },
      listLive: async (userId, now) =>
        sessions
          .filter((s) => s.userId === userId && live(s, now))
          .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime()),
      findLive: async (id, now) => sessions.find((s) => s.id === id && live(s, now)),
      async findByTokenHash(tokenHash) {
        const token = refreshTokens.find((t) => t.tokenHash === tokenHash);
        const session = token && sessions.find((s) => s.id === token.sessionId);
        return session && { sessionId: session.id, userId: session.userId };
      },
    },
    audit: {
      insert: async (event) => void audit.push(event),
      list: async (q) =>
        audit
          .filter((e) => (!q.userId || e.userId === q.userId) && (!q.type || e.type === q.type))
          .reverse()
          .slice(0, q.limit),
    },
    lockouts: {
      async recordAccountFailure(userId, now, policy, rows) {
        const u = byId(userId);
        if (!u) return { count: 0, lockedUntil: null };
        const next = fail({ count: u.failedLoginCount, lockedUntil: u.lockedUntil }, now, policy);
        Object.assign(u, { failedLoginCount: next.count, lockedUntil: next.lockedUntil });
        auditFailure(rows, next, policy);
        return next;
      },
      async recordNameFailure(name, now, policy, rows) {
        const next = fail(nameLocks.get(name) ?? { count: 0, lockedUntil: null }, now, policy);
        nameLocks.set(name, next);
        auditFailure(rows, next, policy);
        return next;
      },
    },
    oneTimeTokens: {
      create: async () => {},
      peek: async () => undefined,
      consume: async () => undefined,
      retireAll: async () => {},
    },
    twoFactor: {
      begin: async () => {},
      enable: async () => undefined,
      disable: async () => {},
      replaceBackupCodes: async () => {},
      consumeBackupCode: async () => 'unknown',
    },
    apiKeys: {
      insert: async (key) => {
        const row: ApiKeyRow = {
          ...key,
          isActive: true,
          lastUsedAt: null,
          lastUsedIp: null,
          usageCount: 0,
          revokedAt: null,
        };
        apiKeys.push(row);
        return row;
      },
      listForUser: async (userId) => apiKeys.filter((k) => k.userId === userId && !k.revokedAt),
      findByHash: async () => undefined,
      revoke: async () => false,
      rotate: async () => undefined,
      recordUse: async () => {},
    },
    passkeys: {
      insert: async (passkey, event) => {
        if (passkeys.some((p) => p.credentialId === passkey.credentialId)) return 'exists';
        const row: PasskeyRow = { ...passkey, lastUsedAt: null };
        passkeys.push(row);
        audit.push(event);
        return row;
      },
      listForUser: async (userId) => passkeys.filter((p) => p.userId === userId),
      findForLogin: async (credentialId) => {
        const passkey = passkeys.find((p) => p.credentialId === credentialId);
        const user = passkey && byId(passkey.userId);
        return passkey && user ? { passkey, user } : undefined;
      },
      rename: async (id, userId, name) => {
        const row = passkeys.find((p) => p.id === id && p.userId === userId);
        if (row) row.name = name;
        return row;
      },
      recordUse: async () => {},
      remove: async (id, userId, event) => {
        const index = passkeys.findIndex((p) => p.id === id && p.userId === userId);
        if (index < 0) return 'not_found';
        const others = passkeys.filter((p) => p.userId === userId && p.id !== id).length;
        if (!byId(userId)?.passwordHash && others === 0) return 'last_sign_in_method';
        passkeys.splice(index, 1);
        audit.push(event);
        return 'removed';
      },
      openForLogin: async () => undefined,
    },
    emailSignIns: {
      replace: async (row) => void emailSignIns.set(row.emailNormalized, { ...row, tries: 0 }),
      spendTry: async (email, maxTries, now) => {
        const row = emailSignIns.get(email);
        if (!row || !later(row.expiresAt, now) || row.tries >= maxTries) return undefined;
        row.tries += 1;
        return { ...row };
      },
      consume: async (email, tokenHash, now) => {
        const row = emailSignIns.get(email);
        if (!row || row.tokenHash !== tokenHash || !later(row.expiresAt, now)) return undefined;
        emailSignIns.delete(email);
        return row;
      },
      consumeByToken: async (tokenHash, now) => {
        const row = [...emailSignIns.values()].find((r) => r.tokenHash === tokenHash);
        if (!row || !later(row.expiresAt, now)) return undefined;
        emailSignIns.delete(row.emailNormalized);
        return row;
      },
    },
    adminUsers: {
      list: async () => [],
      setActive: async () => undefined,
      setRoles: async () => undefined,
      unlock: async () => undefined,
    },
    retention: {
      deleteEndedSessions: async () => 0,
      deleteExpiredOneTimeTokens: async () => 0,
      deleteAuditEventsBefore: async () => 0,
    },
    ping: async () => true,
  };
  return { db, tables: { users, sessions, refreshTokens, audit, nameLocks, apiKeys, passkeys } };
}

/** A Store over maps: revocation marks, fixed-window counts and first-claim-wins, all on the given clock. */
export function fakeStore(clock: FrozenClock, limits: Config['rateLimits']) {
  const marks = new Map<string, number>();
  const counts = new Map<string, { start: number; count: number }>();
  const outbox: OutboxMail[] = [];
  const alive = (key: string) => (marks.get(key) ?? 0) > clock.now().getTime();
  const limit = ({ scope, key }: LimitRequest): RateLimitResult => {
    const rule = limits[scope];
    const now = clock.now().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const id = `${scope}:${key}`;
    const current = counts.get(id);
    const entry = current && now - current.start < windowMs ? current : { start: now, count: 0 };
    entry.count += 1;
    counts.set(id, entry);
    return {
      allowed: entry.count <= rule.max,
      limit: rule.max,
      remaining: Math.max(0, rule.max - entry.count),
      resetMs: entry.start + windowMs,
    };
  };
  const records = new Map<string, { record: OnceRecord; until: number }>();
  let requests = 0;
  // Warm from the start, as a store the global setup has prepared; `wipe` empties it as a restart would.
  let epoch: number | undefined = 0;
  const store: Store = {
    async checkToken(token, request) {
      requests += 1;
      const revoked = alive(`jti:${token.jti}`) || alive(`sid:${token.sid}`);
      const warm = epoch !== undefined;
      return request
        ? { revoked, warm, replayed: false, limit: limit(request) }
        : { revoked, warm, replayed: false };
    },
    async limit(request) {
      requests += 1;
      return limit(request);
    },
    async revoke({ jtis = [], sessionIds = [], sessionTtlSeconds }) {
      requests += 1;
      const now = clock.now().getTime();
      for (const { jti, ttlSeconds } of jtis) marks.set(`jti:${jti}`, now + ttlSeconds * 1000);
      for (const sid of sessionIds) marks.set(`sid:${sid}`, now + sessionTtlSeconds * 1000);
    },
    async claimOnce(key, ttlSeconds, issuedAtMs) {
      requests += 1;
      if (epoch === undefined) return 'cold';
      if (epoch > issuedAtMs || alive(`once:${key}`)) return 'taken';
      marks.set(`once:${key}`, clock.now().getTime() + ttlSeconds * 1000);
      return 'claimed';
    },
    async markWarm(epochMs) {
      requests += 1;
      epoch ??= epochMs;
    },
    async countFailure(key, windowSeconds) {
      requests += 1;
      const now = clock.now().getTime();
      const current = counts.get(`fail:${key}`);
      const entry =
        current && now - current.start < windowSeconds * 1000 ? current : { start: now, count: 0 };
      entry.count += 1;
      counts.set(`fail:${key}`, entry);
      return entry.count;
    },
    async failures(key) {
      requests += 1;
      return counts.get(`fail:${key}`)?.count ?? 0;
    },
    async release(key) {
      requests += 1;
      marks.delete(`once:${key}`);
    },
    async putOnce(key, record, ttlSeconds) {
      requests += 1;
      records.set(key, { record, until: clock.now().getTime() + ttlSeconds * 1000 });
    },
    async takeOnce(key) {
      requests += 1;
      const kept = records.get(key);
      records.delete(key);
      return kept && kept.until > clock.now().getTime() ? kept.record : undefined;
    },
    pushOutbox: async (mail) => void outbox.unshift(mail),
    readOutbox: async (to) => outbox.filter((m) => m.to === to),
    ping: async () => true,
  };
  const wipe = () => {
    marks.clear();
    counts.clear();
    records.clear();
    epoch = undefined;
  };
  return {
    store,
    outbox,
    wipe,
    requests: () => requests,
    isRevoked: (kind: 'jti' | 'sid', id: string) => alive(`${kind}:${id}`),
  };
}

/** Passwords "hashed" as `fake:<password>`: the domain's rules without Argon2's cost. */
export const fakeHasher: PasswordHasher = {
  hash: async (password) => `fake:${password.normalize('NFC')}`,
  verify: async (password, hash) => ({
    ok: hash === `fake:${password.normalize('NFC')}`,
    needsRehash: false,
  }),
  burn: async () => {},
};

/** A fresh Ed25519 signing key a run, as the Worker's JWT_PRIVATE_KEYS holds them. */
async function testSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), kid: 'unit-test' };
}

export interface UnitHarness {
  deps: Deps;
  clock: FrozenClock;
  ctx: RequestContext;
  tables: ReturnType<typeof fakeDatabase>['tables'];
  store: ReturnType<typeof fakeStore>;
  mails: Mail[];
  /** The limits the domain asked for through ctx.limit, in order. */
  limited: LimitRequest[];
}

export async function unitHarness(env: Record<string, string> = {}): Promise<UnitHarness> {
  const clock = new FrozenClock(Date.UTC(2026, 0, 1));
  const config = loadConfig({
    ENVIRONMENT: 'test',
    DATABASE_URL: 'postgres://unit@localhost/unit',
    UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1',
    UPSTASH_REDIS_REST_TOKEN: 'unit',
    JWT_PRIVATE_KEYS: JSON.stringify([await testSigningKey()]),
    SECRETS_KEY: 'unit-test-secrets-key-of-at-least-32-chars',
    JWT_ISSUER: 'https://auth.unit',
    JWT_AUDIENCE: 'https://api.unit',
    ...env,
  });
  const { db, tables } = fakeDatabase();
  const store = fakeStore(clock, config.rateLimits);
  const mails: Mail[] = [];
  const limited: LimitRequest[] = [];
  const deps: Deps = {
    config,
    db,
    store: store.store,
    keys: await loadKeySet(config.jwt.privateKeys),
    passwords: fakeHasher,
    mailer: { send: async (mail) => void mails.push(mail) },
    captcha: null,
    clock,
    random: cryptoRandom,
    logger: silentLogger,
  };
  const pending: Promise<unknown>[] = [];
  const ctx: RequestContext = {
    ip: '192.0.2.1',
    userAgent: 'unit',
    requestId: 'unit',
    device: { presented: undefined, remember: () => {} },
    dpopKey: null,
    waitUntil: (promise) => void pending.push(promise),
    async limit(scope, key) {
      limited.push({ scope, key });
      const result = await store.store.limit({ scope, key });
      if (!result.allowed) throw new AuthError('rate_limited', 'Too many requests.');
    },
  };
  return { deps, clock, ctx, tables, store, mails, limited };
}
