// Passkeys: /api/v1/passkeys (register, list, rename, remove; signed in) and /api/v1/auth/passkey/* (sign in).
import { createRoute, z } from '@hono/zod-openapi';
import { listPasskeys, removePasskey, renamePasskey } from '../../auth/passkeys/manage.ts';
import { registerPasskey, registrationOptions } from '../../auth/passkeys/register.ts';
import { signInOptions, signInWithPasskey } from '../../auth/passkeys/sign-in.ts';
import type { Deps } from '../../deps.ts';
import { requestContext } from '../context.ts';
import { bindDpop } from '../dpop.ts';
import type { Authorization } from '../middleware/authorize.ts';
import { LoginResponse } from '../schemas/auth.ts';
import { json, jsonBody, problems } from '../schemas/common.ts';
import {
  CreationOptions,
  Passkey,
  PasskeyEnvelope,
  PasskeyVerifyBody,
  RegisterOptionsBody,
  RegistrationResponse,
  RenamePasskeyBody,
  RequestOptions,
  SignInOptionsBody,
} from '../schemas/passkeys.ts';
import { tokenBody } from '../session-cookie.ts';
import { BEARER, limitByClientIp, NO_STORE, router } from './shared.ts';

const IdParam = z.object({ id: z.uuid() });
const optionalJson = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema } },
});

export function passkeyRoutes(deps: Deps, auth: Authorization) {
  const signedIn = auth.bearer('API');
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/register/options',
        tags: ['passkeys'],
        summary: 'Options for registering a passkey (resident key and user verification required)',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { body: optionalJson(RegisterOptionsBody) },
        responses: {
          200: json(CreationOptions, 'Pass to navigator.credentials.create() (or startRegistration)'),
          ...problems(401, 403, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const options = await registrationOptions(deps, c.get('auth').claims.sub, body?.name);
        return c.json(options, 200, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/register/verify',
        tags: ['passkeys'],
        summary: "Register the passkey the browser created for this account's options",
        security: BEARER,
        middleware: [signedIn] as const,
        request: { body: jsonBody(RegistrationResponse) },
        responses: {
          201: json(PasskeyEnvelope, 'The new passkey'),
          ...problems(400, 401, 403, 409, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const passkey = await registerPasskey(
          deps,
          requestContext(c),
          c.get('auth').claims.sub,
          c.req.valid('json'),
        );
        return c.json({ passkey }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['passkeys'],
        summary: "The account's passkeys",
        security: BEARER,
        middleware: [signedIn] as const,
        responses: { 200: json(z.array(Passkey), 'Passkeys, oldest first'), ...problems(401, 403, 429, 503) },
      }),
      async (c) => c.json(await listPasskeys(deps, c.get('auth').claims.sub), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}',
        tags: ['passkeys'],
        summary: 'Rename a passkey',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { params: IdParam, body: jsonBody(RenamePasskeyBody) },
        responses: {
          200: json(PasskeyEnvelope, 'The renamed passkey'),
          ...problems(401, 403, 404, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const passkey = await renamePasskey(
          deps,
          c.get('auth').claims.sub,
          c.req.valid('param').id,
          c.req.valid('json').name,
        );
        return c.json({ passkey }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags: ['passkeys'],
        summary: 'Remove a passkey (not the last way to sign in)',
        security: BEARER,
        middleware: [signedIn] as const,
        request: { params: IdParam },
        responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404, 409, 422, 429, 503) },
      }),
      async (c) => {
        await removePasskey(deps, requestContext(c), c.get('auth').claims.sub, c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}

export function passkeySignInRoutes(deps: Deps) {
  const limit = limitByClientIp(deps);
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/passkey/options',
        tags: ['auth'],
        summary:
          'Options for signing in with a passkey (empty allowCredentials: discoverable, conditional UI)',
        description:
          'Counted against the API scope per client address, not LOGIN: a page with conditional UI asks for options on every load, and options prove nothing. The verification is what LOGIN counts.',
        middleware: [limit('API')] as const,
        request: { body: optionalJson(SignInOptionsBody) },
        responses: {
          200: json(RequestOptions, 'Pass to navigator.credentials.get() (or startAuthentication)'),
          ...problems(401, 404, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const options = await signInOptions(deps, { username: body?.username, mfaToken: body?.mfa_token });
        return c.json(options, 200, NO_STORE);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/passkey/verify',
        tags: ['auth'],
        summary: 'Sign in with a passkey: two factors at once (amr pop, user), no TOTP step',
        description: 'Takes `X-Session-Mode: cookie` and a `DPoP` proof like `/auth/login`.',
        middleware: [limit('LOGIN')] as const,
        request: { body: jsonBody(PasskeyVerifyBody) },
        responses: {
          200: json(LoginResponse, 'Tokens and the user'),
          ...problems(400, 401, 403, 413, 415, 422, 429, 503),
        },
      }),
      async (c) => {
        const { challenge_id: challengeId, ...response } = c.req.valid('json');
        await bindDpop(c, deps);
        const tokens = await signInWithPasskey(deps, requestContext(c), { challengeId, response });
        return c.json(tokenBody(c, tokens, deps.clock), 200, NO_STORE);
      },
    );
}
