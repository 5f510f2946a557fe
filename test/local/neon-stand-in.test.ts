// The Neon stand-in speaks what @neondatabase/serverless sends, over each backend it supports.
import { neon, neonConfig } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startNeonStandIn, type NeonStandIn } from '../../local/neon/server.ts';

const backends: [string, string | undefined][] = [['pglite', undefined]];
if (process.env.DATABASE_URL) backends.push(['postgres', process.env.DATABASE_URL]);

describe.each(backends)('Neon stand-in over %s', (backend, databaseUrl) => {
  let standIn: NeonStandIn;
  const table = `standin_${backend}_${Date.now().toString(36)}`;
  const sql = neon('postgres://user:pass@standin.local/db');

  beforeAll(async () => {
    standIn = await startNeonStandIn({ databaseUrl });
    neonConfig.fetchEndpoint = `${standIn.url}/sql`;
    await sql.query(
      `create table ${table} (id int primary key, doc jsonb, tags text[], at timestamptz, raw bytea)`,
    );
  });
  afterAll(async () => {
    await sql.query(`drop table if exists ${table}`);
    await standIn.close();
  });

  it(`reports its backend`, () => {
    expect(standIn.backend).toBe(backend);
  });

  it('round-trips parameters and typed results without double encoding', async () => {
    const doc = { nested: { a: [1, 'two'] }, quote: "it's" };
    const at = new Date('2026-01-02T03:04:05.678Z');
    await sql.query(`insert into ${table} (id, doc, tags, at, raw) values ($1, $2, $3, $4, $5)`, [
      1,
      JSON.stringify(doc),
      ['a', 'b,c', 'd"e'],
      at,
      Buffer.from([0, 1, 255]),
    ]);
    const [row] = await sql.query(`select * from ${table} where id = $1`, [1]);
    expect(row).toEqual({ id: 1, doc, tags: ['a', 'b,c', 'd"e'], at, raw: Buffer.from([0, 1, 255]) });
  });

  it('reports command and rowCount as Neon does', async () => {
    const result = await sql.query(`update ${table} set tags = $1 where id = $2`, [['x'], 1], {
      fullResults: true,
    });
    expect(result.command).toBe('UPDATE');
    expect(result.rowCount).toBe(1);
    expect(result.rows).toEqual([]);
  });

  it('surfaces unique violations with code 23505 and the constraint name', async () => {
    await expect(sql.query(`insert into ${table} (id) values (1)`)).rejects.toMatchObject({
      code: '23505',
      constraint: `${table}_pkey`,
    });
  });

  it('runs a batch as one transaction: one failure rolls back all of it', async () => {
    await expect(
      sql.transaction([
        sql.query(`insert into ${table} (id) values (2)`),
        sql.query(`insert into ${table} (id) values (1)`),
      ]),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await sql.query(`select id from ${table} where id = 2`)).toEqual([]);
    const [a, b] = await sql.transaction(
      [
        sql.query(`insert into ${table} (id) values (3) returning id`),
        sql.query(`select count(*)::int as n from ${table}`),
      ],
      { isolationLevel: 'Serializable' },
    );
    expect(a).toEqual([{ id: 3 }]);
    expect(b).toEqual([{ n: 2 }]);
  });

  it('honours a read-only batch', async () => {
    await expect(
      sql.transaction([sql.query(`insert into ${table} (id) values (4)`)], { readOnly: true }),
    ).rejects.toMatchObject({ code: '25006' });
  });

  // Postgres only: PGlite has no other backends to terminate.
  if (backend === 'postgres')
    it('survives a backend terminated mid-batch: the batch fails with 57P01, the next request is served', async () => {
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      try {
        const marker = `standin_sleep_${Date.now()}`;
        const batch = sql.transaction([
          sql.query(`insert into ${table} (id) values (50)`),
          sql.query(`select pg_sleep(5) as ${marker}`),
        ]);
        const outcome = batch.then(
          () => 'committed',
          (error: unknown) => error,
        );
        for (let i = 0; i < 50; i++) {
          const { rowCount } = await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where query like $1 and pid <> pg_backend_pid()`,
            [`%${marker}%`],
          );
          if (rowCount) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(await outcome).toMatchObject({ code: '57P01' });
        // Nothing half-written, and the stand-in still serves.
        expect(await sql.query(`select id from ${table} where id = 50`)).toEqual([]);
        expect(await sql.query('select 1 as one')).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
      }
    });

  it('answers malformed requests with 400, not a crash', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${standIn.url}/sql`, {
        method: 'POST',
        headers: { 'Neon-Connection-String': 'postgres://x@y/z', ...headers },
        body,
      });
    expect((await post('{')).status).toBe(400);
    expect((await post('{"query": 1}')).status).toBe(400);
    expect((await post('{"query":"select 1","params":[{}]}')).status).toBe(400);
    expect((await post('{"queries":[]}', { 'Neon-Batch-Isolation-Level': 'Chaos' })).status).toBe(400);
    expect((await fetch(`${standIn.url}/sql`, { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await post('{"query":"select 1"}')).status).toBe(200);
  });
});

describe('Neon stand-in over a database it cannot reach', () => {
  it("answers as Neon's proxy does when the compute is unreachable: HTTP 500, a message, no SQLSTATE", async () => {
    const standIn = await startNeonStandIn({ databaseUrl: 'postgres://nobody@127.0.0.1:9/none' });
    try {
      const res = await fetch(`${standIn.url}/sql`, {
        method: 'POST',
        headers: { 'Neon-Connection-String': 'postgres://x@y/z' },
        body: JSON.stringify({ query: 'select 1', params: [] }),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: "Couldn't connect to compute node" });
      neonConfig.fetchEndpoint = `${standIn.url}/sql`;
      const error = await neon('postgres://user:pass@standin.local/db')
        .query('select 1')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'NeonDbError', message: expect.stringMatching(/HTTP status 500/) });
      expect((error as { code?: unknown }).code).toBeUndefined();
    } finally {
      await standIn.close();
    }
  });
});
