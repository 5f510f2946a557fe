// The baseline of bench/edge.ts: a bare Worker route that makes the same single store call as an
// authenticated request (revocation check + rate limit, one round trip), with no JWT, no Hono, no middleware.
// `/?same_headers=1` answers with the response headers of the real route (BARE_RESPONSE_HEADERS, copied by
// the benchmark), to tell the Worker's own cost from the cost of moving ~20 more headers through the harness.
import { loadConfig } from '../src/config.ts';
import { createUpstashStore } from '../src/store/upstash.ts';
import type { Store } from '../src/ports/store.ts';

let store: Store | undefined;

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    if (!store) {
      const config = loadConfig(env);
      store = createUpstashStore({
        url: config.store.url,
        token: config.store.token,
        timeoutMs: config.store.timeoutMs,
        rateLimits: config.rateLimits,
      });
    }
    const check = await store.checkToken(
      { jti: 'bench-jti', sid: 'bench-sid' },
      { scope: 'API', key: 'bench' },
    );
    const sameHeaders = new URL(request.url).searchParams.has('same_headers');
    const headers = sameHeaders
      ? (JSON.parse(String(env.BARE_RESPONSE_HEADERS ?? '{}')) as Record<string, string>)
      : {};
    return Response.json({ active: !check.revoked }, { headers });
  },
};
