import type { INestApplication } from '@nestjs/common';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApiApp } from './create-api-app';

/**
 * A read pool whose every connection is busy (DATABASE_READ_POOL_SIZE=1, DATABASE_POOL_TIMEOUT_MS=1000): a query
 * waits the timeout for a connection, then answers 503 DATABASE.OVERLOADED with Retry-After — not DATABASE.UNAVAILABLE,
 * the database is there — and the same request answers once the connection is free again. The connection is held by a
 * statement that waits for an advisory lock this test holds, so it ends when the test says, not after a guessed time.
 */
describe('a full read pool (API with DATABASE_READ_POOL_SIZE=1, DATABASE_POOL_TIMEOUT_MS=1000)', () => {
  const LOCK = 781_204; // any key: the database is this test's own
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let reader: string;
  let admin: Client;

  const usage = () => fetch(`${baseUrl}/v1/metrics/usage?from=2026-03-01&to=2026-04-01`, { headers: { authorization: `Bearer ${reader}` } });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 2, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
        readPoolSize: 1,
        poolTimeoutMs: 1000,
        // The key is checked once, before the pool is held, and trusted from then on.
        apiKeyCacheMs: 60_000,
      },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    reader = (await app.get<ApiKeys>(API_KEYS).create('poolco', ['read'], 'e2e read')).key;
    // The read models' tables exist once their runners have started (and caught up with an empty log).
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(60_000);
    admin = new Client({ connectionString: database.url, application_name: 'read-pool-e2e' });
    await admin.connect();
  }, 120_000);

  afterAll(async () => {
    await admin?.end();
    await app?.close();
    await database?.drop();
  });

  it('given the one read connection busy, then a query answers 503 DATABASE.OVERLOADED with Retry-After; once it is free, 200', async () => {
    expect((await usage()).status).toBe(200); // the key is known, and the pool works

    await admin.query('SELECT pg_advisory_lock($1)', [LOCK]);
    // Through the API's own DataSource: the read pool's one connection waits on the lock (a transaction-level lock,
    // let go when its statement ends).
    const busy = app.get(DataSource).query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
    try {
      await waitUntil(async () => {
        const { rows } = await admin.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'rework-ledger-read' AND wait_event_type = 'Lock'`,
        );
        return rows[0].waiting === 1;
      });

      const overloaded = await usage();
      expect(overloaded.status).toBe(503);
      expect(Number(overloaded.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await overloaded.json()).toEqual({
        code: 'DATABASE.OVERLOADED',
        message: 'no database connection of this service became free in time (all busy, or the database slow to accept new ones); retry later, the request as it is',
      });
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [LOCK]);
      await busy;
    }

    const again = await usage();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ rows: expect.any(Array) });
  }, 60_000);
});

/** Polls until `condition` holds; fails after a generous number of tries (not a timed assertion: a bound on waiting). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the read connection never started waiting on the lock');
}
