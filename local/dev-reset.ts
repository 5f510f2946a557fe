// `npm run dev:reset`: starts the local data over. With the dev server stopped, it deletes the embedded
// database and store under .data/ (the signing keys stay, so tokens and the JWKS of a resource server under
// test keep working), and the next `npm run dev` begins empty. `npm run dev:reset -- limits` leaves the data
// and clears only the rate-limit counts, through the running server's store stand-in (the Upstash REST API):
// what a developer needs after a tour that used up the LOGIN or PASSWORD_RESET budget.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDevVars } from './dev-vars.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(root, process.env.DEV_DATA_DIR ?? '.data');
const devVarsPath = resolve(root, process.env.DEV_VARS_FILE ?? '.dev.vars');

// Deletes every key under the rate limiter's prefix, a SCAN batch at a time (never KEYS on a big store).
const CLEAR_LIMITS = `local cursor = '0'
local n = 0
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', 'rl:*', 'COUNT', 500)
  cursor = page[1]
  for _, key in ipairs(page[2]) do redis.call('DEL', key); n = n + 1 end
until cursor == '0'
return n`;

async function clearLimits(): Promise<void> {
  if (!existsSync(devVarsPath)) throw new Error('no .dev.vars: start `npm run dev` once first');
  const vars = parseDevVars(readFileSync(devVarsPath, 'utf8'));
  const url = vars.UPSTASH_REDIS_REST_URL;
  if (!url || !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) {
    throw new Error('UPSTASH_REDIS_REST_URL in .dev.vars is not a local stand-in: refusing to touch it');
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${vars.UPSTASH_REDIS_REST_TOKEN ?? ''}` },
    body: JSON.stringify(['EVAL', CLEAR_LIMITS, '0']),
  }).catch(() => undefined);
  if (!res?.ok) throw new Error(`the store stand-in at ${url} did not answer: is \`npm run dev\` running?`);
  const { result } = (await res.json()) as { result: number };
  console.log(`cleared ${result} rate-limit keys; the data is untouched`);
}

function clearData(): void {
  for (const part of ['pglite', 'redis']) rmSync(join(dataDir, part), { recursive: true, force: true });
  console.log(
    `deleted the local database and store under ${dataDir} (keys kept); \`npm run dev\` starts empty`,
  );
}

try {
  if (process.argv.includes('limits')) await clearLimits();
  else clearData();
} catch (error) {
  console.error(`dev:reset: ${(error as Error).message}`);
  process.exit(1);
}
