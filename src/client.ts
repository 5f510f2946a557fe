// The typed client for SPAs: `hono/client` over the Worker's own route types, plus a session helper that keeps
// the tokens, refreshes once on `401 token_expired` (parallel calls share that one refresh) and forgets
// everything when the server says the session is over. In a browser it defaults to cookie sessions: the
// refresh token stays in the server's HttpOnly cookie and never reaches JavaScript; the access token is kept
// in memory, and `restore()` recovers it after a reload with one refresh. Runs in browsers, workers and
// Node; imports no server code at run time (the `Api` import is a type).
import { hc, type InferResponseType } from 'hono/client';
import { createDpopSigner } from './client-dpop.ts';
import { conditionalUiAvailable, createPasskey, getPasskey } from './client-passkeys.ts';
import type { Api } from './http/routes/api.ts';

export type { Api };

export interface Tokens {
  access_token: string;
  /** Absent in cookie mode: the refresh token is in the `__Host-portcullis_rt` cookie. */
  refresh_token?: string;
}

/**
 * `cookie`: the refresh token travels only in an HttpOnly cookie (`X-Session-Mode: cookie`, credentials
 * included); XSS cannot read it. `body`: the refresh token is handed to JavaScript and kept in `storage`
 * (native apps, scripts; in a browser the weaker choice). The default is `cookie` where there is a `document`.
 */
export type SessionMode = 'cookie' | 'body';

