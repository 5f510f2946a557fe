// CPU time (user + system) used so far by a process and all its descendants, read from /proc (Linux).
// The benchmarks use it to say where a request's machine time goes: the Worker's wrangler/workerd processes,
// or the load generator and the stand-ins. Undefined where /proc is not available.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime: 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  ticks: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime and stime fields 14 and 15.
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // gone since the listing
  }
}

/** `root` and its descendants with their /proc stat, or undefined without /proc. */
function tree(root: number): Map<number, Stat> | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return undefined;
  }
  const stats = new Map<number, Stat>();
  for (const pid of pids) {
    const found = stat(pid);
    if (found) stats.set(pid, found);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found = new Map<number, Stat>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const s = stats.get(pid);
    if (s) found.set(pid, s);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Milliseconds of CPU used by `root` and its descendants, or undefined without /proc. */
export function treeCpuMs(root: number): number | undefined {
  const found = tree(root);
  if (!found) return undefined;
  let ticks = 0;
  for (const { ticks: t } of found.values()) ticks += t;
  return (ticks / TICKS_PER_SECOND) * 1000;
}

/** The pids of `root` and its descendants (empty without /proc). */
export function treePids(root: number): Set<number> {
  return new Set(tree(root)?.keys());
}
