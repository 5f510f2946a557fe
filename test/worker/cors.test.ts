// Threat: a hostile page reading responses cross-origin. Allowed origins only: exact ones and anchored patterns.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  // From the test env: CORS_ORIGINS=https://app.example.com, pattern https://[a-z0-9-]+\.preview\.example\.com
  h = await harness();
});

const preflight = (origin: string) =>
  h.call('OPTIONS', '/api/v1/auth/login', {
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
];

describe('CORS', () => {
  it('answers an allowed origin with credentials and the exposed headers', async () => {
    for (const origin of ['https://app.example.com', 'https://pr-42.preview.example.com']) {
      const res = await h.call('GET', '/health', { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      const exposed = res.headers.get('access-control-expose-headers') ?? '';
      for (const name of [
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'Retry-After',
        'X-Request-ID',
      ]) {
        expect(exposed).toContain(name);
      }
      expect(res.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('caches a preflight of an allowed origin', async () => {
    const res = await preflight('https://app.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  const hostile = [
    ['suffix', 'https://app.example.com.evil.net'],
    ['prefix', 'https://evilapp.example.com'],
    ['null', 'null'],
    ['scheme change', 'http://app.example.com'],
    ['port change', 'https://app.example.com:8443'],
    ['pattern suffix', 'https://pr-1.preview.example.com.evil.net'],
    ['pattern prefix', 'https://evil.com/https://pr-1.preview.example.com'],
    ['pattern subdomain smuggling', 'https://a.b.preview.example.com'],
    ['case games', 'https://APP.example.com'],
    ['userinfo', 'https://app.example.com@evil.net'],
  ] as const;

  for (const [name, origin] of hostile) {
    it(`gives no CORS header at all to a hostile origin (${name})`, async () => {
      for (const res of [await h.call('GET', '/health', { headers: { origin } }), await preflight(origin)]) {
        for (const header of CORS_HEADERS)
          expect(res.headers.has(header), `${header} for ${origin}`).toBe(false);
      }
    });
  }
});
