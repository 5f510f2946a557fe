// The Worker. Deps (config, keys, clients) are built once per isolate; a configuration that is unsafe to
// serve with is refused with a clear 500 on every request, logged once, never with a secret in it.
import { createApp, type App } from './app.ts';
import { ConfigError } from './config.ts';
import { depsFromEnv } from './deps-from-env.ts';
import { consoleLogger } from './ports/logger.ts';

// Keyed by the env object, which the runtime keeps for the life of the isolate.
const apps = new WeakMap<object, Promise<App>>();
let reported = false;

function misconfigured(error: unknown): Response {
  const issues = error instanceof ConfigError ? error.issues : ['the service could not start'];
  if (!reported) {
    reported = true;
    consoleLogger.error('startup_failed', { issues });
  }
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
    let ready = apps.get(env);
    if (!ready) {
      ready = depsFromEnv(env).then(createApp);
      apps.set(env, ready);
    }
    let app: App;
    try {
      app = await ready;
    } catch (error) {
      apps.delete(env);
      return misconfigured(error);
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Record<string, unknown>>;
