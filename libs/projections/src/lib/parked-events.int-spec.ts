import { createPostgresEventStore, type EventStore, migrateEventStore, type StoredEvent } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import type { ParkedEvent } from './parked-events';
import type { ApplyContext, Projection } from './projection';
import { createProjectionRunner, migrateProjections, type ProjectionRunner } from './projection-runner';

/**
 * A small read model whose SQL rejects some data: `amount` is numeric(6,2), so "1e10" overflows (22003) and "abc" is
 * not a number (22P02). A rebuild stages the raw text and casts it all at its end (a set-based end that cannot
 * blame one event). `faults` lets a test make the next applies fail as the platform would (a connection lost).
 */
const faults: { next: Error[] } = { next: [] };
/** Holds a tenant's re-projection inside its shadow (phase one) until the test lets it go. */
const tenantShadowGate: { hold?: Promise<void>; reached?: () => void } = {};
const amountsProjection: Projection = {
  name: 'amounts',
  schema: 'pt_amounts',
  version: 1,
  async createTables(client: PoolClient, schema: string) {
    await client.query(`CREATE TABLE "${schema}".amounts (tenant text NOT NULL, id text NOT NULL, amount numeric(6,2) NOT NULL, PRIMARY KEY (tenant, id))`);
    await client.query(`CREATE TABLE "${schema}".staged (tenant text NOT NULL, id text NOT NULL, amount text NOT NULL)`);
  },
  async apply(client: PoolClient, schema: string, events: readonly StoredEvent[], context?: ApplyContext) {
    const fault = faults.next.shift();
    if (fault) throw fault;
    if (schema.endsWith('__tenant_rebuild') && tenantShadowGate.hold) {
      tenantShadowGate.reached?.();
      await tenantShadowGate.hold;
    }
    const rows = events.filter((e) => e.type === 'test.amount');
    for (const e of rows) if (e.data['explode'] === true) throw new RangeError('the amount is out of range');
    const target = context?.rebuilding ? 'staged' : 'amounts';
    const cast = context?.rebuilding ? 'a' : 'a::numeric(6,2)';
    await client.query(`INSERT INTO "${schema}".${target} SELECT t, id, ${cast} FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, id, a)`, [
      rows.map((e) => e.tenant),
      rows.map((e) => e.id),
      rows.map((e) => String(e.data['amount'])),
    ]);
  },
  async completeRebuild(client: PoolClient, schema: string) {
    await client.query(`INSERT INTO "${schema}".amounts SELECT tenant, id, amount::numeric(6,2) FROM "${schema}".staged`);
    await client.query(`TRUNCATE "${schema}".staged`);
  },
};

