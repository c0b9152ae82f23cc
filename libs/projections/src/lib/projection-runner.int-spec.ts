import { createPostgresEventStore, type EventStore, migrateEventStore } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import { readProjectionPositions } from './checkpoint-store';
import type { Projection } from './projection';
import { createProjectionRunner, migrateProjections, type ProjectionRunner } from './projection-runner';

/**
 * A projection that records each event it applies and how many times (`times` must stay 1: an event applied twice
 * shows), with its amount (numeric(6,2): "1e10" overflows and is parked). `hooks` let a test hold a rebuild's
 * shadow, or fail after the projection wrote.
 */
type Hooks = { afterWrite?: (client: PoolClient, schema: string) => Promise<void>; shadowGate?: Promise<void>; shadowReached?: () => void };
function tallyProjection(name: string, version = 1): Projection & { hooks: Hooks } {
  const hooks: Hooks = {};
  return {
    name,
    schema: `pt_${name}`,
    version,
    handles: [`test.${name}`],
    hooks,
    async createTables(client: PoolClient, schema: string) {
      await client.query(`CREATE TABLE "${schema}".applied (tenant text NOT NULL, event_id text NOT NULL, amount numeric(6,2), times integer NOT NULL, PRIMARY KEY (tenant, event_id))`);
    },
    async apply(client: PoolClient, schema: string, events) {
      if (schema.endsWith('__rebuild') && hooks.shadowGate) {
        hooks.shadowReached?.();
        await hooks.shadowGate;
      }
      await client.query(
        `INSERT INTO "${schema}".applied SELECT t, id, a::numeric(6,2), 1 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, id, a)
         ON CONFLICT (tenant, event_id) DO UPDATE SET times = applied.times + 1`,
        [events.map((e) => e.tenant), events.map((e) => e.id), events.map((e) => String(e.data['amount'] ?? '1'))],
      );
      await hooks.afterWrite?.(client, schema);
    },
  };
}

