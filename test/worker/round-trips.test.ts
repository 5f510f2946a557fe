// Every request to Neon from a far edge location is a round trip to the database's region (100-200 ms from
// another continent): the flows below are held to a number of them, counted at the Neon stand-in for this
// file's own connection-string user (so other files running at the same time do not count).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeAt,
  enableTwoFactor,
  harness,
  newUser,
  randomIp,
  signUp,
  workerEnv,
  type Harness,
} from './harness.ts';
import { SoftAuthenticator } from './authenticator.ts';

const user = `trips_${crypto.randomUUID().slice(0, 8)}`;
const endpoint = workerEnv.NEON_FETCH_ENDPOINT!.replace(/\/sql$/, '');
let h: Harness;

beforeAll(async () => {
  const url = new URL(workerEnv.DATABASE_URL!);
  url.username = user;
  h = await harness({
    env: { DATABASE_URL: url.toString(), RATE_LIMIT_LOGIN: '1000/60', RATE_LIMIT_REGISTER: '1000/60' },
  });
});

/** The Neon HTTP requests `work` caused, its after-response work (audit rows, mails) included. */
async function trips(work: () => Promise<unknown>): Promise<number> {
  const count = async () =>
    (await (await fetch(`${endpoint}/__stand-in/requests?user=${user}`)).json<{ requests: number }>())
      .requests;
  await h.settle();
  const before = await count();
  await work();
  await h.settle();
  return (await count()) - before;
}

const login = (username: string, password: string) =>
  h.call('POST', '/api/v1/auth/login', { json: { username, password }, ip: randomIp() });

describe('database round trips per flow', () => {
  it('register: 1 (the account, its audit row and its verification token together; target <= 2)', async () => {
    const u = newUser();
    expect(await trips(() => h.call('POST', '/api/v1/auth/register', { json: u, ip: randomIp() }))).toBe(1);
  });

  it('a successful login: 2 (read the account and its lock; write the login, session, token, audit row)', async () => {
    const u = newUser();
    await signUp(h, u);
    expect(await trips(async () => expect((await login(u.username, u.password)).status).toBe(200))).toBe(2);
  });

  it('a failed login: 2, for a known account and for an unknown name alike', async () => {
    const u = newUser();
    await signUp(h, u);
    expect(await trips(async () => expect((await login(u.username, 'Wrong-Guess-1')).status).toBe(401))).toBe(
      2,
    );
    expect(
      await trips(async () => expect((await login(`nobody-${crypto.randomUUID()}`, 'x')).status).toBe(401)),
    ).toBe(2);
  });

  it('refresh: 2 (the rotation batch, its audit row); /auth/me: 1; /auth/session: none', async () => {
    const s = await signUp(h);
    expect(
      await trips(async () =>
        expect(
          (
            await h.call('POST', '/api/v1/auth/refresh', {
              json: { refresh_token: s.refresh_token },
              ip: randomIp(),
            })
          ).status,
        ).toBe(200),
      ),
    ).toBe(2);
    expect(await trips(() => h.call('GET', '/api/v1/auth/me', { token: s.access_token }))).toBe(1);
    expect(await trips(() => h.call('GET', '/api/v1/auth/session', { token: s.access_token }))).toBe(0);
  });

  it('a login with 2FA: 1 for the password step, 2 for the code step', async () => {
    const u = newUser();
    const { secret } = await enableTwoFactor(h, await signUp(h, u));
    let mfa = '';
    const first = await trips(async () => {
      mfa = (await (await login(u.username, u.password)).json<{ mfa_token: string }>()).mfa_token;
    });
    const second = await trips(async () => {
      const res = await h.call('POST', '/api/v1/auth/login/2fa', {
        json: { mfa_token: mfa, code: codeAt(secret, h.clock.now()) },
        ip: randomIp(),
      });
      expect(res.status).toBe(200);
    });
    expect(first).toBe(1);
    expect(second).toBe(2);
  });

  it('a passkey sign-in: none for the options, 2 for the verification (read the passkey and its account; write the login)', async () => {
    const s = await signUp(h);
    const authenticator = await SoftAuthenticator.create();
    const registerOptions = await h.call('POST', '/api/v1/passkeys/register/options', {
      token: s.access_token,
      json: {},
    });
    const registered = await h.call('POST', '/api/v1/passkeys/register/verify', {
      token: s.access_token,
      json: await authenticator.register(await registerOptions.json()),
    });
    expect(registered.status).toBe(201);
    let options = { challenge: '', challenge_id: '' };
    const first = await trips(async () => {
      options = await (
        await h.call('POST', '/api/v1/auth/passkey/options', { json: {}, ip: randomIp() })
      ).json();
    });
    const response = await authenticator.assert(options);
    const second = await trips(async () => {
      const res = await h.call('POST', '/api/v1/auth/passkey/verify', {
        json: { challenge_id: options.challenge_id, ...response },
        ip: randomIp(),
      });
      expect(res.status).toBe(200);
    });
    expect(first).toBe(0);
    expect(second).toBe(2);
  });
});
