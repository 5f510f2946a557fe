// Email sign-in (API.md "Email sign-in"): a link and a 6-digit code. Threats: enumeration through the answer,
// brute force of the code, a code or link used twice (also at once), an old mail after a new start, an
// expired mail (frozen clock), a link to a foreign origin, sign-up where it is off.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  type Harness,
} from './harness.ts';

let h: Harness;
let open: Harness;
beforeAll(async () => {
  const env = { RATE_LIMIT_LOGIN: '1000/60', RATE_LIMIT_PASSWORD_RESET: '1000/60' };
  h = await harness({ env });
  open = await harness({ env: { ...env, EMAIL_SIGNUP: 'true' } });
});

const start = (app: Harness, body: Record<string, unknown>) =>
  app.call('POST', '/api/v1/auth/email/start', { json: body, ip: randomIp() });
const verify = (app: Harness, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.call('POST', '/api/v1/auth/email/verify', { json: body, headers, ip: randomIp() });

/** The code and the link's token of the newest sign-in mail to `to`. */
async function mailTo(app: Harness, to: string) {
  const [mail] = await app.outbox(to);
  if (!mail) throw new Error(`no mail to ${to}`);
  const code = /code: (\d{6})/.exec(mail.text)?.[1];
  const link = /^(http\S+token=([A-Za-z0-9_-]{43}))$/m.exec(mail.text);
  if (!code || !link) throw new Error('no code or link in the mail');
  return { code, link: link[1]!, token: link[2]!, subject: mail.subject };
}

describe('email sign-in', () => {
  it('answers the same for an account and for an address without one, and mails only the account', async () => {
    const s = await signUp(h);
    const stranger = `nobody-${crypto.randomUUID()}@example.com`;
    const [known, unknown] = [await start(h, { email: s.user.email }), await start(h, { email: stranger })];
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await known.json()).toEqual(await unknown.json());
    const mail = await mailTo(h, s.user.email);
    expect(mail.link).toBe(`http://localhost:8787/sign-in?token=${mail.token}`);
    expect(await h.outbox(stranger)).toEqual([]);
  });

  it('signs in with the code: amr email, the address marked verified, single use', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { code } = await mailTo(h, s.user.email);
    const res = await verify(h, { email: s.user.email.toUpperCase(), code });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; user: { is_verified: boolean } };
    expect(body.user.is_verified).toBe(true);
    const session = await h.call('GET', '/api/v1/auth/session', { token: body.access_token });
    expect(await session.json()).toMatchObject({ user_id: s.user.id, amr: ['email'] });
    const again = await verify(h, { email: s.user.email, code });
    expect(again.status).toBe(400);
    expect((await problemOf(again)).code).toBe('invalid_code');
  });

  it('signs in with the link token once; the code of the same mail dies with it', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { code, token } = await mailTo(h, s.user.email);
    expect((await verify(h, { token })).status).toBe(200);
    expect((await problemOf(await verify(h, { token }))).code).toBe('invalid_code');
    expect((await problemOf(await verify(h, { email: s.user.email, code }))).code).toBe('invalid_code');
  });

  it('threat: one code used five times at once -> exactly one sign-in', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { code } = await mailTo(h, s.user.email);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => verify(h, { email: s.user.email, code })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
  });

  it('threat: guessing the code -> after 5 wrong tries even the right code is refused', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { code } = await mailTo(h, s.user.email);
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555'].filter((c) => c !== code);
    // Concurrent guesses cannot get a sixth try between them.
    await Promise.all(wrong.slice(0, 5).map((guess) => verify(h, { email: s.user.email, code: guess })));
    const res = await verify(h, { email: s.user.email, code });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('invalid_code');
  });

  it('threat: a mail of an earlier start -> retired by the new one; a mail older than 10 minutes -> refused', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const first = await mailTo(h, s.user.email);
    await start(h, { email: s.user.email });
    const second = await mailTo(h, s.user.email);
    expect((await problemOf(await verify(h, { token: first.token }))).code).toBe('invalid_code');
    expect((await problemOf(await verify(h, { email: s.user.email, code: first.code }))).code).toBe(
      'invalid_code',
    );
    h.clock.advance(601);
    expect((await problemOf(await verify(h, { token: second.token }))).code).toBe('invalid_code');
  });

  it('threat: a link to a foreign origin -> 422, nothing mailed; an allowed redirect_to carries the token', async () => {
    const s = await signUp(h);
    for (const redirect_to of [
      'https://evil.example/sign-in',
      'https://app.example.com.evil.net/x',
      'javascript:alert(1)',
    ]) {
      const res = await start(h, { email: s.user.email, redirect_to });
      expect(res.status).toBe(422);
      expect((await problemOf(res)).code).toBe('validation_failed');
    }
    const signInMails = async () =>
      (await h.outbox(s.user.email)).filter((m) => m.subject.startsWith('Your sign-in code'));
    expect(await signInMails()).toEqual([]);
    await start(h, { email: s.user.email, redirect_to: 'https://app.example.com/auth/email?from=mail' });
    const { link, token } = await mailTo(h, s.user.email);
    expect(link).toBe(`https://app.example.com/auth/email?from=mail&token=${token}`);
  });

  it('does not create accounts when EMAIL_SIGNUP is off: invalid_code, as for a wrong code', async () => {
    const email = `new-${crypto.randomUUID()}@example.com`;
    await start(h, { email });
    expect(await h.outbox(email)).toEqual([]);
    const res = await verify(h, { email, code: '123456' });
    expect((await problemOf(res)).code).toBe('invalid_code');
  });

  it('creates a verified account without a password when EMAIL_SIGNUP=true', async () => {
    const email = `Sign.Up+${crypto.randomUUID().slice(0, 8)}@Example.com`;
    await start(open, { email });
    const { code } = await mailTo(open, email);
    const res = await verify(open, { email, code });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as {
      user: { email: string; username: string; is_verified: boolean };
    };
    expect(user).toMatchObject({ email, is_verified: true });
    expect(user.username).toMatch(/^Sign\.Up[A-Za-z0-9._-]*_[a-z0-9]{6}$/);
    const login = await open.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: 'anything-at-all-1' },
      ip: randomIp(),
    });
    expect((await problemOf(login)).code).toBe('invalid_credentials');
  });

  it('asks an account with 2FA for its second factor (amr email + otp)', async () => {
    const s = await signUp(h);
    const { secret } = await enableTwoFactor(h, s);
    await start(h, { email: s.user.email });
    const { code } = await mailTo(h, s.user.email);
    const first = await verify(h, { email: s.user.email, code });
    const challenge = (await first.json()) as { requires_2fa: boolean; mfa_token: string };
    expect(challenge.requires_2fa).toBe(true);
    const second = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: challenge.mfa_token, code: codeAt(secret, h.clock.now()) },
      ip: randomIp(),
    });
    expect(second.status).toBe(200);
    const { access_token } = (await second.json()) as { access_token: string };
    const session = await h.call('GET', '/api/v1/auth/session', { token: access_token });
    expect(await session.json()).toMatchObject({ amr: ['email', 'otp'] });
  });

  it("answers a deactivated account's code with 403 account_inactive", async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { code } = await mailTo(h, s.user.email);
    await h.deps.db.adminUsers.setActive(s.user.id, false, h.clock.now());
    const res = await verify(h, { email: s.user.email, code });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('account_inactive');
  });

  it('limits starts to 5 an hour per address, whatever the client address', async () => {
    const email = newUser().email;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await start(h, { email })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('takes X-Session-Mode: cookie like a password login', async () => {
    const s = await signUp(h);
    await start(h, { email: s.user.email });
    const { token } = await mailTo(h, s.user.email);
    const res = await verify(h, { token }, { 'x-session-mode': 'cookie' });
    expect(((await res.json()) as { refresh_token_in: string }).refresh_token_in).toBe('cookie');
    expect(res.headers.get('set-cookie')).toMatch(/__Host-portcullis_rt=/);
  });
});
