// The demo SPA in a real browser (Debian's Chromium, driven by playwright-core) against `npm run dev`: register,
// log in, a second session revoked from the list, 2FA enrolled by scanning the QR code the page renders, an API
// key created and used, log out, log in again with a TOTP code, log out. Any CSP violation or console error
// fails the test. Screenshots land in test/e2e/screenshots/ (git-ignored, kept by CI as artefacts).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import jsQR from 'jsqr';
import { Secret, TOTP, URI } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot, submitForm } from './browser.ts';
import { startDevServer, type DevServer } from './dev-server.ts';

let server: DevServer;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  server = await startDevServer();
  ({ browser, page, problems } = await openPage(1000));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (name: string) => screenshot(page, name);
const message = () => page.locator('#message');

const submit = (formId: string, values: Record<string, string>) => submitForm(page, formId, values);

/** What a phone does: read the QR code off the screen. The rendered image is drawn onto a canvas in the page
 * and its pixels decoded here with a real QR decoder. */
async function scanQr(): Promise<string> {
  const { width, height, data } = await page.locator('#qr').evaluate((img: HTMLImageElement) => {
    const size = 400;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, size, size);
    context.drawImage(img, 0, 0, size, size);
    return { width: size, height: size, data: Array.from(context.getImageData(0, 0, size, size).data) };
  });
  const decoded = jsQR(new Uint8ClampedArray(data), width, height);
  if (!decoded) throw new Error('the QR code on the page did not decode');
  return decoded.data;
}

