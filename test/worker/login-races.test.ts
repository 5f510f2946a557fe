// Threat: a login that checked the old password (an attacker who holds it, say) and is still finishing when the
// owner changes the password, an admin deactivates the account, or a reset goes through. "Every session is
// revoked" must include the one that login is about to open, and the login must not write the old password
// back. The login is held between its password check and the rest (the hasher port, wrapped), so the race is
// the same on every run instead of a matter of luck.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/ports/password-hasher.ts';
import { createArgon2Hasher } from '../../src/hasher/argon2-hasher.ts';
import { cryptoRandom } from '../../src/ports/random.ts';
import {
  codeAt,
  enableTwoFactor,
  harness,
  logIn,
  newUser,
  problemOf,
  setLegacyBcryptHash,
  randomIp,
  signUp,
  signUpAdmin,
  tokenFromMail,
  type Harness,
  type Session,
} from './harness.ts';

const NEW_PASSWORD = 'Basalt-Harbour-77';

/** A hasher whose next `verify` of `password` waits, after verifying, until the test lets it go on. */
function holdingHasher(real: PasswordHasher) {
  let armed: { password: string; reached: () => void; release: Promise<void> } | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => real.hash(password),
    burn: (password) => real.burn(password),
    async verify(password, hash) {
      const result = await real.verify(password, hash);
      const hold = armed?.password === password ? armed : undefined;
      if (hold) {
        armed = undefined;
        hold.reached();
        await hold.release;
      }
      return result;
    },
  };
  /** Arms the hold; resolves `held` once a verification of `password` is waiting, `release()` lets it go. */
  const holdNext = (password: string) => {
    let reached!: () => void;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (reached = resolve));
    armed = { password, reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { held, release: () => release() };
  };
  return { hasher, holdNext };
}

let h: Harness;
let holdNext: ReturnType<typeof holdingHasher>['holdNext'];
beforeEach(async () => {
  const base = await harness();
  const holding = holdingHasher(createArgon2Hasher(base.deps.config.argon2, cryptoRandom));
  holdNext = holding.holdNext;
  h = await harness({ deps: { passwords: holding.hasher } });
});

/** Starts a login with `password` and returns once it has checked the password and is held there. */
async function heldLogin(username: string, password: string) {
  const hold = holdNext(password);
  const answer = h.call('POST', '/api/v1/auth/login', { json: { username, password }, ip: randomIp() });
  await hold.held;
  return async () => {
    hold.release();
    return answer;
  };
}

const changePassword = (s: Session, current_password: string, new_password: string) =>
  h.call('POST', '/api/v1/auth/change-password', {
    token: s.access_token,
    json: { current_password, new_password },
  });

/** Whatever the held login answered, it must not have opened a session that still works. */
async function expectNoLiveSession(res: Response, expectedCode: string) {
  if (res.status === 200) {
    const tokens = (await res.json()) as Session;
    const session = await h.call('GET', '/api/v1/auth/session', { token: tokens.access_token });
    expect(session.status, 'the raced login got a working access token').toBe(401);
    const refresh = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(refresh.status, 'the raced login got a working refresh token').toBe(401);
    return;
  }
  expect((await problemOf(res)).code).toBe(expectedCode);
}