/** Where the tokens live between calls. The default keeps them in memory only (gone on reload). */
export interface TokenStorage {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

export type SignedOutReason = 'logout' | 'refresh_token_reused' | 'session_ended';

export interface PortcullisClientOptions {
  /** The Worker's origin, e.g. `https://auth.example.com` (no path). */
  baseUrl: string;
  fetch?: typeof fetch;
  storage?: TokenStorage;
  session?: SessionMode;
  /**
   * Bind the session to a DPoP key (RFC 9449): a non-extractable ECDSA P-256 key made with WebCrypto and kept
   * in IndexedDB; every request carries a proof of it, so a token copied out of the page is useless elsewhere.
   */
  dpop?: boolean;
  /** Called once whenever the tokens are dropped: after logout, on reuse detection, or a dead session. */
  onSignedOut?: (reason: SignedOutReason) => void;
}

/** A problem+json answer turned into an error the SPA can branch on by `code`. */
export class PortcullisError extends Error {
  override readonly name = 'PortcullisError';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

type Client = ReturnType<typeof hc<Api>>;
/** The `user` object of the contract, as the Worker's response schema declares it. */
export type User = InferResponseType<Client['auth']['me']['$get'], 200>['user'];

/** A passkey as the account lists it, as the Worker's response schema declares it. */
export type Passkey = InferResponseType<Client['passkeys']['$get'], 200>[number];

export type LoginResult =
  { requires_2fa: false; user: User } | { requires_2fa: true; mfa_token: string; expires_in: number };

export function memoryStorage(initial: Tokens | null = null): TokenStorage {
  let tokens = initial;
  return { load: () => tokens, save: (next) => void (tokens = next) };
}

/** The part of the DOM's `Storage` this needs (so the client also typechecks without the DOM lib). */
export interface WebStorageArea {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps the tokens in a Web Storage area (e.g. `sessionStorage`) under one key. */
export function webStorage(area: WebStorageArea, key = 'portcullis.tokens'): TokenStorage {
  return {
    load() {
      try {
        const parsed = JSON.parse(area.getItem(key) ?? 'null') as Tokens | null;
        return parsed && typeof parsed.access_token === 'string' ? parsed : null;
      } catch {
        return null;
      }
    },
    save: (tokens) => (tokens ? area.setItem(key, JSON.stringify(tokens)) : area.removeItem(key)),
  };
}

async function problemOf(res: Response): Promise<PortcullisError> {
  let body: Record<string, unknown> = {};
  try {
    body = await res.clone().json<Record<string, unknown>>();
  } catch {
    // not problem+json (a proxy's error page, say): the status alone has to do
  }
  const code = typeof body.code === 'string' ? body.code : 'http_error';
  const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${res.status}`;
  return new PortcullisError(res.status, code, detail, body);
}

export function createPortcullisClient(options: PortcullisClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const rawFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const storage = options.storage ?? memoryStorage();
  const mode: SessionMode = options.session ?? ('document' in globalThis ? 'cookie' : 'body');
  const cookies = mode === 'cookie';
  const dpop = options.dpop ? createDpopSigner() : undefined;
  let refreshing: Promise<boolean> | null = null;

  const setTokens = (tokens: Tokens | null) =>
    storage.save(
      tokens &&
        (cookies || tokens.refresh_token === undefined
          ? { access_token: tokens.access_token }
          : { access_token: tokens.access_token, refresh_token: tokens.refresh_token }),
    );
  const signOut = (reason: SignedOutReason) => {
    const hadTokens = storage.load() !== null;
    setTokens(null);
    if (hadTokens) options.onSignedOut?.(reason);
  };

  // What every request of cookie mode carries: the cookies. (`credentials` is the browser's: the Workers
  // types, which this file is checked with, do not list it.)
  const sessionInit = (cookies ? { credentials: 'include' } : {}) as RequestInit;
  /** The server's latest DPoP nonce (DPOP_NONCE=true), from the `DPoP-Nonce` header of any answer. */
  let nonce: string | undefined;
  /**
   * Sends a request made by `build` (called again for the one retry, with a fresh proof) and, when the server
   * asks for a DPoP nonce (`401 use_dpop_nonce` with `DPoP-Nonce`), retries once with it.
   */
  const withNonce = async (build: () => Promise<Request>): Promise<Response> => {
    let res = await rawFetch(await build());
    const offered = () => res.headers.get('dpop-nonce') ?? undefined;
    if (dpop && offered() && res.status === 401 && (await problemOf(res)).code === 'use_dpop_nonce') {
      nonce = offered();
      res = await rawFetch(await build());
    }
    nonce = offered() ?? nonce;
    return res;
  };

  /** For the routes that take no bearer token (login, refresh): straight to the network, no retry logic. */
  const postJson = (path: string, body: unknown): Promise<Response> => {
    const url = `${baseUrl}/api/v1${path}`;
    return withNonce(
      async () =>
        new Request(url, {
          ...sessionInit,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(cookies ? { 'x-session-mode': 'cookie' } : {}),
            ...(dpop ? { dpop: await dpop.proof('POST', url, undefined, nonce) } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
    );
  };

  /** Puts the access token on a request: `Bearer`, or `DPoP` with a proof bound to it. */
  const authorize = async (request: Request, token: string) => {
    if (!dpop) return request.headers.set('authorization', `Bearer ${token}`);
    request.headers.set('authorization', `DPoP ${token}`);
    request.headers.set('dpop', await dpop.proof(request.method, request.url, token, nonce));
  };

  async function doRefresh(): Promise<boolean> {
    const tokens = storage.load();
    // In cookie mode a refresh needs no stored token: the cookie is the refresh token (restore after reload).
    if (!tokens && !cookies) return false;
    const res = await postJson(
      '/auth/refresh',
      cookies ? undefined : { refresh_token: tokens?.refresh_token },
    );
    if (res.ok) {
      setTokens(await res.json<Tokens>());
      return true;
    }
    if (res.status === 401) {
      const problem = await problemOf(res);
      // Only if the tokens are still the ones this refresh used: a login meanwhile must not be undone.
      if (storage.load()?.access_token === tokens?.access_token)
        signOut(problem.code === 'refresh_token_reused' ? 'refresh_token_reused' : 'session_ended');
    }
    // 429, 503 or a network failure: keep the tokens; the caller sees the original 401 and may retry later.
    return false;
  }

  /** Single flight: every caller that arrives while a refresh is running waits for that same refresh. */
  function refresh(): Promise<boolean> {
    refreshing ??= doRefresh()
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  const isTokenExpired = async (res: Response) =>
    res.status === 401 && (await problemOf(res)).code === 'token_expired';

  /** The fetch under `api`: adds the bearer token, and on `token_expired` refreshes once and retries once. */
  const authedFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, { ...sessionInit, ...init });
    if (cookies) request.headers.set('x-session-mode', 'cookie');
    if (request.headers.has('authorization') || request.headers.has('x-api-key')) return rawFetch(request);
    const used = storage.load()?.access_token;
    if (!used) return rawFetch(request);
    // The body can be sent once only: a copy for each send (the nonce retry and the refresh retry).
    const send = (token: string) =>
      withNonce(async () => {
        const copy = request.clone();
        await authorize(copy, token);
        return copy;
      });
    const res = await send(used);
    if (!(await isTokenExpired(res))) return res;
    // Another call may have refreshed while this one was in flight: then only the retry is needed.
    if (storage.load()?.access_token === used && !(await refresh())) return res;
    const next = storage.load()?.access_token;
    if (!next) return res;
    return send(next);
  };

  const api = hc<Api>(`${baseUrl}/api/v1`, { fetch: authedFetch });

  /** Throws a PortcullisError for a non-2xx answer; hands back the (typed) response otherwise. */
  async function expectOk<R extends { ok: boolean }>(res: R): Promise<R> {
    // Every client response is a fetch Response underneath.
    if (!res.ok) throw await problemOf(res as unknown as Response);
    return res;
  }

  type TokenResponse = Tokens & { user: User };

  /** A route that answers the token response: the tokens are kept, the user handed back. */
  const signIn = async (path: string, body: unknown) => {
    const res = await expectOk(await postJson(path, body));
    const tokens = await res.json<TokenResponse>();
    setTokens(tokens);
    return { user: tokens.user };
  };

  /** A first factor, whose route answers tokens or (2FA on) the challenge of the second step. */
  const firstStep = async (path: string, body: unknown): Promise<LoginResult> => {
    const res = await expectOk(await postJson(path, body));
    const result = await res.json<
      TokenResponse | { requires_2fa: true; mfa_token: string; expires_in: number }
    >();
    if ('requires_2fa' in result) return result;
    setTokens(result);
    return { requires_2fa: false, user: result.user };
  };

  const passkeyOptions = async (body: Record<string, string>) => {
    const res = await expectOk(await postJson('/auth/passkey/options', body));
    return res.json<Record<string, unknown> & { challenge_id: string }>();
  };

  return {
    /** Every route, typed from the Worker's own definitions: `api.auth.me.$get()`, `api['api-keys'].$post(…)`. */
    api,
    /** The current tokens, or null when signed out. */
    tokens: (): Tokens | null => storage.load(),
    isSignedIn: (): boolean => storage.load() !== null,
    setTokens,
    refresh,
    /** The session mode this client uses. */
    mode,
    /**
     * Cookie mode, after a page load: asks for a fresh access token with the refresh cookie (one refresh).
     * True when the browser still had a session.
     */
    restore: (): Promise<boolean> => (cookies ? refresh() : Promise.resolve(storage.load() !== null)),

    login: (username: string, password: string): Promise<LoginResult> =>
      firstStep('/auth/login', { username, password }),

    /**
     * The second step after `login` answered `requires_2fa`: a TOTP `code`, a `backup_code`, or `passkey: true`
     * (the browser asks for one of the account's passkeys).
     */
    async completeLogin(
      mfaToken: string,
      factor: { code: string } | { backup_code: string } | { passkey: true },
    ) {
      let second: Record<string, unknown> = factor;
      if ('passkey' in factor) {
        const options = await passkeyOptions({ mfa_token: mfaToken });
        second = { challenge_id: options.challenge_id, passkey: await getPasskey(options) };
      }
      return signIn('/auth/login/2fa', { mfa_token: mfaToken, ...second });
    },

    /**
     * Signs in with a passkey, no username needed. `conditional: true` waits for the user to pick one in the
     * username field's autofill (call it on page load; it settles when they do, or rejects with an
     * `AbortError` when another ceremony starts). Cookie mode and DPoP apply as to `login`.
     */
    async signInWithPasskey(options: { conditional?: boolean; username?: string } = {}) {
      const request = await passkeyOptions(options.username ? { username: options.username } : {});
      const response = (await getPasskey(request, options.conditional ?? false)) as Record<string, unknown>;
      return signIn('/auth/passkey/verify', { challenge_id: request.challenge_id, ...response });
    },

    /**
     * Finishes an email sign-in (`POST /auth/email/start` mailed a link and a code): `{email, code}`, or the
     * link's `{token}`. An account with 2FA answers `requires_2fa` as `login` does.
     */
    signInWithEmail: (body: { email: string; code: string } | { token: string }): Promise<LoginResult> =>
      firstStep('/auth/email/verify', body),

    /** Whether the browser offers passkeys in autofill (conditional UI). */
    conditionalUiAvailable,

    /** Registers a new passkey for the signed-in account (the browser asks the user to create one). */
    async registerPasskey(name?: string): Promise<Passkey> {
      const optionsRes = await expectOk(
        await api.passkeys.register.options.$post({ json: name === undefined ? {} : { name } }),
      );
      const created = await createPasskey(await optionsRes.json());
      const res = await expectOk(
        await authedFetch(`${baseUrl}/api/v1/passkeys/register/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(created),
        }),
      );
      return (await res.json<{ passkey: Passkey }>()).passkey;
    },

    passkeys: {
      async list(): Promise<Passkey[]> {
        return await (await expectOk(await api.passkeys.$get())).json();
      },
      async rename(id: string, name: string): Promise<Passkey> {
        const res = await expectOk(await api.passkeys[':id'].$patch({ param: { id }, json: { name } }));
        return (await res.json()).passkey;
      },
      async remove(id: string): Promise<void> {
        await expectOk(await api.passkeys[':id'].$delete({ param: { id } }));
      },
    },

    /** Changes the password; the server revokes every other session and hands this one fresh tokens. */
    async changePassword(currentPassword: string, newPassword: string) {
      const res = await api.auth['change-password'].$post({
        json: { current_password: currentPassword, new_password: newPassword },
      });
      const body = (await (await expectOk(res)).json()) as TokenResponse;
      setTokens(body);
      return { user: body.user };
    },

    /** Revokes this session on the server (best effort) and forgets the tokens either way. */
    async logout(): Promise<void> {
      const tokens = storage.load();
      try {
        if (tokens)
          await api.auth.logout.$post({
            json: tokens.refresh_token === undefined ? {} : { refresh_token: tokens.refresh_token },
          });
      } finally {
        signOut('logout');
      }
    },

    async logoutAll(): Promise<void> {
      try {
        await expectOk(await api.auth['logout-all'].$post());
      } finally {
        signOut('logout');
      }
    },

    expectOk,
  };
}

export type PortcullisClient = ReturnType<typeof createPortcullisClient>;
