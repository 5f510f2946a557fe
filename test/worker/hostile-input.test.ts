// Threat: a crafted request turns into a 500 (an unhandled exception, a stack or SQL in the body, a route
// that stops answering). Every operation in the OpenAPI document gets hostile path parameters, query strings
// and bodies, as an admin (so that authorization lets the input reach validation and the handlers) and
// anonymously; every answer must be a clean 2xx-4xx with a problem+json body for errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, randomIp, signUpAdmin, type Harness } from './harness.ts';
import { bodyProperties, fill, flaw, operationsOf, plausibleBody, type Doc } from './operations.ts';

const HOSTILE_SEGMENTS = [
  '%00',
  '..%2F..%2Fadmin',
  '%E0%A4%A', // broken percent-encoding
  '%ZZ',
  "1' OR '1'='1",
  'x'.repeat(4000),
  '00000000-0000-0000-0000-000000000000',
  '%F0%9F%98%80',
];
const HOSTILE_QUERY = [
  'limit=-1',
  'limit=99999999999999999999999',
  'limit=1e309',
  'limit=NaN',
  'cursor=%ZZ',
  'cursor=' + 'A'.repeat(3000),
  'cursor=eyJpZCI6MX0', // base64 of {"id":1}: a forged cursor
  // Forged cursors of the API's own shape, "<created_at>|<id>", with values Postgres cannot take.
  ...[
    '-271821-04-20T00:00:00.000Z|00000000-0000-4000-8000-000000000000',
    '+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000',
    '0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000',
    '2026-02-30T00:00:00.000Z|00000000-0000-4000-8000-000000000000',
    '2026-01-01T00:00:00.000Z|------------------------------------',
    '2026-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000\u0000',
  ].map((cursor) => `cursor=${btoa(cursor).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`),
  'q=%00',
  "q=%25'%20OR%201=1--",
  'q[]=x&q[]=y',
  'limit=1&limit=2',
];
const HOSTILE_BODIES = [
  '{"a":',
  'null',
  '[]',
  '"text"',
  '1e400',
  '['.repeat(3000) + ']'.repeat(3000),
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
  '\u0000',
  '{"a":"\\ud800"}',
];
// For operations that also take a form (the OAuth2 password grant).
const HOSTILE_FORMS = [
  'username=%E0%A4%A&password=x',
  'username=%00&password=%00',
  'username=a&username=b&password=x&password=y',
  'username[]=a&password[__proto__]=x',
  '=&&&=x',
  'grant_type=client_credentials&username=a&password=b',
];
// Each property of an operation's body schema gets each of these in turn.
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  '\u0000',
  '\ud800',
  'x'.repeat(10_000),
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  [],
  ['x'.repeat(300), {}, null],
  { $ne: null },
  ['999.1.1.1/99', '::/129', '10.0.0.0/-1', 'fe80::1%eth0/64'],
];

let h: Harness;
let doc: Doc;

beforeAll(async () => {
  const generous = '100000/60';
  h = await harness({
    env: {
      RATE_LIMIT_LOGIN: generous,
      RATE_LIMIT_LOGIN_2FA: generous,
      RATE_LIMIT_REGISTER: generous,
      RATE_LIMIT_PASSWORD_RESET: generous,
      RATE_LIMIT_API: generous,
    },
  });
  doc = (await (await h.call('GET', '/openapi.json')).json()) as Doc;
});

describe('hostile input to every operation', () => {
  it('never gets a 500, a stack, or SQL back', { timeout: 180_000 }, async () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(30);
    let requests = 0;
    const flaws: string[] = [];
    for (const { path, method, op } of operations) {
      // An admin of its own for each operation: hostile calls may change its password or end its sessions.
      const admin = await signUpAdmin(h);
      const token = admin.access_token;
      const send = async (url: string, init: { body?: string; anonymous?: boolean; type?: string } = {}) => {
        requests++;
        const headers: Record<string, string> = {};
        if (init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
        const res = await h.call(method, url, {
          ...(init.body === undefined ? {} : { body: init.body }),
          headers,
          ip: randomIp(),
          ...(init.anonymous ? {} : { token }),
        });
        const found = await flaw(res);
        if (found) flaws.push(`${method} ${url.slice(0, 120)} ${init.body?.slice(0, 60) ?? ''} -> ${found}`);
      };
      const concrete = fill(path);
      if (path.includes('{')) for (const segment of HOSTILE_SEGMENTS) await send(fill(path, segment));
      for (const query of HOSTILE_QUERY) await send(`${concrete}?${query}`);
      if (method === 'GET') continue;
      for (const body of HOSTILE_BODIES) {
        await send(concrete, { body });
        await send(concrete, { body, anonymous: true });
      }
      if (op.requestBody?.content['application/x-www-form-urlencoded']) {
        const type = 'application/x-www-form-urlencoded';
        for (const body of HOSTILE_FORMS) await send(concrete, { body, type, anonymous: true });
      }
      for (const property of bodyProperties(doc, op)) {
        for (const value of HOSTILE_VALUES) {
          const body = { ...plausibleBody(doc, op, admin), [property]: value };
          await send(concrete, { body: JSON.stringify(body) });
        }
      }
    }
    expect(flaws).toEqual([]);
    // The loops above reached every operation (not a vacuous pass).
    expect(requests).toBeGreaterThan(operations.length * HOSTILE_QUERY.length);
  });
});

