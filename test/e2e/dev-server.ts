// Runs `npm run dev` (local/dev.ts) as a throw-away instance for the browser test: its own data directory,
// vars file and ports, so it neither touches nor collides with a developer's running dev server. Always the
// embedded backends (PGlite, a private redis-server), as on a newcomer's machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHttp } from '../../local/wrangler-dev.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface DevServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startDevServer(timeoutMs = 120_000): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NEON_PORT: '0',
    UPSTASH_PORT: '0',
    DEV_DATA_DIR: join(dir, 'data'),
    DEV_VARS_FILE: join(dir, 'dev.vars'),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'local', 'dev.ts'), '--inspector-port', String(inspectorPort)],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const up = await waitForHttp(`${url}/health/ready`, {
    timeoutMs,
    ready: (res) => res.status === 200,
    alive: () => child.exitCode === null,
  });
  if (up) return { url, output: () => log, stop };
  await stop();
  throw new Error(`npm run dev did not become ready at ${url}:\n${log.slice(-4000)}`);
}
