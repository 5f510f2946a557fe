// The Worker. Deps (config, keys, clients) are built once per isolate; a configuration that is unsafe to
// serve with is refused with a clear 500 on every request, logged once, never with a secret in it. The cron
// trigger (wrangler.toml) runs the clean-up of ended sessions, spent tokens and old audit events.
import { createApp, type App } from './app.ts';
import { pruneExpired } from './auth/retention.ts';
import { ConfigError } from './config.ts';
import { depsFromEnv } from './deps-from-env.ts';
import type { Deps } from './deps.ts';
import { consoleLogger } from './ports/logger.ts';

interface Isolate {
  deps: Deps;
  app: App;
}

// Keyed by the env object, which the runtime keeps for the life of the isolate.
const isolates = new WeakMap<object, Promise<Isolate>>();
let reported = false;

/** The isolate's deps and app, built on first use; a failed build is forgotten so the next call retries. */
async function isolateFor(env: Record<string, unknown>): Promise<Isolate> {
  let ready = isolates.get(env);
  if (!ready) {
    ready = depsFromEnv(env).then((deps) => ({ deps, app: createApp(deps) }));
    isolates.set(env, ready);
  }
  try {
    return await ready;
  } catch (error) {
    isolates.delete(env);
    throw error;
  }
}

/** Logs why the service cannot start, once per isolate, naming variables and never their values. */
function reportStartupFailure(error: unknown): void {
  if (reported) return;
  reported = true;
  const issues = error instanceof ConfigError ? error.issues : ['the service could not start'];
  consoleLogger.error('startup_failed', { issues });
}

function misconfigured(error: unknown): Response {
  reportStartupFailure(error);
  return new Response(
    JSON.stringify({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The service is not configured correctly; the operator has been told in the logs.',
      code: 'internal_error',
    }),
    { status: 500, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } },
  );
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let isolate: Isolate;
    try {
      isolate = await isolateFor(env);
    } catch (error) {
      return misconfigured(error);
    }
    return isolate.app.fetch(request, env, ctx);
  },

  async scheduled(_controller, env): Promise<void> {
    let isolate: Isolate;
    try {
      isolate = await isolateFor(env);
    } catch (error) {
      reportStartupFailure(error);
      throw new Error('the service is not configured correctly');
    }
    try {
      await pruneExpired(isolate.deps);
    } catch (error) {
      // The run fails (and the next trigger retries); drizzle's errors quote the SQL, so only the name is kept.
      isolate.deps.logger.error('prune_failed', { error: error instanceof Error ? error.name : 'unknown' });
      throw new Error('the scheduled clean-up failed');
    }
  },
} satisfies ExportedHandler<Record<string, unknown>>;
