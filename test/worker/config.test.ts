// Configuration as an operator meets it: a bad value stops the Worker with the variable's name (never its
// value, which may be a secret), and settings that weaken the service are logged once at startup.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { depsFromEnv } from '../../src/deps-from-env.ts';
import { recordingLogger, workerEnv } from './harness.ts';

describe('configuration', () => {
  it('refuses every malformed value, naming the variable and never repeating the value', () => {
    const bad: [string, string][] = [
      ['RATE_LIMIT_LOGIN', '5 per minute'],
      ['RATE_LIMIT_API', '0/60'],
      ['RATE_LIMIT_REFRESH', '30/0'],
      ['ACCESS_TOKEN_TTL', '15min'],
      ['ACCESS_TOKEN_TTL', '5'],
      ['LOCKOUT_THRESHOLD', '0'],
      ['AUDIT_RETENTION_DAYS', '0'],
      ['AUDIT_RETENTION_DAYS', 'forever'],
      ['ARGON2_MEMORY_KIB', '512'],
      ['CORS_ORIGIN_PATTERNS', 'https://(unclosed'],
      ['JWT_PRIVATE_KEYS', '{"kty":"oct","k":"c2VjcmV0LXZhbHVlLXNo"}'],
      ['JWT_PRIVATE_KEYS', '[{"kty":"RSA","kid":"rsa-1","d":"private-exponent-xyz"}]'],
      ['SECRETS_KEY', 'too-short-secret-value'],
      ['ENVIRONMENT', 'staging'],
      ['API_KEY_PREFIX', 'Live_Key'],
      ['PUBLIC_URL', 'not a url at all'],
      ['MAIL_TRANSPORT', 'smtp-relay'],
    ];
    for (const [name, value] of bad) {
      let message = '';
      try {
        loadConfig({ ...workerEnv, [name]: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, `${name}=${value}`).toContain(name);
      if (value.length > 4) expect(message, `${name}=${value}`).not.toContain(value);
    }
  });

  it("warns once at startup when Argon2id is set below OWASP's minimum, and not at the defaults", async () => {
    const weak = recordingLogger();
    await depsFromEnv(
      { ...workerEnv, ARGON2_MEMORY_KIB: '8192', ARGON2_ITERATIONS: '1' },
      { logger: weak.logger },
    );
    expect(weak.lines).toEqual([
      {
        level: 'warn',
        event: 'config_warning',
        fields: { warning: expect.stringMatching(/m=8192 KiB, t=1 are below OWASP's minimum/) },
      },
    ]);

    const sound = recordingLogger();
    await depsFromEnv(workerEnv, { logger: sound.logger });
    expect(sound.lines).toEqual([]);
  });
});
