// Everything with state or side effects, handed to the app once per isolate.
import type { KeySet } from './auth/keys.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Clock } from './ports/clock.ts';
import type { Logger } from './ports/logger.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import type { Random } from './ports/random.ts';
import type { Store } from './store/store.ts';

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
}

/** What a domain call needs to know about the request that caused it. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  /** Work that may finish after the response (audit rows); never used for anything a response depends on. */
  waitUntil(promise: Promise<unknown>): void;
}
