// Email verification: a single-use random token (SHA-256 at rest) mailed at registration and on request.
import type { UserRow } from '../ports/database.ts';
import type { Deps, RequestContext } from '../deps.ts';
import { audit } from './audit.ts';
import { verificationMail } from './mails.ts';
import { invalidOneTimeToken } from './errors.ts';
import { issueOneTimeToken } from './one-time-token.ts';
import { opaqueTokenHash } from './opaque-token.ts';
import { userView, type UserView } from './user-view.ts';

export const VERIFICATION_TTL_SECONDS = 24 * 3600;

export async function sendVerificationMail(deps: Deps, user: UserRow): Promise<void> {
  if (user.isVerified) return;
  const token = await issueOneTimeToken(deps, user.id, 'email_verification', VERIFICATION_TTL_SECONDS);
  await deps.mailer.send(verificationMail(user.email, deps.config.publicUrl, token));
}

/** Mails a new link after the response; failures are logged, never shown. */
export function requestVerification(deps: Deps, ctx: RequestContext, userId: string): void {
  ctx.waitUntil(
    (async () => {
      const user = await deps.db.users.findById(userId);
      if (user?.isActive) await sendVerificationMail(deps, user);
    })().catch((error: unknown) =>
      deps.logger.error('verification_mail_failed', {
        request_id: ctx.requestId,
        error: (error as Error).name,
      }),
    ),
  );
}

export async function confirmVerification(deps: Deps, ctx: RequestContext, token: string): Promise<UserView> {
  const hash = await opaqueTokenHash(token);
  const now = deps.clock.now();
  const userId = hash ? await deps.db.oneTimeTokens.consume(hash, 'email_verification', now) : undefined;
  if (!userId) throw invalidOneTimeToken();
  const user = await deps.db.users.setVerified(userId, now);
  if (!user) throw invalidOneTimeToken();
  audit(deps, ctx, { type: 'email_verified', userId });
  return userView(user);
}
