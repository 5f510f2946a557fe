// Applies the committed drizzle-kit migrations through the Neon stand-in, over the same HTTP protocol the
// Worker uses (drizzle's neon-http migrator), so that local runs prove the migrations as well.
import { fileURLToPath } from 'node:url';
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import { migrate } from 'drizzle-orm/neon-http/migrator';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));
/** The connection string the Worker and the migrator present; the stand-in ignores it. */
export const LOCAL_DATABASE_URL = 'postgres://portcullis:local@localhost/portcullis';

export async function migrateThroughStandIn(neonUrl: string): Promise<void> {
  neonConfig.fetchEndpoint = `${neonUrl}/sql`;
  await migrate(drizzle({ client: neon(LOCAL_DATABASE_URL) }), { migrationsFolder: MIGRATIONS_FOLDER });
}
