// Builds the Deps of one isolate from the Worker's env. Tests call it too, overriding the clock.
import { createArgon2Hasher } from './hasher/argon2-hasher.ts';
import { loadKeySet } from './auth/keys.ts';
import { configWarnings, loadConfig } from './config.ts';
import { createDatabase } from './db/database.ts';
import type { Deps } from './deps.ts';
import { createTurnstileVerifier } from './captcha/turnstile.ts';
import { createHttpMailer } from './mail/http-transport.ts';
import { createLogMailer } from './mail/log-transport.ts';
import { systemClock } from './ports/clock.ts';
import { consoleLogger } from './ports/logger.ts';
import { cryptoRandom } from './ports/random.ts';
import { createUpstashStore } from './store/upstash.ts';

export async function depsFromEnv(
  env: Record<string, unknown>,
  overrides: Partial<Deps> = {},
): Promise<Deps> {
  const config = overrides.config ?? loadConfig(env);
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const logger = overrides.logger ?? consoleLogger;
  for (const warning of configWarnings(config)) logger.warn('config_warning', { warning });
  const store =
    overrides.store ??
    createUpstashStore({
      url: config.store.url,
      token: config.store.token,
      timeoutMs: config.store.timeoutMs,
      rateLimits: config.rateLimits,
      blockCache: config.environment !== 'development',
    });
  const mailer =
    overrides.mailer ??
    (config.mail.transport === 'http'
      ? createHttpMailer({
          url: config.mail.url,
          apiKey: config.mail.apiKey,
          from: config.mail.from,
        })
      : createLogMailer(store, clock, logger));
  return {
    config,
    clock,
    random,
    logger,
    store,
    mailer,
    db: overrides.db ?? createDatabase(config.database),
    keys: overrides.keys ?? (await loadKeySet(config.jwt.privateKeys)),
    passwords: overrides.passwords ?? createArgon2Hasher(config.argon2, random),
    captcha:
      overrides.captcha !== undefined
        ? overrides.captcha
        : config.turnstile
          ? createTurnstileVerifier({ ...config.turnstile, random })
          : null,
  };
}
