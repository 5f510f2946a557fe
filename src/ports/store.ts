// The Store port: revocation marks, rate limits, single-use claims and the dev outbox, kept in Redis.

export const RATE_LIMIT_SCOPES = [
  'LOGIN',
  'LOGIN_2FA',
  'REGISTER',
  'PASSWORD_RESET',
  'REFRESH',
  'API',
] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

export interface RateLimitRule {
  max: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when the window has room again. */
  resetMs: number;
}

export interface LimitRequest {
  scope: RateLimitScope;
  key: string;
}

export interface TokenCheck {
  jti: string;
  sid: string;
}

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  created_at: string;
}

export interface Store {
  /**
   * The revocation check of an access token and, optionally, a rate-limit check, in ONE round trip.
   * Throws StoreUnavailableError when the store cannot answer: callers fail closed.
   */
  checkToken(token: TokenCheck, limit?: LimitRequest): Promise<{ revoked: boolean; limit?: RateLimitResult }>;
  /** A rate-limit check alone (public routes). Throws StoreUnavailableError rather than letting a request through. */
  limit(request: LimitRequest): Promise<RateLimitResult>;
  /** Marks access tokens (by jti) and whole sessions (by id) revoked until their access tokens have expired. */
  revoke(marks: {
    jtis?: { jti: string; ttlSeconds: number }[];
    sessionIds?: string[];
    sessionTtlSeconds: number;
  }): Promise<void>;
  /** True the first time a key is claimed within its TTL, false after: replay protection across isolates. */
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back (the attempt that made it failed and may be repeated). */
  release(key: string): Promise<void>;
  pushOutbox(mail: OutboxMail): Promise<void>;
  readOutbox(to: string): Promise<OutboxMail[]>;
  ping(): Promise<boolean>;
}

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(cause?: unknown) {
    super('the store did not answer', { cause });
  }
}
