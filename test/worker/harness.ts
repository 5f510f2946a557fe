// Builds the app inside workerd against the stand-ins, with a frozen clock the test can move.
import { Secret, TOTP } from 'otpauth';
import { expect, inject } from 'vitest';
import { createApp } from '../../src/app.ts';
import { depsFromEnv } from '../../src/deps-from-env.ts';
import type { Deps } from '../../src/deps.ts';
import { bcrypt } from '../../src/generated/hash-wasm.js';
import { FrozenClock } from '../../src/ports/clock.ts';
import { silentLogger, type Logger } from '../../src/ports/logger.ts';

/** The env the global setup built (test/global-setup.ts), and nothing else: never a developer's .dev.vars. */
export const workerEnv: Record<string, string> = inject('workerEnv');

export interface Harness {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  clock: FrozenClock;
  /** This harness's client address; each harness gets its own so that IP rate limits do not collide. */
  ip: string;
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  /** A `fetch` into this app, from this harness's client address: what a browser-side client is given. */
  fetch: typeof fetch;
  /** Waits for the work requests left running after their response (audit rows, mails). */
  settle(): Promise<void>;
  /** The mails sent to an address, newest first, once the pending work has finished. */
  outbox(to: string): Promise<{ to: string; subject: string; text: string }[]>;
  /** A user's audit events of one type, newest first, once the pending work (audit writes) has finished. */
  auditEvents(userId: string, type: string): ReturnType<Deps['db']['audit']['list']>;
}

export interface CallOptions {
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  token?: string | undefined;
  headers?: Record<string, string>;
  ip?: string;
}

const octet = () => Math.floor(Math.random() * 254) + 1;
export const randomIp = () => `10.${octet()}.${octet()}.${octet()}`;

export async function harness(
  options: { env?: Record<string, string>; deps?: Partial<Deps> } = {},
): Promise<Harness> {
  const clock = new FrozenClock();
  const deps = await depsFromEnv(
    { ...workerEnv, ...options.env },
    { clock, logger: silentLogger, ...options.deps },
  );
  const app = createApp(deps);
  const ip = randomIp();
  const pending: Promise<unknown>[] = [];
  const executionCtx = {
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext;
  const settle = async () => {
    while (pending.length > 0) await Promise.allSettled(pending.splice(0));
  };
  return {
    app,
    deps,
    clock,
    ip,
    async call(method, path, o = {}) {
      const headers = new Headers(o.headers);
      if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', o.ip ?? ip);
      let body = o.body;
      if (o.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(o.json);
      }
      if (o.form) {
        headers.set('content-type', 'application/x-www-form-urlencoded');
        body = new URLSearchParams(o.form).toString();
      }
      if (o.token) headers.set('authorization', `Bearer ${o.token}`);
      return app.request(
        `http://portcullis.test${path}`,
        { method, headers, body: body ?? null },
        workerEnv,
        executionCtx,
      );
    },
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (!request.headers.has('cf-connecting-ip')) request.headers.set('cf-connecting-ip', ip);
      return app.request(request, undefined, workerEnv, executionCtx);
    },
    settle,
    async outbox(to) {
      await settle();
      return deps.store.readOutbox(to);
    },
    async auditEvents(userId, type) {
      await settle();
      return deps.db.audit.list({ userId, type, limit: 20 });
    },
  };
}

let counter = 0;
export function newUser() {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { email: `user-${id}@example.com`, username: `u_${id}`, password: 'Granite-Lantern-42' };
}

export interface Session {
  user: { id: string; email: string; username: string };
  access_token: string;
  refresh_token: string;
  password: string;
}

