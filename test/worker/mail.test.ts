// The production mail transport (MAIL_TRANSPORT=http) against a mail provider on loopback: what it sends, and
// what a provider outage does (nothing the caller sees; a log line without secrets).
import { describe, expect, it } from 'vitest';
import type { ReceivedMail } from '../provided.ts';
import { harness, newUser, randomIp, recordingLogger, tokenFromMail, workerEnv } from './harness.ts';

const provider = workerEnv.TEST_MAIL_PROVIDER_URL!;
const API_KEY = 'mail-provider-key-7f3a9c';

const httpMail = (path: string) => ({
  MAIL_TRANSPORT: 'http',
  MAIL_HTTP_URL: `${provider}${path}`,
  MAIL_HTTP_API_KEY: API_KEY,
  MAIL_FROM: 'Example Auth <auth@example.com>',
});

async function receivedBy(to: string): Promise<ReceivedMail[]> {
  return (await (await fetch(`${provider}/received?to=${encodeURIComponent(to)}`)).json()) as ReceivedMail[];
}

describe('the HTTP mail transport', () => {
  it("POSTs each mail as JSON with the provider's bearer key, and its links work", async () => {
    const h = await harness({ env: httpMail('/send') });
    const user = newUser();
    expect((await h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() })).status).toBe(201);
    await h.settle();

    const [verification] = await receivedBy(user.email);
    expect(verification).toMatchObject({
      authorization: `Bearer ${API_KEY}`,
      contentType: 'application/json',
      body: { from: 'Example Auth <auth@example.com>', to: user.email, subject: expect.any(String) },
    });
    expect(Object.keys(verification!.body).sort()).toEqual(['from', 'subject', 'text', 'to']);
    expect(verification!.body.text).toContain(`${workerEnv.PUBLIC_URL}/verify-email?token=`);
    const confirmed = await h.call('POST', '/api/v1/auth/verify-email/confirm', {
      json: { token: tokenFromMail({ text: verification!.body.text! }) },
    });
    expect(confirmed.status).toBe(200);

    expect(
      (await h.call('POST', '/api/v1/auth/reset-password/request', { json: { email: user.email } })).status,
    ).toBe(202);
    await h.settle();
    const [reset] = await receivedBy(user.email);
    expect(reset!.body.text).toContain(`${workerEnv.PUBLIC_URL}/reset-password?token=`);
    const done = await h.call('POST', '/api/v1/auth/reset-password/confirm', {
      json: { token: tokenFromMail({ text: reset!.body.text! }), new_password: 'Basalt-Harbour-77' },
    });
    expect(done.status).toBe(200);
    // The development outbox is for the log transport only: nothing is kept there as well.
    expect(await h.outbox(user.email)).toEqual([]);
  });

  it('a provider outage fails no request and logs the failure with the request id, without the key or a token', async () => {
    const { logger, lines } = recordingLogger();
    const h = await harness({ env: httpMail('/failing/send'), deps: { logger } });
    const user = newUser();
    const registered = await h.call('POST', '/api/v1/auth/register', {
      json: user,
      ip: randomIp(),
      headers: { 'x-request-id': 'register-1' },
    });
    expect(registered.status).toBe(201);
    const reset = await h.call('POST', '/api/v1/auth/reset-password/request', {
      json: { email: user.email },
      headers: { 'x-request-id': 'reset-1' },
    });
    expect(reset.status).toBe(202);
    await h.settle();

    const failures = lines.filter((l) => l.level === 'error');
    expect(failures.map((l) => [l.event, l.fields.request_id])).toEqual([
      ['verification_mail_failed', 'register-1'],
      ['password_reset_request_failed', 'reset-1'],
    ]);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(API_KEY);
    expect(logged).not.toContain(user.password);
    expect(logged).not.toMatch(/[A-Za-z0-9_-]{43}/); // no one-time token
  });
});
