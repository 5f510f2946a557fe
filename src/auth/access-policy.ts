// Who may use which routes beyond being authenticated: roles for signed-in users, scopes for API keys.
import type { Deps } from '../deps.ts';
import { AuthError, forbidden } from './errors.ts';
import type { Scope } from './scopes.ts';

/**
 * Refuses unless the user holds one of `roles` now. Roles are read from the database, not the token: a
 * demotion applies at once on the routes that check them.
 */
export async function assertHasRole(
  deps: Pick<Deps, 'db'>,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  const user = await deps.db.users.findById(userId);
  if (!user || !roles.some((role) => user.roles.includes(role))) {
    throw forbidden(`This route needs the role ${roles.join(' or ')}.`);
  }
}

/** Refuses an API key that holds none of `anyOf` ('any' admits every valid key). */
export function assertKeyScope(held: readonly Scope[], anyOf: readonly Scope[] | 'any'): void {
  if (anyOf === 'any' || anyOf.some((scope) => held.includes(scope))) return;
  throw new AuthError('insufficient_scope', `This API key needs one of these scopes: ${anyOf.join(', ')}.`, {
    scope: anyOf.join(' '),
  });
}
