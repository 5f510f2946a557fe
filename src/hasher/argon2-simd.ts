// Argon2id through @phi-ag/argon2's WASM SIMD build of the reference C code (loaded as a precompiled module:
// Workers forbid compiling WASM at run time). One instance per isolate, reused: its memory grows to the
// largest m once and is reused by every hash after (hash-wasm instantiates a fresh ~19 MiB memory per call).
//
// We call the module's exports ourselves rather than through the package's Argon2 class: that class passes
// `password.length` (UTF-16 code units) as the byte length of the UTF-8 password, so any password with a
// character outside ASCII is hashed truncated (and differs from every other Argon2 implementation).
import module from '../generated/phi-argon2.wasm';

interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  argon2_encodedlen(
    t: number,
    m: number,
    p: number,
    saltLength: number,
    hashLength: number,
    type: number,
  ): number;
  argon2_hash(
    t: number,
    m: number,
    p: number,
    password: number,
    passwordLength: number,
    salt: number,
    saltLength: number,
    hash: number,
    hashLength: number,
    encoded: number,
    encodedLength: number,
    type: number,
    version: number,
  ): number;
  argon2_verify(encoded: number, password: number, passwordLength: number, type: number): number;
}

const ARGON2ID = 2;
const VERSION_13 = 0x13;
const ARGON2_OK = 0;

export interface Argon2idParameters {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}

export interface Argon2Simd {
  /** The PHC string of Argon2id v1.3 over the password's UTF-8 bytes. */
  hash(password: Uint8Array, salt: Uint8Array, params: Argon2idParameters): string;
  /** Whether the password matches the PHC string (the reference code compares the tag in constant time). */
  verify(encoded: string, password: Uint8Array): boolean;
  /** Bytes of the instance's linear memory, for the tests and benchmarks of its reuse. */
  memoryBytes(): number;
}

let instance: Argon2Simd | undefined;

/** The isolate's one instance. */
export function argon2Simd(): Argon2Simd {
  instance ??= bind(new WebAssembly.Instance(module).exports as unknown as Argon2Exports);
  return instance;
}

function bind(wasm: Argon2Exports): Argon2Simd {
  wasm._initialize();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  /** Runs `work` with `bytes` copied into fresh heap blocks, freed afterwards (zeroed first: passwords). */
  const withHeap = <T>(sizes: (Uint8Array | number)[], work: (ptrs: number[]) => T): T => {
    const ptrs = sizes.map((item) => wasm.malloc(typeof item === 'number' ? item : Math.max(1, item.length)));
    try {
      sizes.forEach((item, i) => {
        if (typeof item !== 'number') new Uint8Array(wasm.memory.buffer).set(item, ptrs[i]);
      });
      return work(ptrs);
    } finally {
      sizes.forEach((item, i) => {
        const size = typeof item === 'number' ? item : item.length;
        new Uint8Array(wasm.memory.buffer, ptrs[i], size).fill(0);
        wasm.free(ptrs[i]!);
      });
    }
  };
  const cString = (text: string) => encoder.encode(`${text}\0`);

  return {
    hash(password, salt, p) {
      const encodedLength = wasm.argon2_encodedlen(
        p.iterations,
        p.memoryKiB,
        p.parallelism,
        salt.length,
        p.hashLength,
        ARGON2ID,
      );
      return withHeap([password, salt, p.hashLength, encodedLength], ([pw, s, h, e]) => {
        const result = wasm.argon2_hash(
          p.iterations,
          p.memoryKiB,
          p.parallelism,
          pw!,
          password.length,
          s!,
          salt.length,
          h!,
          p.hashLength,
          e!,
          encodedLength,
          ARGON2ID,
          VERSION_13,
        );
        if (result !== ARGON2_OK) throw new Error(`argon2_hash failed (${result})`);
        // encodedLength counts the terminating NUL.
        const bytes = new Uint8Array(wasm.memory.buffer, e, encodedLength);
        const end = bytes.indexOf(0);
        return decoder.decode(bytes.slice(0, end < 0 ? encodedLength : end));
      });
    },
    verify(encoded, password) {
      return withHeap([cString(encoded), password], ([e, pw]) => {
        return wasm.argon2_verify(e!, pw!, password.length, ARGON2ID) === ARGON2_OK;
      });
    },
    memoryBytes: () => wasm.memory.buffer.byteLength,
  };
}
