// /api/v1/auth: registration, login, refresh, logout, and the session and user views.
import { createRoute, z } from '@hono/zod-openapi';
import { requireCaptcha } from '../middleware/captcha.ts';
import { login } from '../../auth/login.ts';
import { login2fa } from '../../auth/login-2fa.ts';
import { currentUser } from '../../auth/current-user.ts';
import { AuthError } from '../../auth/errors.ts';
import { logout, logoutAll } from '../../auth/logout.ts';
import { listOwnSessions, revokeOwnSession } from '../../auth/own-sessions.ts';
import { refresh } from '../../auth/refresh.ts';
import { register } from '../../auth/register.ts';
import { userView } from '../../auth/user-view.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import type { Authorization } from '../middleware/authorize.ts';
import {
  Login2faBody,
  LoginBody,
  LoginResponse,
  LogoutBody,
  MeResponse,
  MfaChallenge,
  RefreshBody,
  RegisterBody,
  SessionInfo,
  SessionView,
  TokenPair,
} from '../schemas/auth.ts';
import { Message, UserEnvelope, json, jsonBody, problems } from '../schemas/common.ts';
import { parseOr422, validationFailed } from '../validation.ts';
import { allowedOrigin } from '../middleware/cors.ts';
import { bindDpop } from '../dpop.ts';
import {
  clearRefreshCookie,
  cookieMode,
  refreshCookie,
  refreshTokenOf,
  tokenBody,
} from '../session-cookie.ts';
import { BEARER, limitByClientIp, NO_STORE, router } from './shared.ts';

/**
 * The two media types the login takes. Hono's form validator also parses multipart/form-data, which the
 * contract does not accept: any other type (or none, with a body) is 415, as on every route.
 */
function loginMediaType(header: string | undefined): 'json' | 'form' | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === undefined || type === 'application/json') return 'json';
  throw new AuthError(
    'unsupported_media_type',
    'The login takes application/json or an OAuth2 password form.',
  );
}

const REFRESH_TOKEN_REQUIRED = [
  {
    code: 'custom' as const,
    path: ['refresh_token'],
    message: 'Send refresh_token, or use X-Session-Mode: cookie with the refresh cookie.',
    input: undefined,
  },
];

