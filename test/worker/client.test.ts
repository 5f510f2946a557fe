// The typed SPA client (src/client.ts) driven against the app inside workerd, with the clock frozen so tokens
// expire on command. Threats: a refresh storm from parallel calls, a stolen refresh token used first by the
// thief, a transient outage logging the user out.
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPortcullisClient, PortcullisError, type SignedOutReason } from '../../src/client.ts';
import { codeAt, harness, newUser, problemOf, randomIp, signUp, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

/** The harness's fetch from a browser of its own (its own address, so LOGIN limits stay apart), counting
 * what reaches each path. */
function countingFetch(target: Harness) {
  const hits = new Map<string, number>();
  const ip = randomIp();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    request.headers.set('cf-connecting-ip', ip);
    const path = new URL(request.url).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    return target.fetch(request);
  };
  return { fetch, hits };
}

async function signedInClient(target: Harness) {
  const user = newUser();
  await signUp(target, user);
  const counted = countingFetch(target);
  const signedOut: SignedOutReason[] = [];
  const client = createPortcullisClient({
    baseUrl: 'http://portcullis.test/',
    fetch: counted.fetch,
    onSignedOut: (reason) => signedOut.push(reason),
  });
  const result = await client.login(user.username, user.password);
  expect(result).toMatchObject({ requires_2fa: false, user: { username: user.username } });
  return { client, user, signedOut, hits: counted.hits };
}

describe('the typed SPA client', () => {
  it('logs in, keeps the tokens and calls typed routes with them', async () => {
    const { client, user } = await signedInClient(h);
    expect(client.isSignedIn()).toBe(true);
    const res = await client.api.auth.me.$get();
    expect(res.status).toBe(200);
    const body = await res.json();
    // Typed from the Worker's own schema: no cast needed to reach these fields.
    expect(body.user.email).toBe(user.email);
    expect(body.auth.method).toBe('password');
  });

  it('shares ONE refresh among parallel calls that all met token_expired, then retries each once', async () => {
    const { client, hits, signedOut } = await signedInClient(h);
    const before = client.tokens();
    h.clock.advance(901);
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => client.api.auth.session.$get()));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(hits.get('/api/v1/auth/refresh')).toBe(1);
      expect(hits.get('/api/v1/auth/session')).toBe(12);
      expect(client.tokens()?.refresh_token).not.toBe(before?.refresh_token);
      expect(signedOut).toEqual([]);
      // The old refresh token died with the rotation.
      const stale = await h.call('POST', '/api/v1/auth/refresh', {
        json: { refresh_token: before?.refresh_token },
        ip: randomIp(),
      });
      expect((await problemOf(stale)).code).toBe('refresh_token_reused');
    } finally {
      h.clock.advance(-901);
    }
  });

  it('forgets everything when a thief used the refresh token first (refresh_token_reused)', async () => {
    const { client, hits, signedOut } = await signedInClient(h);
    const stolen = client.tokens()?.refresh_token;
    const thief = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: stolen },
      ip: randomIp(),
    });
    expect(thief.status).toBe(200);
    const thiefTokens = (await thief.json()) as { access_token: string };
    h.clock.advance(901);
    try {
      const res = await client.api.auth.session.$get();
      expect(res.status).toBe(401);
      expect((await problemOf(res as unknown as Response)).code).toBe('token_expired');
      expect(hits.get('/api/v1/auth/refresh')).toBe(1);
      expect(client.tokens()).toBeNull();
      expect(signedOut).toEqual(['refresh_token_reused']);
    } finally {
      h.clock.advance(-901);
    }
    // Reuse detection revoked the whole session: the thief's fresh access token is dead too.
    const thiefCall = await h.call('GET', '/api/v1/auth/session', { token: thiefTokens.access_token });
    expect((await problemOf(thiefCall)).code).toBe('token_revoked');
  });

  it('keeps the tokens when the refresh meets an outage (503), and answers the original 401', async () => {
    const user = newUser();
    await signUp(h, user);
    const signedOut: SignedOutReason[] = [];
    const ip = randomIp();
    const client = createPortcullisClient({
      baseUrl: 'http://portcullis.test',
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname.endsWith('/auth/refresh'))
          return Response.json({ status: 503, code: 'service_unavailable' }, { status: 503 });
        request.headers.set('cf-connecting-ip', ip);
        return h.fetch(request);
      },
      onSignedOut: (reason) => signedOut.push(reason),
    });
    await client.login(user.username, user.password);
    const tokens = client.tokens();
    h.clock.advance(901);
    try {
      const res = await client.api.auth.session.$get();
      expect(res.status).toBe(401);
      expect(client.tokens()).toEqual(tokens);
      expect(signedOut).toEqual([]);
    } finally {
      h.clock.advance(-901);
    }
  });

  it('logs out: the server revokes the session and the client forgets the tokens', async () => {
    const { client, signedOut } = await signedInClient(h);
    const access = client.tokens()?.access_token;
    await client.logout();
    expect(client.tokens()).toBeNull();
    expect(signedOut).toEqual(['logout']);
    const res = await h.call('GET', '/api/v1/auth/session', { token: access });
    expect((await problemOf(res)).code).toBe('token_revoked');
    const anonymous = await client.api.auth.me.$get();
    expect(anonymous.status).toBe(401);
  });

  it('completes a 2FA login with a TOTP code, and throws PortcullisError with the code on bad input', async () => {
    const { client, user } = await signedInClient(h);
    const enrolment = await (await client.api['2fa'].enable.$post()).json();
    const code = (offset = 0) => codeAt(enrolment.secret, h.clock.now(), offset);
    expect((await client.api['2fa'].verify.$post({ json: { code: code() } })).status).toBe(200);
    await client.logout();

    const first = await client.login(user.username, user.password);
    if (!first.requires_2fa) throw new Error('expected a 2FA challenge');
    const wrong = await client.completeLogin(first.mfa_token, { code: '000000' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PortcullisError);
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_2fa_code' });
    const done = await client.completeLogin(first.mfa_token, { code: code(1) });
    expect(done.user.two_factor_enabled).toBe(true);
    const session = await (await client.api.auth.session.$get()).json();
    expect(session).toMatchObject({ active: true, amr: ['pwd', 'otp'] });
  });

  it('leaves an explicit X-API-Key request alone (no bearer token added, no refresh)', async () => {
    const { client, hits } = await signedInClient(h);
    const created = await (
      await client.api['api-keys'].$post({ json: { name: 'ci', scopes: ['read:documents'] } })
    ).json();
    const me = await client.api.auth.me.$get({}, { headers: { 'x-api-key': created.key } });
    expect(me.status).toBe(200);
    expect((await me.json()).auth).toEqual({ method: 'api_key', scopes: ['read:documents'] });
    expect(hits.get('/api/v1/auth/refresh')).toBeUndefined();
  });

  it('works through the Worker entry point itself', async () => {
    const self = (exports as unknown as { default: Fetcher }).default;
    const ip = randomIp();
    const client = createPortcullisClient({
      baseUrl: 'http://portcullis.test',
      fetch: (input, init) => {
        const request = new Request(input, init);
        request.headers.set('cf-connecting-ip', ip);
        return self.fetch(request);
      },
    });
    const user = newUser();
    const registered = await client.api.auth.register.$post({ json: user });
    expect(registered.status).toBe(201);
    await client.login(user.email, user.password);
    const me = await client.expectOk(await client.api.auth.me.$get());
    expect((await me.json()).user.username).toBe(user.username);
  });
});

