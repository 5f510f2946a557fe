// The database port as the domain sees it: repositories, no drizzle types leaking past db/.
import { sql } from 'drizzle-orm';
import { adminUsersRepository, type AdminUsersRepository } from './admin-users.ts';
import { apiKeysRepository, type ApiKeysRepository } from './api-keys.ts';
import { auditRepository, type AuditRepository } from './audit.ts';
import { createDrizzle } from './client.ts';
import { lockoutsRepository, type LockoutsRepository } from './lockouts.ts';
import { oneTimeTokensRepository, type OneTimeTokensRepository } from './one-time-tokens.ts';
import { retentionRepository, type RetentionRepository } from './retention.ts';
import { twoFactorRepository, type TwoFactorRepository } from './two-factor.ts';
import { sessionsRepository, type SessionsRepository } from './sessions.ts';
import { usersRepository, type UsersRepository } from './users.ts';

export interface Database {
  users: UsersRepository;
  sessions: SessionsRepository;
  audit: AuditRepository;
  lockouts: LockoutsRepository;
  oneTimeTokens: OneTimeTokensRepository;
  twoFactor: TwoFactorRepository;
  apiKeys: ApiKeysRepository;
  adminUsers: AdminUsersRepository;
  retention: RetentionRepository;
  /** One trivial query: true when the database answers. */
  ping(): Promise<boolean>;
}

export function createDatabase(options: { url: string; fetchEndpoint: string | undefined }): Database {
  const db = createDrizzle(options);
  return {
    users: usersRepository(db),
    sessions: sessionsRepository(db),
    audit: auditRepository(db),
    lockouts: lockoutsRepository(db),
    oneTimeTokens: oneTimeTokensRepository(db),
    twoFactor: twoFactorRepository(db),
    apiKeys: apiKeysRepository(db),
    adminUsers: adminUsersRepository(db),
    retention: retentionRepository(db),
    async ping() {
      await db.execute(sql`select 1`);
      return true;
    },
  };
}
