// env -> typed, validated Config. Refuses unsafe production settings instead of starting half-configured.
import { z } from 'zod';
import { RATE_LIMIT_SCOPES, type RateLimitRule, type RateLimitScope } from './ports/store.ts';

export type Environment = 'development' | 'test' | 'production';

export { RATE_LIMIT_SCOPES, type RateLimitRule, type RateLimitScope };

const DEFAULT_LIMITS: Record<RateLimitScope, RateLimitRule> = {
  LOGIN: { max: 5, windowSeconds: 300 },
  LOGIN_2FA: { max: 5, windowSeconds: 300 },
  REGISTER: { max: 3, windowSeconds: 3600 },
  PASSWORD_RESET: { max: 3, windowSeconds: 1800 },
  REFRESH: { max: 30, windowSeconds: 60 },
  API: { max: 60, windowSeconds: 60 },
};

// OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1); below it we warn at startup.
export const ARGON2_OWASP_MINIMUM = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

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
  mail: { transport: 'log' | 'http'; url: string | undefined; apiKey: string | undefined; from: string };
  publicUrl: string;
  /** Serve the demo SPA at /demo: on in development and test, off in production unless DEMO_ENABLED=true. */
  demoEnabled: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    // Issues name variables, never their values: a secret must not reach a log line.
    super(`invalid configuration: ${issues.join('; ')}`);
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

const EnvSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).default('production'),
  DATABASE_URL: z.string().min(1).optional(),
  NEON_FETCH_ENDPOINT: z.url().optional(),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
  STORE_TIMEOUT_MS: intFrom(2000, 50, 30_000),
  JWT_PRIVATE_KEYS: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default('portcullis'),
  JWT_AUDIENCE: z.string().min(1).default('portcullis'),
  ACCESS_TOKEN_TTL: intFrom(900, 30, 86_400),
  REFRESH_TOKEN_TTL: intFrom(604_800, 300, 31_536_000),
  CORS_ORIGINS: list,
  CORS_ORIGIN_PATTERNS: list,
  LOCKOUT_THRESHOLD: intFrom(5, 1, 1000),
  LOCKOUT_MINUTES: intFrom(30, 1, 525_600),
  AUDIT_RETENTION_DAYS: intFrom(365, 1, 36_500),
  ARGON2_MEMORY_KIB: intFrom(ARGON2_OWASP_MINIMUM.memoryKiB, 1024, 1024 * 1024),
  ARGON2_ITERATIONS: intFrom(ARGON2_OWASP_MINIMUM.iterations, 1, 64),
  ARGON2_PARALLELISM: intFrom(ARGON2_OWASP_MINIMUM.parallelism, 1, 16),
  SECRETS_KEY: z.string().optional(),
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
});

function parseLimit(scope: RateLimitScope, value: unknown, issues: string[]): RateLimitRule {
  if (value === undefined || value === '') return DEFAULT_LIMITS[scope];
  const match = typeof value === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value) : null;
  const max = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || max < 1 || windowSeconds < 1) {
    issues.push(`RATE_LIMIT_${scope} must be "<max>/<window_seconds>" with both at least 1`);
    return DEFAULT_LIMITS[scope];
  }
  return { max, windowSeconds };
}

