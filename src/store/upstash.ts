// The Store adapter over Upstash's REST API. Auto-pipelining batches every command issued in the same tick
// into one HTTP request; it keeps read and write commands in separate batches, which is why the revocation
// check below is a (read-only) script run with EVAL, a "write" command like the rate limiter's EVALSHA.
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import type { RateLimitRule, RateLimitScope } from '../ports/store.ts';
import {
  StoreUnavailableError,
  type LimitRequest,
  type OnceRecord,
  type OutboxMail,
  type RateLimitResult,
  type Store,
  type TokenCheck,
} from '../ports/store.ts';

// KEYS: the jti and sid revocation marks, the epoch sentinel, and (optionally) a DPoP proof's jti, claimed
// for ARGV[1] seconds. Returns {revoked, warm, replayed}: the revocation check and the proof's replay check
// are one script, in the same HTTP request as the rate limit.
const REVOKED_SCRIPT = `local revoked = 0
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then revoked = 1 end
local replayed = 0
if KEYS[4] and not redis.call('SET', KEYS[4], 1, 'NX', 'EX', ARGV[1]) then replayed = 1 end
return {revoked, redis.call('EXISTS', KEYS[3]), replayed}`;
// KEYS: the claim, the epoch sentinel; ARGV: TTL seconds, issued-at ms. Returns 1 claimed, 0 taken, -1 cold.
const CLAIM_SCRIPT = `local epoch = redis.call('GET', KEYS[2])
if not epoch then return -1 end
if tonumber(epoch) > tonumber(ARGV[2]) then return 0 end
if redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 1 end
return 0`;
/** No TTL, never evicted (Upstash eviction must stay off): its absence means the store was emptied. */
const EPOCH_KEY = 'epoch';
const OUTBOX_SIZE = 50;
const OUTBOX_TTL_SECONDS = 24 * 3600;

export interface UpstashStoreOptions {
  url: string;
  token: string;
  timeoutMs: number;
  rateLimits: Record<RateLimitScope, RateLimitRule>;
  /**
   * Remember, per isolate, who is over a limit and refuse them without a request (on by default). Off in
   * development, so that `npm run dev:reset -- limits` takes effect at once.
   */
  blockCache?: boolean;
}

const jtiKey = (jti: string) => `rev:jti:${jti}`;
const sidKey = (sid: string) => `rev:sid:${sid}`;
const outboxKey = (to: string) => `outbox:${to.trim().toLowerCase()}`;

const onceKey = (key: string) => `take:${key}`;

/** The client parses JSON answers itself; a value that is not a flat record is treated as absent. */
function parseOnceRecord(raw: unknown): OnceRecord | undefined {
  let value: unknown = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record: OnceRecord = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    record[k] = v;
  }
  return record;
}

