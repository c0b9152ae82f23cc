import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { createPostgresEventStore, type EventStore, migrateEventStore } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner, migrateProjections, type Projection, type ProjectionRunner } from '@rework-ledger/projections';
import { reworkMetricsProjection } from '@rework-ledger/read-models';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { appendValidated, employeeMonthsCovered, LAZY_CACHE, tenantRows } from '../test/read-model-rows.test-support';

/**
 * Reliability: the process that rebuilds a read model dies in the middle (its connection, its transaction and its
 * runner lock go with it). Another process takes over, rebuilds from zero beside the live read model, and swaps: the
 * live read model answers throughout, and no event is lost or counted twice.
 *
 * The dying process is a runner whose projection stops inside its third rebuild batch (a gate: deterministic, no
 * timing); its death is its database session ended by the server, as when a process is killed.
 */
describe('projector killed in the middle of a rebuild', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  const tenants = ['alpha', 'beta'] as const;
  const generatedOutputs: Record<string, number> = {};
  /** Runners still to stop when the file ends (also after a failure), before their pool ends. */
  const running: ProjectionRunner[] = [];
  const corrections: Record<string, number> = {};

  const runnerOf = (runnerPool: Pool, projection: Projection): ProjectionRunner =>
    createProjectionRunner({ pool: runnerPool, store: createPostgresEventStore({ pool: runnerPool }), projection, idlePollMs: 20, batchSize: 500 });
  /** What the live read model answers: every output counted once, every correction once. */
  const totals = async (tenant: string) =>
    (
      await pool.query<{ outputs: number; corrections: number }>(
        'SELECT count(*) FILTER (WHERE generated)::int AS outputs, COALESCE(sum(corrections), 0)::int AS corrections FROM rm_rework.outputs WHERE tenant = $1',
        [tenant],
      )
    ).rows[0];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrateEventStore(pool);
    await migrateProjections(pool);
    store = createPostgresEventStore({ pool });
    for (const [index, tenant] of tenants.entries()) {
      const events = generateOrganisation(preset('small', { tenant, seed: 20 + index, employees: 8, teams: 2 })).allEvents();
      generatedOutputs[tenant] = new Set(events.filter((e) => e.type === 'ai.output.generated').map((e) => (e.data as { outputId: string }).outputId)).size;
      corrections[tenant] = events.filter((e) => e.type === 'ai.output.corrected').length;
      for (let i = 0; i < events.length; i += 1000) expect(await appendValidated(store, tenant, events.slice(i, i + 1000))).toEqual([]);
    }
    // The live read model, built by a first process that then stops.
    const first = runnerOf(pool, reworkMetricsProjection);
    running.push(first);
    first.start();
    await first.waitUntilCaughtUp(150_000);
    await first.stop();
  }, 180_000);
  afterAll(async () => {
    for (const runner of running) await runner.stop();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('given the rebuilding process dies mid-rebuild, then a restarted one completes the rebuild, the live read model serving throughout, no event lost or doubled', async () => {
    const rebuiltAt = async () =>
      (await pool.query<{ at: Date | null }>('SELECT last_rebuilt_at AS at FROM projection_checkpoints WHERE name = $1', ['rework-metrics'])).rows[0].at?.getTime();
    const firstBuiltAt = await rebuiltAt();
    const live = Object.fromEntries(await Promise.all(tenants.map(async (t) => [t, await tenantRows(pool, t)] as const)));
    for (const tenant of tenants) expect(await totals(tenant)).toEqual({ outputs: generatedOutputs[tenant], corrections: corrections[tenant] });

    // The process that will die: its projection stops inside its third batch of the rebuild.
    let reachGate: () => void = () => undefined;
    const gateReached = new Promise<void>((resolve) => (reachGate = resolve));
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let rebuildBatches = 0;
    const dying: typeof reworkMetricsProjection = {
      ...reworkMetricsProjection,
      async apply(client, schema, events, context) {
        if (schema.endsWith('__rebuild') && ++rebuildBatches === 3) {
          reachGate();
          await gate;
        }
        return reworkMetricsProjection.apply(client, schema, events, context);
      },
    };
    const dyingPool = createPool(database.url, { applicationName: 'dying-projector' });
    const dyingRunner = runnerOf(dyingPool, dying);
    dyingRunner.start();
    await dyingRunner.requestRebuild();
    await gateReached;

    // Mid-rebuild: two batches in the shadow schema, a third in flight; the live read model answers as before.
    const { rows: progress } = await pool.query('SELECT rebuild_events_applied::int AS applied FROM projection_checkpoints WHERE name = $1', ['rework-metrics']);
    expect(progress[0].applied).toBeGreaterThan(0);
    expect(await rebuiltAt()).toBe(firstBuiltAt);
    for (const tenant of tenants) expect(await totals(tenant)).toEqual({ outputs: generatedOutputs[tenant], corrections: corrections[tenant] });

    // Killed: the server ends its sessions (its transaction rolls back, its lock is released).
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dying-projector'`);
    const stopping = dyingRunner.stop(); // its in-memory remains, kept from taking the lock again
    openGate();
    await stopping;
    await dyingPool.end();
    for (const tenant of tenants) expect(await totals(tenant)).toEqual({ outputs: generatedOutputs[tenant], corrections: corrections[tenant] });

    // Restarted: another process finds the rebuild still asked for, rebuilds from zero, and swaps.
    const restarted = runnerOf(pool, reworkMetricsProjection);
    running.push(restarted);
    restarted.start();
    try {
      await restarted.waitUntilCaughtUp(150_000);
      expect(await rebuiltAt()).toBeGreaterThan(firstBuiltAt ?? 0);
      const status = await restarted.status();
      expect(status).toMatchObject({ rebuilding: false, rebuild: { requestedAt: null, startedAt: null, lastRebuiltAt: expect.any(String) }, parked: 0 });
      for (const tenant of tenants) {
        expect(await totals(tenant)).toEqual({ outputs: generatedOutputs[tenant], corrections: corrections[tenant] });
        const rebuilt = await tenantRows(pool, tenant);
        for (const table of Object.keys(live[tenant]).filter((name) => name.startsWith('rm_rework.') && !LAZY_CACHE.includes(name))) {
          expect([table, rebuilt[table]]).toEqual([table, live[tenant][table]]);
        }
        expect(employeeMonthsCovered(rebuilt)).toEqual(employeeMonthsCovered(live[tenant]));
      }
      const { rows: schemas } = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm_rework%' ORDER BY nspname`);
      expect(schemas.map((s) => s.nspname)).toEqual(['rm_rework']);
    } finally {
      await restarted.stop();
    }
  }, 180_000);
});
