// `npm run dev`: the stand-ins for Neon and Upstash on loopback, migrations applied, then `wrangler dev`
// pointed at them through .dev.vars. No cloud account and no Docker.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devKeyMaterial, formatDevVars, parseDevVars } from './dev-vars.ts';
import { startStandIns, warmNewStore } from './stand-ins.ts';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_SCOPES } from '../src/config.ts';
import { spawnWranglerDev, waitForHttp } from './wrangler-dev.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Defaults serve a developer; the overrides let a second, throw-away instance run beside it (the browser test).
const dataDir = resolve(root, process.env.DEV_DATA_DIR ?? '.data');
const devVarsPath = resolve(root, process.env.DEV_VARS_FILE ?? '.dev.vars');
const port = process.env.PORT ?? '8787';
const standInPort = (name: string, fallback: number) =>
  process.env[name] === undefined ? fallback : Number(process.env[name]);

mkdirSync(dataDir, { recursive: true });
const material = devKeyMaterial(join(dataDir, 'dev-keys.json'));
const existing = existsSync(devVarsPath) ? parseDevVars(readFileSync(devVarsPath, 'utf8')) : undefined;
const portOf = (url: string | undefined, fallback: number) =>
  url ? Number(new URL(url).port) || fallback : fallback;

// Embedded data created now, both at once: the store has lost nothing (see warmNewStore).
const embedded = !process.env.DATABASE_URL && !process.env.REDIS_URL;
const newData = embedded && !existsSync(join(dataDir, 'pglite')) && !existsSync(join(dataDir, 'redis'));
const standIns = await startStandIns({
  dataDir,
  persist: true,
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
  neonPort: portOf(existing?.NEON_FETCH_ENDPOINT, standInPort('NEON_PORT', 8790)),
  upstashPort: portOf(existing?.UPSTASH_REDIS_REST_URL, standInPort('UPSTASH_PORT', 8791)),
  upstashToken: existing?.UPSTASH_REDIS_REST_TOKEN ?? randomBytes(24).toString('base64url'),
});
if (newData) await warmNewStore(standIns.upstash);
console.log(
  `stand-ins: Neon SQL over ${standIns.neon.backend} at ${standIns.neon.url}, Upstash REST over ${standIns.upstash.backend} at ${standIns.upstash.url}`,
);

if (!existing) {
  writeFileSync(
    devVarsPath,
    formatDevVars({
      ENVIRONMENT: 'development',
      ...standIns.env,
      JWT_PRIVATE_KEYS: JSON.stringify(material.jwtPrivateKeys),
      SECRETS_KEY: material.secretsKey,
      JWT_ISSUER: `http://localhost:${port}`,
      JWT_AUDIENCE: `http://localhost:${port}`,
      // Links in mails open the demo page, which finishes a reset or a verification.
      PUBLIC_URL: `http://localhost:${port}/demo`,
      CORS_ORIGINS: `http://localhost:5173,http://localhost:${port}`,
    }),
    { mode: 0o600 },
  );
  console.log('wrote .dev.vars (edit it freely; delete it to regenerate)');
}

const wrangler = spawnWranglerDev([
  '--port',
  port,
  // wrangler reads .dev.vars beside wrangler.toml by itself; any other file has to be named.
  ...(devVarsPath === join(root, '.dev.vars') ? [] : ['--env-file', devVarsPath]),
  ...process.argv.slice(2),
]);

// Once it answers: where to go, and the limits in force (API.md's defaults unless .dev.vars overrides them).
void waitForHttp(`http://127.0.0.1:${port}/health`, { alive: () => wrangler.exitCode === null }).then(
  (up) => {
    if (!up) return;
    const vars = parseDevVars(readFileSync(devVarsPath, 'utf8'));
    const limits = RATE_LIMIT_SCOPES.map((scope) => {
      const own = vars[`RATE_LIMIT_${scope}`];
      const rule = DEFAULT_RATE_LIMITS[scope];
      return `${scope} ${own ?? `${rule.max}/${rule.windowSeconds}`}${own ? ' (.dev.vars)' : ''}`;
    });
    console.log(
      [
        '',
        `Portcullis is up: demo http://localhost:${port}/demo  API docs http://localhost:${port}/docs`,
        `rate limits (max/seconds): ${limits.join(', ')}`,
        '  relax one with RATE_LIMIT_<SCOPE>="<max>/<seconds>" in .dev.vars (then restart);',
        '  clear the counts with `npm run dev:reset -- limits`; start the data over with `npm run dev:reset`.',
        '',
      ].join('\n'),
    );
  },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) wrangler.kill('SIGTERM');
  await standIns.close();
  process.exit(code);
}
wrangler.on('exit', (code) => void stop(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