describe('a login racing a change to the account', () => {
  it('threat: a login with the old password, finishing after a password change, keeps no session', async () => {
    const user = newUser();
    const owner = await signUp(h, user);
    const finish = await heldLogin(user.username, user.password);
    const changed = await changePassword(owner, user.password, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    await expectNoLiveSession(await finish(), 'invalid_credentials');
    await logIn(h, user.username, NEW_PASSWORD);
  });

  it('threat: a login finishing after an admin deactivated the account keeps no session', async () => {
    const admin = await signUpAdmin(h);
    const user = newUser();
    const target = await signUp(h, user);
    const finish = await heldLogin(user.username, user.password);
    const deactivated = await h.call('POST', `/api/v1/admin/users/${target.user.id}/deactivate`, {
      token: admin.access_token,
    });
    expect(deactivated.status).toBe(200);
    await expectNoLiveSession(await finish(), 'account_inactive');
  });

  it('threat: a login with the old password, finishing after a reset, keeps no session', async () => {
    const user = newUser();
    await signUp(h, user);
    await h.call('POST', '/api/v1/auth/reset-password/request', { json: { email: user.email } });
    const token = tokenFromMail((await h.outbox(user.email))[0]);
    const finish = await heldLogin(user.username, user.password);
    const reset = await h.call('POST', '/api/v1/auth/reset-password/confirm', {
      json: { token, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(200);
    await expectNoLiveSession(await finish(), 'invalid_credentials');
    await logIn(h, user.username, NEW_PASSWORD);
  });

  it('threat: the rehash of an outdated hash, finishing after a password change, does not bring the old password back', async () => {
    const user = newUser();
    const owner: Session = await signUp(h, user);
    await setLegacyBcryptHash(h, owner.user.id, user.password);
    const finish = await heldLogin(user.username, user.password);
    const changed = await changePassword(owner, user.password, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    await expectNoLiveSession(await finish(), 'invalid_credentials');

    const old = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    expect(old.status, 'the old password works again').toBe(401);
    await logIn(h, user.username, NEW_PASSWORD);
  });

  it('two logins of an account with an outdated hash at once: the one that finds it rehashed still gets in', async () => {
    const user = newUser();
    const s = await signUp(h, user);
    await setLegacyBcryptHash(h, s.user.id, user.password);
    const finish = await heldLogin(user.username, user.password);
    await logIn(h, user.username, user.password); // verifies the bcrypt hash and stores an Argon2id one
    const late = await finish();
    expect(late.status, 'a right password refused because another login rehashed it').toBe(200);
    const { access_token, refresh_token } = (await late.json()) as Session;
    expect((await h.call('GET', '/api/v1/auth/session', { token: access_token })).status).toBe(200);
    const refreshed = await h.call('POST', '/api/v1/auth/refresh', { json: { refresh_token } });
    expect(refreshed.status).toBe(200);
  });

  it('threat: an mfa_token earned with the old password cannot finish the login after a password change', async () => {
    const user = newUser();
    const owner = await signUp(h, user);
    const { secret } = await enableTwoFactor(h, owner);
    const first = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: user.password },
      ip: randomIp(),
    });
    const { mfa_token } = (await first.json()) as { mfa_token: string };
    const changed = await changePassword(owner, user.password, NEW_PASSWORD);
    expect(changed.status).toBe(200);

    const second = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token, code: codeAt(secret, h.clock.now()) },
      ip: randomIp(),
    });
    expect(second.status).toBe(401);
    expect(second.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await problemOf(second)).code).toBe('invalid_token');

    const fresh = await h.call('POST', '/api/v1/auth/login', {
      json: { username: user.username, password: NEW_PASSWORD },
      ip: randomIp(),
    });
    const { mfa_token: current } = (await fresh.json()) as { mfa_token: string };
    const done = await h.call('POST', '/api/v1/auth/login/2fa', {
      json: { mfa_token: current, code: codeAt(secret, h.clock.now()) },
      ip: randomIp(),
    });
    expect(done.status, 'the code was not spent by the refused attempt').toBe(200);
  });

  it('threat: two password changes proven with the same current password both report success', async () => {
    const user = newUser();
    const first = await signUp(h, user);
    const second = await logIn(h, user.username, user.password);
    // The first change has checked the current password when the second one runs from start to end.
    const hold = holdNext(user.password);
    const firstAnswer = changePassword(first, user.password, 'Cobalt-Meadow-58');
    await hold.held;
    const secondAnswer = await changePassword(second, user.password, NEW_PASSWORD);
    expect(secondAnswer.status).toBe(200);
    hold.release();
    const late = await firstAnswer;
    expect(late.status, 'the overtaken change is refused').toBe(403);
    expect((await problemOf(late)).code).toBe('invalid_credentials');

    const status = async (password: string) =>
      (
        await h.call('POST', '/api/v1/auth/login', {
          json: { username: user.username, password },
          ip: randomIp(),
        })
      ).status;
    expect(await status(NEW_PASSWORD), 'the reported password works').toBe(200);
    expect(await status('Cobalt-Meadow-58'), 'the refused one does not').toBe(401);
    const { access_token } = (await secondAnswer.json()) as Session;
    const session = await h.call('GET', '/api/v1/auth/session', { token: access_token });
    expect(session.status, "the winner's new session works").toBe(200);
  });
});
