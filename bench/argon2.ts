// Argon2id (m=19456 KiB, t=2, p=1) per hash: hash-wasm inside workerd (precompiled modules, as the Worker
// runs it) against hash-wasm in Node (which compiles its WASM at run time), in one run on one machine.
// workerd's clocks do not advance during computation, so its time is measured from outside: the wall time
// of a request doing N hashes minus that of a request doing none, divided by N.
// Run: npm run bench:argon2   (writes bench/results/argon2.md)
import { writeFileSync } from 'node:fs';
import { argon2id } from 'hash-wasm';
import { spawnWranglerDev, waitForHttp } from '../local/wrangler-dev.ts';

const N = Number(process.env.N ?? 20);
const ROUNDS = 5;
const params = { m: 19456, t: 2 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function nodePerHash(): Promise<number> {
  const once = () =>
    argon2id({
      password: 'correct horse battery staple',
      salt: crypto.getRandomValues(new Uint8Array(16)),
      iterations: params.t,
      parallelism: 1,
      memorySize: params.m,
      hashLength: 32,
      outputType: 'encoded',
    });
  await once();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) await once();
    rounds.push((performance.now() - start) / N);
  }
  return median(rounds);
}

async function workerdPerHash(): Promise<number> {
  // The same toolchain as `npm run dev`: wrangler bundles the script and its .wasm imports, workerd runs it.
  const port = 8799;
  const wrangler = spawnWranglerDev(
    ['bench/argon2-worker.js', '--compatibility-date', '2026-08-01', '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const time = async (n: number) => {
      const start = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/?n=${n}&m=${params.m}&t=${params.t}`);
      await res.text();
      if (!res.ok) throw new Error(`worker answered ${res.status}`);
      return performance.now() - start;
    };
    // Up means one hash answered 200: the script and its .wasm modules are loaded.
    const up = await waitForHttp(`http://127.0.0.1:${port}/?n=1&m=${params.m}&t=${params.t}`, {
      timeoutMs: 60_000,
      ready: (res) => res.ok,
    });
    if (!up) throw new Error('the argon2 bench worker did not come up');
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const empty = await time(0);
      rounds.push(((await time(N)) - empty) / N);
    }
    return median(rounds);
  } finally {
    wrangler.kill('SIGTERM');
  }
}

const node = await nodePerHash();
const workerd = await workerdPerHash();
const date = new Date().toISOString().slice(0, 10);
const report = `# Argon2id: workerd vs Node

- date: ${date}
- command: \`npm run bench:argon2\` (N=${N} hashes per round, median of ${ROUNDS} rounds)
- parameters: m=${params.m} KiB, t=${params.t}, p=1, 32-byte hash, PHC string output
- machine: ${process.platform}/${process.arch}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}

| runtime | ms per hash (median) |
|---|---|
| hash-wasm in workerd (precompiled modules, as the Worker runs it) | ${workerd.toFixed(1)} |
| hash-wasm in Node (compiles its WASM at run time) | ${node.toFixed(1)} |

workerd / Node: **${(workerd / node).toFixed(2)}x**. Absolute times vary with the machine's load; the ratio,
measured in the same run, is the figure to compare.
`;
writeFileSync(new URL('./results/argon2.md', import.meta.url), report);
console.log(report);
