// The database port as the domain sees it: plain records and small repositories, no driver types. db/ is the
// one adapter (Drizzle over Neon's HTTP API); it turns driver failures into the two errors at the end.

export interface UserRow {
  id: string;
  email: string;
  emailNormalized: string;
  username: string;
  usernameNormalized: string;
  firstName: string | null;
  lastName: string | null;
  /** Null for an account that signs in without one (passkeys, providers, email); set through the reset flow. */
  passwordHash: string | null;
  passwordChangedAt: Date;
  roles: string[];
  isActive: boolean;
  isVerified: boolean;
  failedLoginCount: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  /** AES-GCM ciphertext; the plaintext secret is never stored. */
  twoFactorSecret: string | null;
  twoFactorEnabled: boolean;
  twoFactorEnabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A new account: the record less what the database starts at its defaults (active, unverified, no 2FA). */
export type NewUser = Pick<
  UserRow,
  | 'id'
  | 'email'
  | 'emailNormalized'
  | 'username'
  | 'usernameNormalized'
  | 'firstName'
  | 'lastName'
  | 'passwordHash'
  | 'passwordChangedAt'
  | 'roles'
  | 'createdAt'
  | 'updatedAt'
>;

export interface SessionRow {
  id: string;
  userId: string;
  amr: string[];
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The DPoP key thumbprint the session is bound to, or null. */
  jkt: string | null;
}

export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  keyHash: string;
  keyPrefix: string;
  scopes: string[];
  allowedIps: string[];
  isActive: boolean;
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  usageCount: number;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A new key: the record less its use, its revocation and its active flag (the database's defaults). */
export type NewApiKey = Omit<
  ApiKeyRow,
  'isActive' | 'lastUsedAt' | 'lastUsedIp' | 'usageCount' | 'revokedAt'
>;

/** A WebAuthn credential (a passkey) registered by a user. */
export interface PasskeyRow {
  id: string;
  userId: string;
  name: string;
  /** The credential's id, base64url, as the authenticator gave it: unique across all users. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen: one that goes backwards is refused. 0 for synced passkeys. */
  counter: number;
  transports: string[];
  /** `singleDevice` or `multiDevice` (synced). */
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskey = Omit<PasskeyRow, 'lastUsedAt'>;

export interface AuditEventRow {
  id: string;
  type: string;
  userId: string | null;
  actorId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

/** The (created_at, id) of the last row of the previous page. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

export type InsertUserResult = { ok: true; user: UserRow } | { ok: false; taken: 'email' | 'username' };

export interface UsersRepository {
  /** A new account, with its audit row and (optionally) its first one-time token, in one round trip. */
  insert(user: NewUser, also?: { audit?: AuditEventRow; token?: NewOneTimeToken }): Promise<InsertUserResult>;
  /** The account a login name names (if any) and the lock of the name itself, in one round trip. */
  findForLogin(normalized: string): Promise<{ user: UserRow | undefined; nameLockedUntil: Date | null }>;
  findById(id: string): Promise<UserRow | undefined>;
  findByEmail(normalized: string): Promise<UserRow | undefined>;
  /** A new password; with `replacing`, only while the account still has that hash. */
  setPassword(
    id: string,
    hash: string,
    now: Date,
    clearLockout: boolean,
    replacing?: string,
  ): Promise<UserRow | undefined>;
  setVerified(id: string, now: Date): Promise<UserRow | undefined>;
}

export interface NewSession {
  id: string;
  userId: string;
  amr: string[];
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  tokenHash: string;
  /** The DPoP key the session is bound to (its refreshes then need a proof of it), or null. */
  jkt: string | null;
}

export type RotateResult =
  | { kind: 'rotated'; session: SessionRow; user: UserRow }
  /** The token had been exchanged before: someone holds a copy. */
  | { kind: 'reused'; sessionId: string; userId: string }
  | { kind: 'invalid' };

export interface RotateInput {
  tokenHash: string;
  /** The DPoP key the refresh proved, or null: a bound session refreshes only with a proof of its key. */
  jkt: string | null;
  newTokenHash: string;
  now: Date;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface LoginWrite {
  session: NewSession;
  /** The hash the login verified: everything is conditional on the account still holding it, and active. */
  verifiedHash: string | null;
  /** A rehash of an outdated hash, stored with the login. */
  rehash?: string | undefined;
  audit: AuditEventRow;
}

export interface SessionsRepository {
  /**
   * A completed login in ONE round trip: the account's login time and cleared failure count (and rehash), the
   * session, its first refresh token and the audit row, all or nothing; the account as it is now, or
   * undefined when its proof no longer holds (a password change, reset or deactivation got in).
   */
  openForLogin(write: LoginWrite): Promise<UserRow | undefined>;
  /** Opens a session only while the user is active and still has `guard.passwordHash`; whether it opened. */
  create(session: NewSession, guard: { passwordHash: string | null }): Promise<boolean>;
  /** Exchanges a refresh token for a new one; among concurrent exchanges exactly one wins. */
  rotate(input: RotateInput): Promise<RotateResult>;
  liveIds(userId: string, now: Date): Promise<string[]>;
  /** The sessions revoked at or after `since` (their access tokens may still be live). */
  revokedSince(since: Date): Promise<string[]>;
  revokeMany(ids: string[], reason: string, now: Date): Promise<void>;
  /** Live sessions, most recently used first. */
  listLive(userId: string, now: Date): Promise<SessionRow[]>;
  findLive(id: string, now: Date): Promise<SessionRow | undefined>;
  findByTokenHash(tokenHash: string): Promise<{ sessionId: string; userId: string } | undefined>;
}

export interface PasskeyLoginWrite {
  passkeyId: string;
  /** The counter this assertion reported, stored only if it is above the one read (or both are 0). */
  counter: number;
  backedUp: boolean;
  session: NewSession;
  audit: AuditEventRow;
}

export type RemovePasskeyResult = 'removed' | 'not_found' | 'last_sign_in_method';

export interface PasskeysRepository {
  /** A new passkey with its audit row in one round trip; `exists` when the credential is registered already. */
  insert(passkey: NewPasskey, audit: AuditEventRow): Promise<PasskeyRow | 'exists'>;
  /** The user's passkeys, oldest first. */
  listForUser(userId: string): Promise<PasskeyRow[]>;
  /** The passkey with this credential id and its owner, in one round trip. */
  findForLogin(credentialId: string): Promise<{ passkey: PasskeyRow; user: UserRow } | undefined>;
  rename(id: string, userId: string, name: string): Promise<PasskeyRow | undefined>;
  /** The counter (never lowered), backup state and time of a use that opened no session itself (a 2FA step). */
  recordUse(id: string, counter: number, backedUp: boolean, at: Date): Promise<void>;
  /**
   * Removes a passkey of this user unless it is the account's last way to sign in, with its audit row; the
   * user row is locked first, so two removals racing for the last two passkeys cannot both win.
   */
  remove(id: string, userId: string, audit: AuditEventRow): Promise<RemovePasskeyResult>;
  /**
   * A passkey login in ONE round trip: the counter and last use, the account's login time and cleared failure
   * count, the session, its first refresh token and the audit row; only while the account is active and the
   * passkey still exists. The account as it is now, or undefined.
   */
  openForLogin(write: PasskeyLoginWrite): Promise<UserRow | undefined>;
}

/** A pending email sign-in (a link and a code, one per address). */
export interface EmailSignInRow {
  emailNormalized: string;
  email: string;
  tokenHash: string;
  codeHash: string;
  tries: number;
  createdAt: Date;
  expiresAt: Date;
}

export interface EmailSignInsRepository {
  /** Starts a sign-in for the address, retiring the one before it. */
  replace(row: Omit<EmailSignInRow, 'tries'>): Promise<void>;
  /**
   * Spends one of the code's tries in ONE conditional UPDATE (live, fewer than `maxTries` spent): the pending
   * sign-in to compare the code with, or undefined when there is none left to try.
   */
  spendTry(emailNormalized: string, maxTries: number, now: Date): Promise<EmailSignInRow | undefined>;
  /** Uses a sign-in up in ONE DELETE: among concurrent uses exactly one gets it. */
  consume(emailNormalized: string, tokenHash: string, now: Date): Promise<EmailSignInRow | undefined>;
  consumeByToken(tokenHash: string, now: Date): Promise<EmailSignInRow | undefined>;
}

export interface AuditQuery {
  userId?: string | undefined;
  type?: string | undefined;
  limit: number;
  after?: Keyset | undefined;
}

export interface AuditRepository {
  insert(event: AuditEventRow): Promise<void>;
  /** Newest first, keyset-paginated on (created_at, id). */
  list(query: AuditQuery): Promise<AuditEventRow[]>;
}

export interface LockoutPolicy {
  threshold: number;
  minutes: number;
}

export interface FailureResult {
  count: number;
  lockedUntil: Date | null;
}

/** The audit rows of a failure: `failed` always (its detail gains `failures`), `locked` when it sets the lock. */
export interface FailureAudit {
  failed: AuditEventRow;
  locked: AuditEventRow;
}

export interface LockoutsRepository {
  /** One failure, in ONE statement (so concurrent failures all count), with its audit rows: one round trip. */
  recordAccountFailure(
    userId: string,
    now: Date,
    policy: LockoutPolicy,
    audit: FailureAudit,
  ): Promise<FailureResult>;
  recordNameFailure(
    loginName: string,
    now: Date,
    policy: LockoutPolicy,
    audit: FailureAudit,
  ): Promise<FailureResult>;
}

export type OneTimePurpose = 'password_reset' | 'email_verification';

export interface NewOneTimeToken {
  hash: string;
  userId: string;
  purpose: OneTimePurpose;
  now: Date;
  expiresAt: Date;
}

export interface OneTimeTokensRepository {
  create(token: NewOneTimeToken): Promise<void>;
  /** The owner of a usable token, without using it up. */
  peek(hash: string, purpose: OneTimePurpose, now: Date): Promise<string | undefined>;
  /** Uses a token up in ONE conditional statement: among concurrent attempts exactly one gets the owner. */
  consume(hash: string, purpose: OneTimePurpose, now: Date): Promise<string | undefined>;
  /** Retires every unused token of that purpose of the user. */
  retireAll(userId: string, purpose: OneTimePurpose, now: Date): Promise<void>;
}

export interface TwoFactorRepository {
  /** Enrolment: a new (sealed) secret and new backup codes; 2FA stays off until verified. */
  begin(userId: string, sealedSecret: string, codeHashes: string[], now: Date): Promise<void>;
  enable(userId: string, now: Date): Promise<UserRow | undefined>;
  disable(userId: string, now: Date): Promise<void>;
  replaceBackupCodes(userId: string, codeHashes: string[], now: Date): Promise<void>;
  /**
   * Uses a backup code up in ONE conditional UPDATE: among concurrent uses exactly one gets 'consumed'; the
   * others, and any later use, 'used'; a code the user does not have, 'unknown'.
   */
  consumeBackupCode(userId: string, codeHash: string, now: Date): Promise<'consumed' | 'used' | 'unknown'>;
}

export interface ApiKeysRepository {
  insert(key: NewApiKey): Promise<ApiKeyRow>;
  /** The user's keys that are not revoked, newest first. */
  listForUser(userId: string): Promise<ApiKeyRow[]>;
  /** The key with this hash and its owner; revoked keys are never found. */
  findByHash(keyHash: string): Promise<{ key: ApiKeyRow; user: UserRow } | undefined>;
  /** Revokes a key of this user; false for an unknown key or another user's. */
  revoke(id: string, userId: string, now: Date): Promise<boolean>;
  /** Replaces the secret of a live, unexpired key of this user in place. */
  rotate(
    id: string,
    userId: string,
    secret: { keyHash: string; keyPrefix: string },
    now: Date,
  ): Promise<ApiKeyRow | undefined>;
  recordUse(id: string, at: Date, ip: string | null): Promise<void>;
}

export interface UserQuery {
  limit: number;
  /** Substring of the email or username. */
  q?: string | undefined;
  after?: Keyset | undefined;
}

export interface AdminUsersRepository {
  /** Oldest first, keyset-paginated on (created_at, id). */
  list(query: UserQuery): Promise<UserRow[]>;
  setActive(id: string, active: boolean, now: Date): Promise<UserRow | undefined>;
  setRoles(id: string, roles: string[], now: Date): Promise<UserRow | undefined>;
  unlock(id: string, now: Date): Promise<UserRow | undefined>;
}

export interface RetentionRepository {
  /** At most `limit` sessions that ended before `cutoff`, with their refresh tokens; how many went. */
  deleteEndedSessions(cutoff: Date, limit: number): Promise<number>;
  deleteExpiredOneTimeTokens(cutoff: Date, limit: number): Promise<number>;
  deleteAuditEventsBefore(cutoff: Date, limit: number): Promise<number>;
}

export interface Database {
  users: UsersRepository;
  sessions: SessionsRepository;
  audit: AuditRepository;
  lockouts: LockoutsRepository;
  oneTimeTokens: OneTimeTokensRepository;
  twoFactor: TwoFactorRepository;
  apiKeys: ApiKeysRepository;
  passkeys: PasskeysRepository;
  emailSignIns: EmailSignInsRepository;
  adminUsers: AdminUsersRepository;
  retention: RetentionRepository;
  /** One trivial query: true when the database answers. */
  ping(): Promise<boolean>;
}

/** The database could not be reached, is starting or shutting down: the caller answers 503. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause?: unknown) {
    super('the database did not answer', { cause });
  }
}

/**
 * Any other failure of a statement. It carries the SQLSTATE and nothing of the driver's message, which quotes
 * the SQL and its parameters.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    readonly sqlstate: string | undefined,
    cause?: unknown,
  ) {
    super('a database statement failed', { cause });
  }
}
