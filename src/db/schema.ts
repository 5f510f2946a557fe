// The whole data model of API.md. Times are timestamptz written from deps.clock (never the database's now()),
// so tests can travel in time.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type {
  ApiKeyRow,
  AuditEventRow,
  EmailSignInRow,
  PasskeyRow,
  SessionRow,
  UserRow,
} from '../ports/database.ts';

const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    /** Trimmed and lower-cased: the unique key. */
    emailNormalized: text('email_normalized').notNull(),
    username: text('username').notNull(),
    /** NFKC and lower-cased: the unique key. */
    usernameNormalized: text('username_normalized').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    passwordHash: text('password_hash'),
    passwordChangedAt: time('password_changed_at').notNull(),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`ARRAY['user']::text[]`),
    isActive: boolean('is_active').notNull().default(true),
    isVerified: boolean('is_verified').notNull().default(false),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: time('locked_until'),
    lastLoginAt: time('last_login_at'),
    /** AES-GCM ciphertext under a key derived from SECRETS_KEY; the plaintext secret is never stored. */
    twoFactorSecret: text('two_factor_secret'),
    twoFactorEnabled: boolean('two_factor_enabled').notNull().default(false),
    twoFactorEnabledAt: time('two_factor_enabled_at'),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('users_email_normalized_key').on(t.emailNormalized),
    uniqueIndex('users_username_normalized_key').on(t.usernameNormalized),
    index('users_created_at_id_idx').on(t.createdAt, t.id),
  ],
);

/** Failure counters for login names that belong to no account, so that a lock reveals nothing. */
export const loginNameLockouts = pgTable('login_name_lockouts', {
  loginName: text('login_name').primaryKey(),
  failedCount: integer('failed_count').notNull().default(0),
  lockedUntil: time('locked_until'),
  updatedAt: time('updated_at').notNull(),
});

/** A session is one refresh-token family: every rotation stays in it, and reuse revokes all of it. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Authentication methods of the login that opened the session; refreshed tokens keep them. */
    amr: text('amr').array().notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: time('created_at').notNull(),
    lastUsedAt: time('last_used_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    revokedAt: time('revoked_at'),
    revokedReason: text('revoked_reason'),
    /** The DPoP key (RFC 7638 thumbprint) the session is bound to: its refreshes need a proof of that key. */
    jkt: text('jkt'),
  },
  (t) => [
    index('sessions_user_id_idx').on(t.userId, t.createdAt),
    // For the scheduled clean-up of ended sessions (src/auth/retention.ts).
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_revoked_at_idx').on(t.revokedAt),
  ],
);

/** Every refresh token ever issued, as SHA-256; `rotatedAt` marks the ones already exchanged. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    parentHash: text('parent_hash'),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    rotatedAt: time('rotated_at'),
  },
  (t) => [index('refresh_tokens_session_id_idx').on(t.sessionId)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    userId: uuid('user_id'),
    actorId: uuid('actor_id'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: time('created_at').notNull(),
  },
  (t) => [
    index('audit_events_created_at_id_idx').on(t.createdAt, t.id),
    index('audit_events_user_id_idx').on(t.userId, t.createdAt),
    index('audit_events_type_idx').on(t.type, t.createdAt),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    allowedIps: text('allowed_ips')
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    isActive: boolean('is_active').notNull().default(true),
    expiresAt: time('expires_at').notNull(),
    lastUsedAt: time('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    usageCount: bigint('usage_count', { mode: 'number' }).notNull().default(0),
    createdAt: time('created_at').notNull(),
    revokedAt: time('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash), index('api_keys_user_id_idx').on(t.userId)],
);

/** WebAuthn credentials: the public key and what the authenticator said of itself; never a private key. */
export const passkeys = pgTable(
  'passkeys',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    credentialId: text('credential_id').notNull(),
    publicKey: text('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: text('transports')
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    deviceType: text('device_type').notNull(),
    backedUp: boolean('backed_up').notNull(),
    aaguid: text('aaguid').notNull(),
    createdAt: time('created_at').notNull(),
    lastUsedAt: time('last_used_at'),
  },
  (t) => [
    uniqueIndex('passkeys_credential_id_key').on(t.credentialId),
    index('passkeys_user_id_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * A pending email sign-in, one per address (a new start replaces it): the link's token as SHA-256, the
 * 6-digit code as HMAC-SHA-256 under a key derived from SECRETS_KEY, and the tries spent on the code. Keyed by
 * the address, not an account: with EMAIL_SIGNUP=true the account may not exist yet.
 */
export const emailSignIns = pgTable(
  'email_sign_ins',
  {
    emailNormalized: text('email_normalized').primaryKey(),
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    tries: integer('tries').notNull().default(0),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('email_sign_ins_token_hash_key').on(t.tokenHash),
    index('email_sign_ins_expires_at_idx').on(t.expiresAt),
  ],
);

/** HMAC-SHA-256 of each backup code under a key derived from SECRETS_KEY; `usedAt` makes each single-use. */
export const backupCodes = pgTable(
  'backup_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: time('created_at').notNull(),
    usedAt: time('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** Password-reset and email-verification tokens, as SHA-256; consumed by one conditional UPDATE. */
export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['password_reset', 'email_verification'] }).notNull(),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    usedAt: time('used_at'),
  },
  (t) => [
    index('one_time_tokens_user_id_idx').on(t.userId, t.purpose),
    index('one_time_tokens_expires_at_idx').on(t.expiresAt),
  ],
);

export type { ApiKeyRow, AuditEventRow, PasskeyRow, SessionRow, UserRow } from '../ports/database.ts';

// The port's records are the tables' rows, column for column: a column added to one and not the other is a
// compile error here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape = <T extends true>(_check?: T) => undefined;
sameShape<Same<typeof users.$inferSelect, UserRow>>();
sameShape<Same<typeof sessions.$inferSelect, SessionRow>>();
sameShape<Same<typeof auditEvents.$inferSelect, AuditEventRow>>();
sameShape<Same<typeof apiKeys.$inferSelect, ApiKeyRow>>();
sameShape<Same<typeof passkeys.$inferSelect, PasskeyRow>>();
sameShape<Same<typeof emailSignIns.$inferSelect, EmailSignInRow>>();
