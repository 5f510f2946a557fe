// The Worker's own workerd socket behind `wrangler dev`. Requests to wrangler's port pass a dev-only proxy
// (wrangler's ProxyWorker, in a second workerd) that copies every response and walks its headers; production
// has no such hop. The benchmark measures through both, so that the proxy's share can be told apart.
import { execFileSync } from 'node:child_process';
import { treePids } from './process-cpu.ts';

/** Loopback ports that processes of `root`'s tree listen on, from `ss` (iproute2); empty where it is missing. */
function listeningPorts(root: number): { pid: number; port: number }[] {
  const pids = treePids(root);
  let out: string;
  try {
    out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const ports: { pid: number; port: number }[] = [];
  for (const line of out.split('\n')) {
    const pid = /pid=(\d+)/.exec(line)?.[1];
    const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (pid && port && pids.has(Number(pid))) ports.push({ pid: Number(pid), port: Number(port) });
  }
  return ports;
}

/**
 * The base URL of a port in `wrangler`'s tree that answers `probe` as `ready` says, served by another process
 * than the proxy listening on `publicPort`; undefined if there is none.
 */
export async function directUrl(
  wrangler: number,
  publicPort: number,
  probe: string,
  ready: (res: Response) => Promise<boolean>,
): Promise<string | undefined> {
  const listening = listeningPorts(wrangler);
  const proxy = listening.find(({ port }) => port === publicPort)?.pid;
  if (proxy === undefined) return undefined;
  for (const { pid, port } of listening) {
    if (pid === proxy) continue;
    const base = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${base}${probe}`, { signal: AbortSignal.timeout(2000) });
      if (await ready(res)) return base;
    } catch {
      // not an HTTP server, or not this one
    }
  }
  return undefined;
}
