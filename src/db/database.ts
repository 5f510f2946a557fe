// The Database port's adapter: Drizzle over Neon's HTTP SQL API, one repository a table group. Every method
// fails only with the port's errors (DatabaseUnavailableError, DatabaseError), classified in errors.ts.
import { sql } from 'drizzle-orm';
import type { Database } from '../ports/database.ts';
import { adminUsersRepository } from './admin-users.ts';
import { apiKeysRepository } from './api-keys.ts';
import { auditRepository } from './audit.ts';
import { createDrizzle } from './client.ts';
import { guarded } from './errors.ts';
import { emailSignInsRepository } from './email-sign-ins.ts';
import { lockoutsRepository } from './lockouts.ts';
import { oneTimeTokensRepository } from './one-time-tokens.ts';
import { passkeysRepository } from './passkeys.ts';
import { retentionRepository } from './retention.ts';
import { sessionsRepository } from './sessions.ts';
import { twoFactorRepository } from './two-factor.ts';
import { usersRepository } from './users.ts';

export type { Database };

export function createDatabase(options: { url: string; fetchEndpoint: string | undefined }): Database {
  const db = createDrizzle(options);
  return {
    users: guarded(usersRepository(db)),
    sessions: guarded(sessionsRepository(db)),
    audit: guarded(auditRepository(db)),
    lockouts: guarded(lockoutsRepository(db)),
    oneTimeTokens: guarded(oneTimeTokensRepository(db)),
    twoFactor: guarded(twoFactorRepository(db)),
    apiKeys: guarded(apiKeysRepository(db)),
    passkeys: guarded(passkeysRepository(db)),
    emailSignIns: guarded(emailSignInsRepository(db)),
    adminUsers: guarded(adminUsersRepository(db)),
    retention: guarded(retentionRepository(db)),
    ...guarded({
      async ping() {
        await db.execute(sql`select 1`);
        return true;
      },
    }),
  };
}
