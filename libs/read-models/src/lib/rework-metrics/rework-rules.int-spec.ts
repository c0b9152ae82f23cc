// The rework rules (rework-rules.ts) as the read side applies them, checked against the pure TypeScript reference on a
// generated organisation: training impact's `aggregateDailyActivity`, and the metrics of PRODUCT.md summed here with
// the domain's `assignmentInEffect` / `attributeTeam`.
import { decodeEvent } from '@rework-ledger/contracts';
import { preset } from '@rework-ledger/demo-data';
import { type Assignment, assignmentInEffect, attributeTeam, isReworkEventType, REWORK_EVENT_TYPES } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import { createPool } from '@rework-ledger/platform';
import { projectionSpec } from '@rework-ledger/projections/testing';
import { createTestDatabase } from '@rework-ledger/testing';
import { type ActivityEvent, aggregateDailyActivity } from '@rework-ledger/training-impact';
import type { Pool } from 'pg';
import { shuffledOrganisation } from '../generated-organisation.test-support';
import { fromPgPool, type SqlQueryable } from '../sql-queryable';
import { dailyActivityFromOutputs, dailyActivityFromRollups, type EmployeeDay, hourlyCostsAt, reworkDoneFrom } from '../training/training.queries';
import { reworkMetricsProjection } from './rework-metrics.projection';
import { queryReworkMetrics, type ReworkMetricsRow } from './rework-metrics.query';
import { assignmentSpans, inEffectSql } from './rework-rules';

const DAY_MS = 86_400_000;
const DEFAULT_HOURLY_COST = 60;
const MINUTES_SAVED = { drafting: 20, analysis: 30, 'decision-support': 15, automation: 25, coding: 30, other: 10 };
const BATCH = 400;
/**
 * The live fill's batches: the runner's default batch size. Every batch's upserts stay in the scenario's one
 * transaction (their row versions cannot be pruned before it ends), which 29 batches of 400 make 3 times slower than
 * 6 of 2000; rebuild-equals-live.int-spec.ts compares live in batches of 13, 250 and 5000 with the rebuild.
 */
const LIVE_BATCH = 2000;

/**
 * The 'small' organisation (30 employees, ~7.8k outputs, late-recorded team changes), its events in a shuffled store
 * order (rework before its output, assignments after the outputs they attribute), a quarter of its employees without
 * an hourly cost (the tenant default applies).
 */
const organisationEvents = () => shuffledOrganisation(preset('small'), BATCH);

/** The events as the reference aggregation reads them: decoded, with their time as a string. */
function activityEvents(events: readonly StoredEvent[]): ActivityEvent[] {
  return events.map((event) => {
    const decoded = decodeEvent(event);
    if (!decoded.ok) throw new Error(`event ${event.id} breaks the contract`);
    return { ...decoded.event, time: event.time.toISOString() };
  });
}

type Totals = Pick<
  ReworkMetricsRow,
  'outputs' | 'reworkedOutputs' | 'corrections' | 'rewrites' | 'doubleChecks' | 'discards' | 'reworkMinutes' | 'lostCost' | 'grossSavedHours'
> & { doubleCheckedOutputs: number };

/** PRODUCT.md's metrics per team, summed in TypeScript from the events (the reference of the rollups and the outputs). */
function referenceTotalsByTeam(events: readonly StoredEvent[]): Map<string, Totals> {
  const assignments = new Map<string, Assignment[]>();
  const outputs = new Map<string, StoredEvent>();
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'employee.assigned') {
      const list = assignments.get(String(data['employeeId'])) ?? [];
      list.push({
        teamId: String(data['teamId']),
        hourlyCost: typeof data['hourlyCost'] === 'number' ? data['hourlyCost'] : undefined,
        effectiveFrom: new Date(typeof data['effectiveFrom'] === 'string' ? data['effectiveFrom'] : event.time.toISOString()),
        storeOrder: Number(event.position.globalPosition),
      });
      assignments.set(String(data['employeeId']), list);
    } else if (event.type === 'ai.output.generated' && !outputs.has(String(data['outputId']))) {
      outputs.set(String(data['outputId']), event);
    }
  }
  const totals = new Map<string, Totals>();
  const teamOf = new Map<string, Totals>();
  const perOutput = new Map<string, { reworked: boolean; doubleChecked: boolean }>();
  for (const [outputId, event] of outputs) {
    const data = event.data as Record<string, unknown>;
    const team = attributeTeam(typeof data['teamId'] === 'string' ? data['teamId'] : undefined, assignments.get(String(data['employeeId'])) ?? [], event.time);
    let row = totals.get(team);
    if (row === undefined) {
      totals.set(team, (row = { outputs: 0, reworkedOutputs: 0, doubleCheckedOutputs: 0, corrections: 0, rewrites: 0, doubleChecks: 0, discards: 0, reworkMinutes: 0, lostCost: 0, grossSavedHours: 0 }));
    }
    row.outputs++;
    const saved = typeof data['minutesSavedEstimate'] === 'number' ? data['minutesSavedEstimate'] : MINUTES_SAVED[String(data['taskType']) as keyof typeof MINUTES_SAVED];
    row.grossSavedHours += saved / 60;
    teamOf.set(outputId, row);
    perOutput.set(outputId, { reworked: false, doubleChecked: false });
  }
  for (const event of events) {
    if (!isReworkEventType(event.type)) continue;
    const data = event.data as Record<string, unknown>;
    const row = teamOf.get(String(data['outputId']));
    const output = perOutput.get(String(data['outputId']));
    if (row === undefined || output === undefined) continue;
    const kind = REWORK_EVENT_TYPES[event.type];
    const minutes = Number(data['minutesSpent']);
    row[({ correction: 'corrections', rewrite: 'rewrites', doubleCheck: 'doubleChecks', discard: 'discards' } as const)[kind]]++;
    if (kind === 'doubleCheck') output.doubleChecked = true;
    else output.reworked = true;
    row.reworkMinutes += minutes;
    row.lostCost += (minutes / 60) * (assignmentInEffect(assignments.get(String(data['employeeId'])) ?? [], event.time)?.hourlyCost ?? DEFAULT_HOURLY_COST);
  }
  for (const [outputId, { reworked, doubleChecked }] of perOutput) {
    const row = teamOf.get(outputId) as Totals;
    if (reworked) row.reworkedOutputs++;
    if (doubleChecked) row.doubleCheckedOutputs++;
  }
  return totals;
}

