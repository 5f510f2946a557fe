// Drizzle over Neon's HTTP SQL API: one HTTP request per query, `db.batch` for atomic groups.
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import * as schema from './schema.ts';

export type DrizzleDb = NeonHttpDatabase<typeof schema>;

export function createDrizzle(options: { url: string; fetchEndpoint: string | undefined }): DrizzleDb {
  // Only the local stand-in needs this; in production the driver derives Neon's endpoint from the URL.
  if (options.fetchEndpoint) neonConfig.fetchEndpoint = options.fetchEndpoint;
  return drizzle({ client: neon(options.url), schema });
}
