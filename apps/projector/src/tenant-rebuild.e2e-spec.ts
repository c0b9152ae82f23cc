import type { INestApplication } from '@nestjs/common';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { loadConfig } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { PG_POOL } from '@rework-ledger/runtime';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { appendValidated, employeeMonthsCovered, LAZY_CACHE, tenantRows } from '../test/read-model-rows.test-support';
import { createProjectorApp } from './create-projector-app';

describe('projector: re-projection of one tenant', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let pool: Pool;
  let runners: readonly ProjectionRunner[];
  const caughtUp = async () => {
    for (const runner of runners) await runner.waitUntilCaughtUp(60_000);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createProjectorApp(loadConfig({ DATABASE_URL: database.url }), database.url, ['error']);
    await app.listen(0, '127.0.0.1');
    pool = app.get<Pool>(PG_POOL);
    runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    await caughtUp();
    // Applied live (the read models exist): the rows a re-projection must give again.
    const store = app.get<EventStore>(EVENT_STORE);
    for (const [tenant, seed] of [['alpha', 11], ['beta', 12]] as const) {
      const events = generateOrganisation(preset('small', { tenant, seed, employees: 8, teams: 2 })).allEvents();
      for (let i = 0; i < events.length; i += 500) {
        expect(await appendValidated(store, tenant, events.slice(i, i + 500))).toEqual([]);
      }
    }
    await caughtUp();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given a re-projection of alpha, then alpha\'s rows are those live built, and beta\'s are untouched', async () => {
    const alphaLive = await tenantRows(pool, 'alpha');
    const betaLive = await tenantRows(pool, 'beta');
    expect(alphaLive['rm_rework.outputs'].length).toBeGreaterThan(100);
    expect(alphaLive['rm_training.completions'].length).toBeGreaterThan(0);
    // Rows the re-projection must replace: a live row of alpha changed by hand.
    await pool.query(`UPDATE rm_rework.outputs SET corrections = corrections + 100 WHERE tenant = 'alpha'`);
    for (const runner of runners) await runner.requestRebuild('alpha');
    await caughtUp();

    const alphaRebuilt = await tenantRows(pool, 'alpha');
    for (const table of Object.keys(alphaLive).filter((name) => !LAZY_CACHE.includes(name))) {
      expect([table, alphaRebuilt[table]]).toEqual([table, alphaLive[table]]);
    }
    expect(employeeMonthsCovered(alphaRebuilt)).toEqual(employeeMonthsCovered(alphaLive));
    expect(await tenantRows(pool, 'beta')).toEqual(betaLive);
    for (const runner of runners) {
      const status = await runner.tenantStatus('alpha');
      expect(status).toMatchObject({ rebuilding: false, rebuild: { requestedAt: null, startedAt: null, lastRebuiltAt: expect.any(String) } });
    }
  }, 120_000);
});
