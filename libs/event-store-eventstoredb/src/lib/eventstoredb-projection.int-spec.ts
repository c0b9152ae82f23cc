// The projection engine fed by the EventStoreDB adapter (over the in-memory stand-in for the server): checkpoints in
// PostgreSQL with the read-model changes, and an event the store holds twice (a retry the server no longer recognised)
// counted once.
import { type NewEvent } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner, migrateProjections, type Projection, type ProjectionRunner } from '@rework-ledger/projections';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { createEventStoreDbEventStore } from './eventstoredb-event-store';
import { createInMemoryEventStoreDb } from './testing/in-memory-eventstoredb';

/** Counts events per type, in schema `schema`. */
const countingProjection = (version = 1): Projection => ({
  name: 'esdb-counts',
  schema: 'rm_esdb_counts',
  version,
  async createTables(client, schema) {
    await client.query(`CREATE TABLE "${schema}".counts (type text PRIMARY KEY, events integer NOT NULL)`);
  },
  async apply(client, schema, events) {
    for (const event of events) {
      await client.query(`INSERT INTO "${schema}".counts VALUES ($1, 1) ON CONFLICT (type) DO UPDATE SET events = counts.events + 1`, [event.type]);
    }
  },
});

let counter = 0;
// Data the contract admits: a runner parks a stored event that breaks it instead of applying it.
const DATA: Record<string, Record<string, unknown>> = {
  'ai.output.generated': { outputId: 'o-1', employeeId: 'e-1', tool: 'copilot', taskType: 'coding' },
  'ai.output.corrected': { outputId: 'o-1', employeeId: 'e-1', minutesSpent: 5 },
};
const newEvent = (type = 'ai.output.generated'): NewEvent => ({ id: `p-${++counter}`, source: 'urn:test', type, time: new Date('2025-03-01T10:00:00Z'), data: DATA[type] ?? {} });

describe('projections over the EventStoreDB adapter', () => {
  let database: TestDatabase;
  let pool: Pool;
  let runner: ProjectionRunner | undefined;

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 6 });
    await migrateProjections(pool);
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await pool.end();
    await database.drop();
  });

  const counts = async (): Promise<Record<string, number>> => {
    const { rows } = await pool.query<{ type: string; events: number }>('SELECT type, events FROM rm_esdb_counts.counts ORDER BY type');
    return Object.fromEntries(rows.map((row) => [row.type, row.events]));
  };

  it('given an event stored twice by a late retry, when projected live and rebuilt, then it counts once, and the checkpoint is in PostgreSQL', async () => {
    const server = createInMemoryEventStoreDb();
    const store = createEventStoreDbEventStore({ connection: server, duplicateWindow: 1, retryBackoff: { initialMs: 5, maxMs: 20 } });
    runner = createProjectionRunner({ pool, store, projection: countingProjection(), idlePollMs: 20 });
    runner.start();

    const retried = newEvent();
    await store.append('acme', [{ streamId: 'output-1', expectedVersion: 'any', events: [retried, newEvent('ai.output.corrected')] }]);
    await runner.waitUntilCaughtUp(10_000);
    server.forgetRecentIds();
    const late = await store.append('acme', [{ streamId: 'output-1', expectedVersion: 'any', events: [retried] }]);
    expect(late.stored).toHaveLength(1); // the store holds it twice now
    await store.append('acme', [{ streamId: 'output-2', expectedVersion: 'any', events: [newEvent()] }]);
    await runner.waitUntilCaughtUp(10_000);
    expect(await counts()).toEqual({ 'ai.output.corrected': 1, 'ai.output.generated': 2 });

    const { rows } = await pool.query('SELECT transaction_id, global_position, event_store FROM projection_checkpoints WHERE name = $1', ['esdb-counts']);
    const last = (await store.readAll({ tenant: 'acme' })).at(-1)!;
    expect(rows[0]).toMatchObject({ transaction_id: String(last.position.transactionId), global_position: String(last.position.globalPosition), event_store: 'eventstoredb' });

    await runner.requestRebuild();
    await runner.waitUntilCaughtUp(10_000);
    expect(await counts()).toEqual({ 'ai.output.corrected': 1, 'ai.output.generated': 2 });
    await store.close();
  });

  it('given a read model built from another kind of store, when the runner starts on this one, then it rebuilds it from this store', async () => {
    const server = createInMemoryEventStoreDb();
    const store = createEventStoreDbEventStore({ connection: server });
    await store.append('acme', [{ streamId: 's', expectedVersion: 'any', events: [newEvent(), newEvent()] }]);
    // A read model and a checkpoint left by a PostgreSQL deployment: its position means nothing in this log.
    await pool.query('CREATE SCHEMA rm_esdb_counts');
    await pool.query(`CREATE TABLE rm_esdb_counts.counts (type text PRIMARY KEY, events integer NOT NULL)`);
    await pool.query(`INSERT INTO rm_esdb_counts.counts VALUES ('stale', 99)`);
    await pool.query(`INSERT INTO projection_checkpoints (name, transaction_id, global_position, projection_version, event_store) VALUES ('esdb-counts', 999999999, 999999999, 1, 'postgres')`);

    runner = createProjectionRunner({ pool, store, projection: countingProjection(), idlePollMs: 20 });
    runner.start();
    await runner.waitUntilCaughtUp(10_000);
    expect(await counts()).toEqual({ 'ai.output.generated': 2 });
    await store.close();
  });
});