describe('the projection runner', () => {
  let database: TestDatabase;
  const pools: Pool[] = [];
  let pool: Pool;
  let store: EventStore;
  const runners: ProjectionRunner[] = [];
  let counter = 0;

  const newPool = (applicationName: string) => {
    const created = createPool(database.url, { applicationName });
    pools.push(created);
    return created;
  };
  const runnerOf = (projection: Projection, on: Pool = pool) => {
    const runner = createProjectionRunner({ pool: on, store: createPostgresEventStore({ pool: on }), projection, idlePollMs: 20, batchSize: 5 });
    runners.push(runner);
    return runner;
  };
  /** Events of the projection's own type (it reads no other), in a tenant of its own. */
  const append = (projection: Projection, count: number, amount = '1.00') =>
    store.append(`t-${projection.name}`, [
      {
        streamId: `s-${++counter}`,
        expectedVersion: 'any',
        events: Array.from({ length: count }, () => ({ id: `e-${++counter}`, source: 'urn:test', type: `test.${projection.name}`, time: new Date('2026-03-02T10:00:00Z'), data: { amount } })),
      },
    ]);
  const applied = async (projection: Projection) =>
    (await pool.query<{ event_id: string; times: number }>(`SELECT event_id, times FROM "${projection.schema}".applied ORDER BY event_id`)).rows;
  const storedIds = async (projection: Projection) =>
    (await pool.query<{ id: string }>(`SELECT event_id AS id FROM events WHERE type = $1 ORDER BY event_id`, [`test.${projection.name}`])).rows.map((row) => row.id);
  /** The events stored of the projection's type: what its runner counts as applied (it passes over the events it does not read). */
  const storedCount = async (projection: Projection) => Number((await pool.query('SELECT count(*) FROM events WHERE type = $1', [`test.${projection.name}`])).rows[0].count);
  /** Polls until `condition` holds (bounded, so that a test fails instead of hanging). */
  const until = async (condition: () => Promise<boolean>, what: string) => {
    for (let attempt = 0; !(await condition()); attempt++) {
      if (attempt > 1000) throw new Error(`never: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = newPool('runner-test');
    await migrateEventStore(pool);
    await migrateProjections(pool);
    store = createPostgresEventStore({ pool });
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await store.close();
    for (const created of pools) await created.end();
    await database.drop();
  });

  it('given runner A holding the lock, then B waits on standby; when A\'s connection dies and A stops, then B takes over from the checkpoint, nothing applied twice', async () => {
    const projection = tallyProjection('takeover');
    const a = runnerOf(projection, newPool('runner-a'));
    const b = runnerOf(projection, newPool('runner-b'));
    await append(projection, 7);
    a.start();
    await a.waitUntilCaughtUp(20_000);
    b.start();
    await until(async () => (await b.status()).state === 'standby', 'B on standby');
    expect((await a.status()).state).toBe('running');

    await append(projection, 3);
    await a.waitUntilCaughtUp(20_000);
    const { rows: killed } = await pool.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = 'runner-a'`,
    );
    expect(killed).toHaveLength(1); // A's locked connection
    await a.stop();
    await append(projection, 4);
    await until(async () => (await b.status()).state === 'running', 'B running');
    await b.waitUntilCaughtUp(20_000);

    const rows = await applied(projection);
    expect(rows.map((row) => row.event_id).sort()).toEqual((await storedIds(projection)).sort());
    expect(rows).toHaveLength(14);
    expect(rows.every((row) => row.times === 1)).toBe(true);
    expect((await b.status()).eventsApplied).toBe(await storedCount(projection));
    await b.stop();
  }, 60_000);

  it('given events of types it does not read after the last it reads, then its checkpoint moves past them to the head, none applied or counted', async () => {
    const projection = tallyProjection('reader');
    const runner = runnerOf(projection);
    await append(projection, 2);
    runner.start();
    await runner.waitUntilCaughtUp(20_000);
    const appended = await append(tallyProjection('unread'), 12); // more than two of the runner's batches (5)
    const head = appended.stored[appended.stored.length - 1].position;
    await runner.waitUntilCaughtUp(20_000);
    const [checkpoint] = await readProjectionPositions(pool, [projection.name]);
    expect(checkpoint.position).toEqual(head);
    expect(checkpoint.eventsApplied).toBe(2);
    expect(await applied(projection)).toHaveLength(2);
    await runner.stop();
  }, 60_000);

  it('given a requested rebuild, then it fills the shadow schema while queries see the old read model, and swaps it in', async () => {
    const projection = tallyProjection('swap');
    const runner = runnerOf(projection);
    await append(projection, 6);
    runner.start();
    await runner.waitUntilCaughtUp(20_000);
    await pool.query(`UPDATE "${projection.schema}".applied SET times = 99`); // a mark the rebuilt read model has not

    let release: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (projection.hooks.shadowReached = resolve));
    projection.hooks.shadowGate = new Promise<void>((resolve) => (release = resolve));
    try {
      await runner.requestRebuild();
      await reached;
      expect((await applied(projection)).map((row) => row.times)).toEqual(Array(6).fill(99));
      const { rows } = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pt_swap%' ORDER BY nspname`);
      expect(rows.map((row) => row.nspname)).toEqual(['pt_swap', 'pt_swap__rebuild']);
      expect((await runner.status()).rebuilding).toBe(true);
    } finally {
      projection.hooks.shadowGate = undefined;
      release();
    }
    await runner.waitUntilCaughtUp(20_000);
    expect((await applied(projection)).map((row) => row.times)).toEqual(Array(6).fill(1));
    const { rows } = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pt_swap%'`);
    expect(rows.map((row) => row.nspname)).toEqual(['pt_swap']);
    const status = await runner.status();
    expect(status).toMatchObject({ rebuilding: false, eventsApplied: await storedCount(projection), rebuild: { requestedAt: null, startedAt: null } });
    expect(status.rebuild.lastRebuiltAt).not.toBeNull();
    await runner.stop();
  }, 60_000);

  it('given a projection whose version differs from the stored one, then it is rebuilt at start; with the same version, it is not', async () => {
    const v1 = tallyProjection('versioned', 1);
    const first = runnerOf(v1);
    await append(v1, 4);
    first.start();
    await first.waitUntilCaughtUp(20_000);
    await first.stop();
    await pool.query(`UPDATE "${v1.schema}".applied SET times = 99`);

    const again = runnerOf(tallyProjection('versioned', 1));
    again.start();
    await again.waitUntilCaughtUp(20_000);
    await again.stop();
    expect((await applied(v1)).map((row) => row.times)).toEqual(Array(4).fill(99)); // same version: kept

    const v2 = tallyProjection('versioned', 2);
    const second = runnerOf(v2);
    second.start();
    await second.waitUntilCaughtUp(20_000);
    expect((await applied(v2)).map((row) => row.times)).toEqual(Array(4).fill(1));
    expect((await second.status()).rebuild.lastRebuiltAt).not.toBeNull();
    const { rows } = await pool.query(`SELECT projection_version FROM projection_checkpoints WHERE name = 'versioned'`);
    expect(rows).toEqual([{ projection_version: 2 }]);
    await second.stop();
  }, 60_000);

  it('given a crash between apply and checkpoint (a thrown error, then a killed connection), then the batch is rolled back and each event applied exactly once', async () => {
    const projection = tallyProjection('crash');
    const runner = runnerOf(projection);
    await append(projection, 3);
    runner.start();
    await runner.waitUntilCaughtUp(20_000);

    const faults = ['throw', 'kill'];
    projection.hooks.afterWrite = async (client) => {
      const fault = faults.shift();
      if (fault === 'throw') throw new Error('Connection terminated unexpectedly');
      if (fault === 'kill') await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
    };
    await append(projection, 4);
    await runner.waitUntilCaughtUp(30_000);
    expect(faults).toEqual([]);
    const rows = await applied(projection);
    expect(rows.map((row) => row.event_id).sort()).toEqual((await storedIds(projection)).sort());
    expect(rows).toHaveLength(7);
    expect(rows.every((row) => row.times === 1)).toBe(true);
    expect((await runner.status()).eventsApplied).toBe(await storedCount(projection));
    await runner.stop();
  }, 60_000);

  it('given an event parked live, then a rebuild parks it too (and only it)', async () => {
    const projection = tallyProjection('parking');
    const runner = runnerOf(projection);
    runner.start();
    await append(projection, 2);
    await append(projection, 1, '1e10');
    await append(projection, 1);
    await runner.waitUntilCaughtUp(20_000);
    const parked = async () =>
      (await pool.query(`SELECT tenant, event_id, code, staged FROM projection_parked_events WHERE projection = 'parking' ORDER BY event_id`)).rows;
    const live = await parked();
    expect(live).toEqual([{ tenant: 't-parking', event_id: expect.any(String), code: 'SQLSTATE.22003', staged: false }]);

    await runner.requestRebuild();
    await runner.waitUntilCaughtUp(20_000);
    expect(await parked()).toEqual(live);
    expect(await applied(projection)).toHaveLength(3);
    expect((await runner.status()).rebuild.lastRebuiltAt).not.toBeNull();
    await runner.stop();
  }, 60_000);

  it('given read models by name, then their positions through the pool or a client returning rows (TypeORM)', async () => {
    const viaPool = await readProjectionPositions(pool, ['crash', 'swap', 'unknown']);
    expect(viaPool.map((row) => row.name)).toEqual(['crash', 'swap']);
    expect(viaPool[0].eventsApplied).toBeGreaterThanOrEqual(7);
    const rowsOnly = { query: async (text: string, values?: unknown[]) => (await pool.query(text, values)).rows };
    expect(await readProjectionPositions(rowsOnly, ['crash', 'swap'])).toEqual(viaPool);
    const head = await store.lastCommittedPosition();
    expect(viaPool[1].position.transactionId).toBeLessThanOrEqual(head.transactionId);
  });
});
