// The Worker's own entry point, as the runtime calls it.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { newUser, randomIp, workerEnv } from './harness.ts';

describe('the Worker entry point', () => {
  it('serves the API through the default export', async () => {
    const user = newUser();
    const self = (exports as unknown as { default: Fetcher }).default;
    const res = await self.fetch('http://portcullis.test/api/v1/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomIp() },
      body: JSON.stringify(user),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses to serve in production without keys, secrets, database and store, and says nothing secret', async () => {
    const ctx = createExecutionContext();
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(String(line));
    try {
      const res = await worker.fetch(
        new Request('http://portcullis.test/health'),
        { ENVIRONMENT: 'production', SECRETS_KEY: 'short' } as never,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ code: 'internal_error', status: 500 });
    } finally {
      console.error = original;
    }
    const logged = errors.join('\n');
    expect(logged).toContain('startup_failed');
    for (const name of ['DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'JWT_PRIVATE_KEYS', 'SECRETS_KEY']) {
      expect(logged).toContain(name);
    }
    expect(logged).not.toContain('short');
  });

  it('refuses a production config that would send mail nowhere or reach a local database endpoint', async () => {
    const res = await worker.fetch(
      new Request('http://portcullis.test/health'),
      { ...workerEnv, ENVIRONMENT: 'production', MAIL_TRANSPORT: 'log' } as never,
      createExecutionContext(),
    );
    expect(res.status).toBe(500);
  });
});
