// Starting an email sign-in: one answer, at once, whether or not the address has an account (the work runs
// after the response); a 256-bit link token and a 6-digit code, single use, 10 minutes, replacing any earlier.
import type { Deps, RequestContext } from '../../deps.ts';
import { audit } from '../audit.ts';
import { hmacHex } from '../secret-box.ts';
import { normalizeEmail } from '../normalize.ts';
import { newOpaqueToken } from '../opaque-token.ts';
import { signInMail } from './mail.ts';

export const SIGN_IN_TTL_SECONDS = 600;
export const MAX_CODE_TRIES = 5;

/** A uniformly drawn 6-digit code (rejection sampling: no digit is likelier than another). */
export function newCode(deps: Pick<Deps, 'random'>): string {
  for (;;) {
    const [a = 0, b = 0, c = 0, d = 0] = deps.random.bytes(4);
    const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
    if (n < 4_294_000_000) return String(n % 1_000_000).padStart(6, '0');
  }
}

export const codeHash = (deps: Pick<Deps, 'config'>, emailNormalized: string, code: string) =>
  hmacHex(deps.config.secretsKey, `${emailNormalized}:${code}`, 'email-codes');

/** The link a mail carries: the app's page (`redirect_to`, an allowed origin) or PUBLIC_URL's `/sign-in`. */
function linkFor(deps: Deps, token: string, redirectTo: string | undefined): string {
  const url = new URL(redirectTo ?? `${deps.config.publicUrl}/sign-in`);
  url.searchParams.set('token', token);
  return url.toString();
}

export async function startEmailSignIn(
  deps: Deps,
  ctx: RequestContext,
  input: { email: string; redirectTo?: string | undefined },
): Promise<void> {
  const emailNormalized = normalizeEmail(input.email);
  // Counted per address before anything else, for every address alike.
  await ctx.limit('EMAIL_SIGN_IN', `email:${emailNormalized}`);
  const work = async () => {
    const user = await deps.db.users.findByEmail(emailNormalized);
    const eligible = user ? user.isActive : deps.config.emailSignup;
    audit(deps, ctx, {
      type: 'email_sign_in_requested',
      userId: user?.id ?? null,
      detail: { known: Boolean(user), sent: eligible },
    });
    if (!eligible) return;
    const now = deps.clock.now();
    const token = await newOpaqueToken(deps.random);
    const code = newCode(deps);
    await deps.db.emailSignIns.replace({
      emailNormalized,
      email: user?.email ?? input.email.trim(),
      tokenHash: token.hash,
      codeHash: await codeHash(deps, emailNormalized, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + SIGN_IN_TTL_SECONDS * 1000),
    });
    const to = user?.email ?? input.email.trim();
    await deps.mailer.send(
      signInMail(to, linkFor(deps, token.token, input.redirectTo), code, SIGN_IN_TTL_SECONDS / 60),
    );
  };
  ctx.waitUntil(
    work().catch((error: unknown) =>
      deps.logger.error('email_sign_in_start_failed', {
        request_id: ctx.requestId,
        error: (error as Error).name,
      }),
    ),
  );
}
