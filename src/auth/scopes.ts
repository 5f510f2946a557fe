// The scope vocabulary and which roles may hold which scopes.
export const SCOPES = [
  'read:documents',
  'write:documents',
  'delete:documents',
  'read:users',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];
export const ROLES = ['user', 'admin'] as const;

const GRANTABLE: Record<string, readonly Scope[]> = {
  user: ['read:documents', 'write:documents', 'delete:documents'],
  admin: SCOPES,
};

/** Every scope the given roles may put on a key. */
export function grantableScopes(roles: readonly string[]): Set<Scope> {
  return new Set(roles.flatMap((role) => GRANTABLE[role] ?? []));
}
