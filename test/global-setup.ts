// Starts the Neon and Upstash stand-ins (over DATABASE_URL / REDIS_URL when set, else embedded), applies the
// migrations, and hands the Worker under test the env that points at them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { newKeyMaterial, newSigningJwk } from '../local/keys.ts';
import { startNeonStandIn } from '../local/neon/server.ts';
import { startStandIns, warmNewStore } from '../local/stand-ins.ts';
import { startTurnstileStandIn } from '../local/turnstile.ts';
import { startUpstashStandIn } from '../local/upstash/server.ts';
import { startMailProvider } from './mail-provider.ts';
import { startOpenApiValidator } from './openapi-validator.ts';

/** The same Redis, another logical database. */
function withDatabase(redisUrl: string, index: number): string {
  const url = new URL(redisUrl);
  url.pathname = `/${index}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const standIns = await startStandIns({
    dataDir,
    persist: false,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
  });
  // The store the tests share has held every revocation since the start (a fresh test database has none):
  // its epoch is set once, so that no test's first request finds it cold (the store-wipe test has its own).
  await warmNewStore(standIns.upstash);
  // A store of its own for the store-wipe test (another logical database of the same Redis), which it may
  // empty while the other files run.
  const wipeable = await startUpstashStandIn({
    token: randomBytes(24).toString('base64url'),
    redisUrl: withDatabase(standIns.upstash.redisUrl, 1),
    dataDir,
  });
  // A Neon stand-in whose database is unreachable: it answers as Neon does when the compute is (HTTP 500).
  const computeDown = await startNeonStandIn({ databaseUrl: 'postgres://nobody@127.0.0.1:9/none' });
  const validator = await startOpenApiValidator();
  const mailProvider = await startMailProvider();
  const siteverify = await startTurnstileStandIn();
  project.provide('openApiValidatorUrl', validator.url);
  const material = newKeyMaterial();
  project.provide('workerEnv', {
    ENVIRONMENT: 'test',
    ...standIns.env,
    JWT_PRIVATE_KEYS: JSON.stringify(material.jwtPrivateKeys),
    // A key the Worker does not trust, for forged-token tests.
    TEST_FOREIGN_KEY: JSON.stringify(newSigningJwk()),
    // A P-256 key, for the ES256 option.
    TEST_ES256_KEY: JSON.stringify(newSigningJwk('ES256')),
    SECRETS_KEY: material.secretsKey,
    JWT_ISSUER: 'https://auth.test',
    JWT_AUDIENCE: 'https://api.test',
    PUBLIC_URL: 'http://localhost:8787',
    CORS_ORIGINS: 'https://app.example.com',
    CORS_ORIGIN_PATTERNS: 'https://[a-z0-9-]+\\.preview\\.example\\.com',
    TEST_MAIL_PROVIDER_URL: mailProvider.url,
    TEST_TURNSTILE_URL: siteverify.url,
    TEST_NEON_COMPUTE_DOWN_ENDPOINT: `${computeDown.url}/sql`,
    TEST_WIPEABLE_UPSTASH_URL: wipeable.url,
    TEST_WIPEABLE_UPSTASH_TOKEN: wipeable.token,
    TEST_BACKENDS: `${standIns.neon.backend}+${standIns.upstash.backend}`,
  });
  console.log(
    `[test] stand-ins: Neon over ${standIns.neon.backend}, Upstash over ${standIns.upstash.backend}`,
  );
  return async () => {
    await Promise.allSettled([
      standIns.close(),
      validator.close(),
      mailProvider.close(),
      siteverify.close(),
      computeDown.close(),
      wipeable.close(),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
