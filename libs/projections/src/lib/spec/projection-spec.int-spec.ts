import { createPool } from '@rework-ledger/platform';
import { projectionSpec } from './projection-spec';
import { dumpSchema, expectRebuildEqualsLive } from './rebuild-equals-live';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import type { ApplyContext, Projection } from '../projection';

/**
 * A counter per tenant and type, and each event's amount (numeric(6,2): "1e10" overflows and is parked). A rebuild
 * only stages the amounts and counts everything at its end (a set-based end, as the rework projection's). `batches`
 * records the size of each batch it was given.
 */
function countsProjection(options: { forgetsAtTheEnd?: boolean } = {}): Projection & { batches: number[] } {
  const batches: number[] = [];
  return {
    name: 'spec-counts',
    schema: 'spec_counts',
    version: 1,
    handles: ['test.counted'],
    batches,
    async createTables(client: PoolClient, schema: string) {
      await client.query(`CREATE TABLE "${schema}".counts (tenant text NOT NULL, n integer NOT NULL, PRIMARY KEY (tenant))`);
      await client.query(`CREATE TABLE "${schema}".amounts (tenant text NOT NULL, id text NOT NULL, amount numeric(6,2) NOT NULL, PRIMARY KEY (tenant, id))`);
      await client.query(`CREATE TABLE "${schema}".staged (tenant text NOT NULL, id text NOT NULL, amount text NOT NULL)`);
    },
    async apply(client: PoolClient, schema: string, events, context?: ApplyContext) {
      batches.push(events.length);
      const values = [events.map((e) => e.tenant), events.map((e) => e.id), events.map((e) => String(e.data['amount'] ?? '0'))];
      if (context?.rebuilding) {
        await client.query(`INSERT INTO "${schema}".staged SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, values);
        return;
      }
      await client.query(`INSERT INTO "${schema}".amounts SELECT t, id, a::numeric(6,2) FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, id, a)`, values);
      await client.query(
        `INSERT INTO "${schema}".counts SELECT t, count(*) FROM unnest($1::text[]) AS u(t) GROUP BY t
         ON CONFLICT (tenant) DO UPDATE SET n = counts.n + EXCLUDED.n`,
        [values[0]],
      );
    },
    async completeRebuild(client: PoolClient, schema: string) {
      await client.query(`INSERT INTO "${schema}".amounts SELECT tenant, id, amount::numeric(6,2) FROM "${schema}".staged`);
      const forgotten = options.forgetsAtTheEnd ? `WHERE tenant <> 'tenant-b'` : '';
      await client.query(`INSERT INTO "${schema}".counts SELECT tenant, count(*) FROM "${schema}".staged ${forgotten} GROUP BY tenant`);
      await client.query(`TRUNCATE "${schema}".staged`);
    },
  };
}

const counted = (tenant: string, amount = '1.00') => ({ type: 'test.counted', tenant, data: { amount } });

describe('the projection spec harness: given events, when more, then rows — one transaction, no runner', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('given events and then more, then the read model holds what they make, with its tables named unqualified', async () => {
    const spec = projectionSpec(countsProjection(), { pool });
    const rows = await spec
      .given([counted('tenant-a'), counted('tenant-b')])
      .when([counted('tenant-a', '2.50')])
      .thenRows('SELECT tenant, n FROM counts ORDER BY tenant');
    expect(rows).toEqual([
      { tenant: 'tenant-a', n: 2 },
      { tenant: 'tenant-b', n: 1 },
    ]);
  });

  it('given a batch size, then the events are applied in batches of it, and the given and when events in batches of their own', async () => {
    const projection = countsProjection();
    const amounts = await projectionSpec(projection, { pool, batchSize: 2 })
      .given([counted('a', '1.00'), counted('a', '2.00'), counted('a', '3.00')])
      .when([counted('a', '4.00')])
      .then(async ({ client, schema }) => (await client.query(`SELECT amount::text FROM "${schema}".amounts ORDER BY amount`)).rows.map((r) => r.amount));
    expect(amounts).toEqual(['1.00', '2.00', '3.00', '4.00']);
    expect(projection.batches).toEqual([2, 1, 1]);
  });

  it('given events of types the projection does not handle, then they never reach it', async () => {
    const projection = countsProjection();
    const rows = await projectionSpec(projection, { pool }).given([{ type: 'test.other', data: {} }, counted('a')]).thenRows('SELECT n FROM counts');
    expect(rows).toEqual([{ n: 1 }]);
    expect(projection.batches).toEqual([1]);
  });

  it('given an event the database rejects, then it is parked and the rest applied, live and as a rebuild', async () => {
    for (const mode of ['live', 'rebuild'] as const) {
      const spec = projectionSpec(countsProjection(), { pool, mode });
      const scenario = spec.given([counted('a', '1.00'), counted('a', '1e10'), counted('b', '2.00')]);
      expect((await scenario.thenParked()).map((p) => [p.tenant, p.eventId, p.code])).toEqual([['a', 'e-2', 'SQLSTATE.22003']]);
      expect(await scenario.thenRows('SELECT tenant, amount::text FROM amounts ORDER BY tenant')).toEqual([
        { tenant: 'a', amount: '1.00' },
        { tenant: 'b', amount: '2.00' },
      ]);
    }
  });

  it('given the rebuild mode, then the projection applies in bulk and completes its rebuild (its staging table emptied)', async () => {
    const projection = countsProjection();
    const spec = projectionSpec(projection, { pool, mode: 'rebuild' });
    expect(await spec.given([counted('a'), counted('a')]).thenRows('SELECT (SELECT count(*) FROM staged)::int AS staged, (SELECT n FROM counts) AS n')).toEqual([
      { staged: 0, n: 2 },
    ]);
  });

  it('given a scenario run, then nothing is left behind: its schema and parked events are rolled back', async () => {
    await projectionSpec(countsProjection(), { pool }).given([counted('a', '1e10')]).thenParked();
    const { rows } = await pool.query(`SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'spec\\_%')::int AS schemas, (SELECT count(*) FROM projection_parked_events)::int AS parked`);
    expect(rows).toEqual([{ schemas: 0, parked: 0 }]);
  });

  it('given the schema option live, then the projection fills its own schema in the transaction, gone at its end; refused if the schema exists', async () => {
    const spec = projectionSpec(countsProjection(), { pool, schema: 'live' });
    const rows = await spec.given([counted('a')]).then(async ({ client, schema, schemas }) => ({ schema, schemas, rows: (await client.query('SELECT tenant, n FROM spec_counts.counts')).rows }));
    expect(rows).toEqual({ schema: 'spec_counts', schemas: { 'spec-counts': 'spec_counts' }, rows: [{ tenant: 'a', n: 1 }] });
    expect((await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'spec_counts'`)).rows).toEqual([]);
    await pool.query('CREATE SCHEMA spec_counts');
    try {
      await expect(spec.given([counted('a')]).thenRows('SELECT 1')).rejects.toThrow(/schema spec_counts exists in the test database/);
    } finally {
      await pool.query('DROP SCHEMA spec_counts');
    }
  });

  it('given several projections, then each is filled from the same events in a schema of its own, all on the search path', async () => {
    const other: Projection = {
      name: 'spec-other',
      schema: 'spec_other',
      version: 1,
      handles: ['test.counted'],
      createTables: async (client, schema) => void (await client.query(`CREATE TABLE "${schema}".others (n integer)`)),
      apply: async (client, schema, events) => void (await client.query(`INSERT INTO "${schema}".others VALUES ($1)`, [events.length])),
    };
    for (const mode of ['live', 'rebuild'] as const) {
      const rows = await projectionSpec([countsProjection(), other], { pool, mode })
        .given([counted('a'), counted('b')])
        .thenRows('SELECT (SELECT sum(n) FROM counts)::int AS counted, (SELECT sum(n) FROM others)::int AS others');
      expect(rows).toEqual([{ counted: 2, others: 2 }]);
    }
  });

  it('given a projection whose rebuild equals live, then the comparison passes for every batch size, and returns the read model', async () => {
    const events = [counted('tenant-a'), counted('tenant-b', '1e10'), counted('tenant-b', '3.00'), counted('tenant-a', '4.00')];
    const model = await expectRebuildEqualsLive(countsProjection(), events, { pool, batchSizes: [1, 3, 100] });
    expect(model.tables['counts']).toEqual(['{"n": 1, "tenant": "tenant-b"}', '{"n": 2, "tenant": "tenant-a"}']);
    expect(model.parked).toHaveLength(1);
  });

  it('given a projection whose rebuild forgets a tenant, then the comparison fails and names the table', async () => {
    const events = [counted('tenant-a'), counted('tenant-b')];
    await expect(expectRebuildEqualsLive(countsProjection({ forgetsAtTheEnd: true }), events, { pool, batchSizes: [2] })).rejects.toThrow(
      /spec-counts: rebuild in batches of 2 differs from live in batches of 2: table counts: 2 rows ≠ 1/,
    );
  });

  it('given significant digits, then numbers are compared to them (numeric text of another scale included)', async () => {
    const spec = projectionSpec(countsProjection(), { pool });
    const dump = (digits?: number) =>
      spec.given([counted('a', '1.25')]).then(async ({ client, schema }) => {
        await client.query(`CREATE TABLE "${schema}".fractions AS SELECT 42.33333333333330::numeric AS x, 1 / 3.0::float8 AS y`);
        return (await dumpSchema(client, schema, { significantDigits: digits }))['fractions'];
      });
    // Exactly otherwise, but a decimal's trailing zeros are not part of its value (numeric keeps the scale of what it added).
    expect(await dump()).toEqual(['{"x": 42.3333333333333, "y": 0.3333333333333333}']);
    expect(await dump(12)).toEqual(['{"x":42.3333333333,"y":0.333333333333}']);
  });

  it('given tables or columns to ignore, then they are left out of the comparison', async () => {
    const events = [counted('tenant-a'), counted('tenant-b')];
    const model = await expectRebuildEqualsLive(countsProjection({ forgetsAtTheEnd: true }), events, { pool, batchSizes: [2], ignoreTables: ['counts'], ignoreColumns: ['id'] });
    expect(Object.keys(model.tables)).toEqual(['amounts', 'staged']);
    expect(model.tables['amounts']).toEqual(['{"amount": 1, "tenant": "tenant-a"}', '{"amount": 1, "tenant": "tenant-b"}']);
  });
});
