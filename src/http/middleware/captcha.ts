// The human check on public forms: a Turnstile token from the `cf-turnstile-response` header or body field
// (JSON or form), checked before the route runs. A missing or failing token is `403 captcha_failed`; a
// verifier that cannot answer refuses too (`503`), never lets the request through.
import type { MiddlewareHandler } from 'hono';
import { AuthError, serviceUnavailable } from '../../auth/errors.ts';
import { clientIp } from '../../auth/ip.ts';
import { CaptchaUnavailableError, type CaptchaVerifier } from '../../ports/captcha.ts';
import type { AppEnv } from '../context.ts';

const FIELD = 'cf-turnstile-response';

export const captchaFailed = () =>
  new AuthError('captcha_failed', 'The human check failed or is missing; complete it and try again.');

async function tokenOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<string | undefined> {
  const header = c.req.header(FIELD);
  if (header) return header;
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  try {
    // Hono keeps the parsed body: the route's validator reads the same one.
    if (type === 'application/json') {
      const body: unknown = await c.req.json();
      const value = (body as Record<string, unknown> | null)?.[FIELD];
      return typeof value === 'string' ? value : undefined;
    }
    if (type === 'application/x-www-form-urlencoded') {
      const value = (await c.req.parseBody())[FIELD];
      return typeof value === 'string' ? value : undefined;
    }
  } catch {
    // A body that does not parse is the validator's to refuse, with its own answer.
  }
  return undefined;
}

/** With no verifier configured (TURNSTILE_SECRET unset) the check is off and this passes every request. */
export function requireCaptcha(verifier: CaptchaVerifier | null): MiddlewareHandler<AppEnv> {
  if (verifier !== null && typeof verifier?.verify !== 'function') {
    throw new Error('requireCaptcha needs a CaptchaVerifier or null');
  }
  return async function captcha(c, next) {
    if (verifier) {
      let passed: boolean;
      try {
        passed = await verifier.verify(await tokenOf(c), clientIp(c.req.raw.headers));
      } catch (error) {
        if (error instanceof CaptchaUnavailableError) throw serviceUnavailable();
        throw error;
      }
      if (!passed) throw captchaFailed();
    }
    await next();
  };
}
