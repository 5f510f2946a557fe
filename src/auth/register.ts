import type { Deps, RequestContext } from '../deps.ts';
import { auditRow } from './audit.ts';
import { VERIFICATION_TTL_SECONDS } from './email-verification.ts';
import { verificationMail } from './mails.ts';
import { newOpaqueToken } from './opaque-token.ts';
import { AuthError } from './errors.ts';
import { normalizeEmail, normalizeUsername } from './normalize.ts';
import { assertStrongPassword } from './password-policy.ts';
import { userView, type UserView } from './user-view.ts';

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
}

/** Creates an account with role `user`, unverified. Roles and flags are never taken from the request. */
export async function register(deps: Deps, ctx: RequestContext, input: RegisterInput): Promise<UserView> {
  const email = input.email.trim();
  const username = input.username.trim().normalize('NFKC');
  assertStrongPassword(input.password, { email, username });
  const now = deps.clock.now();
  const id = deps.random.uuid();
  // The verification token is written with the account and its audit row: one round trip for all three.
  const verification = await newOpaqueToken(deps.random);
  const result = await deps.db.users.insert(
    {
      id,
      email,
      emailNormalized: normalizeEmail(email),
      username,
      usernameNormalized: normalizeUsername(username),
      firstName: input.first_name ?? null,
      lastName: input.last_name ?? null,
      passwordHash: await deps.passwords.hash(input.password),
      passwordChangedAt: now,
      roles: ['user'],
      createdAt: now,
      updatedAt: now,
    },
    {
      audit: auditRow(deps, ctx, { type: 'user_registered', userId: id }),
      token: {
        hash: verification.hash,
        userId: id,
        purpose: 'email_verification',
        now,
        expiresAt: new Date(now.getTime() + VERIFICATION_TTL_SECONDS * 1000),
      },
    },
  );
  if (!result.ok) {
    throw new AuthError('already_exists', `An account with this ${result.taken} already exists.`, {
      extensions: { field: result.taken },
    });
  }
  ctx.waitUntil(
    deps.mailer
      .send(verificationMail(result.user.email, deps.config.publicUrl, verification.token))
      .catch((error: unknown) =>
        deps.logger.error('verification_mail_failed', {
          request_id: ctx.requestId,
          error: (error as Error).name,
        }),
      ),
  );
  return userView(result.user);
}
