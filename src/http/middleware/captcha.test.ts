// requireCaptcha refuses before the handler runs: 403 captcha_failed for a token that does not pass, 503 when
// the verifier cannot answer; the handler never runs for either.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { CaptchaUnavailableError, type CaptchaVerifier } from '../../ports/captcha.ts';
import { silentLogger } from '../../ports/logger.ts';
import type { AppEnv } from '../context.ts';
import { requireCaptcha } from './captcha.ts';
import { createErrorHandler } from './errors.ts';

function appWith(verifier: CaptchaVerifier | null) {
  let ran = 0;
  const seen: (string | undefined)[] = [];
  const recording: CaptchaVerifier | null = verifier && {
    verify: (token, ip) => (seen.push(token), verifier.verify(token, ip)),
  };
  const app = new Hono<AppEnv>();
  app.onError(createErrorHandler(silentLogger));
  app.post('/form', requireCaptcha(recording), async (c) => {
    ran += 1;
    return c.json(await c.req.json());
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/form', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { post, ran: () => ran, seen };
}

const passesOnly = (good: string): CaptchaVerifier => ({
  verify: (token) => Promise.resolve(token === good),
});

describe('requireCaptcha', () => {
  it('checks its options when it is created', () => {
    expect(() => requireCaptcha({} as never)).toThrow(/needs/);
  });

  it('refuses a missing or failing token with 403 captcha_failed, and the handler never runs', async () => {
    const { post, ran } = appWith(passesOnly('good'));
    for (const body of [{}, { 'cf-turnstile-response': 'bad' }, { 'cf-turnstile-response': 7 }]) {
      const res = await post(body);
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect((await res.json<{ code: string }>()).code).toBe('captcha_failed');
    }
    expect(ran()).toBe(0);
  });

  it('answers 503 when the verifier cannot answer, and the handler never runs', async () => {
    const { post, ran } = appWith({
      verify: () => Promise.reject(new CaptchaUnavailableError()),
    });
    const res = await post({ 'cf-turnstile-response': 'good' });
    expect(res.status).toBe(503);
    expect(ran()).toBe(0);
  });

  it('passes a good token from the body or the header, and the handler reads the same body', async () => {
    const { post, ran, seen } = appWith(passesOnly('good'));
    const res = await post({ 'cf-turnstile-response': 'good', name: 'ada' });
    expect(await res.json()).toEqual({ 'cf-turnstile-response': 'good', name: 'ada' });
    expect((await post({}, { 'cf-turnstile-response': 'good' })).status).toBe(200);
    expect(ran()).toBe(2);
    expect(seen).toEqual(['good', 'good']);
  });

  it('is off without a verifier', async () => {
    const { post, ran } = appWith(null);
    expect((await post({})).status).toBe(200);
    expect(ran()).toBe(1);
  });
});
