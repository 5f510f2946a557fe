// GET /auth/me for a signed-in user: the account as it is now, not as the token remembers it.
import type { Deps } from '../deps.ts';
import { invalidToken } from './errors.ts';
import { userView, type UserView } from './user-view.ts';

export async function currentUser(deps: Pick<Deps, 'db'>, userId: string): Promise<UserView> {
  const user = await deps.db.users.findById(userId);
  if (!user || !user.isActive) throw invalidToken('The account behind this token is gone.');
  return userView(user);
}
