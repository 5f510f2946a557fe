// Registering a passkey while signed in: options (resident key and user verification required, the user's
// passkeys excluded), then the browser's response verified against the challenge this user was given.
import type { Deps, RequestContext } from '../../deps.ts';
import { auditRow } from '../audit.ts';
import { AuthError, invalidToken } from '../errors.ts';
import { issueChallenge, takeChallenge } from './challenge.ts';
import {
  claimedChallenge,
  creationOptions,
  verifyRegistration,
  type CreationOptions,
  type RegistrationInput,
} from './relying-party.ts';
import { passkeyView, type PasskeyView } from './view.ts';

const DEFAULT_NAME = 'Passkey';

export const verificationFailed = () =>
  new AuthError('passkey_verification_failed', 'The passkey response did not verify.');

export async function registrationOptions(
  deps: Deps,
  userId: string,
  name: string | undefined,
): Promise<CreationOptions> {
  const user = await deps.db.users.findById(userId);
  if (!user || !user.isActive) throw invalidToken();
  const existing = await deps.db.passkeys.listForUser(user.id);
  const { challenge } = await issueChallenge(deps, 'register', {
    userId: user.id,
    name: name?.trim() || DEFAULT_NAME,
  });
  const fullName = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return creationOptions(deps.config.webauthn, {
    challenge,
    user: { id: user.id, name: user.email, displayName: fullName || user.username },
    exclude: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
}

export async function registerPasskey(
  deps: Deps,
  ctx: RequestContext,
  userId: string,
  response: RegistrationInput,
): Promise<PasskeyView> {
  const claimed = claimedChallenge(response.response.clientDataJSON);
  if (!claimed) throw verificationFailed();
  // Taken before anything is verified: a response is judged once, whatever the verdict.
  const taken = await takeChallenge(deps, 'register', claimed);
  if (taken.userId !== userId) throw verificationFailed();
  const credential = await verifyRegistration(deps.config.webauthn, response, taken.challenge);
  if (!credential) throw verificationFailed();
  const now = deps.clock.now();
  const row = await deps.db.passkeys.insert(
    {
      id: deps.random.uuid(),
      userId,
      name: taken.name ?? DEFAULT_NAME,
      ...credential,
      createdAt: now,
    },
    auditRow(deps, ctx, {
      type: 'passkey_registered',
      userId,
      detail: {
        device_type: credential.deviceType,
        backed_up: credential.backedUp,
        aaguid: credential.aaguid,
      },
    }),
  );
  if (row === 'exists') throw new AuthError('already_exists', 'This passkey is registered already.');
  return passkeyView(row);
}
