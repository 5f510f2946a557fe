// Starts both stand-ins and applies migrations: what `npm run dev` and the test harness share.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LOCAL_DATABASE_URL, migrateThroughStandIn } from './migrate.ts';
import { startNeonStandIn, type NeonStandIn } from './neon/server.ts';
import { startUpstashStandIn, type UpstashStandIn } from './upstash/server.ts';

export interface StandIns {
  neon: NeonStandIn;
  upstash: UpstashStandIn;
  /** The Worker's env entries that point it at the stand-ins. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Where embedded data lives (PGlite files, the private redis-server's directory). */
  dataDir: string;
  /** Keep embedded data on disk across runs (development) or not (tests). */
  persist: boolean;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  neonPort?: number;
  upstashPort?: number;
  upstashToken?: string;
}

/**
 * Marks a store as holding every revocation since the beginning (epoch 0): right for a store created together
 * with its database, which has lost nothing. A store emptied on its own is left cold, for the Worker to
 * rebuild from the database (src/auth/store-recovery.ts).
 */
export async function warmNewStore(upstash: { url: string; token: string }): Promise<void> {
  const res = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}` },
    body: JSON.stringify(['SET', 'epoch', '0', 'NX']),
  });
  if (!res.ok) throw new Error(`the Upstash stand-in refused to set the epoch: ${res.status}`);
}

export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const neon = await startNeonStandIn({
    databaseUrl: options.databaseUrl,
    dataDir: options.persist ? join(options.dataDir, 'pglite') : undefined,
    ...(options.neonPort ? { port: options.neonPort } : {}),
  });
  let upstash: UpstashStandIn;
  try {
    await migrateThroughStandIn(neon.url);
    upstash = await startUpstashStandIn({
      token: options.upstashToken ?? randomBytes(24).toString('base64url'),
      redisUrl: options.redisUrl,
      dataDir: join(options.dataDir, 'redis'),
      persist: options.persist,
      ...(options.upstashPort ? { port: options.upstashPort } : {}),
    });
  } catch (error) {
    await neon.close();
    throw error;
  }
  return {
    neon,
    upstash,
    env: {
      DATABASE_URL: LOCAL_DATABASE_URL,
      NEON_FETCH_ENDPOINT: `${neon.url}/sql`,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    },
    async close() {
      await Promise.allSettled([neon.close(), upstash.close()]);
    },
  };
}