/** Totals as the query answers them, the double-checked outputs from their rate. */
const totalsOf = (row: ReworkMetricsRow): Totals => ({
  outputs: row.outputs,
  reworkedOutputs: row.reworkedOutputs,
  doubleCheckedOutputs: Math.round((row.doubleCheckRate ?? 0) * row.outputs),
  corrections: row.corrections,
  rewrites: row.rewrites,
  doubleChecks: row.doubleChecks,
  discards: row.discards,
  reworkMinutes: row.reworkMinutes,
  lostCost: row.lostCost,
  grossSavedHours: row.grossSavedHours,
});

/** Sums of fractional money and hours in another order: equal to a relative 1e-9. */
function expectTotalsEqual(actual: ReadonlyMap<string, Totals>, expected: ReadonlyMap<string, Totals>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [team, want] of expected) {
    const got = actual.get(team) as Totals;
    const { lostCost, grossSavedHours, ...exact } = want;
    expect({ team, ...got, lostCost: 0, grossSavedHours: 0 }).toEqual({ team, ...exact, lostCost: 0, grossSavedHours: 0 });
    expect(Math.abs(got.lostCost - lostCost)).toBeLessThanOrEqual(1e-9 * Math.max(1, lostCost));
    expect(Math.abs(got.grossSavedHours - grossSavedHours)).toBeLessThanOrEqual(1e-9 * Math.max(1, grossSavedHours));
  }
}

const byEmployeeAndDay = (days: readonly EmployeeDay[]) =>
  [...days].sort((a, b) => (a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : a.day - b.day));

