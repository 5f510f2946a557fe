// The Worker side of bench/argon2.ts: N Argon2id hashes with the precompiled hash-wasm modules, in workerd.
import { argon2id } from '../src/generated/hash-wasm.js';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? '1');
    const memorySize = Number(url.searchParams.get('m') ?? '19456');
    const iterations = Number(url.searchParams.get('t') ?? '2');
    for (let i = 0; i < n; i++) {
      await argon2id({
        password: 'correct horse battery staple',
        salt: crypto.getRandomValues(new Uint8Array(16)),
        iterations,
        parallelism: 1,
        memorySize,
        hashLength: 32,
        outputType: 'encoded',
      });
    }
    return new Response('ok');
  },
};
