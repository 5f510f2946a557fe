// Threat: a route that forgot its guard, or a credential that reaches further than it should. Every operation
// the OpenAPI document marks as secured is called with no credentials, with an API key that has no scopes,
// and with a plain user's token; what each may reach is the contract's, not the route file's.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, problemOf, signUp, type Harness, type Session } from './harness.ts';
import { fill, operationsOf, plausibleBody, type Doc, type Located } from './operations.ts';

let h: Harness;
let user: Session;
let key: string;
let doc: Doc;
let secured: Located[];

beforeAll(async () => {
  h = await harness({ env: { RATE_LIMIT_API: '100000/60' } });
  doc = (await (await h.call('GET', '/openapi.json')).json()) as Doc;
  secured = operationsOf(doc).filter(({ op }) => (op.security ?? []).length > 0);
  user = await signUp(h);
  const created = await h.call('POST', '/api/v1/api-keys', {
    token: user.access_token,
    json: { name: 'no scopes', scopes: [] },
  });
  key = ((await created.json()) as { key: string }).key;
});

/** The operation with a plausible body (the users share one password) and the given credentials. */
const call = (o: Located, headers: Record<string, string>) =>
  h.call(o.method, fill(o.path), {
    headers,
    ...(o.op.requestBody ? { json: plausibleBody(doc, o.op, user) } : {}),
  });

describe('every secured operation', () => {
  it('without credentials: 401 authentication_required with a challenge', async () => {
    expect(secured.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const o of secured) {
      const res = await call(o, {});
      const code = res.status === 401 ? (await problemOf(res)).code : '';
      if (code !== 'authentication_required' || !res.headers.get('www-authenticate'))
        wrong.push(`${o.method} ${o.path} -> ${res.status} ${code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('with an API key that has no scopes: only GET /auth/me, everything else 403', async () => {
    const reached: string[] = [];
    for (const o of secured) {
      const res = await call(o, { 'x-api-key': key });
      if (res.status !== 403) reached.push(`${o.method} ${o.path} -> ${res.status}`);
      else expect(['forbidden', 'insufficient_scope']).toContain((await problemOf(res)).code);
    }
    expect(reached).toEqual(['GET /api/v1/auth/me -> 200']);
  });

  it("with a plain user's token: every admin operation 403 forbidden, no other operation refuses the token", async () => {
    const wrong: string[] = [];
    for (const o of secured) {
      // A user of its own for each call: some operations (logout, a password change) end the session.
      const { access_token } = await signUp(h);
      const res = await call(o, { authorization: `Bearer ${access_token}` });
      const admin = o.path.startsWith('/api/v1/admin/');
      const code = res.status >= 400 ? (await problemOf(res)).code : '';
      if (admin ? code !== 'forbidden' : res.status === 401 || code === 'forbidden')
        wrong.push(`${o.method} ${o.path} -> ${res.status} ${code}`);
    }
    expect(wrong).toEqual([]);
  });
});
