// The key rotation procedure of the README: a new key first, the old one kept until its tokens expire.
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { harness, problemOf, signUp, workerEnv } from './harness.ts';

describe('signing-key rotation', () => {
  it('new tokens use the new key; old tokens verify while the old key is kept, and not after it is removed', async () => {
    const [oldKey] = JSON.parse(workerEnv.JWT_PRIVATE_KEYS!) as { kid: string }[];
    const newKey = JSON.parse(workerEnv.TEST_FOREIGN_KEY!) as { kid: string };
    const before = await harness();
    const s = await signUp(before);
    expect(decodeProtectedHeader(s.access_token).kid).toBe(oldKey!.kid);

    // Step 1: deploy with the new key first and the old one kept.
    const during = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([newKey, oldKey]) } });
    const jwks = (await (await during.call('GET', '/.well-known/jwks.json')).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey!.kid]);
    expect((await during.call('GET', '/api/v1/auth/me', { token: s.access_token })).status).toBe(200);
    const refreshed = (await (
      await during.call('POST', '/api/v1/auth/refresh', { json: { refresh_token: s.refresh_token } })
    ).json()) as { access_token: string };
    expect(decodeProtectedHeader(refreshed.access_token).kid).toBe(newKey.kid);

    // Step 2: after ACCESS_TOKEN_TTL, deploy with the new key alone.
    const after = await harness({ env: { JWT_PRIVATE_KEYS: JSON.stringify([newKey]) } });
    expect((await after.call('GET', '/api/v1/auth/me', { token: refreshed.access_token })).status).toBe(200);
    const old = await after.call('GET', '/api/v1/auth/me', { token: s.access_token });
    expect(old.status).toBe(401);
    expect((await problemOf(old)).code).toBe('invalid_token');
  });
});