export function authRoutes(deps: Deps, auth: Authorization) {
  const app = router();
  const originAllowed = allowedOrigin({
    origins: deps.config.cors.origins,
    patterns: deps.config.cors.originPatterns,
  });
  const limit = limitByClientIp(deps);
  const captcha = requireCaptcha(deps.captcha);
  const authenticated = auth.bearer('API');

  return app
    .openapi(
      createRoute({
        method: 'post',
        path: '/register',
        tags: ['auth'],
        summary: 'Create an account',
        middleware: [limit('REGISTER'), captcha] as const,
        request: { body: jsonBody(RegisterBody) },
        responses: {
          201: json(UserEnvelope, 'The new account; a verification mail is on its way'),
          ...problems(403, 409, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const user = await register(deps, requestContext(c), c.req.valid('json'));
        return c.json({ user }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/login',
        tags: ['auth'],
        summary: 'Log in with a username or email and a password (OAuth2 password grant)',
        middleware: [limit('LOGIN'), captcha] as const,
        request: {
          body: {
            required: false,
            content: {
              'application/json': { schema: LoginBody },
              'application/x-www-form-urlencoded': { schema: LoginBody },
            },
          },
        },
        responses: {
          200: json(z.union([LoginResponse, MfaChallenge]), 'Tokens and the user, or the 2FA challenge'),
          ...problems(401, 403, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const raw =
          loginMediaType(c.req.header('content-type')) === 'form' ? c.req.valid('form') : c.req.valid('json');
        const input = parseOr422(LoginBody, raw);
        await bindDpop(c, deps);
        const result = await login(deps, requestContext(c), input);
        const body = 'requires_2fa' in result ? result : tokenBody(c, result, deps.clock);
        return c.json(body, 200, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/login/2fa',
        tags: ['auth'],
        summary: 'Second login step: an mfa_token (or the password) plus a TOTP or backup code',
        middleware: [limit('LOGIN')] as const,
        request: { body: jsonBody(Login2faBody) },
        responses: {
          200: json(LoginResponse, 'Tokens and the user'),
          ...problems(400, 401, 403, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const b = c.req.valid('json');
        const first = b.mfa_token
          ? { mfaToken: b.mfa_token }
          : b.username !== undefined && b.password !== undefined
            ? { username: b.username, password: b.password }
            : undefined;
        const code = b.code ?? b.totp_code;
        const factor =
          code !== undefined
            ? { code }
            : b.backup_code !== undefined
              ? { backupCode: b.backup_code }
              : b.passkey !== undefined && b.challenge_id !== undefined
                ? { passkey: { challengeId: b.challenge_id, response: b.passkey } }
                : undefined;
        if (!first || !factor) {
          throw validationFailed([
            {
              code: 'custom',
              path: [],
              message:
                'Send mfa_token (or username and password) and a code, a backup_code or a passkey with its challenge_id.',
              input: b,
            },
          ]);
        }
        await bindDpop(c, deps);
        const tokens = await login2fa(deps, requestContext(c), first, factor);
        return c.json(tokenBody(c, tokens, deps.clock), 200, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/refresh',
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (the old one dies)',
        description:
          'With `X-Session-Mode: cookie` and no body, the `__Host-portcullis_rt` cookie is the refresh token; the request needs an allowed `Origin` (else 403 csrf_failed, nothing rotated) and the new token replaces the cookie.',
        middleware: [limit('REFRESH')] as const,
        request: { body: { required: false, content: { 'application/json': { schema: RefreshBody } } } },
        responses: {
          200: json(TokenPair, 'A new token pair'),
          ...problems(401, 403, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const token = refreshTokenOf(c, c.req.valid('json')?.refresh_token, originAllowed);
        if (token === undefined) throw validationFailed(REFRESH_TOKEN_REQUIRED);
        await bindDpop(c, deps);
        try {
          const pair = await refresh(deps, requestContext(c), token);
          return c.json(tokenBody(c, pair, deps.clock), 200, NO_STORE);
        } catch (error) {
          // A cookie that no longer refreshes is dropped, so the browser stops sending it.
          if (error instanceof AuthError && error.status === 401 && cookieMode(c)) clearRefreshCookie(c);
          throw error;
        }
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/logout',
        tags: ['auth'],
        summary: 'Revoke this access token and its session',
        security: BEARER,
        middleware: [authenticated] as const,
        request: { body: { required: false, content: { 'application/json': { schema: LogoutBody } } } },
        responses: { 200: json(Message, 'Logged out'), ...problems(401, 415, 422, 429, 503) },
      }),
      async (c) => {
        const { claims } = c.get('auth');
        const refreshToken = c.req.valid('json')?.refresh_token ?? refreshCookie(c);
        await logout(deps, requestContext(c), claims, refreshToken);
        clearRefreshCookie(c);
        return c.json({ message: 'Logged out.' }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/logout-all',
        tags: ['auth'],
        summary: 'Revoke every session of the user',
        security: BEARER,
        middleware: [authenticated] as const,
        responses: { 200: json(Message, 'Every session revoked'), ...problems(401, 429, 503) },
      }),
      async (c) => {
        await logoutAll(deps, requestContext(c), c.get('auth').claims);
        clearRefreshCookie(c);
        return c.json({ message: 'Logged out of every session.' }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/session',
        tags: ['auth'],
        summary: 'Check an access token: verified signature plus one store round trip, no database query',
        security: BEARER,
        middleware: [authenticated] as const,
        responses: { 200: json(SessionInfo, 'The token is live'), ...problems(401, 429, 503) },
      }),
      (c) => {
        const { claims } = c.get('auth');
        return c.json(
          {
            active: true as const,
            user_id: claims.sub,
            session_id: claims.sid,
            roles: claims.roles,
            amr: claims.amr,
            expires_at: new Date(claims.exp * 1000).toISOString(),
            ...(claims.cnf ? { cnf: { jkt: claims.cnf.jkt } } : {}),
          },
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/me',
        tags: ['auth'],
        summary: 'The authenticated user (Bearer token or API key)',
        security: [...BEARER, { apiKeyAuth: [] }],
        middleware: [auth.userOrKey()] as const,
        responses: { 200: json(MeResponse, 'The user'), ...problems(401, 403, 429, 503) },
      }),
      async (c) => {
        const principal = c.get('principal');
        if (principal.method === 'api_key') {
          return c.json(
            {
              user: userView(principal.user),
              auth: { method: 'api_key' as const, scopes: principal.scopes },
            },
            200,
          );
        }
        const user = await currentUser(deps, principal.claims.sub);
        return c.json({ user, auth: { method: 'password' as const } }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sessions',
        tags: ['auth'],
        summary: "The user's live sessions",
        security: BEARER,
        middleware: [authenticated] as const,
        responses: {
          200: json(z.array(SessionView), 'Live sessions, most recently used first'),
          ...problems(401, 403, 429, 503),
        },
      }),
      async (c) => {
        return c.json(await listOwnSessions(deps, c.get('auth').claims), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/sessions/{id}',
        tags: ['auth'],
        summary: "Revoke one of the user's sessions (its refresh and access tokens)",
        security: BEARER,
        middleware: [authenticated] as const,
        request: { params: z.object({ id: z.uuid() }) },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404, 422, 429, 503) },
      }),
      async (c) => {
        await revokeOwnSession(deps, requestContext(c), c.get('auth').claims.sub, c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}