describe('parked events: a projection never stops for one event', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let runner: ProjectionRunner;
  const parkedSeen: { event: ParkedEvent; rebuilding: boolean }[] = [];
  const errors: unknown[] = [];
  let counter = 0;

  const append = (tenant: string, data: Record<string, unknown>[], type = 'test.amount') =>
    store.append(tenant, [
      { streamId: `s-${++counter}`, expectedVersion: 'any', events: data.map((d) => ({ id: `e-${++counter}`, source: 'urn:test', type, time: new Date('2026-03-02T10:00:00Z'), data: d })) },
    ]);
  const amounts = async (tenant: string) =>
    (await pool.query<{ amount: string }>(`SELECT amount::text FROM pt_amounts.amounts WHERE tenant = $1 ORDER BY amount`, [tenant])).rows.map((r) => r.amount);
  const parkedRows = async () =>
    (await pool.query(`SELECT tenant, event_id, code, message, staged FROM projection_parked_events WHERE projection = 'amounts' ORDER BY global_position`)).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrateEventStore(pool);
    await migrateProjections(pool);
    store = createPostgresEventStore({ pool });
    runner = createProjectionRunner({
      pool,
      store,
      projection: amountsProjection,
      idlePollMs: 20,
      batchSize: 50,
      onError: (error) => errors.push(error),
      onParked: (event, context) => parkedSeen.push({ event, rebuilding: context.rebuilding }),
    });
    runner.start();
    await runner.waitUntilCaughtUp(20_000); // its first build (a rebuild: the projection has a set-based end)
  });
  afterAll(async () => {
    await runner.stop();
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('given a data error from SQL (22003) in one tenant\'s batch, then that event is parked and the rest of the batch, and other tenants, are applied', async () => {
    await append('beta', [{ amount: '1.50' }, { amount: '1e10' }, { amount: '2.50' }]);
    await append('alpha', [{ amount: '3.00' }]);
    await runner.waitUntilCaughtUp(20_000);

    expect(await amounts('beta')).toEqual(['1.50', '2.50']);
    expect(await amounts('alpha')).toEqual(['3.00']);
    const parked = await parkedRows();
    expect(parked).toEqual([{ tenant: 'beta', event_id: expect.any(String), code: 'SQLSTATE.22003', message: 'numeric field overflow', staged: false }]);
    expect(parkedSeen.map((p) => [p.event.tenant, p.event.code, p.rebuilding])).toEqual([['beta', 'SQLSTATE.22003', false]]);
  });

  it('given an error thrown by the projection\'s code for one event (RangeError), then it is parked too', async () => {
    await append('beta', [{ amount: '4.00', explode: true }, { amount: '5.00' }]);
    await runner.waitUntilCaughtUp(20_000);
    expect(await amounts('beta')).toEqual(['1.50', '2.50', '5.00']);
    expect((await parkedRows()).map((row) => row.code)).toEqual(['SQLSTATE.22003', 'PROJECTION.RANGEERROR']);
  });

  it('given a stored event that breaks the contract, then it is parked before it reaches the SQL, with the contract\'s code', async () => {
    await append('beta', [{ employeeId: 'e-1' }], 'employee.assigned'); // teamId missing
    await runner.waitUntilCaughtUp(20_000);
    const parked = await parkedRows();
    expect(parked).toHaveLength(3);
    expect(parked[2].code).toMatch(/^FIELD\./);
  });

  it('given connection-class failures (08006, a lost connection, a deadlock), then the batch is retried and nothing is parked', async () => {
    const before = (await parkedRows()).length;
    faults.next.push(
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
    );
    await append('alpha', [{ amount: '6.00' }, { amount: '7.00' }]);
    await runner.waitUntilCaughtUp(20_000);
    expect(faults.next).toEqual([]);
    expect(await amounts('alpha')).toEqual(['3.00', '6.00', '7.00']);
    expect((await parkedRows()).length).toBe(before);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect((await runner.status()).lastError).toBeNull(); // retried through: no longer stalled
  });

  it('given a rebuild (whose set-based end fails on the bad data), then it parks exactly what live parked and yields the same rows', async () => {
    const liveParked = (await parkedRows()).map(({ tenant, event_id, code }) => ({ tenant, event_id, code }));
    const liveBeta = await amounts('beta');
    const liveAlpha = await amounts('alpha');
    parkedSeen.length = 0;
    await runner.requestRebuild();
    await runner.waitUntilCaughtUp(30_000);

    expect((await parkedRows()).map(({ tenant, event_id, code, staged }) => ({ tenant, event_id, code, staged }))).toEqual(
      liveParked.map((row) => ({ ...row, staged: false })),
    );
    expect(await amounts('beta')).toEqual(liveBeta);
    expect(await amounts('alpha')).toEqual(liveAlpha);
    expect(parkedSeen.every((p) => p.rebuilding)).toBe(true);
    const status = await runner.status();
    expect(status).toMatchObject({ parked: 3, parkedByTenant: { beta: 3 }, lastParked: { tenant: 'beta' } });
  });

  it('given one tenant\'s view, then it shows its own parked events and lag only; another tenant sees none of them', async () => {
    const beta = await runner.tenantStatus('beta');
    expect(beta).toMatchObject({ tenant: 'beta', parked: 3, eventsBehind: 0, secondsBehind: 0, stalled: false });
    expect(beta.lastParked?.code).toMatch(/^(FIELD\.|SQLSTATE\.|PROJECTION\.)/);
    expect(beta).not.toHaveProperty('eventsApplied');
    expect(await runner.tenantStatus('alpha')).toMatchObject({ tenant: 'alpha', parked: 0, lastParked: null });
  });

  it('given a re-projection of one tenant, then its rows and parked events are decided again and other tenants\' rows are untouched', async () => {
    const alphaBefore = await amounts('alpha');
    // A fix made the "explode" event applicable: the tenant's re-projection applies it in order, never out of order live.
    await pool.query(`UPDATE pt_amounts.amounts SET amount = 99 WHERE tenant = 'beta'`); // a live row the re-projection must replace
    await runner.requestRebuild('beta');
    await runner.waitUntilCaughtUp(30_000).catch((e) => { throw new Error(`${e} ${errors.map(String).join('; ')}`); });
    expect(await amounts('beta')).toEqual(['1.50', '2.50', '5.00']);
    expect(await amounts('alpha')).toEqual(alphaBefore);
    expect((await parkedRows()).filter((row) => row.tenant === 'beta')).toHaveLength(3);
    expect(errors.filter((e) => !/connection failure|terminated|deadlock|set-based end/.test(String(e)))).toEqual([]);
    const status = await runner.tenantStatus('beta');
    expect(status.rebuild.lastRebuiltAt).not.toBeNull();
    expect(status.rebuild.requestedAt).toBeNull();
  }, 40_000);

  it('given a tenant being re-projected, then live goes on for every tenant meanwhile, and the tenant\'s events of that time are in its rows after the swap', async () => {
    let release: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (tenantShadowGate.reached = resolve));
    tenantShadowGate.hold = new Promise<void>((resolve) => (release = resolve));
    try {
      await runner.requestRebuild('beta');
      await reached; // beta's shadow is being filled
      await append('alpha', [{ amount: '8.00' }]);
      await append('beta', [{ amount: '9.00' }]);
      // Applied live while beta's re-projection is held: the new amounts appear, alpha's and beta's.
      const appeared = async () => (await amounts('alpha')).includes('8.00') && (await amounts('beta')).includes('9.00');
      while (!(await appeared())) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await amounts('beta')).toEqual(['1.50', '2.50', '5.00', '9.00']);
      expect((await runner.tenantStatus('beta')).rebuilding).toBe(true);
    } finally {
      tenantShadowGate.hold = undefined;
      release();
    }
    await runner.waitUntilCaughtUp(30_000);
    expect(await amounts('beta')).toEqual(['1.50', '2.50', '5.00', '9.00']);
    expect(await amounts('alpha')).toEqual(['3.00', '6.00', '7.00', '8.00']);
    expect((await parkedRows()).filter((row) => row.tenant === 'beta')).toHaveLength(3);
  }, 40_000);
});
