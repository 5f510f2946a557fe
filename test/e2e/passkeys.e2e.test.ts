// Passkeys in a real browser: Chromium's own WebAuthn stack with a virtual authenticator (the DevTools
// protocol's WebAuthn domain: a CTAP2 platform authenticator with resident keys and user verification),
// against `npm run dev` through the demo page. The page is opened at http://localhost (the dev RP ID): an IP
// address cannot be a relying party. Registers a passkey, logs out, signs in with it by the button and by
// conditional UI (the username field's autofill), renames and removes it; no console error, no CSP violation.
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot, submitForm } from './browser.ts';
import { startDevServer, type DevServer } from './dev-server.ts';

let server: DevServer;
let browser: Browser;
let page: Page;
let problems: string[];
let cdp: CDPSession;
let authenticatorId: string;
let origin: string;

beforeAll(async () => {
  server = await startDevServer();
  origin = server.url.replace('127.0.0.1', 'localhost');
  ({ browser, page, problems } = await openPage(1000));
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const status = () => page.locator('#status').textContent();
const message = () => page.locator('#message').textContent();
const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

const submit = (formId: string, values: Record<string, string>) => submitForm(page, formId, values);

describe('passkeys on the demo page in Chromium', () => {
  const id = Date.now().toString(36);
  const user = { email: `pk-${id}@example.com`, username: `pk_${id}`, password: 'Granite-Lantern-42' };

  it('serves the page with WebAuthn allowed for itself only', async () => {
    const res = await page.goto(`${origin}/demo`);
    const policy = res?.headers()['permissions-policy'] ?? '';
    expect(policy).toContain('publickey-credentials-get=(self)');
    expect(policy).toContain('publickey-credentials-create=(self)');
    expect(policy).toContain('camera=()');
    await expect.poll(status).toBe('Signed out');
  });

  it('registers a passkey for a signed-in account: a resident, user-verified credential', async () => {
    await submit('register-form', user);
    await expect.poll(message).toContain('Account created');
    await submit('login-form', { username: user.username, password: user.password });
    await expect.poll(status).toBe(`Signed in as ${user.username}`);
    await submit('passkey-form', { name: 'e2e laptop' });
    await expect.poll(message).toBe('Passkey "e2e laptop" added.');
    await expect.poll(() => page.locator('#passkeys li').first().textContent()).toContain('e2e laptop');
    const [credential, ...more] = await credentials();
    expect(more).toEqual([]);
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    await screenshot(page, 'passkeys-01-registered');
  });

  it('signs in by conditional UI: the signed-out page offers the passkey in the username field', async () => {
    expect(await page.locator('#login-form [name="username"]').getAttribute('autocomplete')).toBe(
      'username webauthn',
    );
    // Signed out, the page asks for a conditional credential at once; Chromium's virtual authenticator answers
    // it as a user picking the passkey from the autofill would.
    await page.locator('#logout').click();
    await expect.poll(message).toBe(`Welcome, ${user.username} (passkey).`);
    expect(await status()).toBe(`Signed in as ${user.username}`);
    expect((await credentials())[0]?.signCount).toBeGreaterThan(0);
    await screenshot(page, 'passkeys-02-conditional');
  });

  it('signs in with the passkey by the button, with no username or password typed', async () => {
    // Taken off the authenticator while signing out, so the pending conditional request has nothing to
    // offer; back before the click, which aborts that request and asks in a dialog instead.
    const [credential] = await credentials();
    if (!credential) throw new Error('no credential on the authenticator');
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
    const offered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/passkey/options'));
    await page.locator('#logout').click();
    await expect.poll(message).toBe('Logged out.');
    expect(await status()).toBe('Signed out');
    // The conditional request goes to the authenticator right after its options arrive; the credential must
    // come back only after that, or the pending request would take it.
    await offered;
    await page.waitForTimeout(300);
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    await page.locator('#passkey-sign-in').click();
    await expect.poll(message).toBe(`Welcome, ${user.username} (passkey).`);
    expect(await status()).toBe(`Signed in as ${user.username}`);
  });

  it('renames and removes the passkey; it no longer signs in', async () => {
    page.once('dialog', (dialog) => void dialog.accept('work laptop'));
    await page.locator('#passkeys li button', { hasText: 'Rename' }).click();
    await expect.poll(() => page.locator('#passkeys li').first().textContent()).toContain('work laptop');
    await page.locator('#passkeys li button', { hasText: 'Remove' }).click();
    await expect.poll(message).toBe('Passkey removed.');
    await expect.poll(() => page.locator('#passkeys').textContent()).toBe('None yet.');
    // The authenticator still holds its key and offers it; the server has forgotten it and refuses.
    await page.locator('#logout').click();
    await expect.poll(message).toContain('invalid_credentials');
    expect(await status()).toBe('Signed out');
  });

  it('ran without a CSP violation or a console error (the refused sign-in aside)', () => {
    const unexpected = problems.filter((p) => !/status of 401/.test(p));
    expect(unexpected).toEqual([]);
  });
});
