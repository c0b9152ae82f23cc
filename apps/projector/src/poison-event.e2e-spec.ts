import type { INestApplication } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type NewEvent } from '@rework-ledger/event-store';
import { loadConfig } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { PG_POOL } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { createProjectorApp } from './create-projector-app';

/**
 * Issue 14, finding 1: one tenant's events that the read model cannot apply (an hourly cost of 1e308, then a
 * correction of 1440 minutes: the cost overflows) must not stop every tenant's metrics. They are stored straight into
 * the store, as events stored before the contract bounded the cost would be.
 */
describe('projector: one tenant\'s poison event', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let store: EventStore;
  let pool: Pool;
  let runners: readonly ProjectionRunner[];
  let counter = 0;

  const at = (day: number) => new Date(Date.UTC(2026, 2, day, 10));
  const event = (type: string, day: number, data: Record<string, unknown>): NewEvent => ({ id: `ev-${++counter}`, source: 'urn:e2e', type, time: at(day), data });
  const output = (id: string, employeeId: string, day: number) => event('ai.output.generated', day, { outputId: id, employeeId, tool: 'copilot', taskType: 'coding' });
  const append = (tenant: string, events: NewEvent[]) => store.append(tenant, events.map((e) => ({ streamId: `s-${e.id}`, expectedVersion: 'any' as const, events: [e] })));
  const caughtUp = async () => {
    for (const runner of runners) await runner.waitUntilCaughtUp(20_000);
  };
  const outputsOf = async (tenant: string) =>
    (await pool.query<{ output_id: string }>('SELECT output_id FROM rm_rework.outputs WHERE tenant = $1 AND generated ORDER BY output_id', [tenant])).rows.map((r) => r.output_id);
  const parked = async () =>
    (
      await pool.query<{ projection: string; tenant: string; event_type: string; code: string; message: string }>(
        `SELECT projection, tenant, event_type, code, message FROM projection_parked_events WHERE NOT staged ORDER BY global_position`,
      )
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createProjectorApp(loadConfig({ DATABASE_URL: database.url }), database.url, ['error']);
    await app.listen(0, '127.0.0.1');
    store = app.get<EventStore>(EVENT_STORE);
    pool = app.get<Pool>(PG_POOL);
    runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    await caughtUp();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given beta\'s cost of 1e308 and a correction that overflows it, then alpha\'s new outputs still appear and beta\'s bad event is parked', async () => {
    await append('alpha', [output('a-1', 'ann', 2)]);
    await append('beta', [
      event('employee.assigned', 1, { employeeId: 'bob', teamId: 'blue', hourlyCost: 1e308, effectiveFrom: at(1).toISOString() }),
      output('b-1', 'bob', 2),
      event('ai.output.corrected', 3, { outputId: 'b-1', employeeId: 'bob', minutesSpent: 1440 }),
    ]);
    await append('alpha', [output('a-2', 'ann', 4), output('a-3', 'ann', 5)]);
    await caughtUp();

    expect(await outputsOf('alpha')).toEqual(['a-1', 'a-2', 'a-3']);
    expect(await outputsOf('beta')).toEqual(['b-1']);
    const rows = await parked();
    // Today the SQL parks the correction (its cost overflows); once the contract bounds hourlyCost, the check before
    // the SQL parks the assignment instead. Either way: beta's, one event, named by a code, and no payload.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ projection: 'rework-metrics', tenant: 'beta' });
    expect(rows[0].code).toMatch(/^(SQLSTATE\.22003|FIELD\.)/);
    expect(rows[0].message).not.toContain('1e+308');

    const health = (await (await fetch(`${await app.getUrl()}/health`)).json()) as { status: string; projections: { name: string }[] };
    expect(health.status).toBe('ok');
    expect(health.projections.find((p: { name: string }) => p.name === 'rework-metrics')).toMatchObject({ degraded: true, parked: 1 });
    expect(health.projections.find((p: { name: string }) => p.name === 'training')).toMatchObject({ degraded: false, parked: 0 });
  }, 30_000);

  it('given a full rebuild, then it parks exactly what live parked, and alpha\'s metrics are the same', async () => {
    const before = await parked();
    await runners.find((r) => r.name === 'rework-metrics')!.requestRebuild();
    await caughtUp();
    expect(await parked()).toEqual(before);
    expect(await outputsOf('alpha')).toEqual(['a-1', 'a-2', 'a-3']);
  }, 30_000);

  it('given the tenant\'s status, then beta sees its parked event and alpha sees none', async () => {
    const reworkRunner = runners.find((r) => r.name === 'rework-metrics')!;
    expect(await reworkRunner.tenantStatus('beta')).toMatchObject({ parked: 1, lastParked: { code: expect.any(String) }, eventsBehind: 0 });
    expect(await reworkRunner.tenantStatus('alpha')).toMatchObject({ parked: 0, lastParked: null, eventsBehind: 0 });
  });
});
