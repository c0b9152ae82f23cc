import { createPool } from '@rework-ledger/platform';
import type { StoredEvent } from '@rework-ledger/event-store';
import { type GivenEvent, projectionSpec, storedEvents } from '@rework-ledger/projections/testing';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import { type ReworkMetricsEvent, reworkMetricsProjection } from '../rework-metrics/rework-metrics.projection';
import { fromPgPool } from '../sql-queryable';
import { usageProjection } from './usage.projection';
import { queryUsageMetrics, type UsageMetricsQuery, type UsageMetricsRow } from './usage.queries';

const usage = (employeeId: string, data: Record<string, unknown>): GivenEvent => ({
  type: 'ai.usage.recorded',
  data: { employeeId, tool: 'github-copilot', usageKey: `gh/${employeeId}/${String(data['day'])}/${String(data['model'] ?? '')}/${String(data['teamId'] ?? '')}/${String(data['currency'] ?? '')}`, ...data },
});
const assigned = (employeeId: string, teamId: string, effectiveFrom: string): GivenEvent => ({ type: 'employee.assigned', data: { employeeId, teamId, effectiveFrom } });
const linked = (externalId: string, employeeId: string): GivenEvent => ({ type: 'employee.identity_linked', data: { employeeId, system: 'github', externalId } });

async function directory(client: PoolClient, usageSchema: string, events: readonly GivenEvent[]): Promise<string> {
  const schema = `${usageSchema}_directory`;
  await client.query(`CREATE SCHEMA "${schema}"`);
  await reworkMetricsProjection.createTables(client, schema);
  const assignments = storedEvents(events.filter((event) => event.type === 'employee.assigned'));
  await reworkMetricsProjection.apply(client, schema, assignments as StoredEvent<ReworkMetricsEvent>[]);
  return schema;
}

const USD = (row: UsageMetricsRow) => row.spend.find((s) => s.currency === 'USD')?.amount ?? 0;
const EUR = (row: UsageMetricsRow) => row.spend.find((s) => s.currency === 'EUR')?.amount ?? 0;

