// env -> typed, validated Config. Refuses unsafe production settings instead of starting half-configured.
import { z } from 'zod';
import { RATE_LIMIT_SCOPES, type RateLimitRule, type RateLimitScope } from './ports/store.ts';

// Turnstile's documented endpoint (src/captcha/turnstile.ts posts to it).
const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

export type Environment = 'development' | 'test' | 'production';

export { RATE_LIMIT_SCOPES, type RateLimitRule, type RateLimitScope };

export const DEFAULT_RATE_LIMITS: Record<RateLimitScope, RateLimitRule> = {
  LOGIN: { max: 5, windowSeconds: 300 },
  LOGIN_2FA: { max: 5, windowSeconds: 300 },
  REGISTER: { max: 3, windowSeconds: 3600 },
  PASSWORD_RESET: { max: 3, windowSeconds: 1800 },
  REFRESH: { max: 30, windowSeconds: 60 },
  API: { max: 60, windowSeconds: 60 },
  // Per address (API.md: 5 an hour), beside PASSWORD_RESET per client address.
  EMAIL_SIGN_IN: { max: 5, windowSeconds: 3600 },
};

// OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1); below it we warn at startup.
export const ARGON2_OWASP_MINIMUM = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

/** Where mails go: logged into the dev outbox, or posted to a mail provider's HTTP API. */
export type MailSettings =
  { transport: 'log'; from: string } | { transport: 'http'; url: string; apiKey: string; from: string };

