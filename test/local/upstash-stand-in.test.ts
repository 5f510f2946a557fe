// The Upstash stand-in speaks what @upstash/redis and @upstash/ratelimit send, over each backend it supports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewriteShebang } from '../../local/upstash/lua-flags.ts';
import { startUpstashStandIn, type UpstashStandIn } from '../../local/upstash/server.ts';

const backends: [string, string | undefined][] = [['redis-server', undefined]];
if (process.env.REDIS_URL) backends.push(['redis-url', process.env.REDIS_URL]);

describe.each(backends)('Upstash stand-in over %s', (backend, redisUrl) => {
  let standIn: UpstashStandIn;
  let redis: Redis;
  let dataDir: string;
  const prefix = `standin:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'upstash-standin-'));
    standIn = await startUpstashStandIn({ token: 'secret-token', redisUrl, dataDir });
    redis = new Redis({
      url: standIn.url,
      token: 'secret-token',
      enableAutoPipelining: false,
      enableTelemetry: false,
    });
  });
  afterAll(async () => {
    await standIn.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports its backend', () => {
    expect(standIn.backend).toBe(backend);
  });

  it('runs single commands with base64-encoded replies, TTLs intact', async () => {
    expect(await redis.set(`${prefix}:a`, { x: 'ü' }, { ex: 100 })).toBe('OK');
    expect(await redis.get(`${prefix}:a`)).toEqual({ x: 'ü' });
    const ttl = await redis.ttl(`${prefix}:a`);
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
    expect(await redis.incr(`${prefix}:n`)).toBe(1);
  });

  it('encodes nested arrays recursively', async () => {
    await redis.rpush(`${prefix}:list`, 'one', 'two');
    expect(await redis.lrange(`${prefix}:list`, 0, -1)).toEqual(['one', 'two']);
    expect(await redis.eval('return {1, "x", {"y", 2}}', [], [])).toEqual([1, 'x', ['y', 2]]);
  });

  it('runs pipelines and multi-exec, with errors per entry', async () => {
    const p = redis.pipeline();
    p.set(`${prefix}:p`, 'v');
    p.incr(`${prefix}:p`);
    p.get(`${prefix}:p`);
    const results = await p.exec({ keepErrors: true });
    expect(results[0]).toMatchObject({ result: 'OK' });
    expect(results[1]!.error).toMatch(/not an integer/);
    expect(results[2]).toMatchObject({ result: 'v' });
    const tx = redis.multi();
    tx.set(`${prefix}:m`, 1);
    tx.incr(`${prefix}:m`);
    expect(await tx.exec()).toEqual(['OK', 2]);
  });

  it('answers a failing single command with HTTP 400 {error}', async () => {
    const res = await fetch(standIn.url, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token' },
      body: JSON.stringify(['INCR', `${prefix}:p`]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/^ERR/) });
  });

  it('refuses a wrong or missing token', async () => {
    for (const authorization of ['Bearer wrong', '', 'secret-token']) {
      const res = await fetch(standIn.url, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
        body: '["PING"]',
      });
      expect(res.status).toBe(401);
    }
  });

  it("runs @upstash/ratelimit's flagged scripts through the honest EVALSHA -> NOSCRIPT -> EVAL path", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(2, '10 s'),
      prefix: `${prefix}:rl`,
      analytics: false,
    });
    standIn.resetRequests();
    const first = await limiter.limit('id');
    // The first call's EVALSHA is unknown to Redis (NOSCRIPT), so the client falls back to EVAL: two requests.
    expect(standIn.requests()).toBe(2);
    const second = await limiter.limit('id');
    const third = await limiter.limit('id');
    // From then on the client's own SHA-1 finds the script: one request each.
    expect(standIn.requests()).toBe(4);
    expect([first.success, second.success, third.success]).toEqual([true, true, false]);
    expect([first.remaining, second.remaining]).toEqual([1, 0]);
  });

  it('drops only the flag Redis 7.0 refuses', () => {
    expect(rewriteShebang('#!lua flags=allow-key-locking\nreturn 1')).toBe('#!lua\nreturn 1');
    expect(rewriteShebang('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe(
      '#!lua flags=no-writes\nreturn 1',
    );
    expect(rewriteShebang('return 1')).toBe('return 1');
  });
});
