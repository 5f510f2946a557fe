// Conventions every response keeps: problem+json errors, request ids, security headers, body rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { clearOfWindowEnd, harness, problemOf, randomIp, signUp, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const SECURITY_HEADERS: Record<string, RegExp> = {
  'strict-transport-security': /^max-age=(3153[6-9]\d{3}|[4-9]\d{7,}|\d{9,}); includeSubDomains/,
  'content-security-policy': /^default-src 'none'; frame-ancestors 'none'$/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /^no-referrer$/,
  'x-frame-options': /^DENY$/,
  'cross-origin-opener-policy': /^same-origin$/,
  'cross-origin-resource-policy': /^same-site$/,
  'x-permitted-cross-domain-policies': /^none$/,
  'permissions-policy': /camera=\(\).*geolocation=\(\).*microphone=\(\)/,
};
// Headers for browsers of the past that Hono would add by default: sent on every response, they do nothing.
const NOT_SENT = [
  'x-powered-by',
  'x-xss-protection',
  'x-download-options',
  'x-dns-prefetch-control',
  'origin-agent-cluster',
];

function expectSecurityHeaders(res: Response) {
  for (const [name, pattern] of Object.entries(SECURITY_HEADERS)) {
    expect(res.headers.get(name), name).toMatch(pattern);
  }
  for (const name of NOT_SENT) expect(res.headers.has(name), name).toBe(false);
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

describe('every response', () => {
  it('carries the security headers on a 200, a 401, a 404, a 422 and a 429', async () => {
    const tight = await harness({ env: { RATE_LIMIT_LOGIN: '1/60' } });
    await clearOfWindowEnd();
    const ip = randomIp();
    await tight.call('POST', '/api/v1/auth/login', {
      json: { username: crypto.randomUUID(), password: 'x' },
      ip,
    });
    const responses = [
      await h.call('GET', '/health'),
      await h.call('GET', '/api/v1/auth/me'),
      await h.call('GET', '/no/such/route'),
      await h.call('POST', '/api/v1/auth/register', { json: {} }),
      await tight.call('POST', '/api/v1/auth/login', {
        json: { username: crypto.randomUUID(), password: 'x' },
        ip,
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 422, 429]);
    responses.forEach(expectSecurityHeaders);
  });

  it('echoes a well-formed X-Request-ID and replaces a hostile one', async () => {
    const ok = await h.call('GET', '/health', { headers: { 'x-request-id': 'trace.abc-123_X' } });
    expect(ok.headers.get('x-request-id')).toBe('trace.abc-123_X');
    for (const hostile of ['a'.repeat(129), 'has space', 'inject\u2028line', 'x=1', '<script>']) {
      const res = await h.call('GET', '/health', { headers: { 'x-request-id': hostile } });
      expect(res.headers.get('x-request-id')).not.toBe(hostile);
      expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    }
  });
});

describe('bad input never becomes a 500', () => {
  it('answers malformed JSON with 400 invalid_body', async () => {
    for (const body of ['{', '{"refresh_token":', 'null x', '\u0000']) {
      const res = await h.call('POST', '/api/v1/auth/refresh', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, body).toBe(400);
      expect((await problemOf(res)).code).toBe('invalid_body');
    }
  });

  it('threat: invalid UTF-8 inside a JSON body is 400 invalid_body, never stored as U+FFFD', async () => {
    const user = {
      email: `utf8-${crypto.randomUUID()}@example.com`,
      username: '',
      password: 'Granite-Lantern-42',
    };
    const name = `u${crypto.randomUUID().slice(0, 8)}`;
    const json = JSON.stringify({ ...user, username: name, first_name: 'XX' });
    const at = json.indexOf('XX');
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe2, 0x28, 0xa1]]) {
      const bytes = new Uint8Array([
        ...new TextEncoder().encode(json.slice(0, at)),
        ...bad,
        ...new TextEncoder().encode(json.slice(at + 2)),
      ]);
      const res = await h.call('POST', '/api/v1/auth/register', {
        body: bytes,
        headers: { 'content-type': 'application/json' },
        ip: randomIp(),
      });
      expect(res.status, String(bad)).toBe(400);
      expect((await problemOf(res)).code).toBe('invalid_body');
    }
    // Nothing was stored: the name is still free.
    const ok = await h.call('POST', '/api/v1/auth/register', {
      json: { ...user, username: name, first_name: 'Zoë' },
      ip: randomIp(),
    });
    expect(ok.status).toBe(201);
    expect((await ok.json<{ user: { first_name: string } }>()).user.first_name).toBe('Zoë');
  });

  it('answers a chunked body (no Content-Length) over 64 KiB with 413, and takes one under it', async () => {
    const stream = (bytes: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
          controller.close();
        },
      });
    const big = new TextEncoder().encode(JSON.stringify({ username: 'x'.repeat(100 * 1024), password: 'y' }));
    const res = await h.call('POST', '/api/v1/auth/login', {
      body: stream(big),
      headers: { 'content-type': 'application/json' },
      ip: randomIp(),
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('payload_too_large');
    const small = new TextEncoder().encode(
      JSON.stringify({ username: `nobody-${crypto.randomUUID()}`, password: 'y' }),
    );
    const ok = await h.call('POST', '/api/v1/auth/login', {
      body: stream(small),
      headers: { 'content-type': 'application/json' },
      ip: randomIp(),
    });
    expect((await problemOf(ok)).code).toBe('invalid_credentials');
  });

  it('answers a body over 64 KiB with 413 payload_too_large', async () => {
    const res = await h.call('POST', '/api/v1/auth/register', {
      body: JSON.stringify({ email: 'a@example.com', username: 'abc', password: 'x'.repeat(70 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('payload_too_large');
  });

  it('answers another media type with 415 unsupported_media_type (no cross-site form posts)', async () => {
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await h.call('POST', '/api/v1/auth/register', {
        body: 'a=b',
        headers: { 'content-type': type },
        ip: randomIp(),
      });
      expect(res.status, type).toBe(415);
      expect((await problemOf(res)).code).toBe('unsupported_media_type');
    }
  });

  it('answers a multipart login with 415, like every other media type the login does not take', async () => {
    const form = new FormData();
    form.set('username', 'ada');
    form.set('password', 'Analytical-Engine-1843');
    for (const body of [form, 'username=ada&password=x']) {
      const res = await h.call('POST', '/api/v1/auth/login', {
        body,
        ip: randomIp(),
        ...(typeof body === 'string' ? { headers: { 'content-type': 'text/plain' } } : {}),
      });
      expect(res.status).toBe(415);
      expect((await problemOf(res)).code).toBe('unsupported_media_type');
    }
  });

  it('answers a string that is no refresh token of ours with 401 invalid_token, never 422', async () => {
    const s = await signUp(h);
    for (const refresh_token of [s.access_token, '', 'x', 'a'.repeat(600), `${s.refresh_token}=`]) {
      const res = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token }, ip: randomIp() });
      expect(res.status, refresh_token.slice(0, 20)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
      expect((await problemOf(res)).code).toBe('invalid_token');
    }
  });

  it('answers JSON of the wrong shape with 422, never 500', async () => {
    const bodies = [
      '[]',
      '"text"',
      '42',
      '{"refresh_token":42}',
      '{"refresh_token":null}',
      '{"refresh_token":{"$ne":1}}',
    ];
    for (const body of bodies) {
      const res = await h.call('POST', '/api/v1/auth/refresh', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, body).toBe(422);
      expect((await problemOf(res)).code).toBe('validation_failed');
    }
  });

  it('answers hostile login names with 401, never 500', async () => {
    // A per-run suffix: a real database keeps name lockouts between runs, and five runs would lock these names.
    const run = crypto.randomUUID().slice(0, 8);
    const names = [
      "' OR 1=1 --",
      '%',
      '_',
      '\u0000',
      '\ud800',
      'x\udfff',
      'a'.repeat(240),
      '𝔞𝔡𝔞',
      '\uFEFFada',
    ].map((n) => `${n}${run}`);
    for (const username of names) {
      const res = await h.call('POST', '/api/v1/auth/login', {
        json: { username, password: 'Anything-123' },
        ip: `10.200.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      });
      expect(res.status, username).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_credentials');
    }
  });
});

describe('operations', () => {
  it('publishes the public signing key, without private members', async () => {
    const res = await h.call('GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: h.deps.keys.active.kid,
    });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('GET /health touches nothing, /health/ready checks both dependencies', async () => {
    expect(await (await h.call('GET', '/health')).json()).toEqual({ status: 'ok' });
    const ready = await h.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', store: 'ok' } });
  });

  it('tokens in responses are never cached', async () => {
    const s = await signUp(h);
    const res = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
