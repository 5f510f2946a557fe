// Email sign-in on the demo page in Chromium against `npm run dev`: a code typed into the page, and the link
// of a mail opened (the page, not the GET, spends it: it POSTs the token). The mails are read from the dev
// outbox, as a person would read them. No console error, no CSP violation.
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

const status = () => page.locator('#status').textContent();
const message = () => page.locator('#message').textContent();

const submit = (formId: string, values: Record<string, string>) => submitForm(page, formId, values);

/** The newest sign-in mail to `email`, once it has arrived. */
async function signInMail(email: string, after = 0): Promise<{ code: string; link: URL }> {
  let text = '';
  await expect
    .poll(async () => {
      const res = await fetch(`${server.url}/dev/outbox?to=${encodeURIComponent(email)}`);
      const mails = (await res.json()) as { subject: string; text: string }[];
      const signIns = mails.filter((m) => m.subject.startsWith('Your sign-in code'));
      text = signIns.length > after ? (signIns[0]?.text ?? '') : '';
      return text;
    })
    .not.toBe('');
  const code = /code: (\d{6})/.exec(text)?.[1] ?? '';
  const link = new URL(/^https?:\/\/\S+token=[\w-]+$/m.exec(text)?.[0] ?? 'http://no-link-in-the-mail');
  return { code, link };
}

describe('email sign-in on the demo page in Chromium', () => {
  const id = Date.now().toString(36);
  const user = { email: `mail-${id}@example.com`, username: `mail_${id}`, password: 'Granite-Lantern-42' };

  it('signs in with the code from the mail', async () => {
    await page.goto(`${server.url}/demo`);
    await submit('register-form', user);
    await expect.poll(message).toContain('Account created');
    await submit('email-start-form', { email: user.email });
    await expect.poll(message).toContain('a link and a code are in the dev outbox');
    const { code } = await signInMail(user.email);
    await submit('email-code-form', { code });
    await expect.poll(message).toBe(`Welcome, ${user.username} (email).`);
    expect(await status()).toBe(`Signed in as ${user.username}`);
    expect(JSON.parse((await page.locator('#me').textContent()) ?? '{}')).toMatchObject({
      is_verified: true,
    });
    await screenshot(page, 'email-01-signed-in-by-code');
    await page.locator('#logout').click();
    await expect.poll(status).toBe('Signed out');
  });

  it('signs in by opening the link: a GET of it spends nothing, the page POSTs the token', async () => {
    await submit('email-start-form', { email: user.email });
    await expect.poll(message).toContain('a link and a code are in the dev outbox');
    const { link } = await signInMail(user.email, 1);
    expect(link.pathname).toBe('/demo/sign-in');
    const local = `${server.url}${link.pathname}${link.search}`;
    // What a link-preview bot does: fetch the page. The link still works afterwards.
    expect((await fetch(local)).status).toBe(200);
    await page.goto(local);
    await expect.poll(message).toBe(`Welcome, ${user.username} (email).`);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar
    await page.locator('#logout').click();
    await expect.poll(status).toBe('Signed out');
    // A second visit of the same link: used up.
    await page.goto(local);
    await expect.poll(message).toContain('invalid_code');
  });

  it('ran without a CSP violation or a console error (the used link aside)', () => {
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });
});
