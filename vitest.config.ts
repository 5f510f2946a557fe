import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * wrangler.toml as it is, moved to a folder of its own so that the pool finds no `.dev.vars` beside it: the
 * tests' environment is the global setup's alone, whatever a developer keeps in `.dev.vars` (wrangler loads
 * that file from the config's folder, with no option to skip it).
 */
function hermeticWranglerConfig(): string {
  const source = readFileSync(resolve(root, 'wrangler.toml'), 'utf8');
  const main = /^main\s*=\s*"([^"]+)"/m.exec(source)?.[1];
  if (!main) throw new Error('wrangler.toml has no main');
  const dir = resolve(root, 'node_modules/.cache/portcullis-test');
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, 'wrangler.toml');
  writeFileSync(path, source.replace(/^main\s*=.*$/m, `main = ${JSON.stringify(resolve(root, main))}`));
  return path;
}

// Three projects: `unit` runs the domain with in-memory fakes of the ports, in Node, in seconds; `worker`
// runs inside workerd (the real runtime) against the stand-ins that the global setup starts; `local` runs the
// stand-ins' own tests in Node. DATABASE_URL / REDIS_URL switch the last two to a real Postgres / Redis;
// without them, embedded PGlite and a private redis-server are used.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: hermeticWranglerConfig() },
            miniflare: { bindings: inject('workerEnv') },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts', 'src/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'local',
          include: ['test/local/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
