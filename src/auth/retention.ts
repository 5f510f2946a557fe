// The scheduled clean-up (the Worker's cron trigger): sessions and their refresh-token families a day after
// they ended, reset and verification tokens a day after they expired, audit events after
// AUDIT_RETENTION_DAYS. Nothing deleted here can still authenticate anyone: an ended session's access tokens
// expired long before (ACCESS_TOKEN_TTL is at most a day) and its revocation marks live in the store.
import type { Deps } from '../deps.ts';

const DAY_MS = 86_400_000;
/** Rows per statement, and statements per kind per run: a backlog is worked off over several runs. */
export const PRUNE_BATCH = 1000;
export const PRUNE_MAX_BATCHES = 20;

export interface PruneReport {
  sessions: number;
  one_time_tokens: number;
  audit_events: number;
}

async function drain(remove: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < PRUNE_MAX_BATCHES; i++) {
    const removed = await remove(PRUNE_BATCH);
    total += removed;
    if (removed < PRUNE_BATCH) break;
  }
  return total;
}

export async function pruneExpired(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger'>,
): Promise<PruneReport> {
  const now = deps.clock.now().getTime();
  const dayAgo = new Date(now - DAY_MS);
  const auditCutoff = new Date(now - deps.config.auditRetentionDays * DAY_MS);
  const { retention } = deps.db;
  const report: PruneReport = {
    sessions: await drain((limit) => retention.deleteEndedSessions(dayAgo, limit)),
    one_time_tokens: await drain((limit) => retention.deleteExpiredOneTimeTokens(dayAgo, limit)),
    audit_events: await drain((limit) => retention.deleteAuditEventsBefore(auditCutoff, limit)),
  };
  deps.logger.info('pruned', { ...report });
  return report;
}
