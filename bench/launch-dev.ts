// One Worker under `wrangler dev` for a benchmark: its own wrangler.toml and .dev.vars in a scratch directory,
// the output in <dir>/wrangler.log, a distinct inspector port (two instances cannot share the default one).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnWranglerDev } from '../local/wrangler-dev.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export function startDevWorker(options: {
  /** Scratch directory of the benchmark; the Worker gets `<scratch>/<name>`. */
  scratch: string;
  name: string;
  /** Entry module, relative to the repository root. */
  main: string;
  port: number;
  vars: Record<string, string>;
}): ChildProcess {
  const dir = join(options.scratch, options.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'wrangler.toml'),
    [
      `name = "bench-${options.name}"`,
      `main = ${JSON.stringify(join(root, options.main))}`,
      'compatibility_date = "2026-08-01"',
      'compatibility_flags = ["nodejs_compat"]',
      '[[rules]]',
      'type = "CompiledWasm"',
      'globs = ["**/*.wasm"]',
      'fallthrough = true',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, '.dev.vars'),
    Object.entries(options.vars)
      .map(([k, v]) => `${k}='${v}'`)
      .join('\n'),
  );
  const log = join(dir, 'wrangler.log');
  return spawnWranglerDev(
    [
      '-c',
      join(dir, 'wrangler.toml'),
      '--port',
      String(options.port),
      '--inspector-port',
      String(options.port + 1000),
    ],
    { cwd: dir, stdio: ['ignore', openSync(log, 'w'), openSync(log, 'a')] },
  );
}
