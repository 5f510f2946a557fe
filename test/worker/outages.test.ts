// Threat: a dependency outage turns into a 500 with a stack, or into a 200 that should have needed the
// dependency (a token that might be revoked, a login with no limit). Every operation in the OpenAPI document
// is called, with a live session's token and a plausible body, while the store or the database is down.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, OUTAGES, randomIp, signUp, type Harness, type Session } from './harness.ts';
import { fill, flaw, operationsOf, plausibleBody, type Doc } from './operations.ts';

let healthy: Harness;
let session: Session;
let doc: Doc;

beforeAll(async () => {
  healthy = await harness();
  session = await signUp(healthy);
  doc = (await (await healthy.call('GET', '/openapi.json')).json()) as Doc;
});

// What answers without the dependency, by design: the process itself, the published keys and documents.
const WITHOUT_STORE = new Set(['GET /health', 'GET /.well-known/jwks.json']);

const outages: Record<string, { env: Record<string, string>; store: boolean }> = {
  'the store is unreachable': { env: OUTAGES.storeUnreachable, store: true },
  'the store refuses the credentials': { env: OUTAGES.storeRefusesCredentials, store: true },
  'the database is unreachable': { env: OUTAGES.databaseUnreachable, store: false },
  "the database's compute is down (Neon answers 500)": { env: OUTAGES.databaseComputeDown, store: false },
};

describe.each(Object.entries(outages))('when %s', (_name, outage) => {
  it('every operation answers cleanly (503 service_unavailable where it needs it), never a 500', async () => {
    const h = await harness({ env: outage.env });
    const flaws: string[] = [];
    const succeeded: string[] = [];
    let unavailable = 0;
    // Readiness answers its own report, not a problem (fail-closed.test.ts checks it).
    for (const { path, method, op } of operationsOf(doc).filter((o) => o.path !== '/health/ready')) {
      const json = op.requestBody ? plausibleBody(doc, op, session) : undefined;
      for (const token of [session.access_token, undefined]) {
        const res = await h.call(method, fill(path), {
          ...(json === undefined ? {} : { json }),
          ...(token ? { token } : {}),
          ip: randomIp(),
        });
        if (res.status === 503) unavailable++;
        if (res.ok) succeeded.push(`${method} ${path}`);
        const found = await flaw(res, true);
        if (found) flaws.push(`${method} ${path} ${token ? 'with' : 'without'} a token -> ${found}`);
      }
    }
    expect(flaws).toEqual([]);
    expect(unavailable).toBeGreaterThan(20);
    if (outage.store) {
      // Without the store nothing is answered that needs a revocation check or a rate limit.
      expect([...new Set(succeeded)].filter((op) => !WITHOUT_STORE.has(op))).toEqual([]);
    }
  });
});
