// Everything with state or side effects, handed to the app once per isolate. Only port types here: the
// adapters are chosen in deps-from-env.ts.
import type { Config } from './config.ts';
import type { CaptchaVerifier } from './ports/captcha.ts';
import type { Clock } from './ports/clock.ts';
import type { Database } from './ports/database.ts';
import type { KeySet } from './ports/keys.ts';
import type { Logger } from './ports/logger.ts';
import type { Mailer } from './ports/mailer.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import type { Random } from './ports/random.ts';
import type { RateLimitScope, Store } from './ports/store.ts';

export interface Deps {
  config: Config;
  db: Database;
  store: Store;
  keys: KeySet;
  passwords: PasswordHasher;
  mailer: Mailer;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Turnstile on the public forms, or null when TURNSTILE_SECRET is unset. */
  captcha: CaptchaVerifier | null;
}

/** What a domain call needs to know about the request that caused it. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  /** Work that may finish after the response (audit rows); never used for anything a response depends on. */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * Counts this request against a rate-limit scope for an identity the domain learns on the way (a user id),
   * and refuses it with 429 rate_limited when it is over the limit. The result shows in the X-RateLimit-*
   * headers of the response.
   */
  limit(scope: RateLimitScope, key: string): Promise<void>;
  /**
   * The DPoP key (RFC 7638 thumbprint) this request proved possession of (auth/dpop.ts), or null: a session
   * opened or refreshed with one is bound to it.
   */
  dpopKey: string | null;
  /** The browser's device cookie (auth/device-cookie.ts), and a way to give it a new one. */
  device: {
    presented: string | undefined;
    remember(value: string, maxAgeSeconds: number): void;
  };
}