export function createUpstashStore(options: UpstashStoreOptions): Store {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    enableAutoPipelining: true,
    enableTelemetry: false,
    // Fail fast: a request waiting on a dead store must turn into a 503, not hang for the client's back-off.
    retry: { retries: 1, backoff: () => 25 },
    signal: () => AbortSignal.timeout(options.timeoutMs),
  });

  // Identifiers known to be over their limit, per isolate: the library refuses them without a request.
  const blocked = new Map<string, number>();
  const limiters = new Map<RateLimitScope, Ratelimit>();
  const limiter = (scope: RateLimitScope) => {
    let found = limiters.get(scope);
    if (!found) {
      const rule = options.rateLimits[scope];
      found = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(rule.max, `${rule.windowSeconds} s`),
        prefix: `rl:${scope}`,
        ephemeralCache: options.blockCache === false ? false : blocked,
        timeout: options.timeoutMs,
        analytics: false,
      });
      limiters.set(scope, found);
    }
    return found;
  };

  async function limitResult(pending: ReturnType<Ratelimit['limit']>): Promise<RateLimitResult> {
    const result = await pending;
    // On timeout the library lets the request through; a limiter that cannot count must refuse instead.
    if (result.reason === 'timeout') throw new StoreUnavailableError();
    return {
      allowed: result.success,
      limit: result.limit,
      remaining: result.remaining,
      resetMs: result.reset,
    };
  }

  function isCachedBlock(request: LimitRequest): boolean {
    if (options.blockCache === false) return false;
    const until = blocked.get(`rl:${request.scope}:${request.key}`);
    return until !== undefined && until > Date.now();
  }

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
    }
  };

  return {
    checkToken: (token: TokenCheck, limit?: LimitRequest, proof?: { jti: string; ttlSeconds: number }) =>
      guard(async () => {
        if (limit && isCachedBlock(limit)) {
          // Refused without a request; whether the token is revoked no longer matters.
          const result = await limitResult(limiter(limit.scope).limit(limit.key));
          return { revoked: false, warm: true, replayed: false, limit: result };
        }
        // Both commands are issued in this tick, so the auto-pipeline sends them as one HTTP request.
        const keys = [jtiKey(token.jti), sidKey(token.sid), EPOCH_KEY];
        if (proof) keys.push(`dpop:${proof.jti}`);
        const verdict = redis.eval<number[], [number, number, number]>(
          REVOKED_SCRIPT,
          keys,
          proof ? [Math.max(1, Math.ceil(proof.ttlSeconds))] : [],
        );
        const limited = limit ? limitResult(limiter(limit.scope).limit(limit.key)) : undefined;
        const [[revoked, warm, replayed], result] = await Promise.all([verdict, limited]);
        const answer = { revoked: revoked === 1, warm: warm === 1, replayed: replayed === 1 };
        return result ? { ...answer, limit: result } : answer;
      }),

    limit: (request: LimitRequest) => guard(() => limitResult(limiter(request.scope).limit(request.key))),

    revoke: (marks) =>
      guard(async () => {
        const pipeline = redis.pipeline();
        for (const { jti, ttlSeconds } of marks.jtis ?? []) {
          pipeline.set(jtiKey(jti), 1, { ex: Math.max(1, Math.ceil(ttlSeconds)) });
        }
        for (const sid of marks.sessionIds ?? []) {
          pipeline.set(sidKey(sid), 1, { ex: Math.max(1, Math.ceil(marks.sessionTtlSeconds)) });
        }
        if (pipeline.length() > 0) await pipeline.exec();
      }),

    claimOnce: (key: string, ttlSeconds: number, issuedAtMs: number) =>
      guard(async () => {
        const ttl = Math.max(1, Math.ceil(ttlSeconds));
        const result = await redis.eval<[number, number], number>(
          CLAIM_SCRIPT,
          [`once:${key}`, EPOCH_KEY],
          [ttl, Math.floor(issuedAtMs)],
        );
        return result === 1 ? 'claimed' : result === 0 ? 'taken' : 'cold';
      }),

    markWarm: (epochMs: number) =>
      guard(async () => {
        // NX: of recoveries racing each other, the first epoch stands (later ones rebuilt the same marks).
        await redis.set(EPOCH_KEY, Math.floor(epochMs), { nx: true });
      }),

    countFailure: (key: string, windowSeconds: number) =>
      guard(async () => {
        const pipeline = redis.pipeline();
        pipeline.incr(`fail:${key}`);
        pipeline.expire(`fail:${key}`, Math.max(1, Math.ceil(windowSeconds)), 'NX');
        const [count] = await pipeline.exec<[number, number]>();
        return count;
      }),

    failures: (key: string) => guard(async () => Number((await redis.get<number>(`fail:${key}`)) ?? 0)),

    putOnce: (key: string, record: OnceRecord, ttlSeconds: number) =>
      guard(async () => {
        await redis.set(onceKey(key), JSON.stringify(record), { ex: Math.max(1, Math.ceil(ttlSeconds)) });
      }),

    takeOnce: (key: string) =>
      guard(async () => {
        // GETDEL: the read and the delete are one command, so a record is handed out at most once.
        const raw = await redis.getdel<unknown>(onceKey(key));
        return parseOnceRecord(raw);
      }),

    release: (key: string) =>
      guard(async () => {
        await redis.del(`once:${key}`);
      }),

    pushOutbox: (mail: OutboxMail) =>
      guard(async () => {
        const key = outboxKey(mail.to);
        const pipeline = redis.pipeline();
        pipeline.lpush(key, JSON.stringify(mail));
        pipeline.ltrim(key, 0, OUTBOX_SIZE - 1);
        pipeline.expire(key, OUTBOX_TTL_SECONDS);
        await pipeline.exec();
      }),

    readOutbox: (to: string) =>
      guard(async () => {
        const items = await redis.lrange<OutboxMail>(outboxKey(to), 0, OUTBOX_SIZE - 1);
        return items;
      }),

    ping: () => guard(async () => (await redis.ping()) === 'PONG'),
  };
}
