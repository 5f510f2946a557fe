// Password reset by mail: the request answers the same, at once, whether or not the address has an account
// (the work happens after the response); the token is random, SHA-256 at rest, valid one hour, and used up by
// one conditional UPDATE, so among concurrent confirmations exactly one succeeds.
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { passwordResetMail } from './mails.ts';
import { normalizeEmail } from './normalize.ts';
import { invalidOneTimeToken } from './errors.ts';
import { issueOneTimeToken } from './one-time-token.ts';
import { opaqueTokenHash } from './opaque-token.ts';
import { assertStrongPassword } from './password-policy.ts';
import { revokeAllSessions } from './revoke.ts';

const RESET_TTL_SECONDS = 3600;

export function requestPasswordReset(deps: Deps, ctx: RequestContext, email: string): void {
  const work = async () => {
    const user = await deps.db.users.findByEmail(normalizeEmail(email));
    if (!user || !user.isActive) {
      audit(deps, ctx, { type: 'password_reset_requested', detail: { known: false } });
      return;
    }
    const token = await issueOneTimeToken(deps, user.id, 'password_reset', RESET_TTL_SECONDS);
    await deps.mailer.send(passwordResetMail(user.email, deps.config.publicUrl, token));
    audit(deps, ctx, { type: 'password_reset_requested', userId: user.id, detail: { known: true } });
  };
  ctx.waitUntil(
    work().catch((error: unknown) =>
      deps.logger.error('password_reset_request_failed', {
        request_id: ctx.requestId,
        error: (error as Error).name,
      }),
    ),
  );
}

export async function confirmPasswordReset(
  deps: Deps,
  ctx: RequestContext,
  input: { token: string; new_password: string },
): Promise<void> {
  const hash = await opaqueTokenHash(input.token);
  const now = deps.clock.now();
  const owner = hash ? await deps.db.oneTimeTokens.peek(hash, 'password_reset', now) : undefined;
  const user = owner ? await deps.db.users.findById(owner) : undefined;
  // A link mailed before an admin deactivated the account does not reach around the deactivation.
  if (!hash || !user?.isActive) throw invalidOneTimeToken();
  // The policy is checked before the token is used, so a weak choice does not burn the link.
  assertStrongPassword(input.new_password, { email: user.email, username: user.username });
  const passwordHash = await deps.passwords.hash(input.new_password);
  if ((await deps.db.oneTimeTokens.consume(hash, 'password_reset', deps.clock.now())) !== user.id) {
    throw invalidOneTimeToken();
  }
  await deps.db.users.setPassword(user.id, passwordHash, deps.clock.now(), true);
  await deps.db.oneTimeTokens.retireAll(user.id, 'password_reset', deps.clock.now());
  await revokeAllSessions(deps, user.id, 'password_reset');
  audit(deps, ctx, { type: 'password_reset', userId: user.id });
}
