import { validateEvent } from '@rework-ledger/contracts';
import { streamNameFor } from '@rework-ledger/domain';
import { createPool } from '@rework-ledger/platform';
import { expectRebuildEqualsLive, type GivenEvent, projectionSpec } from '@rework-ledger/projections/testing';
import { createTestDatabase } from '@rework-ledger/testing';
import type { Pool } from 'pg';
import { fromPgPool, type SqlQueryable } from '../sql-queryable';
import { dailyActivityFromRollups } from '../training/training.queries';
import { reworkMetricsProjection } from './rework-metrics.projection';
import { queryReworkMetrics, type ReworkMetricsQuery } from './rework-metrics.query';

// Identity in the rework read model (PRODUCT.md, "Identity"): identifiers normalised, resolved through the latest
// `employee.identity_linked` of each, a late link re-attributing outputs (their team too) and rework (its cost too).
let counter = 0;
const event = (type: string, time: string, data: Record<string, unknown>) => ({ specversion: '1.0', id: `id-${++counter}`, source: 'urn:test', type, time, data });
const generated = (outputId: string, employeeId: string, time: string) => event('ai.output.generated', time, { outputId, employeeId, tool: 'claude-code', taskType: 'coding' });
const corrected = (outputId: string, employeeId: string, minutesSpent: number, time: string) => event('ai.output.corrected', time, { outputId, employeeId, minutesSpent });
const assigned = (employeeId: string, teamId: string, hourlyCost: number) => event('employee.assigned', '2026-01-01T00:00:00Z', { employeeId, teamId, hourlyCost });
const linked = (employeeId: string, system: string, externalId: string, time: string) => event('employee.identity_linked', time, { employeeId, system, externalId });
const ingested = (tenant: string, events: ReturnType<typeof event>[]): GivenEvent[] =>
  events.map((raw) => {
    const result = validateEvent(raw, { fromCredentials: tenant });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { id, source, type, time, data } = result.event;
    return { tenant, id, source, type, time, data, streamId: streamNameFor(type, data) };
  });

// Alice's work recorded under her email, spelt three ways, before anyone links it; Bob's under his id.
const recorded = [
  assigned('e-alice', 'platform', 90),
  assigned('e-alice-2', 'research', 120),
  generated('o1', 'mailto:Alice@Acme.test', '2026-03-02T10:00:00Z'),
  generated('o2', 'alice@acme.test', '2026-03-03T10:00:00Z'),
  // Her rework of her output, and of Bob's.
  corrected('o1', ' ALICE@acme.test', 30, '2026-03-02T12:00:00Z'),
  generated('o3', 'bob', '2026-03-04T10:00:00Z'),
  corrected('o3', 'alice@ACME.test', 60, '2026-03-04T12:00:00Z'),
];
const ACME = {
  recorded: ingested('acme', recorded),
  linked: ingested('acme', [linked('e-alice', 'email', 'Alice@Acme.test', '2026-03-20T00:00:00Z')]),
  // Output after the link: resolved at once.
  afterLink: ingested('acme', [generated('o4', 'MAILTO:alice@acme.TEST', '2026-03-05T10:00:00Z')]),
  // The email was the wrong person's: a later link of it re-points everything recorded under it.
  relinked: ingested('acme', [linked('e-alice-2', 'email', 'alice@acme.test', '2026-03-21T00:00:00Z')]),
};
// Another tenant, with the same identifiers and no link: its figures never move.
const GLOBEX = ingested('globex', recorded.map((raw) => ({ ...raw, id: `globex-${raw.id}` })));

// The orders that make the re-attribution work hardest (from a review of the change): rework before its output under
// another identifier; links that would chain; a link whose employee is itself an identifier of other rows; a link and a
// late assignment of its employee in one batch; a link undone; a month left empty; a late cost change then a re-link.
const assignedFrom = (employeeId: string, teamId: string, hourlyCost: number, time: string, effectiveFrom: string) =>
  event('employee.assigned', time, { employeeId, teamId, hourlyCost, effectiveFrom });
