// Passkeys (API.md "Passkeys"), driven by a software authenticator (./authenticator.ts) inside workerd.
// Threats: a response for another origin or RP, without user verification, answering a used or expired
// challenge, a cloned authenticator (counter regression), another user's credential or challenge, a
// deactivated or locked account, and enumeration through the answers.
import { neon } from '@neondatabase/serverless';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAGS, SoftAuthenticator } from './authenticator.ts';
import {
  enableTwoFactor,
  harness,
  newUser,
  problemOf,
  randomIp,
  signUp,
  storeRequests,
  workerEnv,
  type Harness,
  type Session,
} from './harness.ts';

let h: Harness;
// Straight to the test database, for a state no route makes yet (an account without a password).
let sql: ReturnType<typeof neon>;
beforeAll(async () => {
  h = await harness({ env: { RATE_LIMIT_LOGIN: '1000/60', RATE_LIMIT_API: '1000/60' } });
  sql = neon(workerEnv.DATABASE_URL!);
});

type Json = Record<string, unknown>;

async function registrationOptions(s: Session, body: Json = {}) {
  const res = await h.call('POST', '/api/v1/passkeys/register/options', {
    token: s.access_token,
    json: body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    challenge: string;
    rp: { id: string; name: string };
    user: { id: string; name: string; displayName: string };
    excludeCredentials: { id: string }[];
    authenticatorSelection: Json;
    pubKeyCredParams: { alg: number }[];
  };
}

const verifyRegistration = (s: Session, response: unknown) =>
  h.call('POST', '/api/v1/passkeys/register/verify', { token: s.access_token, json: response });

/** A signed-in user with a registered passkey. */
async function withPasskey(options: { alg?: 'ES256' | 'Ed25519'; synced?: boolean } = {}) {
  const s = await signUp(h);
  const authenticator = await SoftAuthenticator.create(options);
  const res = await verifyRegistration(
    s,
    await authenticator.register(await registrationOptions(s, { name: 'Laptop' })),
  );
  if (res.status !== 201) throw new Error(await res.text());
  const { passkey } = (await res.json()) as { passkey: { id: string; name: string } };
  return { s, authenticator, passkey };
}

async function signInOptions(body: Json = {}) {
  const res = await h.call('POST', '/api/v1/auth/passkey/options', { json: body, ip: randomIp() });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    challenge: string;
    challenge_id: string;
    rpId: string;
    userVerification: string;
    allowCredentials: { id: string }[];
  };
}

const verifySignIn = (challengeId: string, response: unknown, headers: Record<string, string> = {}) =>
  h.call('POST', '/api/v1/auth/passkey/verify', {
    json: { challenge_id: challengeId, ...(response as Json) },
    headers,
    ip: randomIp(),
  });

async function signInWith(authenticator: SoftAuthenticator, tweaks = {}) {
  const options = await signInOptions();
  return verifySignIn(options.challenge_id, await authenticator.assert(options, tweaks));
}

