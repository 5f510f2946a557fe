// Swagger UI at /docs in a real browser: "Authorize" with a username and password (the OAuth2 password flow
// against /api/v1/auth/login), then "Try it out" on a protected route answers 200. The page loads
// swagger-ui-dist from jsDelivr; this machine has no internet, so those requests are answered from the same
// pinned version installed as a devDependency: the page, its CSP and its script are the Worker's own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from './dev-server.ts';
import { openPage, screenshot } from './browser.ts';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('swagger-ui-dist/package.json'));
const { version } = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as { version: string };

let server: DevServer;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  server = await startDevServer();
  ({ browser, page, problems } = await openPage(1200));
  await page.route('https://cdn.jsdelivr.net/npm/**', async (route) => {
    const match = /\/swagger-ui-dist@([^/]+)\/([\w.-]+)$/.exec(route.request().url());
    if (!match || match[1] !== version) return route.abort();
    const type = match[2]!.endsWith('.css') ? 'text/css' : 'text/javascript';
    await route.fulfill({
      body: readFileSync(join(dist, match[2]!)),
      contentType: type,
      headers: { 'access-control-allow-origin': '*' },
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Swagger UI at /docs in Chromium', () => {
  it('pins the swagger-ui-dist version this test serves', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    expect(html).toContain(`swagger-ui-dist@${version}/swagger-ui-bundle.js`);
  });

  it('authorizes with a username and password, then "Try it out" on GET /auth/me answers 200', async () => {
    const id = Date.now().toString(36);
    const user = { email: `docs-${id}@example.com`, username: `docs_${id}`, password: 'Granite-Lantern-42' };
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    expect(registered.status).toBe(201);

    await page.goto(`${server.url}/docs`);
    await page.locator('.btn.authorize').first().click();
    const modal = page.locator('.dialog-ux .modal-ux');
    // The modal lists every scheme; the OAuth2 password one is the block with the username field.
    const oauth2 = modal.locator('.auth-container', { has: page.locator('#oauth_username') });
    await oauth2.locator('#oauth_username').fill(user.username);
    await oauth2.locator('#oauth_password').fill(user.password);
    const login = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await oauth2.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    expect((await login).status()).toBe(200);
    await expect.poll(() => modal.getByRole('button', { name: 'Remove authorization' }).count()).toBe(1);
    await screenshot(page, 'docs-01-authorized');
    await modal.locator('.btn-done, .close-modal').first().click();

    const operation = page.locator('[id="operations-auth-get_api_v1_auth_me"]');
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me'));
    await operation.locator('.execute').click();
    const answered = await me;
    expect(answered.status()).toBe(200);
    expect(await answered.json()).toMatchObject({ user: { username: user.username } });
    await expect
      .poll(() => operation.locator('.live-responses-table tbody .response-col_status').first().textContent())
      .toContain('200');
    await screenshot(page, 'docs-02-try-it-out');
  });

  it('ran without a CSP violation or a console error', () => {
    expect(problems).toEqual([]);
  });
});
