// Edge cost of an authenticated request, in `wrangler dev` against the local stand-ins:
//   1. Upstash HTTP requests per authenticated, rate-limited request, counted at the stand-in (target: 1);
//   2. throughput of GET /api/v1/auth/session (JWT verification + one store round trip + the whole app)
//      against a bare Worker route making the same single store call, in the same run (target: >= 0.9x).
// Run: npm run bench:edge   (writes bench/results/edge.md). DATABASE_URL / REDIS_URL are honoured.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { newKeyMaterial } from '../local/keys.ts';
import { startStandIns } from '../local/stand-ins.ts';
import { spawnWranglerDev, waitForHttp } from '../local/wrangler-dev.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = join(root, 'bench', '.tmp');
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 4);

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const standIns = await startStandIns({
  dataDir: join(tmp, 'data'),
  persist: false,
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
});
const material = newKeyMaterial();
const vars: Record<string, string> = {
  ENVIRONMENT: 'development',
  ...standIns.env,
  JWT_PRIVATE_KEYS: JSON.stringify(material.jwtPrivateKeys),
  SECRETS_KEY: material.secretsKey,
  // The benchmark measures cost, not the limiter refusing: a limit no run reaches.
  RATE_LIMIT_API: '100000000/60',
  RATE_LIMIT_REGISTER: '1000/60',
  RATE_LIMIT_LOGIN: '1000/60',
};

function startWorker(
  name: string,
  main: string,
  port: number,
  extra: Record<string, string> = {},
): ChildProcess {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'wrangler.toml'),
    [
      `name = "bench-${name}"`,
      `main = ${JSON.stringify(join(root, main))}`,
      'compatibility_date = "2026-08-01"',
      'compatibility_flags = ["nodejs_compat"]',
      '[[rules]]',
      'type = "CompiledWasm"',
      'globs = ["**/*.wasm"]',
      'fallthrough = true',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, '.dev.vars'),
    Object.entries({ ...vars, ...extra })
      .map(([k, v]) => `${k}='${v}'`)
      .join('\n'),
  );
  return spawnWranglerDev(
    ['-c', join(dir, 'wrangler.toml'), '--port', String(port), '--inspector-port', String(port + 1000)],
    {
      cwd: dir,
      stdio: ['ignore', openSync(join(dir, 'wrangler.log'), 'w'), openSync(join(dir, 'wrangler.log'), 'a')],
    },
  );
}

async function waitFor(url: string) {
  if (!(await waitForHttp(url))) throw new Error(`${url} did not come up`);
}

async function requestsAtStandIn(): Promise<number> {
  const res = await fetch(`${standIns.upstash.url}/__stand-in/requests`, {
    headers: { authorization: `Bearer ${standIns.upstash.token}` },
  });
  return ((await res.json()) as { requests: number }).requests;
}

function run(url: string, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  return autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
}

const real = startWorker('real', 'src/index.ts', 8801);
let bare: ChildProcess | undefined;
try {
  await waitFor('http://127.0.0.1:8801/health');
  const user = { email: 'bench@example.com', username: 'bench_user', password: 'Quartz-Granite-Lantern-1' };
  await fetch('http://127.0.0.1:8801/api/v1/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  const login = (await (
    await fetch('http://127.0.0.1:8801/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    })
  ).json()) as { access_token: string };
  const auth = { authorization: `Bearer ${login.access_token}` };
  const sample = await fetch('http://127.0.0.1:8801/api/v1/auth/session', { headers: auth });
  const copied = Object.fromEntries(
    [...sample.headers].filter(([name]) => !['content-length', 'content-type', 'date'].includes(name)),
  );
  bare = startWorker('bare', 'bench/bare-worker.ts', 8802, { BARE_RESPONSE_HEADERS: JSON.stringify(copied) });
  await waitFor('http://127.0.0.1:8802/');

  // 1. Round trips: warm the isolate (script load), then count.
  await fetch('http://127.0.0.1:8801/api/v1/auth/session', { headers: auth });
  const N = 50;
  const before = await requestsAtStandIn();
  for (let i = 0; i < N; i++) {
    const res = await fetch('http://127.0.0.1:8801/api/v1/auth/session', { headers: auth });
    if (res.status !== 200) throw new Error(`session answered ${res.status}`);
  }
  const perRequest = ((await requestsAtStandIn()) - before) / N;

  // 2. Throughput, alternating so that machine noise hits both alike.
  await run('http://127.0.0.1:8802/');
  const bareRuns: number[] = [];
  const sameHeaderRuns: number[] = [];
  const realRuns: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareRuns.push((await run('http://127.0.0.1:8802/')).requests.average);
    sameHeaderRuns.push((await run('http://127.0.0.1:8802/?same_headers=1')).requests.average);
    const r = await run('http://127.0.0.1:8801/api/v1/auth/session', auth);
    if (r.non2xx > 0) throw new Error(`${r.non2xx} non-2xx answers from /session`);
    realRuns.push(r.requests.average);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = avg(realRuns) / avg(bareRuns);
  const sameHeaderRatio = avg(realRuns) / avg(sameHeaderRuns);
  const report = `# Edge cost of an authenticated request

- date: ${new Date().toISOString().slice(0, 10)}
- command: \`npm run bench:edge\` (autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} alternating rounds of each route, averaged)
- backends: Neon stand-in over ${standIns.neon.backend}, Upstash stand-in over ${standIns.upstash.backend}; \`wrangler dev\` (workerd)
- machine: ${cpus().length} cores, Node ${process.version}

| measure | result | target |
|---|---|---|
| Upstash HTTP requests per authenticated, rate-limited \`GET /api/v1/auth/session\` (counted at the stand-in, ${N} requests) | **${perRequest.toFixed(2)}** | 1 |
| \`GET /api/v1/auth/session\` (JWT verify + revocation and rate limit in one round trip + app), req/s | ${avg(realRuns).toFixed(0)} | |
| bare Worker route making the same single store call, req/s | ${avg(bareRuns).toFixed(0)} | |
| ratio | **${ratio.toFixed(2)}x** | >= 0.9x |
| the bare route answering with the real route's ${Object.keys(copied).length} response headers, req/s | ${avg(sameHeaderRuns).toFixed(0)} | |
| ratio against it | **${sameHeaderRatio.toFixed(2)}x** | |

Both Workers, the stand-ins and autocannon share this machine's cores, so absolute figures are low and
noisy; the ratio is measured in the same run.
`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'edge.md'), report);
  console.log(report);
} finally {
  real.kill('SIGTERM');
  bare?.kill('SIGTERM');
  await standIns.close();
}