export interface Config {
  environment: Environment;
  database: { url: string; fetchEndpoint: string | undefined };
  store: { url: string; token: string; timeoutMs: number };
  jwt: {
    privateKeys: JsonWebKey[];
    issuer: string;
    audience: string;
    accessTokenTtl: number;
    refreshTokenTtl: number;
  };
  cors: { origins: string[]; originPatterns: RegExp[] };
  rateLimits: Record<RateLimitScope, RateLimitRule>;
  lockout: { threshold: number; minutes: number };
  /** How long audit events are kept before the scheduled clean-up deletes them. */
  auditRetentionDays: number;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  secretsKey: string;
  totpIssuer: string;
  apiKeyPrefix: string;
  mail: MailSettings;
  publicUrl: string;
  /** Serve the demo SPA at /demo: on in development and test, off in production unless DEMO_ENABLED=true. */
  demoEnabled: boolean;
  /** Require server-issued nonces in DPoP proofs (RFC 9449 section 8). */
  dpopNonce: boolean;
  /** The WebAuthn relying party: passkeys are bound to `rpId` and accepted only from `origins`. */
  webauthn: { rpId: string; rpName: string; origins: string[] };
  /** Email sign-in may create the account of an address that has none (EMAIL_SIGNUP=true). */
  emailSignup: boolean;
  /** Turnstile on register, login, email start and reset request; null when TURNSTILE_SECRET is unset. */
  turnstile: { secret: string; url: string } | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  // A field rather than a parameter property: Node's type stripping (local/dev.ts reads this file) takes none.
  readonly issues: string[];
  constructor(issues: string[]) {
    // Issues name variables, never their values: a secret must not reach a log line.
    super(`invalid configuration: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

const intFrom = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);
const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
const required = (message: string) => z.string({ error: message }).min(1, message);

/** `RATE_LIMIT_<SCOPE>="<max>/<window_seconds>"`, both at least 1; unset or empty keeps the default. */
const rateLimit = (scope: RateLimitScope) =>
  z
    .string()
    .optional()
    .transform((value, ctx): RateLimitRule => {
      if (value === undefined || value === '') return DEFAULT_RATE_LIMITS[scope];
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
      const max = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]);
      if (match && max >= 1 && windowSeconds >= 1) return { max, windowSeconds };
      ctx.addIssue({ code: 'custom', message: 'must be "<max>/<window_seconds>" with both at least 1' });
      return z.NEVER;
    });

/** The private JWKs that sign (the first) and verify (all): Ed25519 (OKP) or P-256 (EC), each with a kid. */
const PrivateJwk = z.looseObject({
  kid: z.string().min(1),
  d: z.string().min(1),
  kty: z.enum(['OKP', 'EC']),
  crv: z.enum(['Ed25519', 'P-256']),
});
const JWKS_MESSAGE = 'must be a JSON array of private Ed25519 (OKP) or P-256 (EC) JWKs with a kid';
const privateKeys = z
  .string({ error: 'JWT_PRIVATE_KEYS is required' })
  .min(1, 'JWT_PRIVATE_KEYS is required')
  .transform((raw, ctx): JsonWebKey[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const keys = z.array(PrivateJwk).min(1).safeParse(parsed);
    const paired = keys.success && keys.data.every((k) => (k.kty === 'OKP') === (k.crv === 'Ed25519'));
    if (keys.success && paired) return keys.data;
    ctx.addIssue({ code: 'custom', message: JWKS_MESSAGE });
    return z.NEVER;
  });

/** Anchors a pattern completely, so that `https://app\.example\.com` cannot match a longer origin. */
const originPatterns = list.transform((patterns, ctx) =>
  patterns.map((pattern) => {
    try {
      return new RegExp(`^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'holds a pattern that is not a valid regular expression' });
      return z.NEVER;
    }
  }),
);

const EnvSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).default('production'),
  DATABASE_URL: required('DATABASE_URL is required'),
  NEON_FETCH_ENDPOINT: z.url().optional(),
  UPSTASH_REDIS_REST_URL: z.url({
    error: 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are required',
  }),
  UPSTASH_REDIS_REST_TOKEN: required('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are required'),
  STORE_TIMEOUT_MS: intFrom(2000, 50, 30_000),
  JWT_PRIVATE_KEYS: privateKeys,
  JWT_ISSUER: z.string().min(1).default('portcullis'),
  JWT_AUDIENCE: z.string().min(1).default('portcullis'),
  ACCESS_TOKEN_TTL: intFrom(900, 30, 86_400),
  REFRESH_TOKEN_TTL: intFrom(604_800, 300, 31_536_000),
  CORS_ORIGINS: list,
  CORS_ORIGIN_PATTERNS: originPatterns,
  ...(Object.fromEntries(
    RATE_LIMIT_SCOPES.map((scope) => [`RATE_LIMIT_${scope}`, rateLimit(scope)]),
  ) as Record<`RATE_LIMIT_${RateLimitScope}`, ReturnType<typeof rateLimit>>),
  LOCKOUT_THRESHOLD: intFrom(5, 1, 1000),
  LOCKOUT_MINUTES: intFrom(30, 1, 525_600),
  AUDIT_RETENTION_DAYS: intFrom(365, 1, 36_500),
  ARGON2_MEMORY_KIB: intFrom(ARGON2_OWASP_MINIMUM.memoryKiB, 1024, 1024 * 1024),
  ARGON2_ITERATIONS: intFrom(ARGON2_OWASP_MINIMUM.iterations, 1, 64),
  ARGON2_PARALLELISM: intFrom(ARGON2_OWASP_MINIMUM.parallelism, 1, 16),
  SECRETS_KEY: z
    .string({ error: 'SECRETS_KEY (at least 32 characters) is required' })
    .min(32, 'SECRETS_KEY (at least 32 characters) is required'),
  TOTP_ISSUER: z.string().min(1).default('Portcullis'),
  API_KEY_PREFIX: z
    .string()
    .regex(/^[a-z]{1,8}$/)
    .default('pk'),
  MAIL_TRANSPORT: z.enum(['log', 'http']).optional(),
  MAIL_HTTP_URL: z.url().optional(),
  MAIL_HTTP_API_KEY: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Portcullis <no-reply@localhost>'),
  PUBLIC_URL: z.url().default('http://localhost:8787'),
  DEMO_ENABLED: z.enum(['true', 'false']).optional(),
  DPOP_NONCE: z.enum(['true', 'false']).default('false'),
  WEBAUTHN_RP_ID: z.string().optional(),
  WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('Portcullis'),
  WEBAUTHN_ORIGINS: list,
  EMAIL_SIGNUP: z.enum(['true', 'false']).default('false'),
  TURNSTILE_SECRET: z.string().min(1).optional(),
  TURNSTILE_VERIFY_URL: z.url().optional(),
});

type Env = z.infer<typeof EnvSchema>;

/** The variable an issue is about, and what is wrong with it; the value itself is never repeated. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.map(String).join('.');
  return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
}

/**
 * What the schema cannot say alone: settings that only make sense together, and what production refuses.
 * Read from the raw env, so that an operator sees every issue of a bad configuration at once.
 */
function combinationIssues(env: Record<string, unknown>): string[] {
  const text = (name: string) => (typeof env[name] === 'string' ? env[name] : undefined);
  const production = (text('ENVIRONMENT') ?? 'production') === 'production';
  const transport = text('MAIL_TRANSPORT') ?? (production ? 'http' : 'log');
  const issues: string[] = [];
  if (transport === 'http' && (!text('MAIL_HTTP_URL') || !text('MAIL_HTTP_API_KEY'))) {
    issues.push('MAIL_TRANSPORT=http needs MAIL_HTTP_URL and MAIL_HTTP_API_KEY');
  }
  if (production) {
    if (text('NEON_FETCH_ENDPOINT')) issues.push('NEON_FETCH_ENDPOINT is for local stand-ins only');
    if (text('TURNSTILE_VERIFY_URL')) issues.push('TURNSTILE_VERIFY_URL is for local stand-ins only');
    if (transport === 'log') issues.push('MAIL_TRANSPORT=log would drop every mail in production');
    if (!(text('PUBLIC_URL') ?? '').startsWith('https://'))
      issues.push('PUBLIC_URL must be https:// in production');
  }
  issues.push(...webauthnIssues(env, production));
  return issues;
}

/** A host belongs to a relying party when it is the RP ID or a subdomain of it (WebAuthn section 5.1.4.1). */
const withinRp = (host: string, rpId: string) => host === rpId || host.endsWith(`.${rpId}`);

/**
 * The relying party: its ID defaults to PUBLIC_URL's host, its origins to PUBLIC_URL's and the CORS origins
 * that share the RP ID (an SPA beside the Worker on a sibling subdomain).
 */
function webauthnSettings(e: Env): Config['webauthn'] {
  const rpId = (e.WEBAUTHN_RP_ID || new URL(e.PUBLIC_URL).hostname).toLowerCase();
  const origins =
    e.WEBAUTHN_ORIGINS.length > 0
      ? e.WEBAUTHN_ORIGINS
      : [new URL(e.PUBLIC_URL).origin, ...e.CORS_ORIGINS].filter((o) => withinRp(hostOf(o) ?? '', rpId));
  return { rpId, rpName: e.WEBAUTHN_RP_NAME, origins: [...new Set(origins.map((o) => new URL(o).origin))] };
}

const hostOf = (origin: string) => {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
};

// A domain name of letters, digits and hyphens (an IP address is no RP ID), and not a public suffix that
// browsers refuse as one.
const RP_ID = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PUBLIC_SUFFIXES = new Set(['workers.dev', 'pages.dev', 'com', 'net', 'org', 'dev', 'app']);

function webauthnIssues(env: Record<string, unknown>, production: boolean): string[] {
  const text = (name: string) => (typeof env[name] === 'string' && env[name] !== '' ? env[name] : undefined);
  const publicUrl = hostOf(text('PUBLIC_URL') ?? 'http://localhost:8787');
  const rpId = (text('WEBAUTHN_RP_ID') ?? publicUrl ?? '').toLowerCase();
  const issues: string[] = [];
  if (!RP_ID.test(rpId) || PUBLIC_SUFFIXES.has(rpId)) {
    issues.push(
      'WEBAUTHN_RP_ID must be a registrable domain name (not an IP address or a public suffix such as workers.dev)',
    );
    return issues;
  }
  const origins = (text('WEBAUTHN_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    const host = hostOf(origin);
    if (!host || !withinRp(host, rpId)) {
      issues.push('WEBAUTHN_ORIGINS must be origins on WEBAUTHN_RP_ID or its subdomains');
      break;
    }
    if (production && !origin.startsWith('https://')) {
      issues.push('WEBAUTHN_ORIGINS must be https:// in production');
      break;
    }
  }
  if (production && rpId === 'localhost') issues.push('WEBAUTHN_RP_ID cannot be localhost in production');
  return issues;
}

function mailSettings(e: Env): MailSettings {
  const transport = e.MAIL_TRANSPORT ?? (e.ENVIRONMENT === 'production' ? 'http' : 'log');
  // combinationIssues has refused http without its URL and key.
  if (transport === 'log' || !e.MAIL_HTTP_URL || !e.MAIL_HTTP_API_KEY)
    return { transport: 'log', from: e.MAIL_FROM };
  return { transport, url: e.MAIL_HTTP_URL, apiKey: e.MAIL_HTTP_API_KEY, from: e.MAIL_FROM };
}

export function loadConfig(env: Record<string, unknown>): Config {
  const parsed = EnvSchema.safeParse(env);
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map(describeIssue)),
    ...combinationIssues(env),
  ];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const e = parsed.data;
  const production = e.ENVIRONMENT === 'production';
  const mail = mailSettings(e);

  return {
    environment: e.ENVIRONMENT,
    database: { url: e.DATABASE_URL, fetchEndpoint: e.NEON_FETCH_ENDPOINT },
    store: {
      url: e.UPSTASH_REDIS_REST_URL,
      token: e.UPSTASH_REDIS_REST_TOKEN,
      timeoutMs: e.STORE_TIMEOUT_MS,
    },
    jwt: {
      privateKeys: e.JWT_PRIVATE_KEYS,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtl: e.ACCESS_TOKEN_TTL,
      refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    },
    cors: { origins: e.CORS_ORIGINS, originPatterns: e.CORS_ORIGIN_PATTERNS },
    rateLimits: Object.fromEntries(
      RATE_LIMIT_SCOPES.map((scope) => [scope, e[`RATE_LIMIT_${scope}`]]),
    ) as Record<RateLimitScope, RateLimitRule>,
    lockout: { threshold: e.LOCKOUT_THRESHOLD, minutes: e.LOCKOUT_MINUTES },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    argon2: {
      memoryKiB: e.ARGON2_MEMORY_KIB,
      iterations: e.ARGON2_ITERATIONS,
      parallelism: e.ARGON2_PARALLELISM,
    },
    secretsKey: e.SECRETS_KEY,
    totpIssuer: e.TOTP_ISSUER,
    apiKeyPrefix: e.API_KEY_PREFIX,
    mail,
    publicUrl: e.PUBLIC_URL,
    demoEnabled: e.DEMO_ENABLED ? e.DEMO_ENABLED === 'true' : !production,
    dpopNonce: e.DPOP_NONCE === 'true',
    webauthn: webauthnSettings(e),
    emailSignup: e.EMAIL_SIGNUP === 'true',
    turnstile: e.TURNSTILE_SECRET
      ? { secret: e.TURNSTILE_SECRET, url: e.TURNSTILE_VERIFY_URL ?? SITEVERIFY_URL }
      : null,
  };
}

/** Settings that are allowed but weaken the service: the Worker logs each once at startup. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const a = config.argon2;
  const m = ARGON2_OWASP_MINIMUM;
  if (a.memoryKiB < m.memoryKiB || a.iterations < m.iterations) {
    warnings.push(
      `Argon2id parameters m=${a.memoryKiB} KiB, t=${a.iterations} are below OWASP's minimum (m=${m.memoryKiB}, t=${m.iterations})`,
    );
  }
  return warnings;
}
