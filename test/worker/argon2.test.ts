// Argon2id through the SIMD build must be Argon2id: the same PHC strings as hash-wasm (the reference the
// project used before, kept in tests for this), in both directions, for every kind of password; and one
// instance per isolate whose memory does not grow with each hash.
import { describe, expect, it } from 'vitest';
import { argon2id, argon2Verify } from '../../src/generated/hash-wasm.js';
import { createArgon2Hasher } from '../../src/hasher/argon2-hasher.ts';
import { argon2Simd } from '../../src/hasher/argon2-simd.ts';
import { cryptoRandom } from '../../src/ports/random.ts';

const encoder = new TextEncoder();
const OWASP = { memoryKiB: 19456, iterations: 2, parallelism: 1, hashLength: 32 };
const PASSWORDS = [
  'correct horse battery staple',
  'пароль-пароль-42', // two UTF-8 bytes a character: the package's own wrapper hashed only half of it
  'パスワード🔑🔑',
  'Zoë\u0301-NFC', // normalised to NFC by the hasher; raw bytes here
  ' leading and trailing spaces ',
  'x'.repeat(128),
];

const reference = (password: string, salt: Uint8Array) =>
  argon2id({
    password,
    salt,
    iterations: OWASP.iterations,
    parallelism: OWASP.parallelism,
    memorySize: OWASP.memoryKiB,
    hashLength: OWASP.hashLength,
    outputType: 'encoded',
  });

describe('Argon2id (SIMD build)', () => {
  it("matches the reference implementation's test vector", async () => {
    const salt = encoder.encode('somesalt');
    const params = { memoryKiB: 65536, iterations: 2, parallelism: 1, hashLength: 32 };
    const expected = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(argon2Simd().hash(encoder.encode('password'), salt, params)).toBe(expected);
    expect(
      await argon2id({
        password: 'password',
        salt,
        iterations: 2,
        parallelism: 1,
        memorySize: 65536,
        hashLength: 32,
        outputType: 'encoded',
      }),
    ).toBe(expected);
  });

  it('computes the PHC string hash-wasm computes, and each verifies the other, for every kind of password', async () => {
    for (const password of PASSWORDS) {
      const salt = cryptoRandom.bytes(16);
      const ours = argon2Simd().hash(encoder.encode(password), salt, OWASP);
      expect(ours, password).toBe(await reference(password, salt));
      expect(await argon2Verify({ password, hash: ours }), password).toBe(true);
      const theirs = await reference(password, cryptoRandom.bytes(16));
      expect(argon2Simd().verify(theirs, encoder.encode(password)), password).toBe(true);
      expect(argon2Simd().verify(theirs, encoder.encode(`${password}x`)), password).toBe(false);
    }
  });

  it('threat: a password differing only after its first half of UTF-8 bytes is a different password', () => {
    const salt = cryptoRandom.bytes(16);
    const a = argon2Simd().hash(encoder.encode('пароль-один'), salt, OWASP);
    expect(argon2Simd().verify(a, encoder.encode('пароль-два'))).toBe(false);
    expect(argon2Simd().verify(a, encoder.encode('пароль-один'))).toBe(true);
    // The package's own wrapper hashes the first `length` UTF-16 units' worth of bytes: 'пар123' (six units,
    // whose first six bytes are 'пар') would open an account whose password is 'пароль'.
    const b = argon2Simd().hash(encoder.encode('пароль'), salt, OWASP);
    expect(argon2Simd().verify(b, encoder.encode('пар123'))).toBe(false);
  });

  it('refuses a malformed or foreign PHC string without throwing', () => {
    for (const bad of ['', '$argon2id$', '$argon2i$v=19$m=32,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 'not a hash']) {
      expect(argon2Simd().verify(bad, encoder.encode('password')), bad).toBe(false);
    }
  });

  it('is one instance per isolate, whose memory stops growing after the first hash', () => {
    const argon2 = argon2Simd();
    expect(argon2Simd()).toBe(argon2);
    argon2.hash(encoder.encode('warm-up'), cryptoRandom.bytes(16), OWASP);
    const after = argon2.memoryBytes();
    expect(after).toBeGreaterThanOrEqual(OWASP.memoryKiB * 1024);
    for (let i = 0; i < 10; i++) argon2.hash(encoder.encode(`password-${i}`), cryptoRandom.bytes(16), OWASP);
    expect(argon2.memoryBytes()).toBe(after);
  });

  it('the hasher verifies hashes made before it (hash-wasm) unchanged, and asks for a rehash only when outdated', async () => {
    const hasher = createArgon2Hasher(OWASP, cryptoRandom);
    const old = await reference('Granite-Lantern-42', cryptoRandom.bytes(16));
    expect(await hasher.verify('Granite-Lantern-42', old)).toEqual({ ok: true, needsRehash: false });
    const weaker = createArgon2Hasher({ ...OWASP, iterations: 1 }, cryptoRandom);
    expect(await weaker.verify('Granite-Lantern-42', old)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('granite-lantern-42', old)).toEqual({ ok: false, needsRehash: false });
    // NFC: the composed and the decomposed spelling are the same password.
    const composed = await hasher.hash('Zoë-42-Granite');
    expect((await hasher.verify('Zoe\u0308-42-Granite', composed)).ok).toBe(true);
  });
});
