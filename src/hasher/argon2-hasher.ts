// Argon2id PHC strings through hash-wasm, loaded as precompiled WebAssembly modules (see scripts/build-wasm.mjs).
import { argon2id, argon2Verify, bcryptVerify } from '../generated/hash-wasm.js';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Random } from '../ports/random.ts';

export interface Argon2Parameters {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const BCRYPT = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function createArgon2Hasher(params: Argon2Parameters, random: Random): PasswordHasher {
  const hash = (password: string) =>
    argon2id({
      password: password.normalize('NFC'),
      salt: random.bytes(16),
      iterations: params.iterations,
      parallelism: params.parallelism,
      memorySize: params.memoryKiB,
      hashLength: 32,
      outputType: 'encoded',
    });
  let dummy: Promise<string> | undefined;

  return {
    hash,
    async verify(password, stored) {
      const normalized = password.normalize('NFC');
      const argon = PHC.exec(stored);
      if (argon) {
        const ok = await argon2Verify({ password: normalized, hash: stored });
        const current =
          Number(argon[1]) === params.memoryKiB &&
          Number(argon[2]) === params.iterations &&
          Number(argon[3]) === params.parallelism;
        return { ok, needsRehash: ok && !current };
      }
      if (BCRYPT.test(stored)) {
        const ok = await bcryptVerify({ password: normalized, hash: stored });
        return { ok, needsRehash: ok };
      }
      return { ok: false, needsRehash: false };
    },
    async burn(password) {
      dummy ??= hash('portcullis-dummy-password');
      await argon2Verify({ password: password.normalize('NFC'), hash: await dummy });
    },
  };
}