describe('registering a passkey', () => {
  it('hands out options that require a resident key and user verification, for this RP', async () => {
    const s = await signUp(h);
    const options = await registrationOptions(s);
    expect(options.rp).toEqual({ id: 'localhost', name: 'Portcullis' });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.user.name).toBe(s.user.email);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    expect(options.excludeCredentials).toEqual([]);
  });

  for (const alg of ['ES256', 'Ed25519'] as const) {
    it(`registers an ${alg} passkey, lists it, and excludes it from the next options`, async () => {
      const { s, authenticator, passkey } = await withPasskey({ alg });
      expect(passkey).toMatchObject({
        name: 'Laptop',
        backed_up: false,
        device_type: 'singleDevice',
        last_used_at: null,
      });
      const list = await h.call('GET', '/api/v1/passkeys', { token: s.access_token });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual([
        expect.objectContaining({ id: passkey.id, name: 'Laptop', transports: ['internal'] }),
      ]);
      const again = await registrationOptions(s);
      expect(again.excludeCredentials.map((c) => c.id)).toEqual([authenticator.credentialId]);
      const [event] = await h.auditEvents(s.user.id, 'passkey_registered');
      expect(event?.detail).toMatchObject({ device_type: 'singleDevice', backed_up: false });
    });
  }

  it('refuses the same authenticator twice (409), and a response answered already (challenge_expired)', async () => {
    const { s, authenticator } = await withPasskey();
    const twice = await verifyRegistration(s, await authenticator.register(await registrationOptions(s)));
    expect(twice.status).toBe(409);
    const other = await SoftAuthenticator.create();
    const response = await other.register(await registrationOptions(s));
    expect((await verifyRegistration(s, response)).status).toBe(201);
    const replayed = await verifyRegistration(s, response);
    expect(replayed.status).toBe(400);
    expect((await problemOf(replayed)).code).toBe('challenge_expired');
  });

  const hostile: [string, Json][] = [
    ['no user verification', { flags: FLAGS.UP }],
    ['no user presence', { flags: FLAGS.UV }],
    ['another origin', { origin: 'https://evil.example' }],
    ['a lookalike origin', { origin: 'http://localhost:8787.evil.example' }],
    ['another RP ID hash', { rpId: 'evil.example' }],
    ['the wrong ceremony type', { type: 'webauthn.get' }],
  ];
  for (const [threat, tweaks] of hostile) {
    it(`refuses a registration with ${threat} (400 passkey_verification_failed), storing nothing`, async () => {
      const s = await signUp(h);
      const authenticator = await SoftAuthenticator.create();
      const res = await verifyRegistration(
        s,
        await authenticator.register(await registrationOptions(s), tweaks),
      );
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe('passkey_verification_failed');
      expect(await (await h.call('GET', '/api/v1/passkeys', { token: s.access_token })).json()).toEqual([]);
    });
  }

  it("refuses a response to another user's challenge", async () => {
    const victim = await signUp(h);
    const attacker = await signUp(h);
    const authenticator = await SoftAuthenticator.create();
    const response = await authenticator.register(await registrationOptions(victim));
    const res = await verifyRegistration(attacker, response);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('passkey_verification_failed');
  });

  it('refuses a challenge older than five minutes (frozen clock): challenge_expired', async () => {
    const s = await signUp(h);
    const authenticator = await SoftAuthenticator.create();
    const options = await registrationOptions(s);
    h.clock.advance(301);
    const res = await verifyRegistration(s, await authenticator.register(options));
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('challenge_expired');
  });

  it('answers a body that is no registration response with 422, and an API key with 403', async () => {
    const s = await signUp(h);
    for (const body of [
      {},
      { id: 'x' },
      { id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: '!!' } },
    ]) {
      const res = await verifyRegistration(s, body);
      expect(res.status).toBe(422);
      expect((await problemOf(res)).code).toBe('validation_failed');
    }
    const anonymous = await h.call('POST', '/api/v1/passkeys/register/options', { json: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('signing in with a passkey', () => {
  for (const alg of ['ES256', 'Ed25519'] as const) {
    it(`signs in with an ${alg} passkey without a username: amr pop+user, no TOTP step`, async () => {
      const { s, authenticator, passkey } = await withPasskey({ alg });
      await enableTwoFactor(h, s);
      const options = await signInOptions();
      expect(options).toMatchObject({
        rpId: 'localhost',
        userVerification: 'required',
        allowCredentials: [],
      });
      const res = await verifySignIn(options.challenge_id, await authenticator.assert(options));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as {
        access_token: string;
        refresh_token: string;
        user: { id: string };
      };
      expect(body.user.id).toBe(s.user.id);
      const session = await h.call('GET', '/api/v1/auth/session', { token: body.access_token });
      expect(await session.json()).toMatchObject({ user_id: s.user.id, amr: ['pop', 'user'] });
      const refreshed = await h.call('POST', '/api/v1/auth/refresh', {
        json: { refresh_token: body.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      const [event] = await h.auditEvents(s.user.id, 'login_succeeded');
      expect(event?.detail).toMatchObject({ amr: ['pop', 'user'], passkey_id: passkey.id });
      const [listed] = (await (
        await h.call('GET', '/api/v1/passkeys', { token: body.access_token })
      ).json()) as {
        last_used_at: string | null;
      }[];
      expect(listed?.last_used_at).not.toBeNull();
    });
  }

  it('accepts a synced passkey whose counter stays 0, again and again', async () => {
    const { authenticator } = await withPasskey({ synced: true });
    expect((await signInWith(authenticator)).status).toBe(200);
    expect((await signInWith(authenticator)).status).toBe(200);
  });

  it('answers an unknown credential and a bad signature alike (401 invalid_credentials)', async () => {
    const { authenticator } = await withPasskey();
    const stranger = await SoftAuthenticator.create();
    const unknown = await signInWith(stranger);
    const forged = await signInWith(authenticator, { badSignature: true });
    expect(unknown.status).toBe(401);
    expect(forged.status).toBe(401);
    const [a, b] = [await problemOf(unknown), await problemOf(forged)];
    expect(a).toEqual(b);
    expect(a.code).toBe('invalid_credentials');
    expect(unknown.headers.get('www-authenticate')).toBe(forged.headers.get('www-authenticate'));
  });

  const hostile: [string, Json][] = [
    ['no user verification', { flags: FLAGS.UP }],
    ['another origin', { origin: 'https://evil.example' }],
    ['another RP ID hash', { rpId: 'evil.example' }],
    ['the wrong ceremony type', { type: 'webauthn.create' }],
    ['another challenge', { challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['another user handle', { userHandle: 'bm90LXRoaXMtdXNlcg' }],
  ];
  for (const [threat, tweaks] of hostile) {
    it(`refuses an assertion with ${threat} (401 invalid_credentials)`, async () => {
      const { authenticator } = await withPasskey();
      const res = await signInWith(authenticator, tweaks);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_credentials');
    });
  }

  it('costs one store request to keep a challenge and one to take it, beside the LOGIN limit', async () => {
    const { authenticator } = await withPasskey();
    const before = await storeRequests();
    const options = await signInOptions();
    const afterOptions = await storeRequests();
    expect((await verifySignIn(options.challenge_id, await authenticator.assert(options))).status).toBe(200);
    const afterVerify = await storeRequests();
    expect(afterOptions - before).toBe(2);
    expect(afterVerify - afterOptions).toBe(2);
  });

  it('spends a challenge once, even when two verifications race with it', async () => {
    const { authenticator } = await withPasskey({ synced: true });
    const options = await signInOptions();
    const response = await authenticator.assert(options);
    const results = await Promise.all([1, 2, 3].map(() => verifySignIn(options.challenge_id, response)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    const again = await verifySignIn(options.challenge_id, response);
    expect((await problemOf(again)).code).toBe('challenge_expired');
  });

  it('refuses a challenge older than five minutes (frozen clock) and an unknown challenge_id', async () => {
    const { authenticator } = await withPasskey();
    const options = await signInOptions();
    h.clock.advance(301);
    const late = await verifySignIn(options.challenge_id, await authenticator.assert(options));
    expect(late.status).toBe(400);
    expect((await problemOf(late)).code).toBe('challenge_expired');
    const unknown = await verifySignIn(crypto.randomUUID(), await authenticator.assert(options));
    expect((await problemOf(unknown)).code).toBe('challenge_expired');
  });

  it('refuses a counter that goes backwards (a cloned authenticator) and audits it', async () => {
    const { s, authenticator, passkey } = await withPasskey();
    expect((await signInWith(authenticator)).status).toBe(200);
    expect((await signInWith(authenticator)).status).toBe(200);
    for (const counter of [2, 1, 0]) {
      const res = await signInWith(authenticator, { counter });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('invalid_credentials');
    }
    const events = await h.auditEvents(s.user.id, 'passkey_counter_regressed');
    expect(events).toHaveLength(3);
    expect(events[0]?.detail).toMatchObject({ passkey_id: passkey.id, stored: 2 });
    expect((await signInWith(authenticator, { counter: 3 })).status).toBe(200);
  });

  it("answers a deactivated user's passkey with 403 account_inactive, and a locked account with account_locked", async () => {
    const inactive = await withPasskey();
    await h.deps.db.adminUsers.setActive(inactive.s.user.id, false, h.clock.now());
    const res = await signInWith(inactive.authenticator);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('account_inactive');

    const locked = await withPasskey();
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/api/v1/auth/login', {
        json: { username: locked.s.user.username, password: 'wrong-password-1' },
        ip: randomIp(),
      });
    }
    const refused = await signInWith(locked.authenticator);
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).code).toBe('account_locked');
  });

  it('names the passkeys of a username, and a made-up one for a name that has none', async () => {
    const { s, authenticator } = await withPasskey();
    const named = await signInOptions({ username: s.user.username });
    expect(named.allowCredentials.map((c) => c.id)).toEqual([authenticator.credentialId]);
    const nobody = await signInOptions({ username: 'nobody-here' });
    const again = await signInOptions({ username: 'nobody-here' });
    expect(nobody.allowCredentials).toHaveLength(1);
    expect(nobody.allowCredentials).toEqual(again.allowCredentials);
    expect(nobody.allowCredentials[0]?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('binds the session to a DPoP key when the verification carries a proof', async () => {
    const { authenticator } = await withPasskey();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT({
      htm: 'POST',
      htu: 'http://portcullis.test/api/v1/auth/passkey/verify',
      jti: crypto.randomUUID(),
      iat: Math.floor(h.clock.now().getTime() / 1000),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(privateKey);
    const options = await signInOptions();
    const res = await verifySignIn(options.challenge_id, await authenticator.assert(options), {
      dpop: proof,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token_type: string; access_token: string };
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
  });

  it('takes X-Session-Mode: cookie: the refresh token goes into the __Host- cookie', async () => {
    const { authenticator } = await withPasskey();
    const options = await signInOptions();
    const res = await verifySignIn(options.challenge_id, await authenticator.assert(options), {
      'x-session-mode': 'cookie',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.refresh_token_in).toBe('cookie');
    expect(body.refresh_token).toBeUndefined();
    expect(res.headers.get('set-cookie')).toMatch(/__Host-portcullis_rt=.*HttpOnly/);
  });
});

describe('a passkey as the second factor', () => {
  it('finishes a password login with the mfa_token and a passkey instead of a TOTP code', async () => {
    const { s, authenticator } = await withPasskey();
    await enableTwoFactor(h, s);
    const first = await h.call('POST', '/api/v1/auth/login', {
      json: { username: s.user.username, password: s.password },
      ip: randomIp(),
    });
    const { mfa_token } = (await first.json()) as { mfa_token: string };
    const options = await signInOptions({ mfa_token });
    expect(options.allowCredentials.map((c) => c.id)).toEqual([authenticator.credentialId]);
    const res = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token, challenge_id: options.challenge_id, passkey: await authenticator.assert(options) },
      ip: randomIp(),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const session = await h.call('GET', '/api/v1/auth/session', { token: access_token });
    expect(await session.json()).toMatchObject({ amr: ['pwd', 'pop'] });
  });

  it('answers options for the second step of an account without passkeys with 404 passkey_not_found', async () => {
    const s = await signUp(h);
    await enableTwoFactor(h, s);
    const first = await h.call('POST', '/api/v1/auth/login', {
      json: { username: s.user.username, password: s.password },
      ip: randomIp(),
    });
    const { mfa_token } = (await first.json()) as { mfa_token: string };
    const res = await h.call('POST', '/api/v1/auth/passkey/options', { json: { mfa_token }, ip: randomIp() });
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('passkey_not_found');
    const forged = await h.call('POST', '/api/v1/auth/passkey/options', {
      json: { mfa_token: 'not-a-token' },
      ip: randomIp(),
    });
    expect(forged.status).toBe(401);
    expect((await problemOf(forged)).code).toBe('invalid_token');
  });

  it("refuses another user's passkey for the second step, and keeps the mfa_token usable", async () => {
    const victim = await withPasskey();
    await enableTwoFactor(h, victim.s);
    const attacker = await withPasskey();
    const first = await h.call('POST', '/api/v1/auth/login', {
      json: { username: victim.s.user.username, password: victim.s.password },
      ip: randomIp(),
    });
    const { mfa_token } = (await first.json()) as { mfa_token: string };
    const options = await signInOptions();
    const res = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: {
        mfa_token,
        challenge_id: options.challenge_id,
        passkey: await attacker.authenticator.assert(options),
      },
      ip: randomIp(),
    });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('invalid_2fa_code');
    const retry = await signInOptions({ mfa_token });
    const ok = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: {
        mfa_token,
        challenge_id: retry.challenge_id,
        passkey: await victim.authenticator.assert(retry),
      },
      ip: randomIp(),
    });
    expect(ok.status).toBe(200);
  });
});

describe('managing passkeys', () => {
  it('renames and removes a passkey; after removal it signs in no more', async () => {
    const { s, authenticator, passkey } = await withPasskey();
    const renamed = await h.call('PATCH', `/api/v1/passkeys/${passkey.id}`, {
      token: s.access_token,
      json: { name: '  Work phone ' },
    });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { passkey: { name: string } }).passkey.name).toBe('Work phone');
    const removed = await h.call('DELETE', `/api/v1/passkeys/${passkey.id}`, { token: s.access_token });
    expect(removed.status).toBe(204);
    expect((await h.auditEvents(s.user.id, 'passkey_removed'))[0]?.detail).toMatchObject({
      passkey_id: passkey.id,
    });
    const res = await signInWith(authenticator);
    expect(res.status).toBe(401);
    const again = await h.call('DELETE', `/api/v1/passkeys/${passkey.id}`, { token: s.access_token });
    expect(again.status).toBe(404);
  });

  it("answers another user's passkey with 404 on rename and remove, and leaves it alone", async () => {
    const owner = await withPasskey();
    const other = await signUp(h);
    for (const [method, json] of [
      ['PATCH', { name: 'mine now' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.call(method, `/api/v1/passkeys/${owner.passkey.id}`, {
        token: other.access_token,
        json,
      });
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('not_found');
    }
    expect((await signInWith(owner.authenticator)).status).toBe(200);
  });

  it('threat: two removals race for the last two passkeys of an account without a password -> one wins', async () => {
    const { s, passkey } = await withPasskey();
    const second = await SoftAuthenticator.create();
    const added = await verifyRegistration(s, await second.register(await registrationOptions(s)));
    const other = ((await added.json()) as { passkey: { id: string } }).passkey;
    await sql.query('update users set password_hash = null where id = $1', [s.user.id]);
    const results = await Promise.all(
      [passkey.id, other.id].map((id) =>
        h.call('DELETE', `/api/v1/passkeys/${id}`, { token: s.access_token }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    const left = (await (
      await h.call('GET', '/api/v1/passkeys', { token: s.access_token })
    ).json()) as unknown[];
    expect(left).toHaveLength(1);
  });

  it('refuses to remove the last way to sign in (409 last_sign_in_method)', async () => {
    const { s, passkey } = await withPasskey();
    // An account with no password (as a passkey-only or provider account will be): the passkey is all it has.
    await sql.query('update users set password_hash = null where id = $1', [s.user.id]);
    const res = await h.call('DELETE', `/api/v1/passkeys/${passkey.id}`, { token: s.access_token });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('last_sign_in_method');
  });
});

describe('passkeys and the rest of the account', () => {
  it('sign-in pages allow WebAuthn for this origin only; every other answer forbids it', async () => {
    const demo = await h.call('GET', '/demo');
    expect(demo.headers.get('permissions-policy')).toMatch(/publickey-credentials-get=\(self\)/);
    expect(demo.headers.get('permissions-policy')).toMatch(/publickey-credentials-create=\(self\)/);
    const api = await h.call('GET', '/health');
    expect(api.headers.get('permissions-policy')).toMatch(/publickey-credentials-get=\(\)/);
    expect(api.headers.get('permissions-policy')).toMatch(/publickey-credentials-create=\(\)/);
  });

  it('a new user sees no passkeys', async () => {
    const s = await signUp(h, newUser());
    expect(await (await h.call('GET', '/api/v1/passkeys', { token: s.access_token })).json()).toEqual([]);
  });
});
