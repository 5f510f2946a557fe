// The scheduled clean-up (the Worker's cron trigger): sessions and their refresh-token families a day after
// they ended, reset and verification tokens a day after they expired, audit events after
// AUDIT_RETENTION_DAYS. Nothing deleted here can still authenticate anyone: an ended session's access tokens
// expired long before (ACCESS_TOKEN_TTL is at most a day) and its revocation marks live in the store.
import type { Deps } from '../deps.ts';

const DAY_MS = 86_400_000;
/** Rows per statement, and statements per kind per run: a backlog is worked off over several runs. */
export interface PruneLimits {
  batch: number;
  maxBatches: number;
}
const DEFAULT_LIMITS: PruneLimits = { batch: 1000, maxBatches: 20 };

export interface PruneReport {
  sessions: number;
  one_time_tokens: number;
  audit_events: number;
}

async function drain(remove: (limit: number) => Promise<number>, limits: PruneLimits): Promise<number> {
  let total = 0;
  for (let i = 0; i < limits.maxBatches; i++) {
    const removed = await remove(limits.batch);
    total += removed;
    if (removed < limits.batch) break;
  }
  return total;
}

export async function pruneExpired(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger'>,
  limits: PruneLimits = DEFAULT_LIMITS,
): Promise<PruneReport> {
  const now = deps.clock.now().getTime();
  const dayAgo = new Date(now - DAY_MS);
  const auditCutoff = new Date(now - deps.config.auditRetentionDays * DAY_MS);
  const { retention } = deps.db;
  const report: PruneReport = {
    sessions: await drain((limit) => retention.deleteEndedSessions(dayAgo, limit), limits),
    one_time_tokens: await drain((limit) => retention.deleteExpiredOneTimeTokens(dayAgo, limit), limits),
    audit_events: await drain((limit) => retention.deleteAuditEventsBefore(auditCutoff, limit), limits),
  };
  deps.logger.info('pruned', { ...report });
  return report;
}