describe('the rework rules against the TypeScript reference (generated organisation, PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: Pool;
  const { tenant, events, given, start, end } = organisationEvents();
  const schema = reworkMetricsProjection.schema;
  // After every fact, and a midnight in the middle of the period (rework done after it taken off).
  const after = new Date(end.getTime() + 30 * DAY_MS);
  const middle = new Date(Math.floor((start.getTime() + end.getTime()) / 2 / DAY_MS) * DAY_MS);
  const since = new Date(start.getTime() - 30 * DAY_MS);

  /**
   * The read model filled from scratch as the live path fills it (batch by batch) or as a rebuild does, in the
   * projection's own schema (the queries name it), in one transaction: `check` reads it, then it is rolled back.
   */
  const filled = (mode: 'live' | 'rebuild', check: (db: SqlQueryable) => Promise<void>) =>
    projectionSpec(reworkMetricsProjection, { pool, schema: 'live', mode, batchSize: LIVE_BATCH })
      .given(given)
      .then(async ({ client }) => {
        // Statistics, as a read model that has been running has them.
        await client.query(`ANALYZE "${schema}".outputs, "${schema}".reworks, "${schema}".assignments`);
        await check(fromPgPool(client));
      });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  describe.each(['live', 'rebuild'] as const)('given the events applied %s', (mode) => {
    /** The daily activity is the reference aggregation, as of any time. */
    const dailyActivityIsTheReference = async (db: SqlQueryable) => {
      const reference = aggregateDailyActivity(
        activityEvents(events),
        after,
      ).activity.map((row) => ({ ...row }));
      expect(reference.length).toBeGreaterThan(1000);
      expect(reference.some((row) => row.reworked > 0)).toBe(true);
      // The employee months, packed as the projection keeps them: the query only reads them.
      expect(byEmployeeAndDay((await dailyActivityFromRollups(db, tenant, since, after)) ?? [])).toEqual(reference);
      expect(byEmployeeAndDay(await dailyActivityFromOutputs(db, tenant, since, after))).toEqual(reference);
      // As of the middle of the period: from the outputs, and from the months less the rework done from then.
      const asOfMiddle = aggregateDailyActivity(
        activityEvents(events),
        middle,
      ).activity.map((row) => ({ ...row }));
      expect(byEmployeeAndDay(await dailyActivityFromOutputs(db, tenant, since, middle))).toEqual(asOfMiddle);
      const later = new Map((await reworkDoneFrom(db, tenant, since, middle)).map((row) => [`${row.employeeId}/${row.day}`, row]));
      const months = ((await dailyActivityFromRollups(db, tenant, since, after)) ?? [])
        .filter((row) => row.day < middle.getTime() / DAY_MS)
        .map((row) => {
          const done = later.get(`${row.employeeId}/${row.day}`);
          return { ...row, reworked: row.reworked - (done?.reworked ?? 0), reworkMinutes: row.reworkMinutes - (done?.reworkMinutes ?? 0) };
        });
      expect(byEmployeeAndDay(months)).toEqual(asOfMiddle);
    };

    /** The rework metrics (rollups and outputs) are the reference sums per team. */
    const reworkMetricsAreTheReference = async (db: SqlQueryable) => {
      const reference = referenceTotalsByTeam(events);
      expect(reference.size).toBeGreaterThan(1);
      const query = { tenant, from: since, to: after, defaultHourlyCost: DEFAULT_HOURLY_COST, defaultMinutesSavedByTaskType: MINUTES_SAVED, privacyMinGroupSize: 1 };
      // By team: from the daily rollups. By team then employee: from the outputs.
      const fromRollups = await queryReworkMetrics(db, { ...query, groupBy: 'team' });
      expectTotalsEqual(new Map(fromRollups.map((row) => [row.group as string, totalsOf(row)])), reference);
      const fromOutputs = await queryReworkMetrics(db, { ...query, groupBy: 'team', thenBy: ['employee'] });
      const summed = new Map<string, Totals>();
      for (const row of fromOutputs) {
        const totals = totalsOf(row);
        const sum = summed.get(row.group as string);
        if (sum === undefined) summed.set(row.group as string, totals);
        else for (const key of Object.keys(totals) as (keyof Totals)[]) sum[key] += totals[key];
      }
      expectTotalsEqual(summed, reference);
    };

    /** The hourly cost in effect at a time is the reference assignment in effect. */
    const hourlyCostsAreTheReference = async (db: SqlQueryable) => {
      const assignments = new Map<string, Assignment[]>();
      for (const event of events.filter((e) => e.type === 'employee.assigned')) {
        const data = event.data as Record<string, unknown>;
        const list = assignments.get(String(data['employeeId'])) ?? [];
        list.push({
          teamId: String(data['teamId']),
          hourlyCost: typeof data['hourlyCost'] === 'number' ? data['hourlyCost'] : undefined,
          effectiveFrom: new Date(typeof data['effectiveFrom'] === 'string' ? data['effectiveFrom'] : event.time.toISOString()),
          storeOrder: Number(event.position.globalPosition),
        });
        assignments.set(String(data['employeeId']), list);
      }
      for (const at of [middle, after]) {
        const expected = new Map<string, number>();
        const teams = new Map<string, string>();
        for (const [employeeId, list] of assignments) {
          const inEffect = assignmentInEffect(list, at);
          if (inEffect?.hourlyCost !== undefined) expected.set(employeeId, inEffect.hourlyCost);
          if (inEffect !== undefined) teams.set(employeeId, inEffect.teamId);
        }
        expect(expected.size).toBeGreaterThan(0);
        expect(await hourlyCostsAt(db, tenant, at)).toEqual(expected);
        // The same rule as spans of time (what the usage query joins on).
        const spans = await db.query<{ employee_id: string; team_id: string }>(
          `SELECT s.employee_id, s.team_id FROM (${assignmentSpans(reworkMetricsProjection.schema, '$1', 'a.employee_id, a.team_id')}) s WHERE ${inEffectSql('s', '$2')}`,
          [tenant, at.toISOString()],
        );
        expect(new Map(spans.map((row) => [row.employee_id, row.team_id]))).toEqual(teams);
        expect(spans).toHaveLength(teams.size);
      }
    };

    // One filling of the read model (not what is tested: it may take its time on a busy machine), three checks.
    it('then the daily activity is the reference aggregation as of any time, the rework metrics the reference sums per team, and the hourly costs the reference assignments in effect', () =>
      filled(mode, async (db) => {
        await dailyActivityIsTheReference(db);
        await reworkMetricsAreTheReference(db);
        await hourlyCostsAreTheReference(db);
      }), 300_000);
  });
});
