// The PasswordHasher adapter: Argon2id PHC strings through @phi-ag/argon2's SIMD build (argon2-simd.ts), and
// legacy bcrypt hashes (imported accounts) verified through hash-wasm; both loaded as precompiled modules.
import { bcryptVerify } from '../generated/hash-wasm.js';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Random } from '../ports/random.ts';
import { argon2Simd } from './argon2-simd.ts';

export interface Argon2Parameters {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const BCRYPT = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const encoder = new TextEncoder();
/** Passwords are NFC-normalised (never trimmed or truncated) and hashed as their UTF-8 bytes. */
const bytesOf = (password: string) => encoder.encode(password.normalize('NFC'));

export function createArgon2Hasher(params: Argon2Parameters, random: Random): PasswordHasher {
  const argon2 = () => argon2Simd();
  // Synchronous inside (one WASM call); the port is asynchronous so that an adapter may offload.
  const hash = (password: string) =>
    Promise.resolve(argon2().hash(bytesOf(password), random.bytes(16), { ...params, hashLength: 32 }));
  let dummy: string | undefined;

  return {
    hash,
    async verify(password, stored) {
      const argon = PHC.exec(stored);
      if (argon) {
        const ok = argon2().verify(stored, bytesOf(password));
        const current =
          Number(argon[1]) === params.memoryKiB &&
          Number(argon[2]) === params.iterations &&
          Number(argon[3]) === params.parallelism;
        return { ok, needsRehash: ok && !current };
      }
      if (BCRYPT.test(stored)) {
        const ok = await bcryptVerify({ password: password.normalize('NFC'), hash: stored });
        return { ok, needsRehash: ok };
      }
      return { ok: false, needsRehash: false };
    },
    async burn(password) {
      dummy ??= await hash('portcullis-dummy-password');
      argon2().verify(dummy, bytesOf(password));
    },
  };
}
