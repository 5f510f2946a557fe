// Readiness: whether the database and the store answer right now. Never throws: a probe that fails is down.
import type { Deps } from '../deps.ts';

export type Check = 'ok' | 'unavailable';

async function check(probe: () => Promise<boolean>): Promise<Check> {
  try {
    return (await probe()) ? 'ok' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

export async function readiness(deps: Pick<Deps, 'db' | 'store'>) {
  const [database, store] = await Promise.all([check(() => deps.db.ping()), check(() => deps.store.ping())]);
  const ok = database === 'ok' && store === 'ok';
  return { status: ok ? ('ok' as const) : ('unavailable' as const), checks: { database, store } };
}
