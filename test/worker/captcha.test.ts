// Turnstile on the public forms (register, login, email start, reset request) when TURNSTILE_SECRET is set,
// against a Siteverify stand-in on loopback (local/turnstile.ts, hand-written: Cloudflare publishes no server)
// with Cloudflare's documented test secrets. Threats: a bot that sends no token or a bad or spent one, and a
// Siteverify outage that must not open the forms.
import { describe, expect, it } from 'vitest';
import { TURNSTILE_TEST_SECRETS } from '../../local/turnstile-secrets.ts';
import { harness, newUser, problemOf, randomIp, signUp, workerEnv, type Harness } from './harness.ts';

const siteverify = `${workerEnv.TEST_TURNSTILE_URL}/turnstile/v0/siteverify`;
const withSecret = (secret: string, url = siteverify) =>
  harness({
    env: {
      TURNSTILE_SECRET: secret,
      TURNSTILE_VERIFY_URL: url,
      RATE_LIMIT_LOGIN: '1000/60',
      RATE_LIMIT_REGISTER: '1000/60',
      RATE_LIMIT_PASSWORD_RESET: '1000/60',
    },
  });

/** The four forms, each with a body that would otherwise succeed. */
function forms(h: Harness, user: { email: string; username: string; password: string }, token?: string) {
  const field = token === undefined ? {} : { 'cf-turnstile-response': token };
  return {
    register: () => h.call('POST', '/api/v1/auth/register', { json: { ...user, ...field }, ip: randomIp() }),
    login: () =>
      h.call('POST', '/api/v1/auth/login', {
        json: { username: user.username, password: user.password, ...field },
        ip: randomIp(),
      }),
    emailStart: () =>
      h.call('POST', '/api/v1/auth/email/start', { json: { email: user.email, ...field }, ip: randomIp() }),
    resetRequest: () =>
      h.call('POST', '/api/v1/auth/reset-password/request', {
        json: { email: user.email, ...field },
        ip: randomIp(),
      }),
  };
}

const received = async (token: string) =>
  (await fetch(`${workerEnv.TEST_TURNSTILE_URL}/received?response=${encodeURIComponent(token)}`)).json<
    { secret: string; remoteip: string | null; idempotency_key: string | null }[]
  >();

describe('Turnstile on the public forms', () => {
  it('lets every form through with a token that passes, and sends Siteverify the address and an idempotency key', async () => {
    const h = await withSecret(TURNSTILE_TEST_SECRETS.passes);
    const token = `token-${crypto.randomUUID()}`;
    const f = forms(h, newUser(), token);
    expect((await f.register()).status).toBe(201);
    expect((await f.login()).status).toBe(200);
    expect((await f.emailStart()).status).toBe(202);
    expect((await f.resetRequest()).status).toBe(202);
    const sent = await received(token);
    expect(sent).toHaveLength(4);
    for (const r of sent) {
      expect(r.secret).toBe(TURNSTILE_TEST_SECRETS.passes);
      expect(r.remoteip).toMatch(/^10\./);
      expect(r.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(sent.map((r) => r.idempotency_key)).size).toBe(4);
  });

  it('takes the token from the cf-turnstile-response header and from the OAuth2 login form too', async () => {
    const h = await withSecret(TURNSTILE_TEST_SECRETS.passes);
    const s = await signUp(await harness());
    const header = await h.call('POST', '/api/v1/auth/login', {
      json: { username: s.user.username, password: s.password },
      headers: { 'cf-turnstile-response': 'from-a-header' },
      ip: randomIp(),
    });
    expect(header.status).toBe(200);
    const form = await h.call('POST', '/api/v1/auth/login', {
      form: { username: s.user.username, password: s.password, 'cf-turnstile-response': 'from-a-form' },
      ip: randomIp(),
    });
    expect(form.status).toBe(200);
  });

  const refusals: [string, string, string | undefined][] = [
    ['no token at all', TURNSTILE_TEST_SECRETS.passes, undefined],
    ['an empty token', TURNSTILE_TEST_SECRETS.passes, ''],
    ['a token over 2048 characters', TURNSTILE_TEST_SECRETS.passes, 'x'.repeat(2049)],
    ['a failing token', TURNSTILE_TEST_SECRETS.fails, 'some-token'],
    ['a spent token', TURNSTILE_TEST_SECRETS.spent, 'some-token'],
    ['a wrong secret', 'not-our-secret', 'some-token'],
  ];
  for (const [threat, secret, token] of refusals) {
    it(`threat: ${threat} -> 403 captcha_failed on every form, and nothing done`, async () => {
      const h = await withSecret(secret);
      const user = newUser();
      const f = forms(h, user, token);
      for (const [name, send] of Object.entries(f)) {
        const res = await send();
        expect(res.status, name).toBe(403);
        expect((await problemOf(res)).code, name).toBe('captcha_failed');
      }
      expect(await h.outbox(user.email)).toEqual([]);
      const login = await forms(await harness(), user).login();
      expect(login.status).toBe(401); // never registered
    });
  }

  it('threat: Siteverify unreachable -> 503, fails closed; the forms stay shut', async () => {
    const h = await withSecret(TURNSTILE_TEST_SECRETS.passes, 'http://127.0.0.1:9/siteverify');
    const res = await forms(h, newUser(), 'some-token').register();
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe('service_unavailable');
  });

  it('leaves the forms alone when TURNSTILE_SECRET is unset', async () => {
    const h = await harness({ env: { RATE_LIMIT_REGISTER: '1000/60' } });
    expect((await forms(h, newUser()).register()).status).toBe(201);
  });
});
