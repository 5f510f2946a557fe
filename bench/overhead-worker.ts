// The Worker's own time per authenticated request, measured inside workerd where autocannon's noise cannot
// reach it: GET /?n=N sends N requests for GET /api/v1/auth/session through the real app (its real store and
// keys), each followed by the bare route's work (the same single store call, a JSON answer), and reports
// per request the wall time of each and the part of it spent waiting for the store. What is left is the
// Worker's own time. (wrangler dev advances performance.now() during execution; production Workers do not.)
// It also answers the issue's "auto-pipelining or one script: measure which": each check through the store
// (the revocation script and @upstash/ratelimit's sliding window, auto-pipelined into one HTTP request) is
// followed by the same work done as ONE hand-written Lua script sent with a bare fetch (as EVAL with its
// text each time: EVALSHA would be a little cheaper still); both are one HTTP request, so the difference is
// client-side work and script time.
import { issueAccessToken } from '../src/auth/access-token.ts';
import { tokenSettings } from '../src/auth/token-settings.ts';
import { createApp } from '../src/app.ts';
import { depsFromEnv } from '../src/deps-from-env.ts';
import type { Store } from '../src/ports/store.ts';

/** The store, with the time spent in checkToken added up. */
function timed(store: Store) {
  let spent = 0;
  const checkToken: Store['checkToken'] = async (...args) => {
    const start = performance.now();
    try {
      return await store.checkToken(...args);
    } finally {
      spent += performance.now() - start;
    }
  };
  return { store: { ...store, checkToken }, take: () => spent - (spent = 0) };
}

// Revocation marks, then a sliding window over two fixed windows, in one script: bench-only, to measure
// the alternative; the Worker uses @upstash/ratelimit's own scripts.
const ONE_SCRIPT = `
for i = 1, 2 do if redis.call('EXISTS', KEYS[i]) == 1 then return {1, 0} end end
local limit, now, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[3]) or '0')
local previous = tonumber(redis.call('GET', KEYS[4]) or '0')
local weighted = math.floor((1 - (now % window) / window) * previous) + current
if weighted >= limit then return {0, -1} end
local count = redis.call('INCR', KEYS[3])
if count == 1 then redis.call('PEXPIRE', KEYS[3], window * 2 + 1000) end
return {0, limit - weighted - 1}`;

function oneScript(config: { store: { url: string; token: string } }) {
  return async (jti: string, sid: string, key: string) => {
    const now = Date.now();
    const windowMs = 60_000;
    const w = Math.floor(now / windowMs);
    const res = await fetch(config.store.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.store.token}` },
      body: JSON.stringify([
        'EVAL',
        ONE_SCRIPT,
        '4',
        `rev:jti:${jti}`,
        `rev:sid:${sid}`,
        `rl1:${key}:${w}`,
        `rl1:${key}:${w - 1}`,
        '100000000',
        String(now),
        String(windowMs),
      ]),
    });
    const { result } = (await res.json()) as { result: [number, number] };
    return { revoked: result[0] === 1, remaining: result[1] };
  };
}

/** Time spent inside fetch (the HTTP exchange itself), to tell the client's own work from the wire's. */
let inFetch = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  const start = performance.now();
  try {
    return await realFetch(...args);
  } finally {
    inFetch += performance.now() - start;
  }
};
const takeFetch = () => inFetch - (inFetch = 0);

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const n = Number(new URL(request.url).searchParams.get('n') ?? 200);
    const base = await depsFromEnv(env);
    const store = timed(base.store);
    const deps = { ...base, store: store.store };
    const app = createApp(deps);
    const { token } = await issueAccessToken(tokenSettings(deps), {
      userId: crypto.randomUUID(),
      sessionId: crypto.randomUUID(),
      email: 'bench@example.com',
      username: 'bench_user',
      roles: ['user'],
      amr: ['pwd'],
    });
    const viaApp = async () => {
      const res = await app.fetch(
        new Request('http://bench/api/v1/auth/session', { headers: { authorization: `Bearer ${token}` } }),
        env,
        ctx,
      );
      if (res.status !== 200) throw new Error(`session answered ${res.status}`);
      await res.arrayBuffer();
    };
    const bare = async () => {
      const check = await deps.store.checkToken(
        { jti: 'bench-jti', sid: 'bench-sid' },
        { scope: 'API', key: 'bench' },
      );
      await Response.json({ active: !check.revoked }).arrayBuffer();
    };
    const script = oneScript(deps.config);
    const totals = { app: 0, appStore: 0, bare: 0, bareStore: 0, bareFetch: 0, script: 0, scriptFetch: 0 };
    for (let i = -20; i < n; i++) {
      takeFetch();
      let start = performance.now();
      await viaApp();
      const app = performance.now() - start;
      const appStore = store.take();
      takeFetch();
      start = performance.now();
      await bare();
      const bareTime = performance.now() - start;
      const bareStore = store.take();
      const bareFetch = takeFetch();
      start = performance.now();
      const check = await script('bench-jti', 'bench-sid', 'bench');
      const scriptTime = performance.now() - start;
      const scriptFetch = takeFetch();
      if (check.revoked) throw new Error('the one-script check says revoked');
      if (i < 0) continue; // warm-up
      totals.script += scriptTime;
      totals.scriptFetch += scriptFetch;
      totals.bareFetch += bareFetch;
      totals.app += app;
      totals.appStore += appStore;
      totals.bare += bareTime;
      totals.bareStore += bareStore;
    }
    const us = (ms: number) => Math.round((ms / n) * 1000);
    return Response.json({
      requests: n,
      appUs: us(totals.app),
      appOwnUs: us(totals.app - totals.appStore),
      bareUs: us(totals.bare),
      bareOwnUs: us(totals.bare - totals.bareStore),
      /** One check through the store (auto-pipelined EVAL + EVALSHA), wall time. */
      pipelinedCheckUs: us(totals.bareStore),
      /** The same check as one script over a bare fetch, wall time. */
      oneScriptCheckUs: us(totals.script),
      /** Of each, the time outside fetch: the client's own work. */
      pipelinedClientUs: us(totals.bareStore - totals.bareFetch),
      oneScriptClientUs: us(totals.script - totals.scriptFetch),
    });
  },
};
