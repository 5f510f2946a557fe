// A loopback endpoint that speaks Upstash's Redis REST API (what @upstash/redis posts to) over a real Redis:
// REDIS_URL when given, else a redis-server this stand-in starts itself.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import { listen, readBody, sendJson, type Listening } from '../http.ts';
import { encodeReply } from './encode.ts';
import { ScriptShas } from './lua-flags.ts';
import { startRedisProcess, type RedisProcess } from './redis-process.ts';

// ioredis is CommonJS; require() gives the same class under Node and under vitest's module runner.
const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient };

export interface UpstashStandIn extends Listening {
  token: string;
  /** The Redis it serves (REDIS_URL, or its private redis-server's). */
  redisUrl: string;
  backend: 'redis-url' | 'redis-server';
  /** HTTP requests served since start (or since resetRequests); the benchmarks count round trips with it. */
  requests(): number;
  resetRequests(): void;
}

export interface UpstashStandInOptions {
  token: string;
  redisUrl?: string | undefined;
  /** Directory for the private redis-server's files. */
  dataDir: string;
  /** Keep the private redis-server's data across restarts (append-only file). */
  persist?: boolean;
  port?: number;
}

type Command = (string | number)[];

function parseCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0)
    throw new BadRequest('a command is a non-empty JSON array');
  for (const part of value) {
    if (typeof part !== 'string' && typeof part !== 'number') {
      throw new BadRequest('command arguments must be strings or numbers');
    }
  }
  return value as Command;
}

class BadRequest extends Error {}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startUpstashStandIn(options: UpstashStandInOptions): Promise<UpstashStandIn> {
  let owned: RedisProcess | undefined;
  const redisUrl =
    options.redisUrl ?? (owned = await startRedisProcess(options.dataDir, options.persist ?? false)).url;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', () => {});
  await redis.connect();
  const shas = new ScriptShas();
  let served = 0;

  /** Applies the stand-in's script handling; everything else reaches Redis unchanged. */
  function translate(command: Command): Command {
    const [name, ...args] = command;
    const upper = String(name).toUpperCase();
    if ((upper === 'EVAL' || upper === 'EVAL_RO') && typeof args[0] === 'string') {
      return [upper, shas.load(args[0]), ...args.slice(1)];
    }
    if ((upper === 'EVALSHA' || upper === 'EVALSHA_RO') && args[0] !== undefined) {
      return [upper, shas.server(String(args[0])), ...args.slice(1)];
    }
    if (upper === 'SCRIPT' && String(args[0]).toUpperCase() === 'LOAD' && typeof args[1] === 'string') {
      return ['SCRIPT', 'LOAD', shas.load(args[1])];
    }
    return command;
  }

  /** SCRIPT LOAD answers with the SHA the client computed, not the rewritten script's. */
  function answer(command: Command, reply: unknown): unknown {
    const [name, sub, script] = command;
    if (
      String(name).toUpperCase() === 'SCRIPT' &&
      String(sub).toUpperCase() === 'LOAD' &&
      typeof script === 'string'
    ) {
      return shas.client(script);
    }
    return reply;
  }

  function call(command: Command): Promise<unknown> {
    const [name, ...args] = translate(command);
    return redis.callBuffer(String(name), ...args);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!sameToken(req.headers.authorization, options.token)) {
      return sendJson(res, 401, { error: 'Unauthorized' });
    }
    // Not part of Upstash's API: lets tests and benchmarks count round trips from inside workerd.
    if (req.method === 'GET' && req.url === '/__stand-in/requests')
      return sendJson(res, 200, { requests: served });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'only POST is supported' });
    served += 1;
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname.replace(/\/+$/, '');
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: 'ERR the request body is not valid JSON' });
    }
    try {
      if (path === '') {
        const command = parseCommand(body);
        try {
          return sendJson(res, 200, { result: encodeReply(answer(command, await call(command)), base64) });
        } catch (error) {
          return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
        }
      }
      if (path === '/pipeline' || path === '/multi-exec') {
        if (!Array.isArray(body) || body.length === 0)
          throw new BadRequest('a pipeline is a non-empty array');
        const commands = body.map(parseCommand);
        const batch = path === '/multi-exec' ? redis.multi() : redis.pipeline();
        for (const command of commands) {
          const [name, ...args] = translate(command);
          batch.callBuffer(String(name), ...args);
        }
        const results = (await batch.exec()) ?? [];
        return sendJson(
          res,
          200,
          results.map(([error, reply], i) =>
            error
              ? { error: error.message }
              : { result: encodeReply(answer(commands[i] as Command, reply), base64) },
          ),
        );
      }
      return sendJson(res, 404, { error: `unknown path ${path}` });
    } catch (error) {
      if (error instanceof BadRequest) return sendJson(res, 400, { error: `ERR ${error.message}` });
      // A MULTI whose queued commands Redis refused (EXECABORT) fails whole, as Upstash reports it.
      return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  const listening = await listen(handle, options.port);
  return {
    ...listening,
    token: options.token,
    redisUrl,
    backend: owned ? 'redis-server' : 'redis-url',
    requests: () => served,
    resetRequests: () => {
      served = 0;
    },
    async close() {
      await listening.close();
      redis.disconnect();
      await owned?.stop();
    },
  };
}
