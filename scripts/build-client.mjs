#!/usr/bin/env node
// The typed SPA client as a package entry point (`portcullis/client`): dist/client.js, one ES module with
// hono/client bundled in, and its declarations under dist/types (the route types come with them, so an SPA
// sees every request and response shape). Runs on `npm install` (prepare) and before builds.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Declarations of files that no longer exist must not linger in the package.
rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'client.ts')],
  outfile: join(root, 'dist', 'client.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.client.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
