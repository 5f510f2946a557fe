// bearerAuth refuses before the handler runs, with the right status, code and challenge.
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, signUp, type Harness, type Session } from '../../../test/worker/harness.ts';
import { createAccessTokenVerifier } from '../../auth/access-token-verifier.ts';
import { tokenSettings } from '../../auth/token-settings.ts';
import type { AppEnv } from '../context.ts';
import { createErrorHandler } from './errors.ts';
import { bearerAuth } from './bearer-auth.ts';

let h: Harness;
let s: Session;
beforeAll(async () => {
  h = await harness();
  s = await signUp(h);
});

function appWithProbe() {
  let ran = 0;
  const app = new Hono<AppEnv>();
  app.onError(createErrorHandler(h.deps.logger));
  app.use(
    bearerAuth({
      verify: createAccessTokenVerifier(tokenSettings(h.deps)),
      store: h.deps.store,
      clock: h.deps.clock,
    }),
  );
  app.get('/probe', (c) => {
    ran += 1;
    return c.json({ sub: c.get('auth').claims.sub });
  });
  return { app, ran: () => ran };
}

describe('bearerAuth', () => {
  it('checks its options when it is created', () => {
    expect(() => bearerAuth({} as never)).toThrow(/needs/);
  });

  const denied: [string, Record<string, string>, string, RegExp][] = [
    ['no header', {}, 'authentication_required', /^Bearer realm="portcullis"$/],
    ['another scheme', { authorization: 'Basic abc' }, 'invalid_token', /error="invalid_token"/],
    ['an empty token', { authorization: 'Bearer ' }, 'invalid_token', /error="invalid_token"/],
    ['a forged token', { authorization: 'Bearer a.b.c' }, 'invalid_token', /error="invalid_token"/],
  ];
  for (const [name, headers, code, challenge] of denied) {
    it(`refuses ${name} with 401 ${code} and never runs the handler`, async () => {
      const { app, ran } = appWithProbe();
      const res = await app.request('/probe', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(challenge);
      expect((await res.json<{ code: string }>()).code).toBe(code);
      expect(ran()).toBe(0);
    });
  }

  it('lets a live token through to the handler', async () => {
    const { app, ran } = appWithProbe();
    const res = await app.request('/probe', { headers: { authorization: `Bearer ${s.access_token}` } });
    expect(res.status).toBe(200);
    expect(ran()).toBe(1);
  });
});
