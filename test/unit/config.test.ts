// env -> Config: the rate limits, the CORS patterns and the production refusals, without a Worker.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const BASE = {
  ENVIRONMENT: 'test',
  DATABASE_URL: 'postgres://u@h/d',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1',
  UPSTASH_REDIS_REST_TOKEN: 't',
  JWT_PRIVATE_KEYS: JSON.stringify([{ kty: 'OKP', crv: 'Ed25519', kid: 'k', x: 'x', d: 'd' }]),
  SECRETS_KEY: 's'.repeat(32),
};

const issuesOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
};

describe('configuration', () => {
  it("keeps the contract's default limits and takes RATE_LIMIT_<SCOPE> overrides", () => {
    const config = loadConfig({ ...BASE, RATE_LIMIT_LOGIN: ' 10 / 60 ' });
    expect(config.rateLimits.LOGIN).toEqual({ max: 10, windowSeconds: 60 });
    expect(config.rateLimits.REGISTER).toEqual({ max: 3, windowSeconds: 3600 });
    expect(config.rateLimits.API).toEqual({ max: 60, windowSeconds: 60 });
  });

  it('refuses a malformed limit, naming the variable and never its value', () => {
    for (const value of ['10', '0/60', '10/0', 'ten/60', '-1/60']) {
      const issues = issuesOf({ ...BASE, RATE_LIMIT_API: value });
      expect(issues.join(' '), value).toMatch(/RATE_LIMIT_API/);
    }
  });

  it('anchors every CORS pattern at both ends', () => {
    const { cors } = loadConfig({ ...BASE, CORS_ORIGIN_PATTERNS: 'https://[a-z]+\\.example\\.com' });
    const [pattern] = cors.originPatterns;
    expect(pattern?.test('https://app.example.com')).toBe(true);
    expect(pattern?.test('https://app.example.com.evil.net')).toBe(false);
    expect(pattern?.test('evil://x?https://app.example.com')).toBe(false);
  });

  it('refuses to start in production without what production needs, and names each thing', () => {
    const issues = issuesOf({ ENVIRONMENT: 'production', SECRETS_KEY: 'short', PUBLIC_URL: 'http://x.test' });
    for (const name of [
      'DATABASE_URL',
      'UPSTASH_REDIS_REST_URL',
      'JWT_PRIVATE_KEYS',
      'SECRETS_KEY',
      'PUBLIC_URL',
      'MAIL_TRANSPORT',
    ]) {
      expect(issues.join(' '), name).toContain(name);
    }
    expect(issues.join(' ')).not.toContain('short');
  });

  it('takes the WebAuthn relying party from PUBLIC_URL, with the CORS origins on its domain', () => {
    const { webauthn } = loadConfig({
      ...BASE,
      PUBLIC_URL: 'https://auth.example.com/app',
      CORS_ORIGINS: 'https://app.auth.example.com,https://elsewhere.test',
    });
    expect(webauthn).toEqual({
      rpId: 'auth.example.com',
      rpName: 'Portcullis',
      origins: ['https://auth.example.com', 'https://app.auth.example.com'],
    });
    const sibling = loadConfig({
      ...BASE,
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://auth.example.com',
      WEBAUTHN_RP_NAME: 'Example',
    });
    expect(sibling.webauthn).toEqual({
      rpId: 'example.com',
      rpName: 'Example',
      origins: ['https://app.example.com', 'https://auth.example.com'],
    });
  });

  it('refuses an RP ID that browsers refuse, and origins outside it', () => {
    for (const rpId of ['workers.dev', 'com', '192.0.2.1', 'https://example.com', 'exa mple.com']) {
      expect(issuesOf({ ...BASE, WEBAUTHN_RP_ID: rpId }).join(' '), rpId).toContain('WEBAUTHN_RP_ID');
    }
    // A name of one's own under workers.dev is a registrable domain (workers.dev is a public suffix).
    expect(
      issuesOf({ ...BASE, WEBAUTHN_RP_ID: 'me.workers.dev', WEBAUTHN_ORIGINS: 'https://me.workers.dev' }),
    ).toEqual([]);
    for (const origin of ['https://example.com.evil.test', 'https://evilexample.com', 'not a url']) {
      const issues = issuesOf({ ...BASE, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: origin });
      expect(issues.join(' '), origin).toContain('WEBAUTHN_ORIGINS');
    }
    const production = issuesOf({
      ...BASE,
      ENVIRONMENT: 'production',
      MAIL_TRANSPORT: 'http',
      MAIL_HTTP_URL: 'https://mail.test',
      MAIL_HTTP_API_KEY: 'k',
      PUBLIC_URL: 'https://localhost',
    });
    expect(production.join(' ')).toContain('WEBAUTHN_RP_ID cannot be localhost');
    const standIn = issuesOf({
      ...BASE,
      ENVIRONMENT: 'production',
      TURNSTILE_VERIFY_URL: 'http://127.0.0.1:1',
    });
    expect(standIn.join(' ')).toContain('TURNSTILE_VERIFY_URL is for local stand-ins only');
    expect(loadConfig({ ...BASE, TURNSTILE_SECRET: 's' }).turnstile).toEqual({
      secret: 's',
      url: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
    });
  });
});
