// Argon2id (m=19456 KiB, t=2, p=1) per hash inside workerd, both libraries in the same run: @phi-ag/argon2's
// SIMD build (what the Worker uses) against hash-wasm (what it used before), each loaded as the Worker loads
// it. workerd's clocks do not advance during computation, so time is measured from outside: the wall time of
// a request doing N hashes minus that of a request doing none, divided by N; the libraries alternate round by
// round so that drift favours neither. Then memory: 1,000 hashes in one isolate, each library in a workerd of
// its own, with the resident set of the workerd process read from /proc before and after.
// Run: npm run bench:argon2   (writes bench/results/argon2.md)
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnWranglerDev, waitForHttp } from '../local/wrangler-dev.ts';
import { treePids } from './process-cpu.ts';

const N = Number(process.env.N ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const MEMORY_HASHES = Number(process.env.MEMORY_HASHES ?? 1000);
const params = { m: 19456, t: 2 };
type Lib = 'simd' | 'hash-wasm';
const LIBS: Lib[] = ['simd', 'hash-wasm'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function withWorker<T>(port: number, work: (url: string, pid: number) => Promise<T>): Promise<T> {
  // The same toolchain as `npm run dev`: wrangler bundles the script and its .wasm imports, workerd runs it.
  const wrangler = spawnWranglerDev(
    ['bench/argon2-worker.js', '--compatibility-date', '2026-08-01', '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const url = `http://127.0.0.1:${port}/`;
    // Up means one hash answered 200: the script and its .wasm modules are loaded.
    const up = await waitForHttp(`${url}?n=1&lib=simd`, { timeoutMs: 60_000, ready: (res) => res.ok });
    if (!up) throw new Error('the argon2 bench worker did not come up');
    return await work(url, wrangler.pid!);
  } finally {
    wrangler.kill('SIGTERM');
  }
}

async function hashes(url: string, lib: Lib, n: number): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${url}?n=${n}&m=${params.m}&t=${params.t}&lib=${lib}`);
  await res.text();
  if (!res.ok) throw new Error(`worker answered ${res.status}`);
  return performance.now() - start;
}

/** Resident set (KiB) of the workerd processes under wrangler: the isolate's memory lives there. */
function workerdRssKiB(wranglerPid: number): number {
  let total = 0;
  for (const pid of treePids(wranglerPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone since the listing
    }
  }
  return total;
}

const times = await withWorker(8799, async (url) => {
  const perHash: Record<Lib, number[]> = { simd: [], 'hash-wasm': [] };
  for (const lib of LIBS) await hashes(url, lib, 2);
  for (let r = 0; r < ROUNDS; r++) {
    for (const lib of r % 2 === 0 ? LIBS : [...LIBS].reverse()) {
      const empty = await hashes(url, lib, 0);
      perHash[lib].push(((await hashes(url, lib, N)) - empty) / N);
    }
  }
  return perHash;
});
const ratios = times.simd.map((simd, i) => times['hash-wasm'][i]! / simd);

const memory: Record<Lib, { before: number; after: number; seconds: number }> = {} as never;
for (const [i, lib] of LIBS.entries()) {
  memory[lib] = await withWorker(8800 + i, async (url, pid) => {
    await hashes(url, lib, 1);
    const before = workerdRssKiB(pid);
    const start = performance.now();
    // In batches of 10 per request: one isolate throughout, each request within wrangler.toml's CPU limit
    // (1,000 ms, which wrangler dev enforces too).
    for (let done = 0; done < MEMORY_HASHES; done += 10) await hashes(url, lib, 10);
    return { before, after: workerdRssKiB(pid), seconds: (performance.now() - start) / 1000 };
  });
}

const mib = (kib: number) => (kib / 1024).toFixed(0);
const date = new Date().toISOString().slice(0, 10);
const report = `# Argon2id in workerd: @phi-ag/argon2 (SIMD) vs hash-wasm

- date: ${date}
- command: \`npm run bench:argon2\` (N=${N} hashes per request, ${ROUNDS} rounds, libraries alternating)
- parameters: m=${params.m} KiB, t=${params.t}, p=1, 32-byte hash, PHC string output
- machine: ${process.platform}/${process.arch}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}

| library, in workerd | ms per hash (median) |
|---|---|
| @phi-ag/argon2 SIMD build (src/hasher/argon2-simd.ts, one instance per isolate) | ${median(times.simd).toFixed(1)} |
| hash-wasm (a fresh instance per hash) | ${median(times['hash-wasm']).toFixed(1)} |

hash-wasm / SIMD, per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median **${median(ratios).toFixed(2)}x**
(target: at least 2x). Absolute times vary with the machine's load; the ratio, measured in the same run, is
the figure to compare.

Memory, ${MEMORY_HASHES} hashes in one isolate (workerd's resident set, one workerd per library):

| library | RSS before | RSS after | seconds |
|---|---|---|---|
${LIBS.map((lib) => `| ${lib} | ${mib(memory[lib].before)} MiB | ${mib(memory[lib].after)} MiB | ${memory[lib].seconds.toFixed(1)} |`).join('\n')}
`;
writeFileSync(new URL('./results/argon2.md', import.meta.url), report);
console.log(report);
