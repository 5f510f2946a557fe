// Browser sessions (API.md, "Browser sessions"): with `X-Session-Mode: cookie`, the refresh token travels
// only in `__Host-portcullis_rt` (HttpOnly, Secure, SameSite=Strict, Path=/), never in a body JavaScript can
// read, and a refresh by cookie needs that custom header (a cross-site form cannot send one) and an allowed
// Origin. Without the header nothing changes: body tokens, as for native apps, scripts and Swagger.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AuthError } from '../auth/errors.ts';
import type { TokenPair } from '../auth/token-response.ts';
import type { Clock } from '../ports/clock.ts';
import type { AppEnv } from './context.ts';

const REFRESH_COOKIE = 'portcullis_rt';
const COOKIE = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/', prefix: 'host' } as const;

export const cookieMode = (c: Context<AppEnv>) => c.req.header('x-session-mode')?.toLowerCase() === 'cookie';

/** The refresh cookie the request carries, if any. */
export const refreshCookie = (c: Context<AppEnv>) => getCookie(c, REFRESH_COOKIE, 'host');

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, REFRESH_COOKIE, COOKIE);
}

/**
 * The body of a token response: in cookie mode the refresh token moves into the cookie (Max-Age: what is left
 * of the session's absolute lifetime) and the body says `refresh_token_in: "cookie"`.
 */
export function tokenBody<T extends TokenPair>(c: Context<AppEnv>, tokens: T, clock: Clock) {
  const { refreshExpiresAt, refresh_token, ...rest } = tokens;
  if (!cookieMode(c)) return { ...rest, refresh_token };
  const maxAge = Math.max(0, Math.floor((refreshExpiresAt.getTime() - clock.now().getTime()) / 1000));
  setCookie(c, REFRESH_COOKIE, refresh_token, { ...COOKIE, maxAge });
  return { ...rest, refresh_token_in: 'cookie' as const };
}

const csrfFailed = (detail: string) => new AuthError('csrf_failed', detail);

/**
 * The refresh token of a refresh request: the body's, else the cookie's. A cookie is taken only with
 * `X-Session-Mode: cookie` and an Origin this service allows (its own, or CORS_ORIGINS/_PATTERNS);
 * anything else is 403 csrf_failed, before anything is rotated.
 */
export function refreshTokenOf(
  c: Context<AppEnv>,
  bodyToken: string | undefined,
  originAllowed: (origin: string) => boolean,
): string | undefined {
  if (bodyToken !== undefined) return bodyToken;
  const cookie = refreshCookie(c);
  if (cookie === undefined && !cookieMode(c)) return undefined;
  if (!cookieMode(c)) throw csrfFailed('A refresh by cookie needs the header X-Session-Mode: cookie.');
  const origin = c.req.header('origin');
  const own = new URL(c.req.url).origin;
  if (origin === undefined || (origin !== own && !originAllowed(origin))) {
    throw csrfFailed('A refresh by cookie must come from an allowed origin.');
  }
  return cookie ?? '';
}
