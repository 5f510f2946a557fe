// The token response of the contract (login, 2FA, refresh, change-password) and the access token in it.
import type { Deps } from '../deps.ts';
import type { UserRow } from '../ports/database.ts';
import { issueAccessToken } from './access-token.ts';
import { tokenSettings } from './token-settings.ts';
import type { UserView } from './user-view.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  /** `DPoP` when the tokens are bound to the client's DPoP key (RFC 9449). */
  token_type: 'bearer' | 'DPoP';
  expires_in: number;
  /** When the session (and so its refresh token) ends: the refresh cookie's Max-Age. Not part of a body. */
  refreshExpiresAt: Date;
}

export interface LoginResponse extends TokenPair {
  user: UserView;
}

export async function accessTokenFor(
  deps: Deps,
  user: UserRow,
  sessionId: string,
  amr: string[],
  jkt: string | null = null,
): Promise<{ access_token: string; expires_in: number }> {
  const issued = await issueAccessToken(tokenSettings(deps), {
    userId: user.id,
    sessionId,
    email: user.email,
    username: user.username,
    roles: user.roles,
    amr,
    jkt,
  });
  return { access_token: issued.token, expires_in: issued.expiresIn };
}
