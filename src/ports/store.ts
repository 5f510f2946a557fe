// The Store port: revocation marks, rate limits, single-use claims and the dev outbox, kept in Redis.

export const RATE_LIMIT_SCOPES = [
  'LOGIN',
  'LOGIN_2FA',
  'REGISTER',
  'PASSWORD_RESET',
  'REFRESH',
  'API',
  'EMAIL_SIGN_IN',
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

/**
 * The store is a fast copy of what the database knows (revocations) plus what needs no database (limits,
 * claims). It knows whether it has been emptied: a sentinel key without TTL holds its epoch, the moment since
 * which it holds every revocation mark. A store without it is `cold`: its marks cannot be trusted until they
 * are rebuilt from the database (auth/store-recovery.ts), which then sets the epoch.
 */
export interface TokenVerdict {
  revoked: boolean;
  /** False when the store has no epoch: `revoked: false` then means nothing. */
  warm: boolean;
  /** True when the DPoP proof's jti given with the check had been seen before (a replay). */
  replayed: boolean;
  limit?: RateLimitResult;
}

/** `taken`: claimed before, or issued before the store's epoch (its claim may have been lost with a wipe). */
export type Claim = 'claimed' | 'taken' | 'cold';

/** A small record kept for one later use; its values are strings or numbers. */
export type OnceRecord = Record<string, string | number>;

export interface Store {
  /**
   * The revocation check of an access token, whether the store is warm, and optionally a rate-limit check,
   * in ONE round trip. Throws StoreUnavailableError when the store cannot answer: callers fail closed.
   */
  checkToken(
    token: TokenCheck,
    limit?: LimitRequest,
    proof?: { jti: string; ttlSeconds: number },
  ): Promise<TokenVerdict>;
  /** A rate-limit check alone (public routes). Throws StoreUnavailableError rather than letting a request through. */
  limit(request: LimitRequest): Promise<RateLimitResult>;
  /** Marks access tokens (by jti) and whole sessions (by id) revoked until their access tokens have expired. */
  revoke(marks: {
    jtis?: { jti: string; ttlSeconds: number }[];
    sessionIds?: string[];
    sessionTtlSeconds: number;
  }): Promise<void>;
  /**
   * Claims a key for its TTL: replay protection across isolates. `issuedAtMs` is when the thing claimed came
   * to exist (or could first have been claimed): one issued before the store's epoch is `taken`.
   */
  claimOnce(key: string, ttlSeconds: number, issuedAtMs: number): Promise<Claim>;
  /** Counts one more failure under `key` within a window that starts with the first; returns the count. */
  countFailure(key: string, windowSeconds: number): Promise<number>;
  /** The failures counted under `key` in its current window. */
  failures(key: string): Promise<number>;
  /** Keeps a single-use record (a WebAuthn challenge) under `key` for its TTL: one request. */
  putOnce(key: string, record: OnceRecord, ttlSeconds: number): Promise<void>;
  /** Takes the record and deletes it in ONE atomic command: of concurrent takers only one gets it. */
  takeOnce(key: string): Promise<OnceRecord | undefined>;
  /** Gives a claim back (the attempt that made it failed and may be repeated). */
  release(key: string): Promise<void>;
  /** Records that every revocation mark the database knows of is in the store, since `epochMs`. */
  markWarm(epochMs: number): Promise<void>;
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
