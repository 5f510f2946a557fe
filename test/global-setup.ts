// Starts the Neon and Upstash stand-ins (over DATABASE_URL / REDIS_URL when set, else embedded), applies the
// migrations, and hands the Worker under test the env that points at them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { newKeyMaterial, newSigningJwk } from '../local/keys.ts';
import { startNeonStandIn } from '../local/neon/server.ts';
import { startStandIns } from '../local/stand-ins.ts';
import { startMailProvider } from './mail-provider.ts';
import { startOpenApiValidator } from './openapi-validator.ts';

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const standIns = await startStandIns({
    dataDir,
    persist: false,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
  });
  // A Neon stand-in whose database is unreachable: it answers as Neon does when the compute is (HTTP 500).
  const computeDown = await startNeonStandIn({ databaseUrl: 'postgres://nobody@127.0.0.1:9/none' });
  const validator = await startOpenApiValidator();
  const mailProvider = await startMailProvider();
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
    TEST_NEON_COMPUTE_DOWN_ENDPOINT: `${computeDown.url}/sql`,
    TEST_BACKENDS: `${standIns.neon.backend}+${standIns.upstash.backend}`,
  });
  console.log(
    `[test] stand-ins: Neon over ${standIns.neon.backend}, Upstash over ${standIns.upstash.backend}`,
  );
  return async () => {
    await Promise.allSettled([standIns.close(), validator.close(), mailProvider.close(), computeDown.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
