import { createPool } from '@rework-ledger/platform';
import type { StoredEvent } from '@rework-ledger/event-store';
import { expectRebuildEqualsLive, type GivenEvent, projectionSpec, storedEvents } from '@rework-ledger/projections/testing';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import type { Pool, PoolClient } from 'pg';
import { type ReworkMetricsEvent, reworkMetricsProjection } from '../rework-metrics/rework-metrics.projection';
import { fromPgPool } from '../sql-queryable';
import { usageProjection } from './usage.projection';
import { monthsCovered, queryProtectedUsageMetrics, queryUsageMetrics, type UsageMetricsQuery, type UsageMetricsRow, UsagePrivacySpanTooLongError } from './usage.queries';

const usage = (employeeId: string, data: Record<string, unknown>, time?: string): GivenEvent => ({
  type: 'ai.usage.recorded',
  ...(time === undefined ? {} : { time }),
  data: { employeeId, tool: 'github-copilot', day: '2026-03-02', usageKey: `gh/${employeeId}/${String(data['day'] ?? '2026-03-02')}`, ...data },
});
/**
 * A cumulative cost point of bob's Claude Code series at an hour of 2026-03-02; its `day` is the hour's day of March
 * (9 → 2026-03-09), so that each point's delta has a day of its own in the daily table.
 */
const point = (hour: number, cost: number, seriesStart = '2026-03-02T08:00:00Z', extra: Record<string, unknown> = {}): GivenEvent => {
  const hh = String(hour).padStart(2, '0');
  return usage('bob', { tool: 'claude-code', day: `2026-03-${hh}`, usageKey: `cost/bob/${hour}/${cost}`, cost, currency: 'USD', cumulative: true, series: 'claude_code.cost.usage|bob', seriesStart, ...extra }, `2026-03-02T${hh}:00:00Z`);
};
const assigned = (employeeId: string, teamId: string, effectiveFrom: string): GivenEvent => ({ type: 'employee.assigned', data: { employeeId, teamId, effectiveFrom } });
const linked = (externalId: string, employeeId: string, system = 'github', tenant = 'tenant-a'): GivenEvent => ({ tenant, type: 'employee.identity_linked', data: { employeeId, system, externalId } });

/**
 * The directory a usage answer reads teams from (the rework read model's assignments), filled from the given events'
 * assignments in a schema beside the usage one, inside the scenario's transaction.
 */
async function directory(client: PoolClient, usageSchema: string, events: readonly GivenEvent[]): Promise<string> {
  const schema = `${usageSchema}_directory`;
  await client.query(`CREATE SCHEMA "${schema}"`);
  await reworkMetricsProjection.createTables(client, schema);
  const assignments = storedEvents(events.filter((event) => event.type === 'employee.assigned'));
  await reworkMetricsProjection.apply(client, schema, assignments as StoredEvent<ReworkMetricsEvent>[]);
  return schema;
}

