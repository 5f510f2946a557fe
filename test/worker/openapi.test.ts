// The OpenAPI document is generated from the same route definitions that validate requests: every mounted
// route must appear in it, with its security and error responses.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { OpenApiVerdict } from '../provided.ts';
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
  it('is OpenAPI 3.1 with the bearer, API-key and OAuth2 password security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'apiKeyAuth',
      'bearerAuth',
      'oauth2Password',
    ]);
    expect(doc.components.securitySchemes.oauth2Password).toEqual({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } },
    });
  });

  it('is valid OpenAPI 3.1 by a real validator, every $ref resolving', async () => {
    // The validator runs in Node (see test/openapi-validator.ts): this is the document the app generated.
    const res = await fetch(inject('openApiValidatorUrl'), { method: 'POST', body: JSON.stringify(doc) });
    const verdict = (await res.json()) as OpenApiVerdict;
    expect(verdict.errors).toBeNull();
    expect(verdict).toMatchObject({ valid: true, version: '3.1', refsResolved: true });
  });

  it('refuses a broken document (the validator is not a rubber stamp)', async () => {
    const broken = { ...doc, paths: { '/x': { get: { responses: { 200: { content: 'nope' } } } } } };
    const res = await fetch(inject('openApiValidatorUrl'), { method: 'POST', body: JSON.stringify(broken) });
    expect(((await res.json()) as OpenApiVerdict).valid).toBe(false);
  });

  it('lists every mounted route', () => {
    const mounted = h.app.routes
      // Pages and their assets are not API operations.
      .filter((r) => r.method !== 'ALL' && !/^\/(openapi\.json|docs|demo)(\/|$)/.test(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(mounted.length).toBeGreaterThan(30);
    for (const route of mounted) expect(documented, route).toContain(route);
  });

  it('gives every error response the machine codes it can carry', () => {
    type Schema = { allOf?: Schema[]; properties?: Record<string, { enum?: string[] }> };
    const schemas = (doc.components as unknown as { schemas: Record<string, Schema> }).schemas;
    // Problem<status> extends Problem: allOf [$ref Problem, {properties: {status, code}}].
    const codesOf = (name: string) =>
      schemas[name]?.allOf?.find((part) => part.properties)?.properties?.code?.enum;
    let errorResponses = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          // /health/ready answers 503 with its checks, by contract, not with a problem.
          if (Number(status) < 400 || path === '/health/ready') continue;
          errorResponses++;
          const ref = (response as { content: Record<string, { schema: { $ref: string } }> }).content[
            'application/problem+json'
          ]?.schema.$ref;
          expect(ref, `${method} ${path} ${status}`).toBe(`#/components/schemas/Problem${status}`);
          expect(codesOf(`Problem${status}`)?.length).toBeGreaterThan(0);
        }
      }
    }
    expect(errorResponses).toBeGreaterThan(100);
    expect(codesOf('Problem401')).toEqual(
      expect.arrayContaining([
        'token_expired',
        'token_revoked',
        'refresh_token_reused',
        'invalid_credentials',
      ]),
    );
    expect(codesOf('Problem429')).toEqual(['rate_limited']);
  });

  it('documents the problem responses of protected routes', () => {
    const me = doc.paths['/api/v1/auth/me']!.get!;
    expect(me.security).toEqual([{ bearerAuth: [] }, { oauth2Password: [] }, { apiKeyAuth: [] }]);
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']));
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI with no inline script, under its own policy', async () => {
    const res = await h.call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    // The pinned Swagger UI package only: any other package on the same CDN is refused.
    expect(csp).toMatch(
      /script-src 'self' https:\/\/cdn\.jsdelivr\.net\/npm\/swagger-ui-dist@\d+\.\d+\.\d+\/(;|$)/,
    );
    expect(csp).not.toMatch(/https:\/\/cdn\.jsdelivr\.net(;| |$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).toMatch(/swagger-ui-dist@\d+\.\d+\.\d+\/swagger-ui-bundle\.js/);
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
    const init = await h.call('GET', '/docs/init.js');
    expect(init.headers.get('content-type')).toMatch(/javascript/);
    expect(await init.text()).toContain("url: '/openapi.json'");
  });

  it('leaves every other response under the strict policy', async () => {
    const res = await h.call('GET', '/health');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
