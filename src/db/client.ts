// Drizzle over Neon's HTTP SQL API: one HTTP request per query, `db.batch` for atomic groups.
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import * as schema from './schema.ts';

export type DrizzleDb = NeonHttpDatabase<typeof schema>;

type EndpointFn = (host: string, port: number | string, options?: { jwtAuth?: boolean }) => string;

// The driver's endpoint setting is global to the isolate. Local endpoints are therefore registered per
// connection-string host, and every other host keeps the driver's own (Neon) endpoint.
const localEndpoints = new Map<string, string>();
let neonDefault: EndpointFn | undefined;

function routeLocalHosts(host: string, endpoint: string) {
  if (!neonDefault) {
    neonDefault = neonConfig.fetchEndpoint as EndpointFn;
    const fallback = neonDefault;
    neonConfig.fetchEndpoint = (h: string, port: number | string, options?: { jwtAuth?: boolean }) =>
      localEndpoints.get(h) ?? fallback(h, port, options);
  }
  localEndpoints.set(host, endpoint);
}

export function createDrizzle(options: { url: string; fetchEndpoint: string | undefined }): DrizzleDb {
  // Only the local stand-ins set fetchEndpoint; in production the driver derives Neon's endpoint from the URL.
  if (options.fetchEndpoint) routeLocalHosts(new URL(options.url).hostname, options.fetchEndpoint);
  return drizzle({ client: neon(options.url), schema });
}