describe('the demo page in Chromium', () => {
  const id = Date.now().toString(36);
  const user = { email: `e2e-${id}@example.com`, username: `e2e_${id}`, password: 'Granite-Lantern-42' };
  let totp: TOTP;

  it('registers and logs in', async () => {
    await page.goto(`${server.url}/demo`);
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    await shot('01-signed-out');
    await submit('register-form', user);
    await expect.poll(() => message().textContent()).toContain('Account created');
    await submit('login-form', { username: user.username, password: user.password });
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${user.username}`);
    expect(JSON.parse((await page.locator('#me').textContent()) ?? '{}')).toMatchObject({
      email: user.email,
      two_factor_enabled: false,
    });
    await shot('02-signed-in');
  });

  it('threat: XSS reads the refresh token -> the page holds none; it is in an HttpOnly __Host- cookie', async () => {
    expect(await page.evaluate(() => document.cookie)).not.toContain('portcullis_rt');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    expect(stored).not.toContain('refresh_token');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === '__Host-portcullis_rt')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
    });
  });

  it('threat: an access token copied out of the page is refused with another DPoP key, and as Bearer', async () => {
    const token = await page.evaluate(
      () =>
        (JSON.parse(sessionStorage.getItem('portcullis.tokens') ?? '{}') as { access_token?: string })
          .access_token,
    );
    expect(token).toEqual(expect.any(String));
    const url = `${server.url}/api/v1/auth/session`;
    const asBearer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(asBearer.status).toBe(401);
    expect(((await asBearer.json()) as { code: string }).code).toBe('invalid_token');
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const ath = createHash('sha256').update(token!).digest('base64url');
    const proof = await new SignJWT({
      htm: 'GET',
      htu: url,
      jti: crypto.randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      ath,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const withThiefKey = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(withThiefKey.status).toBe(401);
    expect(((await withThiefKey.json()) as { code: string }).code).toBe('invalid_token');
  });

  it('threat: a cross-site form posts to /auth/refresh -> nothing is refreshed, the cookie is unchanged', async () => {
    const refreshUrl = `${server.url}/api/v1/auth/refresh`;
    const before = (await page.context().cookies()).find((c) => c.name === '__Host-portcullis_rt')?.value;
    expect(before).toEqual(expect.any(String));
    // Another site (127.0.0.1 is not the same site as localhost), serving a page that submits a form to us.
    const attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form id="f" method="POST" action="${refreshUrl}"><input name="refresh_token" value="x"></form>` +
          '<script>document.getElementById("f").submit()</script>',
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const { port } = attacker.address() as AddressInfo;
    // The victim's own tab goes to the other site (what a link in a mail would do), then comes back.
    const ours = problems.length;
    try {
      const answered = page.waitForResponse((res) => res.url() === refreshUrl);
      await page.goto(`http://127.0.0.1:${port}/`);
      const res = await answered;
      expect(res.status()).not.toBe(200);
      expect(await res.headerValue('set-cookie')).toBeNull();
    } finally {
      attacker.close();
      // What the other site's page logged is not the demo's.
      problems.splice(ours);
    }
    await page.goto(`${server.url}/demo`);
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${user.username}`);
    const after = (await page.context().cookies()).find((c) => c.name === '__Host-portcullis_rt')?.value;
    expect(after).toBe(before);
  });

  it('lists sessions and revokes another one', async () => {
    // A second device signs in behind the page's back.
    const other = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.email, password: user.password }),
    });
    expect(other.status).toBe(200);
    const { access_token: otherToken } = (await other.json()) as { access_token: string };
    await page.reload();
    const rows = page.locator('#sessions tr');
    await expect.poll(() => rows.count()).toBe(2);
    await shot('03-two-sessions');
    await rows
      .filter({ hasText: /^((?!this one).)*$/s })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await expect.poll(() => message().textContent()).toBe('Session revoked.');
    await expect.poll(() => rows.count()).toBe(1);
    const dead = await fetch(`${server.url}/api/v1/auth/session`, {
      headers: { authorization: `Bearer ${otherToken}` },
    });
    expect(dead.status).toBe(401);
    expect(((await dead.json()) as { code: string }).code).toBe('token_revoked');
  });

  it('enrols 2FA by scanning the QR code the page shows', async () => {
    await page.getByRole('button', { name: 'Enable 2FA' }).click();
    await expect.poll(() => page.locator('#totp-secret').textContent()).toMatch(/^[A-Z2-7]{32,}$/);
    await expect.poll(() => page.locator('#backup-codes li').count()).toBe(10);
    await shot('04-enrolment');
    const scanned = URI.parse(await scanQr());
    if (!(scanned instanceof TOTP)) throw new Error('the QR code is not a TOTP URI');
    const shown = (await page.locator('#totp-secret').textContent()) ?? '';
    expect(scanned.secret.base32).toBe(shown);
    expect(scanned.label).toBe(user.email);
    totp = new TOTP({ secret: Secret.fromBase32(scanned.secret.base32), algorithm: 'SHA1' });
    await submit('verify-2fa-form', { code: totp.generate() });
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toBe('2FA is on.');
  });

  it('creates an API key that works, shown once', async () => {
    await submit('api-key-form', { name: 'e2e key' });
    await expect
      .poll(() => page.locator('#new-key-value').textContent())
      .toMatch(/^pk_test_[0-9A-Za-z]{49}$/);
    const key = (await page.locator('#new-key-value').textContent()) ?? '';
    await expect.poll(() => page.locator('#api-keys li').count()).toBe(1);
    expect(await page.locator('#api-keys').textContent()).not.toContain(key);
    await shot('05-api-key');
    const me = await fetch(`${server.url}/api/v1/auth/me`, { headers: { 'x-api-key': key } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { username: user.username }, auth: { method: 'api_key' } });
  });

  it('logs out, then back in with a TOTP code, then out again', async () => {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    // Logout cleared the refresh cookie.
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('__Host-portcullis_rt');
    await submit('login-form', { username: user.username, password: user.password });
    await expect.poll(() => page.locator('#login-2fa-form').isVisible()).toBe(true);
    await shot('06-second-step');
    // The enrolment spent this window's code (replays are refused): use the next one, within the ±1 step.
    await submit('login-2fa-form', { code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${user.username}`);
    expect(await page.locator('#two-factor-state').textContent()).toBe('2FA is on.');
    await shot('07-signed-in-with-2fa');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    await shot('08-signed-out');
  });

  it('finishes a verification and a password reset from the links in the mails', async () => {
    const other = {
      email: `e2e-mail-${id}@example.com`,
      username: `e2e_mail_${id}`,
      password: user.password,
    };
    await submit('register-form', other);
    await expect.poll(() => message().textContent()).toContain('Account created');
    // The link as mailed, on this test server's origin (`npm run dev` points PUBLIC_URL at <origin>/demo).
    const linkIn = async (subject: string) => {
      let text = '';
      await expect
        .poll(async () => {
          const res = await fetch(`${server.url}/dev/outbox?to=${encodeURIComponent(other.email)}`);
          const mails = (await res.json()) as { subject: string; text: string }[];
          text = mails.find((m) => m.subject === subject)?.text ?? '';
          return text;
        })
        .not.toBe('');
      const link = new URL(/https?:\/\/\S+\?token=[\w-]+/.exec(text)?.[0] ?? 'http://no-link-in-the-mail');
      expect(link.pathname).toMatch(/^\/demo\/(verify-email|reset-password)$/);
      return `${server.url}${link.pathname}${link.search}`;
    };
    await page.goto(await linkIn('Confirm your email address'));
    await expect.poll(() => message().textContent()).toBe(`Email ${other.email} verified.`);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar

    await submit('forgot-form', { email: other.email });
    await expect.poll(() => message().textContent()).toContain('a reset link is in the dev outbox');
    await page.goto(await linkIn('Reset your password'));
    await expect.poll(() => page.locator('#reset-form').isVisible()).toBe(true);
    expect(new URL(page.url()).search).toBe('');
    await shot('09-reset-form');
    const newPassword = 'Basalt-Harbour-Lantern-7';
    await submit('reset-form', { new_password: newPassword });
    await expect.poll(() => message().textContent()).toBe('Password changed. Log in with the new one.');
    await submit('login-form', { username: other.username, password: newPassword });
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${other.username}`);
    expect(JSON.parse((await page.locator('#me').textContent()) ?? '{}')).toMatchObject({
      is_verified: true,
    });
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
  });

  it('ran without a CSP violation or a console error', () => {
    expect(problems).toEqual([]);
  });
});
