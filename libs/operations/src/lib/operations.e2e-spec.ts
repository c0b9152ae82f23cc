import { Global, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@rework-ledger/event-store';
import { LedgerExceptionFilter } from '@rework-ledger/http-kit';
import type { Projection } from '@rework-ledger/projections';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { PG_POOL, RuntimeModule } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import { DEMO_DATA_LOADER, DemoDataLoader } from './demo-data.loader';
import { OperationsModule } from './operations.module';
import { createMetricsRegistry, PLATFORM_METRICS } from './prometheus';

/** A read model of per-tenant amounts whose SQL rejects an amount over 9999.99 (22003): enough to park an event. */
const amountsProjection: Projection = {
  name: 'amounts',
  schema: 'ops_amounts',
  version: 1,
  async createTables(client: PoolClient, schema: string) {
    await client.query(`CREATE TABLE "${schema}".amounts (tenant text NOT NULL, id text NOT NULL, amount numeric(6,2) NOT NULL, PRIMARY KEY (tenant, id))`);
  },
  async apply(client: PoolClient, schema: string, events: readonly StoredEvent[]) {
    await client.query(`INSERT INTO "${schema}".amounts SELECT * FROM unnest($1::text[], $2::text[], $3::text[]::numeric(6,2)[])`, [
      events.map((e) => e.tenant),
      events.map((e) => e.id),
      events.map((e) => String(e.data['amount'])),
    ]);
  },
};

@Global()
@Module({
  providers: [
    { provide: PLATFORM_METRICS, useFactory: () => createMetricsRegistry() },
    { provide: DEMO_DATA_LOADER, inject: [EVENT_STORE], useFactory: (store: EventStore) => new DemoDataLoader(store) },
  ],
  exports: [PLATFORM_METRICS, DEMO_DATA_LOADER],
})
class TestServicesModule {}

@Module({})
class TestOperationsApp {}

describe('operations: tenant and operator scopes, parked events, readiness', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let store: EventStore;
  let runner: ProjectionRunner;
  let counter = 0;
  const keys = { alphaRead: '', alphaAdmin: '', betaRead: '', betaAdmin: '', operator: '' };

  const request = async (method: string, path: string, key?: string) => {
    const response = await fetch(`${url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const append = async (tenant: string, amounts: string[]) => {
    await store.append(tenant, [
      { streamId: `s-${++counter}`, expectedVersion: 'any', events: amounts.map((amount) => ({ id: `e-${++counter}`, source: 'urn:e2e', type: 'test.amount', time: new Date('2026-03-02T10:00:00Z'), data: { amount } })) },
    ]);
    await runner.waitUntilCaughtUp(20_000);
  };
  const amountsOf = async (tenant: string) =>
    (await app.get<Pool>(PG_POOL).query<{ amount: string }>('SELECT amount::text FROM ops_amounts.amounts WHERE tenant = $1 ORDER BY id', [tenant])).rows.map((r) => r.amount);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await NestFactory.create(
      {
        module: TestOperationsApp,
        imports: [
          RuntimeModule.forRoot({
            databaseUrl: database.url,
            defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
            projections: [amountsProjection],
          }),
          TestServicesModule,
          OperationsModule,
        ],
      },
      { logger: ['error'] },
    );
    app.useGlobalFilters(new LedgerExceptionFilter());
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    store = app.get<EventStore>(EVENT_STORE);
    [runner] = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    keys.alphaRead = (await apiKeys.create('alpha', ['read'], 'alpha read')).key;
    keys.alphaAdmin = (await apiKeys.create('alpha', ['admin'], 'alpha admin')).key;
    keys.betaRead = (await apiKeys.create('beta', ['read'], 'beta read')).key;
    keys.betaAdmin = (await apiKeys.create('beta', ['admin'], 'beta admin')).key;
    keys.operator = (await apiKeys.create('platform', ['operator'], 'operator')).key;
    await append('alpha', ['1.00', '2.00']);
    await append('beta', ['3.00', '99999.00', '4.00']);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given a tenant\'s read key, then GET /v1/projections shows only that tenant: its lag and parked events, not the platform\'s volume', async () => {
    const beta = await request('GET', '/v1/projections', keys.betaRead);
    expect(beta.status).toBe(200);
    expect(beta.body).toMatchObject({ scope: 'tenant', tenant: 'beta' });
    expect(beta.body.projections[0]).toMatchObject({ name: 'amounts', tenant: 'beta', eventsBehind: 0, parked: 1, lastParked: { code: 'SQLSTATE.22003', message: 'numeric field overflow' } });
    // Nothing store-wide in a tenant's view: a global position would show every tenant's volume.
    expect(beta.body.projections[0]).not.toHaveProperty('position');
    expect(beta.body.projections[0].lastParked).not.toHaveProperty('globalPosition');
    expect(beta.body.projections[0].lastParked).toMatchObject({ source: expect.any(String), eventId: expect.any(String) });
    expect(beta.body.projections[0]).not.toHaveProperty('eventsApplied');
    expect(beta.body.projections[0]).not.toHaveProperty('parkedByTenant');
    expect(JSON.stringify(beta.body)).not.toContain('99999');

    const alpha = await request('GET', '/v1/projections', keys.alphaRead);
    expect(alpha.body.projections[0]).toMatchObject({ tenant: 'alpha', parked: 0, lastParked: null });
    expect(JSON.stringify(alpha.body)).not.toContain('beta');
  });

  it('given a tenant\'s key naming another tenant, then it is refused (403); an operator key sees every tenant and the volume', async () => {
    expect(await request('GET', '/v1/projections?tenant=beta', keys.alphaRead)).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
    expect(await request('GET', '/v1/projections?tenant=beta', keys.alphaAdmin)).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
    const platform = await request('GET', '/v1/projections', keys.operator);
    expect(platform.status).toBe(200);
    expect(platform.body.scope).toBe('platform');
    expect(platform.body.projections[0]).toMatchObject({ name: 'amounts', eventsApplied: 4, parked: 1, parkedByTenant: { beta: 1 }, lastParked: { tenant: 'beta' } });
    expect((await request('GET', '/v1/projections?tenant=beta', keys.operator)).body).toMatchObject({ scope: 'tenant', tenant: 'beta' });
  });

  it('given an admin key, then it re-projects its own tenant only and cannot rebuild another tenant; admin does not imply operator', async () => {
    expect(await request('POST', '/v1/projections/amounts/rebuild?tenant=beta', keys.alphaAdmin)).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
    expect(await request('POST', '/v1/projections/amounts/rebuild', keys.alphaRead)).toMatchObject({ status: 403 });
    const pool = app.get<Pool>(PG_POOL);
    await pool.query(`UPDATE ops_amounts.amounts SET amount = 0`); // rows a re-projection replaces (alpha's) or must not touch (beta's)
    expect(await request('POST', '/v1/projections/amounts/rebuild', keys.alphaAdmin)).toEqual({ status: 201, body: { name: 'amounts', rebuildRequested: true } });
    await runner.waitUntilCaughtUp(20_000);
    expect(await amountsOf('alpha')).toEqual(['1.00', '2.00']);
    expect(await amountsOf('beta')).toEqual(['0.00', '0.00']);
    const { rows } = await pool.query('SELECT rebuild_requested_at, last_rebuilt_at FROM projection_checkpoints WHERE name = $1', ['amounts']);
    expect(rows[0].rebuild_requested_at).toBeNull(); // no global rebuild was asked
  });

  it('given an operator key, then POST rebuild rebuilds every tenant (or one with ?tenant=)', async () => {
    expect(await request('POST', '/v1/projections/amounts/rebuild?tenant=beta', keys.operator)).toMatchObject({ status: 201 });
    await runner.waitUntilCaughtUp(20_000);
    expect(await amountsOf('beta')).toEqual(['3.00', '4.00']);
    expect(await request('POST', '/v1/projections/amounts/rebuild', keys.operator)).toMatchObject({ status: 201 });
    await runner.waitUntilCaughtUp(20_000);
    expect(await amountsOf('alpha')).toEqual(['1.00', '2.00']);
    expect((await request('GET', '/v1/projections', keys.betaRead)).body.projections[0]).toMatchObject({ parked: 1 });
  });

  it('given a parked event, then /health stays 200 ok, /health/ready says which projection is degraded without naming a tenant, and /metrics counts it by code', async () => {
    expect(await request('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await request('GET', '/health/ready');
    expect(ready).toEqual({
      status: 200,
      body: { status: 'degraded', projections: [{ name: 'amounts', state: 'running', rebuilding: false, degraded: true, reasons: ['parked-events'] }] },
    });
    const metrics = await request('GET', '/metrics');
    // Parked live once, then again by the re-projection of beta and by the full rebuild.
    expect(metrics.body).toContain('rework_ledger_projection_events_parked_total{projection="amounts",code="SQLSTATE.22003"} 3');
    expect(metrics.body).toContain('rework_ledger_projection_parked_events{projection="amounts"} 1');
    expect(metrics.body).not.toContain('beta');
  });
});