describe('usage answers: licence seats, filters and buckets over people with two identifiers, two teams in a week and two currencies (checked by hand)', () => {
  let database: TestDatabase;
  let pool: Pool;
  const spec = () => projectionSpec(usageProjection, { pool });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  // 2026-03-30 is a Monday: its ISO week runs into April. Asked: [03-25, 04-03); months read for seats: March and April.
  const ASKED = { tenant: 'tenant-a', from: new Date('2026-03-25T00:00:00Z'), to: new Date('2026-04-03T00:00:00Z'), privacyMinGroupSize: 3 } as const;
  const EVENTS: GivenEvent[] = [
    assigned('alice', 'platform', '2026-01-01T00:00:00Z'),
    assigned('alice', 'data', '2026-03-31T00:00:00Z'),
    assigned('bob', 'data', '2026-01-01T00:00:00Z'),
    linked('alice-gh', 'alice'),
    // alice's March cells of Copilot: (m1, platform, 03-10), (m1, platform, 03-26), (m1, web, 03-30), (m1, platform, 03-30), (m2, data, 03-31): 1/5 each.
    usage('alice', { day: '2026-03-10', model: 'm1', requests: 1 }),
    usage('alice', { day: '2026-03-26', model: 'm1', requests: 1 }),
    usage('alice', { day: '2026-03-30', model: 'm1', teamId: 'web', requests: 1 }),
    usage('alice-gh', { day: '2026-03-30', model: 'm1', teamId: 'web', requests: 2 }), // another identifier of alice: the same cell
    usage('alice', { day: '2026-03-30', model: 'm1', requests: 4 }), // her directory team that day: platform
    usage('alice', { day: '2026-03-31', model: 'm2', requests: 1, cost: 3, currency: 'USD' }),
    usage('alice', { day: '2026-03-31', model: 'm2', cost: 2, currency: 'EUR' }), // the same cell, another currency
    // alice's April cells: (m1, data, 04-01), (m1, data, 04-10): 1/2 each.
    usage('alice', { day: '2026-04-01', model: 'm1', requests: 1 }),
    usage('alice', { day: '2026-04-10', model: 'm1', requests: 1 }),
    usage('bob', { day: '2026-03-30', model: 'm1', requests: 1 }),
    usage('bob', { day: '2026-04-02', model: 'm1', teamId: 'web', requests: 1 }),
    usage('carol', { day: '2026-04-20', model: 'm1', requests: 1 }), // an April user outside the days asked
    usage('dave', { day: '2026-03-30', model: 'm1', tool: 'claude-code', requests: 1, cost: 5, currency: 'USD' }),
  ];
  const PER_USER = [{ tool: 'github-copilot', seatCost: 10, currency: 'USD' }];
  // Month users of Copilot: March alice, bob (12 / 2 = 6 per seat share); April alice, bob, carol (12 / 3 = 4).
  const SET_SEATS = [{ tool: 'github-copilot', seatCost: 1, currency: 'USD', seats: 12 }];

  const answers = (queries: Partial<UsageMetricsQuery>[]) =>
    spec()
      .given(EVENTS)
      .then(async ({ client, schema }) => {
        const assignmentsSchema = await directory(client, schema, EVENTS);
        const results: UsageMetricsRow[][] = [];
        for (const query of queries) results.push(await queryUsageMetrics(fromPgPool(client), { ...ASKED, ...query, schema, assignmentsSchema }));
        return results;
      });

  it('by team and week, with seats per user and a set number: by hand', async () => {
    const [perUser, set] = await answers([
      { groupBy: 'team', bucket: 'week', seatCosts: PER_USER },
      { groupBy: 'team', bucket: 'week', seatCosts: SET_SEATS },
    ]);
    const view = (rows: UsageMetricsRow[]) => rows.map((row) => [row.bucket?.slice(0, 10), row.group, row.activeUsers, row.requests, Number(USD(row).toFixed(9)), EUR(row), row.employeeIds]);
    expect(view(perUser)).toEqual([
      ['2026-03-23', 'platform', 1, 1, 2, 0, ['alice']],
      ['2026-03-30', '(unassigned)', 1, 1, 5, 0, ['dave']],
      // alice (03-31 m2: 1/5 of March; 04-01: 1/2 of April) and bob (March whole): 1.2 × 10 + 0.5 × 10 + cost 3.
      ['2026-03-30', 'data', 2, 3, 20, 2, ['alice', 'bob']],
      ['2026-03-30', 'platform', 1, 4, 2, 0, ['alice']],
      // alice (two identifiers, 1 + 2 requests, 1/5 of March) and bob (04-02, all of April).
      ['2026-03-30', 'web', 2, 4, 12, 0, ['alice', 'bob']],
    ]);
    expect(view(set)).toEqual([
      ['2026-03-23', 'platform', 1, 1, 1.2, 0, ['alice']],
      ['2026-03-30', '(unassigned)', 1, 1, 5, 0, ['dave']],
      ['2026-03-30', 'data', 2, 3, 12.2, 2, ['alice', 'bob']],
      ['2026-03-30', 'platform', 1, 4, 1.2, 0, ['alice']],
      ['2026-03-30', 'web', 2, 4, 5.2, 0, ['alice', 'bob']],
    ]);
  });

  it('filters with seats: the shares filtered, the month users not: by hand', async () => {
    const [webByModel, webByModelSet, alice, aliceSet, aliceGh, m2Weekly] = await answers([
      { groupBy: 'model', filters: { team: 'web' }, seatCosts: PER_USER },
      { groupBy: 'model', filters: { team: 'web' }, seatCosts: SET_SEATS },
      { filters: { employee: 'alice' }, seatCosts: PER_USER },
      { filters: { employee: 'alice' }, seatCosts: SET_SEATS },
      { filters: { employee: 'alice-gh' }, seatCosts: PER_USER }, // a linked identifier is not looked up
      { groupBy: 'model', bucket: 'week', filters: { model: 'm2' }, seatCosts: PER_USER },
    ]);
    const view = (rows: UsageMetricsRow[]) => rows.map((row) => [row.group, row.activeUsers, row.requests, Number(USD(row).toFixed(9)), EUR(row)]);
    expect(view(webByModel)).toEqual([['m1', 2, 4, 12, 0]]);
    expect(view(webByModelSet)).toEqual([['m1', 2, 4, 5.2, 0]]);
    // alice's asked cells: 4 of her 5 March ones, 1 of her 2 April ones; requests 1 + 7 + 1 + 1.
    expect(view(alice)).toEqual([[null, 1, 10, 3 + 8 + 5, 2]]);
    expect(view(aliceSet)).toEqual([[null, 1, 10, 3 + 4.8 + 2, 2]]);
    expect(aliceGh).toEqual([]);
    expect(view(m2Weekly)).toEqual([['m2', 1, 1, 3 + 2, 2]]);
  });
});
