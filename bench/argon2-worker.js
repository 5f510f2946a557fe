// The Worker side of bench/argon2.ts: N Argon2id hashes in workerd with either library as the Worker loads
// them (precompiled modules): `lib=simd` (@phi-ag/argon2 through src/hasher/argon2-simd.ts, one instance per
// isolate) or `lib=hash-wasm` (a fresh WASM instance per hash, as hash-wasm does).
import { argon2id } from '../src/generated/hash-wasm.js';
import { argon2Simd } from '../src/hasher/argon2-simd.ts';

const password = new TextEncoder().encode('correct horse battery staple');

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? '1');
    const memoryKiB = Number(url.searchParams.get('m') ?? '19456');
    const iterations = Number(url.searchParams.get('t') ?? '2');
    const lib = url.searchParams.get('lib') ?? 'simd';
    for (let i = 0; i < n; i++) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      if (lib === 'simd') {
        argon2Simd().hash(password, salt, { memoryKiB, iterations, parallelism: 1, hashLength: 32 });
      } else {
        await argon2id({
          password: 'correct horse battery staple',
          salt,
          iterations,
          parallelism: 1,
          memorySize: memoryKiB,
          hashLength: 32,
          outputType: 'encoded',
        });
      }
    }
    return new Response('ok');
  },
};