describe('the client with dpop: true', () => {
  it('binds the session to its own key: every call carries a proof; the token is useless without the key', async () => {
    // The client dates its proofs by the real clock: the server's frozen one is set to it.
    h.clock.set(Date.now());
    const user = newUser();
    await signUp(h, user);
    const { fetch } = countingFetch(h);
    const client = createPortcullisClient({ baseUrl: 'http://portcullis.test', fetch, dpop: true });
    await client.login(user.username, user.password);
    const access = client.tokens()!.access_token;
    const session = await client.api.auth.session.$get();
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ active: true, cnf: { jkt: expect.any(String) } });
    // Copied out and replayed without the key: as Bearer, refused.
    const stolen = await h.call('GET', '/api/v1/auth/session', { token: access });
    expect((await problemOf(stolen)).code).toBe('invalid_token');
    // A refresh with a proof of the same key: new tokens, still bound, still usable by this client only.
    expect(await client.refresh()).toBe(true);
    const next = client.tokens()!.access_token;
    expect(next).not.toBe(access);
    expect((await client.api.auth.me.$get()).status).toBe(200);
    expect((await problemOf(await h.call('GET', '/api/v1/auth/me', { token: next }))).code).toBe(
      'invalid_token',
    );
  });
});

describe('the client with dpop: true, against DPOP_NONCE=true', () => {
  it('picks up the server nonce and retries once, so the caller never sees use_dpop_nonce', async () => {
    const n = await harness({ env: { DPOP_NONCE: 'true' } });
    n.clock.set(Date.now());
    const user = newUser();
    await signUp(n, user);
    const client = createPortcullisClient({
      baseUrl: 'http://portcullis.test',
      fetch: countingFetch(n).fetch,
      dpop: true,
    });
    await client.login(user.username, user.password);
    const session = await client.api.auth.session.$get();
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ cnf: { jkt: expect.any(String) } });
    expect(await client.refresh()).toBe(true);
  });
});