const MARCH = { tenant: 'tenant-a', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z'), privacyMinGroupSize: 1 } as const;

describe('usage read model (ai.usage.recorded)', () => {
  let database: TestDatabase;
  let pool: Pool;
  const spec = () => projectionSpec(usageProjection, { pool });
  const metrics = (events: readonly GivenEvent[], query: Partial<UsageMetricsQuery> = {}) =>
    spec()
      .given(events)
      .then(async ({ client, schema }) => queryUsageMetrics(fromPgPool(client), { ...MARCH, ...query, schema, assignmentsSchema: await directory(client, schema, events) }));

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('given a report revised under the same usageKey, then the revision replaces it (even back to a lower value)', async () => {
    const rows = await spec()
      .given([usage('alice', { requests: 5, suggestions: 10 }), usage('alice', { requests: 9, suggestions: 3 }), usage('carol', { requests: 1 })])
      .thenRows('SELECT usage_key, requests, suggestions FROM usage ORDER BY usage_key');
    expect(rows).toEqual([
      { usage_key: 'gh/alice/2026-03-02', requests: 9, suggestions: 3 },
      { usage_key: 'gh/carol/2026-03-02', requests: 1, suggestions: null },
    ]);
    const days = await spec()
      .given([usage('alice', { requests: 5, suggestions: 10 }), usage('alice', { requests: 9, suggestions: 3 }), usage('carol', { requests: 1 })])
      .thenRows('SELECT employee_id, requests, suggestions, facts FROM usage_daily ORDER BY employee_id');
    expect(days).toEqual([
      { employee_id: 'alice', requests: 9, suggestions: 3, facts: 1 },
      { employee_id: 'carol', requests: 1, suggestions: 0, facts: 1 },
    ]);
  });

  it('given the odd values a real source sends, then valid extremes apply, the invalid are parked one by one, and another tenant with the same ids is untouched', async () => {
    const max = { requests: 1e12, suggestions: 1e12, acceptances: 1e12, linesSuggested: 1e12, linesAccepted: 1e12, inputTokens: 1e12, outputTokens: 1e12, cost: 1e9, currency: 'USD', credits: 1e9 };
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { deep };
    const other = { ...usage('alice', { requests: 3 }), tenant: 'tenant-b' };
    const events: GivenEvent[] = [
      other,
      // The largest figures the contract admits, many times over on one day cell (revisions and new keys alike).
      ...Array.from({ length: 50 }, (_, i) => usage('alice', { ...max, usageKey: `max/${i % 10}` })),
      usage('alice', { requests: 1, usageKey: 'nul\u0000' }),
      usage('alice', { requests: 1, tool: 'lone \ud800 surrogate' }),
      usage('alice', { requests: 1, usageKey: 'deep', deep }),
      { ...usage('alice', { requests: 1e12 + 1, usageKey: 'over' }) },
    ];
    const scenario = spec().given(events);
    expect((await scenario.thenParked()).map((parked) => parked.code)).toEqual(['FIELD.INVALID_CHARACTERS', 'FIELD.INVALID_CHARACTERS', 'EVENT.TOO_DEEP', 'FIELD.OUT_OF_RANGE']);
    const rows = await spec().given(events).thenRows<{ tenant: string; requests: number; cost: string; credits: string }>('SELECT tenant, sum(requests) AS requests, sum(cost)::text AS cost, sum(credits)::text AS credits FROM usage_daily GROUP BY tenant ORDER BY tenant');
    expect(rows).toEqual([
      { tenant: 'tenant-a', requests: 1e13, cost: '10000000000', credits: '10000000000' },
      { tenant: 'tenant-b', requests: 3, cost: '0', credits: '0' },
    ]);
  });

  it('given the revision in a later batch, then it replaces too', async () => {
    const rows = await spec()
      .given([usage('alice', { requests: 5 })])
      .when([usage('alice', { requests: 2, cost: 1.5, currency: 'EUR' })])
      .thenRows('SELECT requests, cost, currency FROM usage');
    expect(rows).toEqual([{ requests: 2, cost: 1.5, currency: 'EUR' }]);
    // Its day takes the first report back: nothing is left without currency, the revision is in EUR.
    const days = await spec()
      .given([usage('alice', { requests: 5 })])
      .when([usage('alice', { requests: 2, cost: 1.5, currency: 'EUR' })])
      .thenRows<{ currency: string; requests: number; cost: string; facts: number }>('SELECT currency, requests, cost::text AS cost, facts FROM usage_daily ORDER BY currency');
    expect(days).toEqual([
      { currency: '', requests: 0, cost: '0', facts: 0 },
      { currency: 'EUR', requests: 2, cost: '1.5', facts: 1 },
    ]);
  });

  describe('a cumulative series becomes deltas, per series in time order', () => {
    const deltas = (events: readonly GivenEvent[], batchSize?: number) =>
      projectionSpec(usageProjection, { pool, ...(batchSize ? { batchSize } : {}) })
        .given(events)
        .thenRows<{ cost: number }>('SELECT cost::float8 AS cost FROM usage_daily WHERE cost <> 0')
        .then((rows) => rows.map((row) => row.cost).sort((a, b) => a - b));

    it('given increasing points, then the first counts in full and each later one its increase', async () => {
      const events = [point(9, 1.5), point(10, 2.25), point(11, 4)];
      expect(await deltas(events)).toEqual([0.75, 1.5, 1.75]);
      expect(await deltas(events, 1)).toEqual([0.75, 1.5, 1.75]);
      const total = await metrics(events);
      expect(total).toEqual([expect.objectContaining({ spend: [{ currency: 'USD', amount: 4 }], activeUsers: 1 })]);
    });

    it('given a lower value, then it is a reset counted from zero', async () => {
      expect(await deltas([point(9, 1.5), point(10, 2.25), point(11, 0.5), point(12, 1)])).toEqual([0.5, 0.5, 0.75, 1.5]);
    });

    it('given a new seriesStart, then it is a reset counted from zero, even with a higher value', async () => {
      expect(await deltas([point(9, 1.5), point(10, 3, '2026-03-02T09:30:00Z')])).toEqual([1.5, 3]);
    });

    it('given a point older than the series latest, then it is counted as late and otherwise ignored', async () => {
      const events = [point(9, 1.5), point(11, 3), point(10, 2)];
      expect(await deltas(events)).toEqual([1.5, 1.5]);
      expect(await spec().given(events).thenRows('SELECT series, late_points FROM usage_series')).toEqual([{ series: 'claude_code.cost.usage|bob', late_points: 1 }]);
    });

    it('given a point with an earlier seriesStart than the series, then it is late, and interleaved writers do not multiply the totals', async () => {
      // Two replicas on one series key, differing only by start time (A from 08:00, B from 08:30), interleaved in time.
      const [a, b] = ['2026-03-02T08:00:00Z', '2026-03-02T08:30:00Z'];
      const events = [point(9, 1, a), point(10, 5, b), point(11, 2, a), point(12, 6, b), point(13, 3, a), point(14, 7, b)];
      // A's first point counts 1; B's start is later: a new run, 5 from zero; then only B's increases (1, 1); A's later points are late.
      expect(await deltas(events)).toEqual([1, 1, 1, 5]);
      expect(await deltas(events, 1)).toEqual([1, 1, 1, 5]);
      expect(await spec().given(events).thenRows('SELECT series, late_points FROM usage_series')).toEqual([{ series: 'claude_code.cost.usage|bob', late_points: 2 }]);
      const total = await metrics(events);
      expect(total).toEqual([expect.objectContaining({ spend: [{ currency: 'USD', amount: 8 }] })]);
    });

    it('given the latest point again under another usageKey, then nothing more is counted', async () => {
      expect(await deltas([point(9, 1.5), point(9, 1.5, undefined, { usageKey: 'retry' })])).toEqual([1.5]);
    });

    it('given two series, then each has its own deltas; and delta points are taken as they are', async () => {
      const other = (hour: number, cost: number) => point(hour, cost, undefined, { series: 'claude_code.cost.usage|bob|other', usageKey: `other/${hour}`, model: 'other' });
      expect(await deltas([point(9, 1), other(9, 10), point(10, 2), other(10, 11), usage('bob', { usageKey: 'delta', cost: 7, currency: 'USD' })])).toEqual([1, 1, 1, 7, 10]);
    });
  });

  describe('GET /v1/metrics/usage figures', () => {
    const EVENTS = [
      assigned('alice', 'platform', '2026-01-01T00:00:00Z'),
      assigned('bob', 'data', '2026-01-01T00:00:00Z'),
      // Alice moves to data on 2026-03-10: her usage from that day is data's.
      assigned('alice', 'data', '2026-03-10T00:00:00Z'),
      usage('alice', { day: '2026-03-02', requests: 4, suggestions: 10, acceptances: 4, linesSuggested: 30, linesAccepted: 12 }),
      usage('alice', { day: '2026-03-03', requests: 2, suggestions: 10, acceptances: 1, model: 'gpt-4o' }),
      usage('alice', { day: '2026-03-12', requests: 1, inputTokens: 100, outputTokens: 50 }),
      usage('bob', { day: '2026-03-02', requests: 3, credits: 2.5, cost: 1, currency: 'USD' }),
      usage('bob', { day: '2026-03-02', tool: 'claude-code', usageKey: 'cc/bob', cost: 2, currency: 'EUR', teamId: 'ml' }),
      usage('carol', { day: '2026-03-02', requests: 0 }), // no usage: not an active user
      usage('dave', { day: '2026-04-02', requests: 7 }), // outside March
    ];

    it('given usage of several people, then the total counts distinct active users, sums and spend per currency', async () => {
      expect(await metrics(EVENTS)).toEqual([
        {
          group: null,
          bucket: null,
          activeUsers: 2,
          requests: 10,
          suggestions: 20,
          acceptances: 5,
          acceptanceRate: 0.25,
          linesSuggested: 30,
          linesAccepted: 12,
          inputTokens: 100,
          outputTokens: 50,
          credits: 2.5,
          spend: [
            { currency: 'EUR', amount: 2 },
            { currency: 'USD', amount: 1 },
          ],
        },
      ]);
    });

    it('given a grouping by team, then teams come from teamId, else the assignment in effect on the day', async () => {
      const rows = await metrics(EVENTS, { groupBy: 'team' });
      expect(rows.map((row) => [row.group, row.activeUsers, row.requests])).toEqual([
        ['data', 2, 4],
        ['ml', 1, 0],
        ['platform', 1, 6],
      ]);
    });

    it('given a grouping by model and a day bucket, then a fact without a model is (unspecified) and each day has its users', async () => {
      const rows = await metrics(EVENTS, { groupBy: 'model', bucket: 'day' });
      expect(rows.map((row) => [row.bucket?.slice(0, 10), row.group, row.activeUsers])).toEqual([
        ['2026-03-02', '(unspecified)', 2],
        ['2026-03-03', 'gpt-4o', 1],
        ['2026-03-12', '(unspecified)', 1],
      ]);
      expect(rows[0].acceptanceRate).toBe(0.4);
      expect((await metrics(EVENTS, { bucket: 'day', filters: { tool: 'claude-code' } })).map((row) => row.acceptanceRate)).toEqual([null]);
    });

    it('given a seat cost per active user, then it adds to spend by the months covered', async () => {
      const seatCosts = [{ tool: 'github-copilot', seatCost: 19, currency: 'USD' }];
      const [total] = await metrics(EVENTS, { seatCosts });
      expect(total.spend).toEqual([
        { currency: 'EUR', amount: 2 },
        { currency: 'USD', amount: 1 + 2 * 19 },
      ]);
      const byTool = await metrics(EVENTS, { seatCosts, groupBy: 'tool' });
      expect(byTool.map((row) => [row.group, row.spend])).toEqual([
        ['claude-code', [{ currency: 'EUR', amount: 2 }]],
        ['github-copilot', [{ currency: 'USD', amount: 39 }]],
      ]);
    });

    it('given a set number of seats, then the whole cost is the total, shared among teams by their active users of the tool', async () => {
      const seatCosts = [{ tool: 'github-copilot', seatCost: 10, currency: 'USD', seats: 8 }];
      expect((await metrics(EVENTS, { seatCosts }))[0].spend).toContainEqual({ currency: 'USD', amount: 81 });
      const byTeam = await metrics(EVENTS, { seatCosts, groupBy: 'team' });
      // Copilot's active users in March: alice (data and platform) and bob (data): 3 team-users share the 8 seats.
      const usd = byTeam.map((row) => [row.group, row.spend.find((s) => s.currency === 'USD')?.amount ?? 0] as const);
      expect(usd.map(([group]) => group)).toEqual(['data', 'ml', 'platform']);
      expect(usd[0][1]).toBeCloseTo(1 + (80 * 2) / 3, 9);
      expect(usd[1][1]).toBe(0);
      expect(usd[2][1]).toBeCloseTo(80 / 3, 9);
    });

    it('given seat costs, then a month costs its users (or set seats) once, whatever the bucket, and admin and non-admin agree', async () => {
      // alice uses Copilot on two days of March, bob on one (in the week that runs into April), dave only in April.
      const events = [
        usage('alice', { day: '2026-03-02', requests: 1 }),
        usage('alice', { day: '2026-03-20', requests: 1, model: 'gpt-4o' }),
        usage('bob', { day: '2026-03-30', requests: 1 }),
        usage('dave', { day: '2026-04-02', requests: 1 }),
      ];
      const usd = (rows: readonly { spend: readonly { currency: string; amount: number }[] }[]) =>
        rows.reduce((total, row) => total + (row.spend.find((s) => s.currency === 'USD')?.amount ?? 0), 0);
      for (const [seatCosts, month] of [
        [[{ tool: 'github-copilot', seatCost: 19, currency: 'USD' }], 2 * 19],
        [[{ tool: 'github-copilot', seatCost: 19, currency: 'USD', seats: 10 }], 10 * 19],
      ] as const) {
        expect(usd(await metrics(events, { seatCosts }))).toBeCloseTo(month, 9);
        for (const bucket of ['day', 'week', 'month'] as const) expect(usd(await metrics(events, { seatCosts, bucket }))).toBeCloseTo(month, 9);
        for (const groupBy of ['team', 'model'] as const) expect(usd(await metrics(events, { seatCosts, groupBy, bucket: 'day' }))).toBeCloseTo(month, 9);
        const protectedAnswer = await spec()
          .given(events)
          .then(async ({ client, schema }) => queryProtectedUsageMetrics(fromPgPool(client), { ...MARCH, seatCosts, schema, assignmentsSchema: await directory(client, schema, events) }));
        expect(usd(protectedAnswer.rows)).toBeCloseTo(month, 9);
        // An employee's row has their own seat: one of the month's users, or their share of the set number.
        expect(usd(await metrics(events, { seatCosts, filters: { employee: 'alice' } }))).toBeCloseTo(month / 2, 9);
      }
    });

    it('counts a month by the share of it a row covers', () => {
      expect(monthsCovered(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'))).toBe(1);
      expect(monthsCovered(Date.parse('2026-02-15T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z'))).toBe(0.5);
      expect(monthsCovered(Date.parse('2026-03-02T00:00:00Z'), Date.parse('2026-03-03T00:00:00Z'))).toBeCloseTo(1 / 31);
    });

    it('given a caller without admin, then only published cells of the protected tables answer, and small groups are withheld', async () => {
      const member = (employeeId: string, teamId: string) => usage(employeeId, { teamId, requests: 1, model: 'gpt-4o' });
      const events = [...['d1', 'd2', 'd3', 'd4'].map((id) => member(id, 'data')), ...['o1', 'o2', 'o3'].map((id) => member(id, 'ops')), member('p1', 'platform')];
      const ask = (query: Partial<UsageMetricsQuery>) =>
        spec()
          .given(events)
          .then(async ({ client, schema }) => queryProtectedUsageMetrics(fromPgPool(client), { ...MARCH, privacyMinGroupSize: 2, ...query, schema, assignmentsSchema: await directory(client, schema, events) }));
      const byTeam = await ask({ groupBy: 'team' });
      // platform (1 person) is withheld, and ops with it (else the total minus data and ops would give platform).
      expect(byTeam.rows.map((row) => [row.group, row.activeUsers, row.requests])).toEqual([['data', 4, 4]]);
      expect(byTeam.rows[0].employeeIds).toBeUndefined();
      expect(byTeam.suppressed).toMatchObject({ cells: 2, sum: { activeUsers: 4, requests: 4 } });
      expect(byTeam.bucket).toBeUndefined();
      // The same cells whatever is asked: platform's one person is never shown, with or without filters.
      expect((await ask({ filters: { team: 'platform' } })).rows).toEqual([]);
      expect((await ask({})).rows.map((row) => row.activeUsers)).toEqual([8]);
      expect((await ask({ privacyMinGroupSize: 9 })).suppressed).toEqual({ cells: 1, sum: null, reason: 'WITHHELD.SMALL_REMAINDER' });
      // Tool × model is not a table: nothing is answered.
      expect((await ask({ groupBy: 'model', filters: { tool: 'github-copilot' } })).suppressed).toMatchObject({ reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' });
    });

    it('given a caller without admin and a span of more than 36 months, then it is refused (each month is protected on request)', async () => {
      const ask = spec()
        .given([])
        .then(async ({ client, schema }) =>
          queryProtectedUsageMetrics(fromPgPool(client), { ...MARCH, from: new Date('2020-01-01T00:00:00Z'), schema, assignmentsSchema: await directory(client, schema, []) }),
        );
      await expect(ask).rejects.toBeInstanceOf(UsagePrivacySpanTooLongError);
    });

    it('given an assignment that arrives after the usage it covers, then the usage is re-attributed', async () => {
      const late = [usage('zoe', { day: '2026-03-05', requests: 2 }), assigned('zoe', 'design', '2026-03-01T00:00:00Z')];
      expect((await metrics(late.slice(0, 1), { groupBy: 'team' })).map((row) => row.group)).toEqual(['(unassigned)']);
      expect((await metrics(late, { groupBy: 'team' })).map((row) => row.group)).toEqual(['design']);
    });

    it('given two assignments with the same effectiveFrom, then the later in store order is the team, from the end of the day on', async () => {
      const ties = [
        usage('yann', { day: '2026-03-04', requests: 1 }),
        usage('yann', { day: '2026-03-05', requests: 2 }),
        usage('yann', { day: '2026-03-06', requests: 4 }),
        assigned('yann', 'first', '2026-01-01T00:00:00Z'),
        // In effect from the last microsecond of 5 March: that day is already theirs.
        assigned('yann', 'overruled', '2026-03-05T23:59:59.999Z'),
        assigned('yann', 'kept', '2026-03-05T23:59:59.999Z'),
      ];
      expect((await metrics(ties, { groupBy: 'team', privacyMinGroupSize: 1 })).map((row) => [row.group, row.requests])).toEqual([
        ['first', 1],
        ['kept', 6],
      ]);
    });

    it('given a caller without admin and a span of two months, then the answer is per month', async () => {
      const answer = await spec()
        .given(EVENTS)
        .then(async ({ client, schema }) =>
          queryProtectedUsageMetrics(fromPgPool(client), { ...MARCH, to: new Date('2026-05-01T00:00:00Z'), privacyMinGroupSize: 1, schema, assignmentsSchema: await directory(client, schema, EVENTS) }),
        );
      expect(answer.bucket).toBe('month');
      expect(answer.rows.map((row) => [row.bucket, row.activeUsers, row.requests])).toEqual([
        ['2026-03-01T00:00:00.000Z', 2, 10],
        ['2026-04-01T00:00:00.000Z', 1, 7],
      ]);
    });
  });

  describe('identity: usage is counted per person, resolved through employee.identity_linked', () => {
    /** The usage answer after `given`, then `when` in a later batch, grouped by team. */
    const byTeam = (given: readonly GivenEvent[], when: readonly GivenEvent[] = [], filters: UsageMetricsQuery['filters'] = {}) =>
      spec()
        .given(given)
        .when(when)
        .then(async ({ client, schema }) =>
          (await queryUsageMetrics(fromPgPool(client), { ...MARCH, groupBy: 'team', filters, schema, assignmentsSchema: await directory(client, schema, [...given, ...when]) })).map((row) => [
            row.group,
            row.activeUsers,
            row.requests,
          ]),
        );
    const cells = (given: readonly GivenEvent[], when: readonly GivenEvent[] = []) =>
      spec().given(given).when(when).thenRows('SELECT tenant, identifier, employee_id, requests FROM usage_daily ORDER BY tenant, identifier');
    const DIRECTORY = [assigned('alice', 'platform', '2026-01-01T00:00:00Z'), assigned('bob', 'data', '2026-01-01T00:00:00Z')];
    const ALICE_DEV = [usage('alice-dev', { requests: 3 }), usage('alice', { requests: 2, usageKey: 'otlp/alice' })];

    it('given a link before the usage, then the login is the employee: one active user, in her team', async () => {
      expect(await byTeam([...DIRECTORY, linked('Alice-Dev', 'alice'), ...ALICE_DEV])).toEqual([['platform', 1, 5]]);
      expect(await cells([linked('Alice-Dev', 'alice'), ...ALICE_DEV])).toEqual([
        { tenant: 'tenant-a', identifier: 'alice', employee_id: 'alice', requests: 2 },
        { tenant: 'tenant-a', identifier: 'alice-dev', employee_id: 'alice', requests: 3 },
      ]);
    });

    it('given a link after the usage (same batch or a later one), then the usage recorded under the login is re-attributed', async () => {
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV])).toEqual([
        ['(unassigned)', 1, 3],
        ['platform', 1, 2],
      ]);
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV, linked('alice-dev', 'alice')])).toEqual([['platform', 1, 5]]);
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV], [linked('alice-dev', 'alice')])).toEqual([['platform', 1, 5]]);
      // The employee filter sees the login's usage once linked.
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV], [linked('alice-dev', 'alice')], { employee: 'alice' })).toEqual([['platform', 1, 5]]);
    });

    it('given a second link of the same identifier, then the latest re-points it (and a link to itself undoes it)', async () => {
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV, linked('alice-dev', 'alice')], [linked('alice-dev', 'bob')])).toEqual([
        ['data', 1, 3],
        ['platform', 1, 2],
      ]);
      expect(await byTeam([...DIRECTORY, linked('alice-dev', 'alice'), linked('alice-dev', 'bob'), ...ALICE_DEV])).toEqual([
        ['data', 1, 3],
        ['platform', 1, 2],
      ]);
      expect(await cells([...ALICE_DEV, linked('alice-dev', 'alice')], [linked('alice-dev', 'alice-dev')])).toEqual([
        { tenant: 'tenant-a', identifier: 'alice', employee_id: 'alice', requests: 2 },
        { tenant: 'tenant-a', identifier: 'alice-dev', employee_id: 'alice-dev', requests: 3 },
      ]);
    });

    it('given mailto: and case variants of one email, then they are one identifier and one person, unlinked or linked', async () => {
      const variants = [
        usage('mailto:Carol@Acme.test', { requests: 1, usageKey: 'a' }),
        usage('carol@acme.test', { requests: 2, usageKey: 'b' }),
        usage(' CAROL@ACME.TEST ', { requests: 4, usageKey: 'c' }),
      ];
      expect(await byTeam(variants)).toEqual([['(unassigned)', 1, 7]]);
      // The employee filter names the person the way the read model does (normalised).
      expect(await byTeam(variants, [], { employee: 'mailto:CAROL@acme.test' })).toEqual([['(unassigned)', 1, 7]]);
      expect(await cells(variants)).toEqual([{ tenant: 'tenant-a', identifier: 'carol@acme.test', employee_id: 'carol@acme.test', requests: 7 }]);
      expect(await byTeam([assigned('carol', 'design', '2026-01-01T00:00:00Z'), ...variants], [linked('MAILTO:carol@acme.TEST', 'carol', 'email')])).toEqual([['design', 1, 7]]);
    });

    it("given another tenant's link of the same identifier, then it has no effect", async () => {
      expect(await cells([...ALICE_DEV, linked('alice-dev', 'mallory', 'github', 'tenant-b')])).toEqual([
        { tenant: 'tenant-a', identifier: 'alice', employee_id: 'alice', requests: 2 },
        { tenant: 'tenant-a', identifier: 'alice-dev', employee_id: 'alice-dev', requests: 3 },
      ]);
      expect(await byTeam([...DIRECTORY, ...ALICE_DEV], [linked('alice-dev', 'bob', 'github', 'tenant-b')])).toEqual([
        ['(unassigned)', 1, 3],
        ['platform', 1, 2],
      ]);
    });

    it('given links before, between and after the usage (a revision, a cumulative series), then a rebuild gives the rows live gives, whatever the batches', async () => {
      const events: GivenEvent[] = [
        usage('mailto:Dana@Acme.test', { requests: 2, usageKey: 'd/1' }),
        linked('dana@acme.test', 'dana', 'email'),
        point(9, 1),
        usage('alice-dev', { requests: 3 }),
        linked('bob', 'robert', 'hris'),
        point(10, 2.5),
        usage('alice-dev', { requests: 5 }), // a revision of the same usageKey
        linked('ALICE-DEV', 'alice'),
        usage('dana@acme.test', { requests: 1, usageKey: 'd/2' }),
        linked('alice-dev', 'bob'),
        linked('alice-dev', 'erin', 'github', 'tenant-b'),
        point(11, 4),
      ];
      const model = await expectRebuildEqualsLive(usageProjection, events, { pool, batchSizes: [1, 2, 5, 100] });
      const daily = model.tables['usage_daily'].map((row) => JSON.parse(row) as { identifier: string; employee_id: string });
      expect([...new Set(daily.map((row) => `${row.identifier}→${row.employee_id}`))].sort()).toEqual(['alice-dev→bob', 'bob→robert', 'dana@acme.test→dana']);
    });
  });

  describe('licence seats, filters and buckets: two identifiers of one person, an own and a directory team on one day, a team change in a week, two currencies (checked by hand)', () => {
    /** A fact of its own cell: its key names its day, model, own team and currency. */
    const cellUsage = (employeeId: string, data: Record<string, unknown>): GivenEvent =>
      usage(employeeId, { usageKey: `gh/${employeeId}/${String(data['day'])}/${String(data['model'] ?? '')}/${String(data['teamId'] ?? '')}/${String(data['currency'] ?? '')}`, ...data });
    const USD = (row: UsageMetricsRow) => row.spend.find((s) => s.currency === 'USD')?.amount ?? 0;
    const EUR = (row: UsageMetricsRow) => row.spend.find((s) => s.currency === 'EUR')?.amount ?? 0;

    // 2026-03-30 is a Monday: its ISO week runs into April. Asked: [03-25, 04-03); months read for seats: March and April.
    const ASKED = { tenant: 'tenant-a', from: new Date('2026-03-25T00:00:00Z'), to: new Date('2026-04-03T00:00:00Z'), privacyMinGroupSize: 3 } as const;
    const EVENTS: GivenEvent[] = [
      assigned('alice', 'platform', '2026-01-01T00:00:00Z'),
      assigned('alice', 'data', '2026-03-31T00:00:00Z'),
      assigned('bob', 'data', '2026-01-01T00:00:00Z'),
      linked('alice-gh', 'alice'),
      // alice's March cells of Copilot: (m1, platform, 03-10), (m1, platform, 03-26), (m1, web, 03-30), (m1, platform, 03-30), (m2, data, 03-31): 1/5 each.
      cellUsage('alice', { day: '2026-03-10', model: 'm1', requests: 1 }),
      cellUsage('alice', { day: '2026-03-26', model: 'm1', requests: 1 }),
      cellUsage('alice', { day: '2026-03-30', model: 'm1', teamId: 'web', requests: 1 }),
      cellUsage('alice-gh', { day: '2026-03-30', model: 'm1', teamId: 'web', requests: 2 }), // another identifier of alice: the same cell
      cellUsage('alice', { day: '2026-03-30', model: 'm1', requests: 4 }), // her directory team that day: platform
      cellUsage('alice', { day: '2026-03-31', model: 'm2', requests: 1, cost: 3, currency: 'USD' }),
      cellUsage('alice', { day: '2026-03-31', model: 'm2', cost: 2, currency: 'EUR' }), // the same cell, another currency
      // alice's April cells: (m1, data, 04-01), (m1, data, 04-10): 1/2 each.
      cellUsage('alice', { day: '2026-04-01', model: 'm1', requests: 1 }),
      cellUsage('alice', { day: '2026-04-10', model: 'm1', requests: 1 }),
      cellUsage('bob', { day: '2026-03-30', model: 'm1', requests: 1 }),
      cellUsage('bob', { day: '2026-04-02', model: 'm1', teamId: 'web', requests: 1 }),
      cellUsage('carol', { day: '2026-04-20', model: 'm1', requests: 1 }), // an April user outside the days asked
      cellUsage('dave', { day: '2026-03-30', model: 'm1', tool: 'claude-code', requests: 1, cost: 5, currency: 'USD' }),
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
});
