// The OpenAPI document is generated from the same route definitions that validate requests: every mounted
// route must appear in it, with its security and error responses.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.ts';

let h: Harness;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
};

beforeAll(async () => {
  h = await harness();
  const res = await h.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 with the bearer and API-key security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyAuth', 'bearerAuth']);
  });

  it('lists every mounted route', () => {
    const mounted = h.app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(mounted.length).toBeGreaterThan(30);
    for (const route of mounted) expect(documented, route).toContain(route);
  });

  it('documents the problem responses of protected routes', () => {
    const me = doc.paths['/api/v1/auth/me']!.get!;
    expect(me.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']));
  });
});