/** Anchors a pattern completely, so that `https://app\.example\.com` cannot match a longer origin. */
function anchored(pattern: string, issues: string[]): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`);
  } catch {
    issues.push('CORS_ORIGIN_PATTERNS holds a pattern that is not a valid regular expression');
    return undefined;
  }
}

function parseKeys(raw: string | undefined, issues: string[]): JsonWebKey[] {
  if (!raw) return [];
  try {
    const keys = JSON.parse(raw) as unknown;
    if (!Array.isArray(keys) || keys.length === 0) throw new Error('not a non-empty array');
    for (const key of keys as Record<string, unknown>[]) {
      if (
        typeof key !== 'object' ||
        key === null ||
        typeof key.kid !== 'string' ||
        typeof key.d !== 'string'
      ) {
        throw new Error('each key needs kid and d');
      }
      if (!(key.kty === 'OKP' && key.crv === 'Ed25519') && !(key.kty === 'EC' && key.crv === 'P-256')) {
        throw new Error('unsupported key type');
      }
    }
    return keys as JsonWebKey[];
  } catch {
    issues.push(
      'JWT_PRIVATE_KEYS must be a JSON array of private Ed25519 (OKP) or P-256 (EC) JWKs with a kid',
    );
    return [];
  }
}

export function loadConfig(env: Record<string, unknown>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const issues: string[] = [];
  const production = e.ENVIRONMENT === 'production';
  const privateKeys = parseKeys(e.JWT_PRIVATE_KEYS, issues);
  const rateLimits = Object.fromEntries(
    RATE_LIMIT_SCOPES.map((scope) => [scope, parseLimit(scope, env[`RATE_LIMIT_${scope}`], issues)]),
  ) as Record<RateLimitScope, RateLimitRule>;
  const originPatterns = e.CORS_ORIGIN_PATTERNS.map((p) => anchored(p, issues)).filter(
    (p): p is RegExp => p !== undefined,
  );

  if (!e.DATABASE_URL) issues.push('DATABASE_URL is required');
  if (!e.UPSTASH_REDIS_REST_URL || !e.UPSTASH_REDIS_REST_TOKEN) {
    issues.push('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are required');
  }
  if (privateKeys.length === 0 && !issues.some((i) => i.startsWith('JWT_PRIVATE_KEYS'))) {
    issues.push('JWT_PRIVATE_KEYS is required');
  }
  if (!e.SECRETS_KEY || e.SECRETS_KEY.length < 32)
    issues.push('SECRETS_KEY (at least 32 characters) is required');
  const mailTransport = e.MAIL_TRANSPORT ?? (production ? 'http' : 'log');
  if (mailTransport === 'http' && (!e.MAIL_HTTP_URL || !e.MAIL_HTTP_API_KEY)) {
    issues.push('MAIL_TRANSPORT=http needs MAIL_HTTP_URL and MAIL_HTTP_API_KEY');
  }
  if (production) {
    if (e.NEON_FETCH_ENDPOINT) issues.push('NEON_FETCH_ENDPOINT is for local stand-ins only');
    if (mailTransport === 'log') issues.push('MAIL_TRANSPORT=log would drop every mail in production');
    if (!e.PUBLIC_URL.startsWith('https://')) issues.push('PUBLIC_URL must be https:// in production');
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    environment: e.ENVIRONMENT,
    database: { url: e.DATABASE_URL as string, fetchEndpoint: e.NEON_FETCH_ENDPOINT },
    store: {
      url: e.UPSTASH_REDIS_REST_URL as string,
      token: e.UPSTASH_REDIS_REST_TOKEN as string,
      timeoutMs: e.STORE_TIMEOUT_MS,
    },
    jwt: {
      privateKeys,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtl: e.ACCESS_TOKEN_TTL,
      refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    },
    cors: { origins: e.CORS_ORIGINS, originPatterns },
    rateLimits,
    lockout: { threshold: e.LOCKOUT_THRESHOLD, minutes: e.LOCKOUT_MINUTES },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    argon2: {
      memoryKiB: e.ARGON2_MEMORY_KIB,
      iterations: e.ARGON2_ITERATIONS,
      parallelism: e.ARGON2_PARALLELISM,
    },
    secretsKey: e.SECRETS_KEY as string,
    totpIssuer: e.TOTP_ISSUER,
    apiKeyPrefix: e.API_KEY_PREFIX,
    mail: { transport: mailTransport, url: e.MAIL_HTTP_URL, apiKey: e.MAIL_HTTP_API_KEY, from: e.MAIL_FROM },
    publicUrl: e.PUBLIC_URL,
    demoEnabled: e.DEMO_ENABLED ? e.DEMO_ENABLED === 'true' : !production,
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
