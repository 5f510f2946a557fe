// Threat: a store outage resurrects revoked tokens or lifts rate limits. When the store cannot answer, every
// request that needs it gets 503 service_unavailable: never a 200, never a 500 with a stack.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, OUTAGES, problemOf, signUp, workerEnv, type Harness, type Session } from './harness.ts';

let healthy: Harness;
let session: Session;
const broken: Record<string, Record<string, string>> = {
  'the store is unreachable': OUTAGES.storeUnreachable,
  'the store refuses the credentials': OUTAGES.storeRefusesCredentials,
};

beforeAll(async () => {
  healthy = await harness();
  session = await signUp(healthy);
});

describe.each(Object.entries(broken))('when %s', (_name, env) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ env });
  });

  it('an authenticated request gets 503, not 200', async () => {
    for (const path of ['/api/v1/auth/me', '/api/v1/auth/session']) {
      const res = await h.call('GET', path, { token: session.access_token });
      expect(res.status, path).toBe(503);
      const p = await problemOf(res);
      expect(p.code).toBe('service_unavailable');
      expect(JSON.stringify(p)).not.toMatch(/stack|Error:|at .*\(/);
    }
  });

  it('login, register and refresh refuse with 503 rather than run without a limit', async () => {
    const login = await h.call('POST', '/api/v1/auth/login', { json: { username: 'x', password: 'y' } });
    const register = await h.call('POST', '/api/v1/auth/register', {
      json: { email: 'fc@example.com', username: 'fail_closed', password: 'Granite-Lantern-42' },
    });
    const refresh = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: session.refresh_token },
    });
    for (const res of [login, register, refresh]) {
      expect(res.status).toBe(503);
      expect((await problemOf(res)).code).toBe('service_unavailable');
    }
  });

  it('/health/ready says which dependency is down', async () => {
    const res = await h.call('GET', '/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', store: 'unavailable' },
    });
  });
});

describe('when the store answers the round trip with a command error', () => {
  it('an authenticated request gets 503, not 200 (the limiter key holds a value of the wrong type)', async () => {
    const h = await harness();
    const s = await signUp(h);
    const before = await h.call('GET', '/api/v1/auth/session', { token: s.access_token });
    expect(before.status).toBe(200);
    // The limiter's counter for this user, current and next window, made a hash: its GET fails (WRONGTYPE)
    // inside the same pipeline that carries the revocation check.
    const windowMs = h.deps.config.rateLimits.API.windowSeconds * 1000;
    const window = Math.floor(Date.now() / windowMs);
    const key = (w: number) => `rl:API:user:${s.user.id}:${w}`;
    const res = await fetch(`${workerEnv.UPSTASH_REDIS_REST_URL!}/pipeline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workerEnv.UPSTASH_REDIS_REST_TOKEN!}` },
      body: JSON.stringify(
        [window, window + 1].flatMap((w) => [
          ['DEL', key(w)],
          ['HSET', key(w), 'field', 'value'],
        ]),
      ),
    });
    expect(res.status).toBe(200);
    for (const path of ['/api/v1/auth/session', '/api/v1/auth/me']) {
      const res = await h.call('GET', path, { token: s.access_token });
      expect(res.status, path).toBe(503);
      const p = await problemOf(res);
      expect(p.code).toBe('service_unavailable');
      expect(JSON.stringify(p)).not.toMatch(/WRONGTYPE|stack|Error:/);
    }
  });
});

describe('when the database is unreachable', () => {
  it('readiness reports it and a login is a 503, not a 500', async () => {
    const h = await harness({ env: OUTAGES.databaseUnreachable });
    const ready = await h.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'unavailable', store: 'ok' },
    });
    const login = await h.call('POST', '/api/v1/auth/login', { json: { username: 'x', password: 'y' } });
    expect(login.status).toBe(503);
    expect((await problemOf(login)).code).toBe('service_unavailable');
    // The healthy deps of the same isolate keep their own endpoint.
    expect((await healthy.call('GET', '/health/ready')).status).toBe(200);
  });
});
