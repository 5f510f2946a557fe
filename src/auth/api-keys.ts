// API keys: shown once, stored as SHA-256, scoped, with expiry and IP allowlists. Rotation and revocation
// take effect on the very next request (every key request looks the key up); another user's key is a 404.
import type { ApiKeyRow, UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { isWellFormedApiKey, keyPrefix, newApiKey } from './api-key-format.ts';
import { audit } from './audit.ts';
import { sha256Hex } from './encoding.ts';
import { AuthError } from './errors.ts';
import { ipAllowed } from './ip-allowlist.ts';
import { grantableScopes, type Scope } from './scopes.ts';

export interface ApiKeyView {
  id: string;
  name: string;
  description: string | null;
  key_prefix: string;
  scopes: string[];
  allowed_ips: string[];
  is_active: boolean;
  last_used_at: string | null;
  usage_count: number;
  expires_at: string;
  created_at: string;
}

/** Whether a key is accepted at `now`: neither revoked nor deactivated nor expired. */
const isLive = (row: ApiKeyRow, now: Date) =>
  row.isActive && !row.revokedAt && row.expiresAt.getTime() > now.getTime();

/** What the owner sees of a key; `is_active` is whether it would be accepted now. */
export function apiKeyView(row: ApiKeyRow, now: Date): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    key_prefix: row.keyPrefix,
    scopes: row.scopes,
    allowed_ips: row.allowedIps,
    is_active: isLive(row, now),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    usage_count: row.usageCount,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

const WARNING = 'Store this key now: it is shown once and cannot be recovered.';
const notFound = () => new AuthError('not_found', 'No such API key.');

function prefixOf(deps: Deps) {
  return keyPrefix(deps.config.apiKeyPrefix, deps.config.environment === 'production');
}

async function ownerOf(deps: Deps, userId: string): Promise<UserRow> {
  const user = await deps.db.users.findById(userId);
  if (!user || !user.isActive) throw new AuthError('forbidden', 'This account cannot manage API keys.');
  return user;
}

export async function createApiKey(
  deps: Deps,
  ctx: RequestContext,
  userId: string,
  input: {
    name: string;
    scopes: Scope[];
    expires_in_days?: number | undefined;
    description?: string | null | undefined;
    allowed_ips?: string[] | undefined;
  },
) {
  const user = await ownerOf(deps, userId);
  const grantable = grantableScopes(user.roles);
  const above = input.scopes.filter((scope) => !grantable.has(scope));
  if (above.length > 0) {
    throw new AuthError('forbidden', `Your roles do not allow these scopes: ${above.join(', ')}.`);
  }
  const key = newApiKey(deps.random, prefixOf(deps));
  const now = deps.clock.now();
  const row = await deps.db.apiKeys.insert({
    id: deps.random.uuid(),
    userId: user.id,
    name: input.name,
    description: input.description ?? null,
    keyHash: await sha256Hex(key),
    keyPrefix: key.slice(0, 12),
    scopes: [...new Set(input.scopes)],
    allowedIps: input.allowed_ips ?? [],
    expiresAt: new Date(now.getTime() + (input.expires_in_days ?? 365) * 86_400_000),
    createdAt: now,
  });
  audit(deps, ctx, {
    type: 'api_key_created',
    userId: user.id,
    detail: { key_id: row.id, scopes: row.scopes },
  });
  return { ...apiKeyView(row, deps.clock.now()), key, warning: WARNING };
}

export async function rotateApiKey(deps: Deps, ctx: RequestContext, userId: string, id: string) {
  const key = newApiKey(deps.random, prefixOf(deps));
  const secret = { keyHash: await sha256Hex(key), keyPrefix: key.slice(0, 12) };
  const row = await deps.db.apiKeys.rotate(id, userId, secret, deps.clock.now());
  if (!row) throw new AuthError('not_found', 'No such API key, or it was revoked or has expired.');
  audit(deps, ctx, { type: 'api_key_rotated', userId, detail: { key_id: id } });
  return { ...apiKeyView(row, deps.clock.now()), key, warning: WARNING };
}

/** The user's keys (never their secrets), newest first; `is_active` is whether each would be accepted now. */
export async function listApiKeys(deps: Pick<Deps, 'db' | 'clock'>, userId: string): Promise<ApiKeyView[]> {
  const rows = await deps.db.apiKeys.listForUser(userId);
  const now = deps.clock.now();
  return rows.map((row) => apiKeyView(row, now));
}

export async function revokeApiKey(
  deps: Deps,
  ctx: RequestContext,
  userId: string,
  id: string,
): Promise<void> {
  if (!(await deps.db.apiKeys.revoke(id, userId, deps.clock.now()))) throw notFound();
  audit(deps, ctx, { type: 'api_key_revoked', userId, detail: { key_id: id } });
}

const invalidKey = () => new AuthError('invalid_api_key', 'The API key is not valid.');

export interface KeyAuthentication {
  key: ApiKeyRow;
  user: UserRow;
  /** The key's scopes that the owner's current roles still allow. */
  scopes: Scope[];
}

/** Authenticates an X-API-Key: shape and checksum first (no lookup for a forgery), then the stored hash. */
export async function authenticateApiKey(
  deps: Deps,
  ctx: RequestContext,
  text: string,
): Promise<KeyAuthentication> {
  if (!isWellFormedApiKey(text, prefixOf(deps))) throw invalidKey();
  const hash = await sha256Hex(text);
  const found = await deps.db.apiKeys.findByHash(hash);
  const now = deps.clock.now();
  // Found by its hash: the comparison was the lookup itself, of a SHA-256 no attacker can steer.
  if (!found || !found.user.isActive) throw invalidKey();
  if (!isLive(found.key, now)) throw invalidKey();
  if (!ipAllowed(ctx.ip, found.key.allowedIps)) {
    throw new AuthError('ip_not_allowed', 'This API key may not be used from this address.');
  }
  const grantable = grantableScopes(found.user.roles);
  // Usage is recorded after the response: a key request costs no database write on its way.
  ctx.waitUntil(
    deps.db.apiKeys
      .recordUse(found.key.id, now, ctx.ip)
      .catch((error: unknown) => deps.logger.error('api_key_usage_failed', { error: (error as Error).name })),
  );
  return { ...found, scopes: found.key.scopes.filter((s): s is Scope => grantable.has(s as Scope)) };
}