describe('hostile headers', () => {
  it('never get a 500 on the routes that read them (addresses, credentials, media types)', async () => {
    const user = await signUpAdmin(h);
    const prefix = h.deps.config.apiKeyPrefix;
    const created = await h.call('POST', '/api/v1/api-keys', {
      token: user.access_token,
      json: { name: 'k', scopes: ['read:documents'] },
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const cases: [string, string, Record<string, string>, string?][] = [];
    for (const ip of [
      'garbage',
      '1.2.3.4, 5.6.7.8',
      'fe80::1%eth0',
      '::ffff:10.0.0.1',
      '999.999.999.999',
      '1:2:3:4:5:6:7:8:9',
      'x'.repeat(5000),
    ]) {
      cases.push([
        'GET',
        '/api/v1/auth/me',
        { 'cf-connecting-ip': ip, authorization: `Bearer ${user.access_token}` },
      ]);
      cases.push(['GET', '/api/v1/auth/me', { 'cf-connecting-ip': ip, 'x-api-key': key }]);
      const login = JSON.stringify({ username: user.user.username, password: user.password });
      cases.push([
        'POST',
        '/api/v1/auth/login',
        { 'cf-connecting-ip': ip, 'content-type': 'application/json' },
        login,
      ]);
    }
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer a.b',
      'Bearer a.b.c.d.e',
      `Bearer ${'a'.repeat(10_000)}`,
      `bearer ${user.access_token}`,
      `Bearer ${user.access_token} extra`,
      `Bearer  ${user.access_token}`,
      `Basic ${btoa('a:b')}`,
      `Bearer ${btoa('{"alg":"none"}')}.${btoa('{}')}.`,
    ]) {
      cases.push(['GET', '/api/v1/auth/me', { authorization }]);
      cases.push(['POST', '/api/v1/auth/logout-all', { authorization }]);
    }
    for (const apiKey of [
      'x',
      prefix,
      `${prefix}${'A'.repeat(5000)}`,
      `${key}x`,
      key.slice(0, -1),
      `${key},${key}`,
    ]) {
      cases.push(['GET', '/api/v1/auth/me', { 'x-api-key': apiKey }]);
      cases.push(['GET', '/api/v1/admin/users', { 'x-api-key': apiKey }]);
    }
    for (const type of [
      'application/json; charset=utf-16',
      'application/json;;;',
      'APPLICATION/JSON',
      'application/json-patch+json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=x',
    ]) {
      const body = JSON.stringify({ username: user.user.username, password: user.password });
      cases.push(['POST', '/api/v1/auth/login', { 'content-type': type }, body]);
      cases.push(['POST', '/api/v1/auth/refresh', { 'content-type': type }, '{"refresh_token":"x"}']);
    }
    for (const origin of [
      'null',
      'https://a.example:99999',
      'javascript:alert(1)',
      'https://' + 'a'.repeat(3000),
    ]) {
      cases.push(['OPTIONS', '/api/v1/auth/login', { origin, 'access-control-request-method': 'POST' }]);
      cases.push(['GET', '/api/v1/auth/me', { origin, authorization: `Bearer ${user.access_token}` }]);
    }
    const flaws: string[] = [];
    for (const [method, path, headers, body] of cases) {
      const res = await h.call(method, path, { headers, ...(body === undefined ? {} : { body }) });
      const found = await flaw(res);
      if (found) flaws.push(`${method} ${path} ${JSON.stringify(headers).slice(0, 100)} -> ${found}`);
    }
    expect(flaws).toEqual([]);
    expect(cases.length).toBeGreaterThan(60);
  });
});