const HARD_ORDERS = [
  assigned('e-x', 'platform', 90),
  assigned('e-w', 'research', 40),
  assigned('e-z', 'zteam', 70),
  corrected('p1', 'x@a.test', 10, '2026-03-02T09:00:00Z'),
  linked('e-x', 'email', 'X@A.test', '2026-03-02T09:30:00Z'),
  generated('p1', 'y@a.test', '2026-03-02T08:00:00Z'),
  corrected('p1', 'y@a.test', 5, '2026-03-02T11:00:00Z'),
  linked('e-x', 'email', 'y@a.test', '2026-03-03T00:00:00Z'),
  generated('c1', 'a', '2026-03-04T10:00:00Z'),
  generated('c2', 'b', '2026-03-04T11:00:00Z'),
  generated('c3', 'c', '2026-03-04T12:00:00Z'),
  corrected('c2', 'a', 7, '2026-03-04T13:00:00Z'),
  linked('b', 'lms', 'a', '2026-03-05T00:00:00Z'),
  linked('c', 'lms', 'b', '2026-03-05T00:00:01Z'),
  generated('z1', 'e-z', '2026-03-06T10:00:00Z'),
  generated('z2', 'zed@a.test', '2026-03-06T10:00:00Z'),
  linked('e-z', 'email', 'zed@a.test', '2026-03-07T00:00:00Z'),
  linked('e-w', 'hris', 'e-z', '2026-03-07T00:00:01Z'),
  generated('q1', 'q@a.test', '2026-03-08T10:00:00Z'),
  corrected('q1', 'q@a.test', 20, '2026-03-08T11:00:00Z'),
  assignedFrom('e-q', 'qa', 50, '2026-03-09T00:00:00Z', '2026-01-01T00:00:00Z'),
  linked('e-q', 'email', 'q@a.test', '2026-03-09T00:00:01Z'),
  linked('b', 'lms', 'b', '2026-03-10T00:00:00Z'),
  generated('c4', 'b', '2026-03-10T10:00:00Z'),
  generated('m1', 'm@a.test', '2026-04-02T10:00:00Z'),
  generated('m2', 'e-x', '2026-04-02T11:00:00Z'),
  linked('e-x', 'email', 'm@a.test', '2026-04-03T00:00:00Z'),
  assignedFrom('e-x', 'platform', 120, '2026-04-04T00:00:00Z', '2026-03-01T00:00:00Z'),
  linked('e-w', 'email', 'x@a.test', '2026-04-05T00:00:00Z'),
  generated('k1', 'K@A.test', '2026-04-06T10:00:00Z'),
  linked('E-Kay', 'email', 'k@a.test', '2026-04-07T00:00:00Z'),
  generated('k2', 'E-Kay', '2026-04-06T11:00:00Z'),
];

