import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner } from '@rework-ledger/projections';
import { reworkMetricsProjection } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { UsageError } from '../command';
import { projectionsRebuildCommand, type RebuildSummary } from './projections-rebuild.command';

const events = Array.from({ length: 120 }, (_, i) => ({
  specversion: '1.0',
  id: `g-${i}`,
  source: 'urn:cli-test',
  type: 'ai.output.generated',
  time: '2026-03-02T10:00:00Z',
  data: { outputId: `o-${i}`, employeeId: `e-${i % 9}`, teamId: 'platform', tool: 'copilot', taskType: 'coding' },
}));

describe('cli projections rebuild', () => {
  let database: TestDatabase;
  let pool: Pool;
  const serverUrl = process.env['DATABASE_URL'];
  let printed = '';
  const lastSummary = (): RebuildSummary => JSON.parse(printed.trim().split('\n').pop() as string);
  const outputs = async () => Number((await pool.query(`SELECT count(*) AS n FROM "${reworkMetricsProjection.schema}".outputs`)).rows[0].n);

  beforeAll(async () => {
    database = await createTestDatabase();
    process.env['DATABASE_URL'] = database.url;
    pool = createPool(database.url, { max: 8 });
    await migrateAll(pool);
    const store = createPostgresEventStore({ pool });
    expect((await ingestEvents(store, 'acme', events)).accepted).toBe(events.length);
    await store.close();
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((printed += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env['DATABASE_URL'] = serverUrl;
    await pool.end();
    await database.drop();
  });

  it('given no other process runs the projection, then the command rebuilds it itself', async () => {
    await projectionsRebuildCommand.run({}, ['rework-metrics']);
    expect(lastSummary()).toMatchObject({ name: 'rework-metrics', events: events.length, rebuiltBy: 'this command' });
    expect(await outputs()).toBe(events.length);
  }, 60_000);

  it('given a running process holds the projection (the API), then that process rebuilds it and the command follows', async () => {
    const store = createPostgresEventStore({ pool });
    const api = createProjectionRunner({ pool, store, projection: reworkMetricsProjection, idlePollMs: 50 });
    api.start();
    try {
      await api.waitUntilCaughtUp(20_000);
      await projectionsRebuildCommand.run({}, ['rework-metrics']);
      expect(lastSummary()).toMatchObject({ name: 'rework-metrics', events: events.length, rebuiltBy: 'another process' });
      expect(await outputs()).toBe(events.length);
    } finally {
      await api.stop();
      await store.close();
    }
  }, 60_000);

  it.each([
    [[], 'name the projection to rebuild: rework-metrics, training, usage'],
    [['nope'], 'no projection is named nope; one of rework-metrics, training, usage'],
  ])('given %p, then it refuses with a usage error', async (positionals, message) => {
    await expect(projectionsRebuildCommand.run({}, positionals)).rejects.toEqual(new UsageError(message));
  });
});