/** Registers a fresh user (from its own address, so REGISTER limits never interfere) and logs in. */
export async function signUp(h: Harness, user = newUser()): Promise<Session> {
  const registered = await h.call('POST', '/api/v1/auth/register', { json: user, ip: randomIp() });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${await registered.text()}`);
  return logIn(h, user.username, user.password);
}

/** A fresh user with role admin (roles are read from the database on each admin request). */
export async function signUpAdmin(h: Harness): Promise<Session> {
  const s = await signUp(h);
  await h.deps.db.adminUsers.setRoles(s.user.id, ['user', 'admin'], h.clock.now());
  return s;
}

export async function logIn(h: Harness, username: string, password: string): Promise<Session> {
  const res = await h.call('POST', '/api/v1/auth/login', { json: { username, password }, ip: randomIp() });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as Omit<Session, 'password'>;
  return { ...body, password };
}

/** Gives the user a legacy bcrypt hash of `password` (an imported account), as if from before Argon2id. */
export async function setLegacyBcryptHash(h: Harness, userId: string, password: string): Promise<void> {
  const legacy = await bcrypt({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    costFactor: 10,
    outputType: 'encoded',
  });
  await h.deps.db.users.setPassword(userId, legacy, h.clock.now(), false);
}

export async function problemOf(res: Response): Promise<{ status: number; code: string; detail: string }> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { status: number; code: string; detail: string };
}

/** The token a mail carries (the text shows it on its own line for API clients). */
export function tokenFromMail(mail: { text: string } | undefined): string {
  const match = /: ([A-Za-z0-9_-]{43})$/m.exec(mail?.text ?? '');
  if (!match) throw new Error('no token in the mail');
  return match[1]!;
}

/** The TOTP code an authenticator app shows for `secret` at `at` (RFC 6238, SHA-1, 6 digits, 30 s). */
export const codeAt = (secret: string, at: Date, stepOffset = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: at.getTime() + stepOffset * 30_000,
  });

/** A six-digit code that none of the windows the server accepts at `at` (±1 step) would take. */
export const wrongCodeAt = (secret: string, at: Date) => {
  const valid = new Set([-1, 0, 1].map((step) => codeAt(secret, at, step)));
  return ['000000', '111111', '222222', '333333'].find((code) => !valid.has(code))!;
};

export interface TwoFactorEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_code: string;
  backup_codes: string[];
}

/**
 * Turns 2FA on for the session's user: enable, then verify with the current code. That code is spent
 * (replay protection), so the clock moves on to the next window for whatever the test does next.
 */
export async function enableTwoFactor(h: Harness, s: Session): Promise<TwoFactorEnrolment> {
  const res = await h.call('POST', '/api/v1/2fa/enable', { token: s.access_token });
  expect(res.status).toBe(200);
  const enrolment = (await res.json()) as TwoFactorEnrolment;
  const verified = await h.call('POST', '/api/v1/2fa/verify', {
    token: s.access_token,
    json: { code: codeAt(enrolment.secret, h.clock.now()) },
  });
  expect(verified.status).toBe(200);
  expect(await verified.json()).toEqual({ enabled: true });
  h.clock.advance(30);
  return enrolment;
}

/**
 * Returns once at least `marginMs` is left before the end of the current rate-limit window of
 * `windowSeconds` (waiting for the next one to begin if need be). The sliding window of @upstash/ratelimit
 * runs on the real clock, windows aligned to the epoch, and weighs the previous window's count rounded down:
 * a run of requests that crosses a window's end is let off a request or two, so a test of a limit's exact
 * boundary must fit inside one window. Every default window is a multiple of 60 s, so 60 covers them all.
 */
export async function clearOfWindowEnd(marginMs = 8000, windowSeconds = 60): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Env overrides that take a dependency down (an address nothing listens on, a refused token). */
export const OUTAGES = {
  storeUnreachable: { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', STORE_TIMEOUT_MS: '500' },
  storeRefusesCredentials: { UPSTASH_REDIS_REST_TOKEN: 'wrong-token' },
  databaseUnreachable: {
    DATABASE_URL: 'postgres://u:p@unreachable.local/db',
    NEON_FETCH_ENDPOINT: 'http://127.0.0.1:9/sql',
  },
  // Neon answers, but its compute cannot be reached (HTTP 500, no SQLSTATE). Its own host: the driver's
  // endpoint is chosen per connection-string host, isolate-wide.
  databaseComputeDown: {
    DATABASE_URL: 'postgres://u:p@compute-down.local/db',
    NEON_FETCH_ENDPOINT: workerEnv.TEST_NEON_COMPUTE_DOWN_ENDPOINT ?? 'http://127.0.0.1:9/sql',
  },
} satisfies Record<string, Record<string, string>>;

/**
 * The HTTP requests an Upstash stand-in has served so far (its own counter, not part of Upstash's API): the
 * tests count store round trips with it. The shared store by default.
 */
export async function storeRequests(
  store = { url: workerEnv.UPSTASH_REDIS_REST_URL!, token: workerEnv.UPSTASH_REDIS_REST_TOKEN! },
): Promise<number> {
  const res = await fetch(`${store.url}/__stand-in/requests`, {
    headers: { authorization: `Bearer ${store.token}` },
  });
  return (await res.json<{ requests: number }>()).requests;
}

/** A logger that keeps its lines, for tests of what gets logged (and what never does). */
export function recordingLogger() {
  const lines: { level: string; event: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, event, fields });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}
