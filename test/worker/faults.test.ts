// Threat: a database failure in the middle of a write leaves half of it behind: a refresh token marked rotated
// with no successor, so the client's retry looks like reuse and its session is revoked. Faults are injected
// in Postgres itself (a trigger that fails one statement of the batch with a transient SQLSTATE), so the
// Worker, the driver and the Neon stand-in all run as in production.
import { neon } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, OUTAGES, problemOf, randomIp, signUp, workerEnv, type Harness } from './harness.ts';

const FAULTY_AGENT = 'portcullis-fault-injection';
let h: Harness;
// The harness has routed the test database's host to the Neon stand-in (db/client.ts); this is the same path.
let sql: ReturnType<typeof neon>;

beforeAll(async () => {
  h = await harness();
  sql = neon(workerEnv.DATABASE_URL!);
  // Fails any session update made on behalf of FAULTY_AGENT with 57014 (query_canceled): the refresh batch's
  // third statement, after the old token was marked and its successor inserted.
  await sql.query(`create or replace function portcullis_test_fault() returns trigger language plpgsql as $$
    begin
      if new.user_agent = '${FAULTY_AGENT}' then
        raise exception 'injected fault' using errcode = '57014';
      end if;
      return new;
    end $$`);
  await sql.query('drop trigger if exists portcullis_test_fault on sessions');
  await sql.query(
    'create trigger portcullis_test_fault before update on sessions for each row execute function portcullis_test_fault()',
  );
});

afterAll(async () => {
  await sql.query('drop trigger if exists portcullis_test_fault on sessions');
  await sql.query('drop function if exists portcullis_test_fault()');
});

describe('a refresh whose batch fails half-way', () => {
  it('answers 503, rolls all of it back, and the same refresh token works on the retry', async () => {
    const s = await signUp(h);
    const failed = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: s.refresh_token },
      headers: { 'user-agent': FAULTY_AGENT },
      ip: randomIp(),
    });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBeTruthy();
    expect((await problemOf(failed)).code).toBe('service_unavailable');
    // Nothing half-written: the old token is not rotated and has no successor.
    const rows = await sql.query(
      `select t.rotated_at, (select count(*)::int from refresh_tokens c where c.parent_hash = t.token_hash) as children
         from refresh_tokens t join sessions s on s.id = t.session_id where s.user_id = $1`,
      [s.user.id],
    );
    expect(rows).toEqual([{ rotated_at: null, children: 0 }]);
    // The client's retry is a plain refresh, not reuse: the session lives on.
    const retry = await h.call('POST', '/api/v1/auth/refresh', {
      json: { refresh_token: s.refresh_token },
      ip: randomIp(),
    });
    expect(retry.status).toBe(200);
    const next = await retry.json<{ access_token: string }>();
    expect((await h.call('GET', '/api/v1/auth/session', { token: next.access_token })).status).toBe(200);
  });
});

describe("a database whose compute is down (Neon's HTTP 500)", () => {
  it('answers 503 on single statements and on batches alike, never 500', async () => {
    const down = await harness({ env: OUTAGES.databaseComputeDown });
    const calls: [string, string, unknown][] = [
      ['POST', '/api/v1/auth/login', { username: 'ada', password: 'Granite-Lantern-42' }],
      [
        'POST',
        '/api/v1/auth/register',
        { email: 'x@example.com', username: 'xyz', password: 'Granite-Lantern-42' },
      ],
      ['POST', '/api/v1/auth/refresh', { refresh_token: 'A'.repeat(43) }],
      [
        'POST',
        '/api/v1/auth/reset-password/confirm',
        { token: 'A'.repeat(43), new_password: 'Granite-Lantern-42' },
      ],
    ];
    for (const [method, path, json] of calls) {
      const res = await down.call(method, path, { json, ip: randomIp() });
      expect(res.status, path).toBe(503);
      expect((await problemOf(res)).code).toBe('service_unavailable');
    }
  });
});
