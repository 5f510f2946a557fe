// The Worker's own time per authenticated request, measured inside workerd where autocannon's noise cannot
// reach it: GET /?n=N sends N requests for GET /api/v1/auth/session through the real app (its real store and
// keys), each followed by the bare route's work (the same single store call, a JSON answer), and reports
// per request the wall time of each and the part of it spent waiting for the store. What is left is the
// Worker's own time. (wrangler dev advances performance.now() during execution; production Workers do not.)
import { issueAccessToken } from '../src/auth/access-token.ts';
import { tokenSettings } from '../src/auth/session-tokens.ts';
import { createApp } from '../src/app.ts';
import { depsFromEnv } from '../src/deps-from-env.ts';
import type { Store } from '../src/store/store.ts';

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
    const totals = { app: 0, appStore: 0, bare: 0, bareStore: 0 };
    for (let i = -20; i < n; i++) {
      let start = performance.now();
      await viaApp();
      const app = performance.now() - start;
      const appStore = store.take();
      start = performance.now();
      await bare();
      const bareTime = performance.now() - start;
      const bareStore = store.take();
      if (i < 0) continue; // warm-up
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
    });
  },
};
