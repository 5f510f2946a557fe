// The scheduled clean-up: what no request can use any more is deleted, and nothing that still works is.
// The clock is set in 2001 for the data made here, so that a clean-up "a day later" can reach only this
// file's rows in a database that other test files share.
import { createScheduledController } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { opaqueTokenHash } from '../../src/auth/opaque-token.ts';
import { pruneExpired } from '../../src/auth/retention.ts';
import worker from '../../src/index.ts';
import { systemClock } from '../../src/ports/clock.ts';
import {
  harness,
  logIn,
  OUTAGES,
  problemOf,
  randomIp,
  signUp,
  tokenFromMail,
  workerEnv,
  type Harness,
  type Session,
} from './harness.ts';

const DAY = 86_400;
let h: Harness;
beforeEach(async () => {
  h = await harness();
  h.clock.set(new Date('2001-01-01T00:00:00Z'));
});

const storedSession = async (refreshToken: string) =>
  h.deps.db.sessions.findByTokenHash((await opaqueTokenHash(refreshToken))!);

const refresh = (refresh_token: string) =>
  h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token } });

async function rotated(s: Session): Promise<{ old: string; current: string }> {
  const res = await refresh(s.refresh_token);
  expect(res.status).toBe(200);
  return { old: s.refresh_token, current: ((await res.json()) as { refresh_token: string }).refresh_token };
}

describe('the scheduled clean-up', () => {
  it('deletes a session a day after it was revoked, and keeps a live one with its rotated tokens', async () => {
    const live = await signUp(h);
    const family = await rotated(live);
    const gone = await logIn(h, live.user.username, live.password);
    const logout = await h.call('POST', '/api/v1/auth/logout', { token: gone.access_token });
    expect(logout.status).toBe(200);

    h.clock.advance(DAY - 60);
    await pruneExpired(h.deps);
    expect(await storedSession(gone.refresh_token), 'kept for a day after revocation').toBeDefined();

    h.clock.advance(120);
    const report = await pruneExpired(h.deps);
    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await storedSession(gone.refresh_token)).toBeUndefined();
    expect((await problemOf(await refresh(gone.refresh_token))).code).toBe('invalid_token');

    // The live session keeps its whole family: reuse of a rotated token is still detected.
    expect(await storedSession(family.old)).toBeDefined();
    const reused = await refresh(family.old);
    expect((await problemOf(reused)).code).toBe('refresh_token_reused');
  });

  it('deletes a session a day after it expired, and never one that can still be refreshed', async () => {
    const s = await signUp(h);
    const ttl = h.deps.config.jwt.refreshTokenTtl;
    h.clock.advance(ttl + DAY - 60);
    await pruneExpired(h.deps);
    expect(await storedSession(s.refresh_token)).toBeDefined();
    h.clock.advance(120);
    await pruneExpired(h.deps);
    expect(await storedSession(s.refresh_token)).toBeUndefined();

    const fresh = await logIn(h, s.user.username, s.password);
    await pruneExpired(h.deps);
    expect((await refresh(fresh.refresh_token)).status, 'a session just opened survives').toBe(200);
  });

  it('deletes reset links a day after they expired; an unexpired one still works', async () => {
    const s = await signUp(h);
    // Each from its own address: PASSWORD_RESET allows 3 per address, and its window runs on real time.
    const post = (path: string, json: unknown) => h.call('POST', path, { json, ip: randomIp() });
    await post('/api/v1/auth/reset-password/request', { email: s.user.email });
    const stale = tokenFromMail((await h.outbox(s.user.email))[0]);
    h.clock.advance(3600 + DAY + 60);
    const report = await pruneExpired(h.deps);
    expect(report.one_time_tokens).toBeGreaterThanOrEqual(1);

    await post('/api/v1/auth/reset-password/request', { email: s.user.email });
    const current = tokenFromMail((await h.outbox(s.user.email))[0]);
    expect(current).not.toBe(stale);
    await pruneExpired(h.deps);
    const confirm = (token: string) =>
      post('/api/v1/auth/reset-password/confirm', { token, new_password: 'Basalt-Harbour-77' });
    expect((await problemOf(await confirm(stale))).code).toBe('invalid_token');
    expect((await confirm(current)).status).toBe(200);
  });

  it('keeps audit events for AUDIT_RETENTION_DAYS, then deletes them', async () => {
    const retained = await harness({ env: { AUDIT_RETENTION_DAYS: '30' } });
    retained.clock.set(h.clock.now());
    const s = await signUp(retained);
    expect(await retained.auditEvents(s.user.id, 'login_succeeded')).toHaveLength(1);
    retained.clock.advance(30 * DAY - 60);
    await pruneExpired(retained.deps);
    expect(await retained.auditEvents(s.user.id, 'login_succeeded')).toHaveLength(1);
    retained.clock.advance(120);
    await pruneExpired(retained.deps);
    expect(await retained.auditEvents(s.user.id, 'login_succeeded')).toHaveLength(0);
  });

  it('works off a backlog in bounded batches over several runs', async () => {
    // Counting needs an empty past: rows a run cut short left behind go first (as the cron trigger does).
    await pruneExpired({ ...h.deps, clock: systemClock });
    const s = await signUp(h);
    for (let i = 0; i < 4; i++) await logIn(h, s.user.username, s.password);
    const all = await h.call('POST', '/api/v1/auth/logout-all', { token: s.access_token });
    expect(all.status).toBe(200);
    h.clock.advance(DAY + 60);
    const limits = { batch: 2, maxBatches: 2 };
    expect((await pruneExpired(h.deps, limits)).sessions, 'two statements of two').toBe(4);
    expect((await pruneExpired(h.deps, limits)).sessions, 'the rest').toBe(1);
    expect((await pruneExpired(h.deps, limits)).sessions).toBe(0);
  });

  it("runs from the Worker's cron trigger", async () => {
    const s = await signUp(h);
    const logout = await h.call('POST', '/api/v1/auth/logout', { token: s.access_token });
    expect(logout.status).toBe(200);
    await worker.scheduled!(createScheduledController({ cron: '17 * * * *' }), workerEnv as never);
    expect(await storedSession(s.refresh_token)).toBeUndefined();
  });

  it('a failed run fails the trigger and logs no SQL', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(String(line));
    let failure: unknown;
    try {
      await worker.scheduled!(createScheduledController({ cron: '17 * * * *' }), {
        ...workerEnv,
        ...OUTAGES.databaseUnreachable,
      } as never);
    } catch (error) {
      failure = error;
    } finally {
      console.error = original;
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('the scheduled clean-up failed');
    const logged = errors.join('\n');
    expect(logged).toContain('prune_failed');
    expect(logged.toLowerCase()).not.toMatch(/delete|select|sessions|unreachable\.local/);
  });
});
