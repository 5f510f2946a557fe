// A signed-in user's passkeys: listed, renamed, removed (but never the account's last way to sign in).
import type { Deps, RequestContext } from '../../deps.ts';
import { auditRow } from '../audit.ts';
import { AuthError, notFound } from '../errors.ts';
import { passkeyView, type PasskeyView } from './view.ts';

const noSuchPasskey = () => notFound('No such passkey.');

export async function listPasskeys(deps: Deps, userId: string): Promise<PasskeyView[]> {
  return (await deps.db.passkeys.listForUser(userId)).map(passkeyView);
}

export async function renamePasskey(
  deps: Deps,
  userId: string,
  id: string,
  name: string,
): Promise<PasskeyView> {
  const row = await deps.db.passkeys.rename(id, userId, name.trim());
  if (!row) throw noSuchPasskey();
  return passkeyView(row);
}

export async function removePasskey(
  deps: Deps,
  ctx: RequestContext,
  userId: string,
  id: string,
): Promise<void> {
  const result = await deps.db.passkeys.remove(
    id,
    userId,
    auditRow(deps, ctx, { type: 'passkey_removed', userId, detail: { passkey_id: id } }),
  );
  if (result === 'not_found') throw noSuchPasskey();
  if (result === 'last_sign_in_method') {
    throw new AuthError(
      'last_sign_in_method',
      'This is the last way to sign in to this account: add a password or another passkey first.',
    );
  }
}
