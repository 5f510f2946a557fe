// Starting `wrangler dev` on loopback and waiting for an HTTP server to answer: what `npm run dev`, the
// benchmarks and the browser test share.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `wrangler dev --ip 127.0.0.1 <args>`, with wrangler's telemetry and its `Request.cf` download off. */
export function spawnWranglerDev(
  args: string[],
  options: { cwd?: string; stdio?: StdioOptions } = {},
): ChildProcess {
  return spawn(join(root, 'node_modules', '.bin', 'wrangler'), ['dev', '--ip', '127.0.0.1', ...args], {
    cwd: options.cwd ?? root,
    stdio: options.stdio ?? 'inherit',
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      // The Worker reads nothing of `Request.cf`; fetching Cloudflare's sample of it fails offline with a stack
      // printed on every reload. Miniflare's placeholder does. Set it to true to fetch the real sample.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    },
  });
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Whether an answer means "up"; by default anything below 500. */
  ready?: (res: Response) => boolean;
  /** Stop waiting early when the process behind the URL has died. */
  alive?: () => boolean;
}

/** Polls `url` every half second until it answers as `ready` says; false on timeout or a dead process. */
export async function waitForHttp(url: string, options: WaitOptions = {}): Promise<boolean> {
  const { timeoutMs = 120_000, ready = (res) => res.status < 500, alive = () => true } = options;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (ready(res)) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