describe('identity in the rework read model (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const query = (db: SqlQueryable, overrides: Partial<ReworkMetricsQuery> = {}) =>
    queryReworkMetrics(db, {
      tenant: 'acme',
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
      defaultHourlyCost: 60,
      defaultMinutesSavedByTaskType: { drafting: 0, analysis: 0, 'decision-support': 0, automation: 0, coding: 30, other: 0 },
      // Rows of fewer than k people name them (what the employee lists below read).
      privacyMinGroupSize: 5,
      ...overrides,
    });
  const employeesOf = async (db: SqlQueryable, tenant = 'acme') => (await query(db, { tenant }))[0]?.employeeIds;
  const activityOf = async (db: SqlQueryable) =>
    ((await dailyActivityFromRollups(db, 'acme', new Date('2026-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'))) ?? [])
      .map((day) => [day.employeeId, day.outputs, day.reworked])
      .sort();
  const sampled = async (db: SqlQueryable) =>
    [...new Set((await db.query<{ e: string }>(`SELECT DISTINCT unnest(employee_sample) AS e FROM rm_rework.daily_samples WHERE tenant = 'acme'`)).map((row) => row.e))].sort();

  it('given work under an unlinked email spelt three ways, then it is one person, under the normalised email', () =>
    projectionSpec(reworkMetricsProjection, { pool, schema: 'live' })
      .given(ACME.recorded)
      .then(async ({ client }) => {
        const db = fromPgPool(client);
        expect(await employeesOf(db)).toEqual(['alice@acme.test', 'bob']);
        const [total] = await query(db);
        // 30 + 60 minutes by someone without an hourly cost: the tenant default (60/h).
        expect(total.lostCost).toBe(90);
        // Three outputs' 30 saved minutes each, by authors without an hourly cost: the default.
        expect(total.savedValue).toBe(90);
        expect((await query(db, { groupBy: 'team' })).map((row) => [row.group, row.outputs])).toEqual([['(unassigned)', 3]]);
      }));

  it('given a late link, then the outputs and rework recorded under the identifier are re-attributed: employee, team, cost, activity, samples', () =>
    projectionSpec(reworkMetricsProjection, { pool, schema: 'live' })
      .given(ACME.recorded)
      .when(GLOBEX)
      .when(ACME.linked)
      .then(async ({ client }) => {
        const db = fromPgPool(client);
        expect(await employeesOf(db)).toEqual(['bob', 'e-alice']);
        expect((await query(db, { groupBy: 'team' })).map((row) => [row.group, row.outputs])).toEqual([
          ['(unassigned)', 1],
          ['platform', 2],
        ]);
        // Her 90 minutes of rework now at her hourly cost (90/h), Bob's output's included.
        expect((await query(db))[0].lostCost).toBe(135);
        // Her two outputs' saved time priced at her hourly cost now, Bob's at the default.
        expect((await query(db))[0].savedValue).toBe(2 * 0.5 * 90 + 0.5 * 60);
        expect(await activityOf(db)).toEqual([
          ['bob', 1, 1],
          ['e-alice', 1, 0],
          ['e-alice', 1, 1],
        ]);
        expect(await sampled(db)).toEqual(['bob', 'e-alice']);
        expect(await db.query(`SELECT count(*)::int AS n FROM rm_rework.employee_months WHERE tenant = 'acme' AND employee_id = 'alice@acme.test'`)).toEqual([{ n: 0 }]);
        // The identifier it was recorded under is kept, for a later link of it.
        expect(await db.query(`SELECT output_id, employee_id, identifier FROM rm_rework.outputs WHERE tenant = 'acme' ORDER BY output_id`)).toEqual([
          { output_id: 'o1', employee_id: 'e-alice', identifier: 'alice@acme.test' },
          { output_id: 'o2', employee_id: 'e-alice', identifier: 'alice@acme.test' },
          { output_id: 'o3', employee_id: 'bob', identifier: null },
        ]);
        // An employee filter given as another spelling of an identifier finds what is recorded under it.
        expect((await query(db, { tenant: 'globex', filters: { employee: 'mailto:ALICE@acme.test' } }))[0].outputs).toBe(2);
        // The other tenant's same identifiers are not linked.
        expect(await employeesOf(db, 'globex')).toEqual(['alice@acme.test', 'bob']);
      }));

  it('given work after the link, then it is resolved at once; given a later link of the same identifier, then everything recorded under it moves again', () =>
    projectionSpec(reworkMetricsProjection, { pool, schema: 'live' })
      .given(ACME.recorded)
      .when(ACME.linked)
      .when(ACME.afterLink)
      .when(ACME.relinked)
      .then(async ({ client }) => {
        const db = fromPgPool(client);
        expect(await employeesOf(db)).toEqual(['bob', 'e-alice-2']);
        expect((await query(db, { groupBy: 'team' })).map((row) => [row.group, row.outputs])).toEqual([
          ['(unassigned)', 1],
          ['research', 3],
        ]);
        expect((await query(db))[0].lostCost).toBe(180);
        expect(await sampled(db)).toEqual(['bob', 'e-alice-2']);
        expect((await activityOf(db)).map(([employee]) => employee)).not.toContain('e-alice');
      }));

  it('given the hardest orders, then each output is the employee of its latest link (no chaining, undo, self-identifiers), and a rebuild and any batch size agree', async () => {
    const events = [...ingested('acme', HARD_ORDERS), ...ingested('globex', HARD_ORDERS.filter((raw) => raw.type !== 'employee.identity_linked').map((raw) => ({ ...raw, id: `g-${raw.id}` })))];
    const model = await expectRebuildEqualsLive(reworkMetricsProjection, events, { pool, batchSizes: [1, 2, 5, 1000] });
    const rows = (table: string) => model.tables[table].map((row) => JSON.parse(row) as Record<string, unknown>).filter((row) => row['tenant'] === 'acme');
    const outputs = Object.fromEntries(rows('outputs').map((row) => [row['output_id'], [row['employee_id'], row['team'], row['author_hourly_cost']]]));
    expect(outputs).toEqual({
      p1: ['e-x', 'platform', 120],
      c1: ['b', '(unassigned)', null],
      c2: ['b', '(unassigned)', null],
      c3: ['c', '(unassigned)', null],
      c4: ['b', '(unassigned)', null],
      z1: ['e-w', 'research', 40],
      z2: ['e-z', 'zteam', 70],
      q1: ['e-q', 'qa', 50],
      m1: ['e-x', 'platform', 120],
      m2: ['e-x', 'platform', 120],
      k1: ['E-Kay', '(unassigned)', null],
      k2: ['E-Kay', '(unassigned)', null],
    });
    // The rework of p1 by x@ went to e-x, then to e-w with the re-link; by y@, to e-x.
    expect(rows('reworks').map((row) => [row['output_id'], row['employee_id'], row['identifier']]).sort()).toEqual([
      ['c2', 'b', 'a'],
      ['p1', 'e-w', 'x@a.test'],
      ['p1', 'e-x', 'y@a.test'],
      ['q1', 'e-q', 'q@a.test'],
    ]);
    expect(rows('employee_months').map((row) => row['employee_id'])).not.toContain('m@a.test');
    // The other tenant, without links, keeps every identifier as its own person.
    const globex = model.tables['outputs'].map((row) => JSON.parse(row) as Record<string, unknown>).filter((row) => row['tenant'] === 'globex');
    expect(globex.find((row) => row['output_id'] === 'm1')?.['employee_id']).toBe('m@a.test');
  }, 120_000);

  it('given links among the facts, then a rebuild, and batches of any size, give the live read model', async () => {
    const events = [...ACME.recorded, ...GLOBEX, ...ACME.linked, ...ACME.afterLink, ...ACME.relinked];
    const model = await expectRebuildEqualsLive(reworkMetricsProjection, events, { pool, batchSizes: [1, 3, 100] });
    expect(model.tables['identity_links']).toHaveLength(1);
  }, 120_000);
});
