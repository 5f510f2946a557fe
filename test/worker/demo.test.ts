// GET /demo: the demo SPA is served only where it is meant to be, under a policy that admits no inline script.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { harness, workerEnv, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const productionEnv = {
  ...workerEnv,
  ENVIRONMENT: 'production',
  NEON_FETCH_ENDPOINT: undefined,
  PUBLIC_URL: 'https://auth.example.com',
  MAIL_TRANSPORT: 'http',
  MAIL_HTTP_URL: 'https://mail.example.com/send',
  MAIL_HTTP_API_KEY: 'mail-key',
};

describe('the demo page', () => {
  it('serves the page, its script and its style, each under the demo policy', async () => {
    const page = await h.call('GET', '/demo');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/demo/app.js"></script>');
    // Every script element has a src: nothing inline for a CSP to have to allow.
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => tag.includes(' src='))).toBe(true);

    const script = await h.call('GET', '/demo/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('/api/v1');
    const style = await h.call('GET', '/demo/app.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // Where mail links land in development (PUBLIC_URL=<origin>/demo): the same page, which finishes the job.
    const links = await Promise.all(
      ['/demo/reset-password?token=x', '/demo/verify-email?token=x'].map((path) => h.call('GET', path)),
    );
    for (const link of links) expect(await link.text()).toBe(html);

    for (const res of [page, script, style, ...links]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('is off in production unless DEMO_ENABLED=true', async () => {
    expect(loadConfig(productionEnv).demoEnabled).toBe(false);
    expect(loadConfig({ ...productionEnv, DEMO_ENABLED: 'true' }).demoEnabled).toBe(true);
    expect(loadConfig({ ...workerEnv, DEMO_ENABLED: 'false' }).demoEnabled).toBe(false);
    expect(() => loadConfig({ ...productionEnv, DEMO_ENABLED: 'yes' })).toThrow(/DEMO_ENABLED/);

    const off = createApp({ ...h.deps, config: { ...h.deps.config, demoEnabled: false } });
    for (const path of ['/demo', '/demo/app.js', '/demo/reset-password']) {
      const res = await off.request(path, {}, workerEnv);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('not_found');
    }
  });
});
