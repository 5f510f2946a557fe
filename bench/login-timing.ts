// Does a failed login tell whether the account exists? API.md asks for an identical answer "in body and
// timing" for an unknown login name and a wrong password. This sends both, interleaved, to the Worker in
// `wrangler dev` against the local stand-ins, and compares the bodies byte for byte and the times pair by pair.
// Run: npm run bench:login   (writes bench/results/login-timing.md). DATABASE_URL / REDIS_URL are honoured.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newKeyMaterial } from '../local/keys.ts';
import { startStandIns } from '../local/stand-ins.ts';
import { waitForHttp } from '../local/wrangler-dev.ts';
import { startDevWorker } from './launch-dev.ts';
import { writeWithHistory } from './run-history.ts';
import { formatEstimate, geometricMeanWithCi } from './stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = join(root, 'bench', '.tmp-login');
const PAIRS = Number(process.env.PAIRS ?? 200);
const PORT = 8811;

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const standIns = await startStandIns({
  dataDir: join(tmp, 'data'),
  persist: false,
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
});
const material = newKeyMaterial();
const worker = startDevWorker({
  scratch: tmp,
  name: 'login',
  main: 'src/index.ts',
  port: PORT,
  vars: {
    ENVIRONMENT: 'development',
    ...standIns.env,
    JWT_PRIVATE_KEYS: JSON.stringify(material.jwtPrivateKeys),
    SECRETS_KEY: material.secretsKey,
    // Neither a limit nor a lock may cut a run short: a locked name answers before any hash, known or not.
    RATE_LIMIT_LOGIN: '100000000/60',
    RATE_LIMIT_REGISTER: '1000/60',
    LOCKOUT_THRESHOLD: '1000',
  },
});

const base = `http://127.0.0.1:${PORT}/api/v1/auth`;
async function login(
  username: string,
  password: string,
): Promise<{ ms: number; status: number; body: string }> {
  const start = performance.now();
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.text();
  return { ms: performance.now() - start, status: res.status, body };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;

try {
  if (!(await waitForHttp(`http://127.0.0.1:${PORT}/health`))) throw new Error('the Worker did not come up');
  const user = { email: 'timing@example.com', username: 'timing_user', password: 'Quartz-Granite-Lantern-1' };
  const registered = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);

  // Each case makes its own guess every time, as an attacker would; unknown names are all distinct.
  const cases = {
    'wrong password, known username': (i: number) => login(user.username, `Wrong-Guess-${i}`),
    'wrong password, known email': (i: number) => login(user.email, `Wrong-Guess-${i}`),
    'unknown username': (i: number) => login(`nobody_${i}`, `Wrong-Guess-${i}`),
    'unknown email': (i: number) => login(`nobody-${i}@example.com`, `Wrong-Guess-${i}`),
  };
  const names = Object.keys(cases) as (keyof typeof cases)[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<
    keyof typeof cases,
    number[]
  >;
  const bodies = new Set<string>();
  const statuses = new Set<number>();
  for (let i = -10; i < PAIRS; i++) {
    // A fresh random order each round: no case always follows another (the one before may still be writing
    // its audit row after its answer).
    const order = shuffled(names);
    for (const name of order) {
      const answer = await cases[name](i + 10);
      statuses.add(answer.status);
      bodies.add(answer.body);
      if (i >= 0) times[name].push(answer.ms); // the first ten rounds warm the isolate up
    }
  }
  if (statuses.size !== 1 || !statuses.has(401))
    throw new Error(`unexpected statuses: ${[...statuses].join(', ')}`);

  // Each question compares the cases an attacker would: the same kind of login name, known or not.
  const ratioOf = (of: keyof typeof cases, to: keyof typeof cases) =>
    geometricMeanWithCi(times[of].map((ms, i) => ms / times[to][i]!));
  const questions = [
    ['unknown username', 'wrong password, known username'],
    ['unknown email', 'wrong password, known email'],
    ['wrong password, known email', 'wrong password, known username'],
  ] as const;
  const estimates = questions.map(([of, to]) => ratioOf(of, to));
  const caseRows = names.map(
    (name) =>
      `| ${name} | ${quantile(times[name], 0.5).toFixed(1)} | ${quantile(times[name], 0.9).toFixed(1)} |`,
  );
  const ratioRows = questions.map(([of, to], k) => `| ${of} / ${to} | ${formatEstimate(estimates[k]!)} |`);
  const report = `# Login timing: does a failure tell whether the account exists?

- date: ${new Date().toISOString().slice(0, 10)}
- command: \`npm run bench:login\` (${PAIRS} rounds of the four cases below, sequential, in a random order each round, after 10 warm-up rounds)
- backends: Neon stand-in over ${standIns.neon.backend}, Upstash stand-in over ${standIns.upstash.backend}; \`wrangler dev\` (workerd), Argon2id at the defaults (m=19 MiB, t=2, p=1)
- machine: ${cpus().length} cores, Node ${process.version}

Every answer was \`401\`, and the bodies of all ${PAIRS * names.length} answers were ${bodies.size === 1 ? '**byte for byte the same**' : `**not all the same (${bodies.size} different bodies)**`}.

| case | median ms | p90 ms |
|---|---|---|
${caseRows.join('\n')}

| times compared, round by round | geometric mean of the rounds' ratios |
|---|---|
${ratioRows.join('\n')}

A confidence interval that holds 1.0 means that ${PAIRS} tries of each did not tell the two cases
apart, and its width bounds the difference that many tries could still hide. An unknown name pays the same Argon2id verification (against a dummy hash of the current
parameters) and the same failure count (per login name instead of per account) as a known one.
`;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  writeWithHistory(
    join(root, 'bench', 'results', 'login-timing.md'),
    report,
    [
      'date (UTC)',
      'commit',
      'rounds',
      'bodies identical',
      'unknown / known username',
      'unknown / known email',
      'known email / known username',
    ],
    `| ${new Date().toISOString().slice(0, 16).replace('T', ' ')} | ${commit} | ${PAIRS} | ${bodies.size === 1 ? 'yes' : 'no'} | ${estimates.map((e) => formatEstimate(e)).join(' | ')} |`,
  );
  console.log(report);
} finally {
  worker.kill('SIGTERM');
  await standIns.close();
}
